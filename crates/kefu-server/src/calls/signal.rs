//! Media signalling over the WebSocket: `call.join` / `call.renegotiate` / `call.answer` /
//! `call.leave` from a socket become media server commands, and the media server's events
//! become `call.offer` frames to that socket or ended calls. Replies go through the socket's
//! one outbox, so a join's answer always reaches the client before any later offer. In a
//! cluster a call's room lives on its home node: a socket elsewhere has its signalling carried
//! there (`calls::cluster`), and `at_home` runs it.
//!
//! A socket that joins a call it is already in replaces its participant: the client lost its
//! connection (a phone switching networks, a NAT rebinding) and joins again with a new peer
//! connection. The old participant is forgotten first (its leaving ends nothing), then leaves: its
//! tracks are unpublished, its recording file ends; the new one publishes, subscribes and records
//! a new segment like any join. A participant whose connection was lost (`LeaveReason::Lost`) does
//! not end the call at once: its side has `call_rejoin_secs` to join again. Nor does one whose
//! socket closed (`socket_closed`): it leaves the room, and its side has the same grace to join
//! again from a new socket (a `call.join` of the same visitor or agent, on any node).
//!
//! The newest socket of a side takes the call at once: a join from another socket of a side
//! already in the call (the client reconnected while its old socket is not yet known dead, or a
//! second tab) tells the older socket `call.replaced` and drops its participant from the room, as
//! a rejoin on the same socket does. And a party's join of a call that ended meanwhile (its
//! socket came back after the grace) is answered `call.ended` with the call as it ended, not
//! `call_not_active`: the client ends the call as the conversation's `call.updated` would.

use kefu_core::CallStatus;
use std::sync::Arc;
use std::time::Duration;

use kefu_media::{ClientOffer, LeaveReason, MediaError, MediaEvent, MediaEvents, ParticipantId};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::Caller;
use crate::calls::cluster::{MediaReply, MediaRequest};
use crate::calls::quality::Quality;
use crate::calls::recording::Finisher;
use crate::calls::{room, CallMedia};
use crate::realtime::Hub;
use crate::routing::{Op, Routing};
use crate::state::AppState;

/// `call.join` / `call.renegotiate`: a client offer.
#[derive(Debug, Deserialize)]
pub struct OfferFrame {
    pub call_id: i64,
    pub sdp: String,
    #[serde(default)]
    pub screen_mids: Vec<String>,
}

/// `call.answer`: the client's answer to a server offer.
#[derive(Debug, Deserialize)]
pub struct AnswerFrame {
    pub call_id: i64,
    pub sdp: String,
}

/// `call.leave`.
#[derive(Debug, Deserialize)]
pub struct LeaveFrame {
    pub call_id: i64,
}

/// A call frame from a client (see `WsClientFrame`).
#[derive(Debug)]
pub enum CallFrame {
    Join(OfferFrame),
    Renegotiate(OfferFrame),
    Answer(AnswerFrame),
    Leave(LeaveFrame),
}

/// `{type, call_id, data}`: a signalling frame for one socket.
fn call_frame(kind: &str, call_id: i64, data: Value) -> Arc<str> {
    json!({ "type": kind, "call_id": call_id, "data": data }).to_string().into()
}

/// Why a call frame was refused.
struct Refusal {
    code: String,
    message: String,
}

fn refuse(code: &str, message: impl Into<String>) -> Refusal {
    Refusal { code: code.into(), message: message.into() }
}

fn not_joined() -> Refusal {
    refuse("not_joined", "this socket has not joined the call")
}

/// What a joined socket asks of its participant.
enum SignalOp {
    Renegotiate(ClientOffer),
    Answer(String),
    Leave,
}

/// Run a joined participant's signalling on this node's media server.
async fn apply(media: &CallMedia, p: ParticipantId, op: SignalOp) -> Result<Option<String>, Refusal> {
    match op {
        SignalOp::Renegotiate(offer) => Ok(Some(media.handle.renegotiate(p, offer).await?)),
        SignalOp::Answer(sdp) => match media.handle.answer(p, sdp).await {
            // The offer was superseded by the client's own (rule 3): nothing to do.
            Ok(()) | Err(MediaError::NoPendingOffer) => Ok(None),
            Err(e) => Err(e.into()),
        },
        SignalOp::Leave => {
            media.handle.leave(p).await?;
            Ok(None)
        }
    }
}

