//! Taking a call over when its home node died (see `cluster`): one survivor moves the call row's
//! home to itself, lets the old home (if it runs on after all) know, keeps the dead node's files
//! as interrupted, opens the room, tells both sides `call.moved` until they are back, and ends the
//! call (`home_lost`) when they are not both back within `call_rejoin_secs`. Touches no
//! signalling: the clients' new `call.join`s reach the new home as any join does.

use std::sync::Arc;
use std::time::Duration;

use super::cluster::CallCluster;
use crate::routing::Op;
use crate::state::AppState;

/// How often a side not back in a moved call is told `call.moved` again.
const MOVED_AGAIN_EVERY: Duration = Duration::from_secs(2);
/// How many times ending a lost call is tried, a second apart.
const END_TRIES: u32 = 60;

/// A call's home `dead` is gone. Every survivor forgets its sockets' joins there; one of them
/// (compare-and-set on the call row) becomes the call's home: it keeps the dead node's files as
/// interrupted, opens the room, tells both sides `call.moved` (again every `MOVED_AGAIN_EVERY` to
/// a side not back yet) and ends the call if they are not both back in time.
pub(crate) async fn take_over(state: &AppState, cluster: &Arc<CallCluster>, call: i64, dead: i64) {
    cluster.remote().retain(|(_, id), home| !(*id == call && *home == dead));
    let moved_at = crate::clock::now_ms();
    match state.store.move_call_home(call, dead, cluster.node, &cluster.media_addr).await {
        Ok(true) => {}
        // Another survivor moved it first (or it ended meanwhile).
        Ok(false) => return,
        Err(e) => {
            tracing::warn!(call, error = ?e, "could not take over a call whose home died");
            return;
        }
    }
    tracing::warn!(call, dead, node = cluster.node, "the node holding a call's media is gone: this node takes the call over");
    let (client, body) = (cluster.client.clone(), format!("{call} {}", cluster.node));
    tokio::spawn(async move {
        let _ = client.publish("kefu.media.moved", body.into()).await;
    });
    // Nobody is writing the dead node's files any more; this node's own segments start later.
    if let Err(e) = crate::calls::recording::finish_interrupted_before(&state.store, &state.config.recordings_dir, call, moved_at).await {
        tracing::warn!(call, error = ?e, "could not finish a dead node's recordings");
    }
    if let Err(e) = state.calls.open(call).await {
        tracing::warn!(call, error = %e, "could not open a moved call's room: the call ends");
        end_lost(state, call).await;
        return;
    }
    let Some(c) = (match state.store.call(call).await {
        Ok(row) => state.store.conversation(row.conversation_id).await.ok(),
        Err(_) => None,
    }) else {
        return;
    };
    let (state, node) = (state.clone(), cluster.node);
    tokio::spawn(async move {
        // Told again to a side not back yet: its socket may have died with the home and
        // reconnected to a survivor after the first frame went out.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(u64::from(state.config.call_rejoin_secs));
        loop {
            let sides = state.calls.parts_of_call(call).into_iter().map(|(_, side)| side).collect::<Vec<_>>();
            if both_sides(&sides) {
                return;
            }
            let still_here = matches!(state.store.call_home(call).await, Ok(Some((home, _))) if home == node);
            let open = matches!(state.store.call(call).await, Ok(row) if row.status == kefu_core::CallStatus::Active);
            if !still_here || !open {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                tracing::warn!(call, ?sides, "a moved call's media was not rejoined in time: the call ends");
                end_lost(&state, call).await;
                return;
            }
            let frame = moved_frame(call);
            if !sides.contains(&"visitor") {
                state.hub.to_visitor(c.visitor_id, &frame);
            }
            if let (false, Some(agent)) = (sides.contains(&"agent"), c.agent_id) {
                state.hub.to_user(agent, &frame);
            }
            tokio::time::sleep(MOVED_AGAIN_EVERY.min(deadline.saturating_duration_since(tokio::time::Instant::now()))).await;
        }
    });
}

/// `call.moved`: the call's media moved to another node; the client makes a new peer connection
/// and joins again (`call.join`), its signalling reaching the new home as any join does.
fn moved_frame(call: i64) -> Arc<str> {
    serde_json::json!({ "type": "call.moved", "call_id": call, "data": { "reason": "home_lost" } }).to_string().into()
}

/// `kefu.media.moved`: "<call> <new home>".
pub(crate) fn parse_move(payload: &[u8]) -> Option<(i64, i64)> {
    let text = std::str::from_utf8(payload).ok()?;
    let (call, home) = text.split_once(' ')?;
    Some((call.parse().ok()?, home.parse().ok()?))
}

/// Whether both the visitor and the agent are in the room.
fn both_sides(sides: &[&str]) -> bool {
    sides.contains(&"visitor") && sides.contains(&"agent")
}

/// End a moved call that could not go on (its agent's call slot is freed by the end). Tried
/// again while routing cannot be reached (its owner may have died with the home): a call left
/// active here would hold the agent's call slot for good.
async fn end_lost(state: &AppState, call: i64) {
    for _ in 0..END_TRIES {
        let op =
            Op::EndCall { call, reason: kefu_core::CallEndReason::HomeLost.as_str().into(), only_if: Some(kefu_core::CallStatus::Active) };
        match state.routing.run(op).await {
            // Conflict: it ended meanwhile (hung up); nothing left to do.
            Ok(()) | Err(crate::error::ApiError::Conflict(_)) => return,
            Err(e) => tracing::warn!(call, error = %e, "could not end a moved call yet"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tracing::error!(call, "gave up ending a moved call: it ends at the next start of a lone node");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_call_goes_on_only_with_both_sides_back() {
        assert!(both_sides(&["agent", "visitor"]));
        assert!(both_sides(&["visitor", "agent", "agent"]), "a side on two sockets");
        assert!(!both_sides(&["agent", "agent"]), "the visitor never came back");
        assert!(!both_sides(&["visitor"]));
        assert!(!both_sides(&[]), "nobody rejoined");
    }

    #[test]
    fn a_move_names_the_call_and_its_new_home() {
        assert_eq!(parse_move(b"12 345"), Some((12, 345)));
        assert_eq!(parse_move(b"12"), None);
        assert_eq!(parse_move(b"x 345"), None);
    }

    #[test]
    fn the_moved_frame_names_the_call_and_why() {
        let v: serde_json::Value = serde_json::from_str(&moved_frame(42)).unwrap();
        assert_eq!(v, serde_json::json!({ "type": "call.moved", "call_id": 42, "data": { "reason": "home_lost" } }));
    }
}