/// A joined socket's signalling: here if its participant is here, else at the call's home.
async fn signal(state: &AppState, conn: u64, call: i64, op: SignalOp) -> Result<Option<String>, Refusal> {
    let media = &state.calls;
    if let Some(p) = media.participant(conn, call) {
        return apply(media, p, op).await;
    }
    let Some(cluster) = &media.cluster else { return Err(not_joined()) };
    let Some(home) = cluster.home_of(conn, call) else { return Err(not_joined()) };
    let node = cluster.node;
    let leaving = matches!(op, SignalOp::Leave);
    let request = match op {
        SignalOp::Renegotiate(o) => MediaRequest::Renegotiate { call, node, conn, sdp: o.sdp, screen_mids: o.screen_mids },
        SignalOp::Answer(sdp) => MediaRequest::Answer { call, node, conn, sdp },
        SignalOp::Leave => MediaRequest::Leave { call, node, conn },
    };
    let reply = cluster.ask(home, &request).await;
    if leaving {
        cluster.forget(conn, call);
    }
    match reply {
        MediaReply::Sdp(sdp) => Ok(sdp),
        MediaReply::Refused { code, message } => Err(Refusal { code, message }),
    }
}

/// Signalling that another node forwarded for a room this node is home to.
pub(crate) async fn at_home(state: &AppState, request: MediaRequest) -> MediaReply {
    let media = &state.calls;
    let result = match request {
        MediaRequest::Join { call, node, conn, side, sdp, screen_mids } => {
            let side = if side == "visitor" { "visitor" } else { "agent" };
            if let Some(old) = media.remote_participant(Some(node), conn, call) {
                replace(media, &state.hub, old).await;
            }
            join_here(state, call, conn, side, Some(node), ClientOffer { sdp, screen_mids }).await
        }
        MediaRequest::Renegotiate { call, node, conn, sdp, screen_mids } => match media.remote_participant(Some(node), conn, call) {
            Some(p) => apply(media, p, SignalOp::Renegotiate(ClientOffer { sdp, screen_mids })).await,
            None => Err(not_joined()),
        },
        MediaRequest::Answer { call, node, conn, sdp } => match media.remote_participant(Some(node), conn, call) {
            Some(p) => apply(media, p, SignalOp::Answer(sdp)).await,
            None => Err(not_joined()),
        },
        MediaRequest::Leave { call, node, conn } => match media.remote_participant(Some(node), conn, call) {
            Some(p) => apply(media, p, SignalOp::Leave).await,
            None => Err(not_joined()),
        },
        MediaRequest::Vanished { call, node, conn } => {
            if let Some(p) = media.remote_participant(Some(node), conn, call) {
                let grace = Duration::from_secs(u64::from(state.config.call_rejoin_secs));
                vanished(state, p, grace).await;
            }
            Ok(None)
        }
        MediaRequest::Recording { call, action } => match crate::calls::recording::files_follow_here(state, call, action).await {
            Ok(()) => Ok(None),
            Err(e) => Err(refuse("media_unavailable", e.to_string())),
        },
    };
    match result {
        Ok(sdp) => MediaReply::Sdp(sdp),
        Err(r) => MediaReply::Refused { code: r.code, message: r.message },
    }
}

impl From<MediaError> for Refusal {
    fn from(e: MediaError) -> Self {
        let code = match e {
            MediaError::BadSdp(_) => "bad_sdp",
            MediaError::UnknownParticipant | MediaError::UnknownRoom => "not_joined",
            MediaError::ParticipantExists => "already_joined",
            MediaError::NoPendingOffer => "no_pending_offer",
            MediaError::RoomExists | MediaError::Stopped => "media_unavailable",
            // Recording commands do not come from call frames.
            MediaError::AlreadyRecording | MediaError::NotRecording | MediaError::Recording(_) => "media_unavailable",
        };
        refuse(code, e.to_string())
    }
}

/// Handle one call frame of socket `conn`; any refusal goes back as `call.error`.
pub async fn handle(state: &AppState, caller: &Caller, conn: u64, frame: CallFrame) {
    let (call_id, result) = match frame {
        CallFrame::Join(OfferFrame { call_id, sdp, screen_mids }) => {
            (call_id, join(state, caller, conn, call_id, ClientOffer { sdp, screen_mids }).await)
        }
        CallFrame::Renegotiate(OfferFrame { call_id, sdp, screen_mids }) => {
            (call_id, signal(state, conn, call_id, SignalOp::Renegotiate(ClientOffer { sdp, screen_mids })).await)
        }
        CallFrame::Answer(AnswerFrame { call_id, sdp }) => (call_id, signal(state, conn, call_id, SignalOp::Answer(sdp)).await),
        CallFrame::Leave(LeaveFrame { call_id }) => (call_id, signal(state, conn, call_id, SignalOp::Leave).await),
    };
    match result {
        Ok(Some(sdp)) => state.hub.to_conn(conn, &call_frame("call.answer", call_id, json!({ "sdp": sdp }))),
        Ok(None) => {}
        Err(r) => state.hub.to_conn(conn, &call_frame("call.error", call_id, json!({ "code": r.code, "message": r.message }))),
    }
}

/// Join this socket to an active call the caller is a party to; returns the answer's SDP.
async fn join(state: &AppState, caller: &Caller, conn: u64, call_id: i64, offer: ClientOffer) -> Result<Option<String>, Refusal> {
    let not_in_call = || refuse("not_in_call", "no such call, or you are not in it");
    let call = state.store.call(call_id).await.map_err(|_| not_in_call())?;
    let c = state.store.conversation(call.conversation_id).await.map_err(|_| not_in_call())?;
    let (party, role) = match caller {
        Caller::Visitor(v) => (c.visitor_id == *v, "visitor"),
        Caller::Staff(s) => (s.is_user() && c.agent_id == Some(s.id), "agent"),
    };
    if !party {
        return Err(not_in_call());
    }
    if call.status == CallStatus::Ended {
        ended_meanwhile(state, caller, conn, &call);
        return Ok(None);
    }
    if call.status != CallStatus::Active {
        return Err(refuse("call_not_active", format!("the call is {}: join once it is active", call.status.as_str())));
    }
    let media = &state.calls;
    let mut here = media.participant(conn, call_id);
    if let Some(cluster) = &media.cluster {
        // The first node to join a call is its home; a socket elsewhere joins the room there.
        let unavailable = |_| refuse("media_unavailable", "could not find the call's media node");
        let (home, _) = state.store.claim_call_home(call_id, cluster.node, &cluster.media_addr).await.map_err(unavailable)?;
        if let Some(p) = here.take() {
            // Either the socket joins again after losing its connection (this node is still the
            // home: the join below replaces it), or this node was taken for dead and a survivor
            // took the call over (`call.moved`): the participant here is of a room that is no
            // longer the call's. Either way it goes.
            replace(media, &state.hub, p).await;
        }
        // Joined at the home before: a join again replaces that participant there (`at_home`);
        // a join at a home that died and handed the call over (`call.moved`) is gone.
        if matches!(cluster.home_of(conn, call_id), Some(joined) if joined != home) {
            cluster.forget(conn, call_id);
        }
        if home != cluster.node {
            let (node, side) = (cluster.node, role.to_string());
            let request = MediaRequest::Join { call: call_id, node, conn, side, sdp: offer.sdp, screen_mids: offer.screen_mids };
            return match cluster.ask(home, &request).await {
                MediaReply::Sdp(answer) => {
                    cluster.joined_remotely(conn, call_id, home);
                    Ok(answer)
                }
                MediaReply::Refused { code, message } => Err(Refusal { code, message }),
            };
        }
    }
    if let Some(old) = here {
        replace(media, &state.hub, old).await;
    }
    join_here(state, call_id, conn, role, None, offer).await
}

/// A party joined a call that ended meanwhile: its socket gets `call.ended`, the call as it ended
/// (as the conversation's `call.updated` has it, which a resume brings too), not an error.
fn ended_meanwhile(state: &AppState, caller: &Caller, conn: u64, call: &kefu_store::CallRow) {
    let mut view = serde_json::to_value(crate::views::CallView::from(call)).unwrap_or_default();
    if matches!(caller, Caller::Visitor(_)) {
        crate::conversations::redact::redact_for_visitor("call.updated", &mut view);
    }
    state.hub.to_conn(conn, &call_frame("call.ended", call.id, view));
}

/// The newest socket of a side takes the call: every other participant of `side` in `call` (an
/// older socket of the same visitor or agent, not yet known dead, or another tab) is told
/// `call.replaced` and replaced like a socket's own earlier join. Once the new one has joined.
async fn supersede_side(media: &CallMedia, hub: &Hub, call: i64, side: &'static str, node: Option<i64>, conn: u64) {
    let older: Vec<(ParticipantId, crate::calls::Part)> = media
        .parts()
        .iter()
        .filter(|(_, p)| p.call == call && p.side == side && !(p.node == node && p.conn == conn))
        .map(|(&id, &p)| (id, p))
        .collect();
    for (id, part) in older {
        tracing::info!(call, side, participant = id.0, "a newer socket of the side joins: the older one's participant goes");
        let data = serde_json::to_value(crate::views::CallReplaced { reason: "joined_elsewhere".into() }).unwrap_or_default();
        media.to_socket(hub, part, &call_frame("call.replaced", call, data));
        replace(media, hub, id).await;
    }
}

/// A participant about to be replaced by its socket's new join: forgotten first, so its leaving
/// (`ParticipantLeft`) neither ends the call nor reaches the socket, then out of the room.
async fn replace(media: &CallMedia, hub: &Hub, old: ParticipantId) {
    if let Some(part) = media.unregister(old) {
        tracing::info!(call = part.call, side = part.side, participant = old.0, "a participant joins again: its old connection goes");
        // Reconnecting until the new connection carries media.
        media.side_lost(hub, part.call, part.side);
    }
    let _ = media.handle.leave(old).await;
}

/// Join a socket (of this node, or of `node`) to the call's room on this node.
async fn join_here(
    state: &AppState,
    call_id: i64,
    conn: u64,
    role: &'static str,
    node: Option<i64>,
    offer: ClientOffer,
) -> Result<Option<String>, Refusal> {
    let media = &state.calls;
    media.open(call_id).await?;
    let p = media.register(call_id, conn, role, node);
    match media.handle.join(room(call_id), p, offer).await {
        Ok(answer) => {
            // Only a join that worked takes the call from the side's older sockets: a bad offer
            // leaves the side as it was.
            supersede_side(media, &state.hub, call_id, role, node, conn).await;
            // Not awaited: the answer goes back now; the file starts beside it.
            tokio::spawn(crate::calls::recording::participant_joined(state.clone(), call_id, p, role));
            Ok(Some(answer))
        }
        Err(e) => {
            media.unregister(p);
            Err(e.into())
        }
    }
}

/// The socket closed (a tab closed, or a phone switching from Wi-Fi to 4G: its socket dies with
/// its media path): its participants vanish without hanging up. Each leaves the room at once (its
/// tracks are unpublished, its recording file ends), and its side has `call_rejoin_secs` to join
/// the still-active call again from a new socket, as a lost connection has; after that the call
/// ends `failed`. A participant of this socket joined on another node is handed to that home,
/// which keeps the grace (it knows who is in the room).
///
/// Why leave at once rather than keep the participant until the grace ends: no socket can reach
/// it any more, so a server offer (the other side renegotiating, rejoining) would wait on it for
/// good and its recording would go on from a connection nobody can steer; the new socket's join
/// makes a new peer connection anyway. A media path that survived the socket costs a second of
/// media, the price of any rejoin.
pub async fn socket_closed(state: &AppState, conn: u64) {
    let media = &state.calls;
    let grace = Duration::from_secs(u64::from(state.config.call_rejoin_secs));
    for (p, _) in media.of_conn(conn) {
        vanished(state, p, grace).await;
    }
    if let Some(cluster) = &media.cluster {
        for (call, home) in cluster.remote_of_conn(conn) {
            cluster.forget(conn, call);
            if let MediaReply::Refused { code, message } =
                cluster.ask(home, &MediaRequest::Vanished { call, node: cluster.node, conn }).await
            {
                // The home is gone (a survivor takes the call over and waits for both sides) or
                // refused: the participant there times out as a lost connection and gets the grace.
                tracing::warn!(call, home, code, message, "could not tell a call's home that a socket closed");
            }
        }
    }
}

/// A participant whose socket closed: forgotten first (its leaving ends nothing by itself), out
/// of the room, and its side waited for.
async fn vanished(state: &AppState, p: ParticipantId, grace: Duration) {
    let (media, routing, store) = (&state.calls, &state.routing, &state.store);
    let Some(part) = media.unregister(p) else { return };
    tracing::info!(
        call = part.call,
        side = part.side,
        participant = p.0,
        "a call participant's socket closed: waiting for its side to join again"
    );
    media.side_lost(&state.hub, part.call, part.side);
    let _ = media.handle.leave(p).await;
    wait_for_side(media, routing, store, part.call, part.side, grace);
}

/// A side of `call` is gone without hanging up (its connection lost, its socket closed): the call
/// ends `failed` unless that side is in the room again within `grace` — or the call's room is no
/// longer this node's (a survivor took it over and waits for both sides itself).
fn wait_for_side(media: &CallMedia, routing: &Routing, store: &kefu_store::Store, call: i64, side: &'static str, grace: Duration) {
    let (media, routing, store) = (media.clone(), routing.clone(), store.clone());
    tokio::spawn(async move {
        tokio::time::sleep(grace).await;
        if media.parts_of_call(call).iter().any(|(_, s)| *s == side) {
            return;
        }
        if let Some(cluster) = &media.cluster {
            if matches!(store.call_home(call).await, Ok(Some((home, _))) if home != cluster.node) {
                return;
            }
        }
        tracing::info!(call, side, "a side gone without hanging up did not join again in time");
        end_failed(&routing, call).await;
    });
}

async fn end_failed(routing: &Routing, call: i64) {
    // Refused when the call already ended (hung up, closed): nothing left to do then.
    let _ = routing
        .run(Op::EndCall { call, reason: kefu_core::CallEndReason::Failed.as_str().into(), only_if: Some(CallStatus::Active) })
        .await;
}

/// Consume the media server's events for as long as it runs.
pub async fn run_events(
    mut events: MediaEvents,
    media: CallMedia,
    hub: Hub,
    routing: Routing,
    mut quality: Quality,
    finisher: Finisher,
    rejoin_grace: Duration,
) {
    while let Some(event) = events.recv().await {
        match event {
            MediaEvent::Stats(stats) => {
                if let Some(part) = media.part(stats.participant) {
                    quality.record(part.call, part.side, &stats).await;
                }
            }
            MediaEvent::Offer { participant, sdp } => {
                if let Some(part) = media.part(participant) {
                    media.to_socket(&hub, part, &call_frame("call.offer", part.call, json!({ "sdp": sdp })));
                }
            }
            MediaEvent::LayersWanted { participant, mid, active, rids } => {
                if let Some(part) = media.part(participant) {
                    let data = json!({ "mid": mid, "active": active, "rids": rids });
                    media.to_socket(&hub, part, &call_frame("call.layers", part.call, data));
                }
            }
            MediaEvent::ParticipantConnected { participant, .. } => {
                if let Some(part) = media.part(participant) {
                    media.side_connected(&hub, part);
                }
            }
            MediaEvent::ParticipantLeft { participant, reason, .. } => {
                quality.forget(participant);
                left(&media, &hub, &routing, &finisher.store, participant, reason, rejoin_grace).await
            }
            // Awaited here, so a file's row exists before its end is handled.
            MediaEvent::RecordingStarted { path, started_unix_ms, .. } => finisher.started(&path, started_unix_ms).await,
            // Hashing a file takes a while: the events behind it do not wait.
            MediaEvent::RecordingEnded(ended) => {
                let finisher = finisher.clone();
                tokio::spawn(async move { finisher.ended(ended).await });
            }
            _ => {}
        }
    }
}

/// A participant is gone: a broken connection ends its call, and so does the last one leaving —
/// unless the call's room is no longer this node's (in a cluster, a node taken for dead whose
/// calls a survivor took over: its participants' connections time out here while the call goes
/// on there). A lost connection (the client may join again) ends the call only when its side
/// has not joined again within `rejoin_grace`.
async fn left(
    media: &CallMedia,
    hub: &Hub,
    routing: &Routing,
    store: &kefu_store::Store,
    participant: ParticipantId,
    reason: LeaveReason,
    rejoin_grace: Duration,
) {
    let Some(part) = media.unregister(participant) else { return };
    if let Some(cluster) = &media.cluster {
        if matches!(store.call_home(part.call).await, Ok(Some((home, _))) if home != cluster.node) {
            tracing::info!(call = part.call, ?reason, "a participant left a room another node has taken over");
            if media.in_call(part.call) == 0 {
                media.close_here(part.call);
            }
            return;
        }
    }
    if reason == LeaveReason::Lost {
        tracing::info!(call = part.call, side = part.side, "a participant's connection was lost: waiting for it to join again");
        media.side_lost(hub, part.call, part.side);
        wait_for_side(media, routing, store, part.call, part.side, rejoin_grace);
        return;
    }
    if reason != LeaveReason::Hangup || media.in_call(part.call) == 0 {
        tracing::info!(call = part.call, ?reason, "a call participant left");
        end_failed(routing, part.call).await;
    }
}
