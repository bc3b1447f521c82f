//! A call whose home node dies goes on (three nodes on one PostgreSQL and one `nats-server`):
//! the visitor's socket and the call's room are on A, the agent's socket on B. SIGKILL A: a
//! survivor takes the call over, the agent is told `call.moved` and joins again, the visitor
//! reconnects to C and joins again; media flows through the new home within seconds, the call
//! row names it, the agent still holds one call slot, and the recording goes on in a second
//! segment per side (the dead node's files kept as interrupted). Hanging up frees the slot.
//! A node taken for dead while it runs on (its liveness lock's connection cut) loses its call to
//! a survivor the same way, and the participants timing out in its old room do not end the call.
//! A socket that closes on a node other than the call's home leaves its side the rejoin grace
//! there: its new socket joins the still-active call again.
//! Skipped without `KEFU_TEST_POSTGRES_URL` (`scripts/with-postgres.sh`) or `nats-server`.

use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::Connection;

use crate::cluster::{cluster_backing, start_node_with, Backing, Node};

async fn call_load(app: &crate::helpers::TestApp, agent: &str) -> i64 {
    let (s, me): (u16, Value) = app.call("GET", "/api/v1/agents/me", Some(agent), None).await;
    assert_eq!(s, 200, "{me}");
    me["load"]["call"].as_i64().unwrap()
}

/// The call's files, once there are at least `want` (a new segment's row comes just after its join).
async fn segments(store: &kefu_store::Store, call: i64, want: usize) -> Vec<kefu_store::RecordingRow> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let files = store.recordings_of_call(call).await.unwrap();
        if files.len() >= want {
            return files;
        }
        assert!(Instant::now() < deadline, "{want} files expected: {files:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_call_goes_on_when_its_home_node_dies() {
    let Some(Backing { db, nats: _nats, nats_url: nats, .. }) = cluster_backing().await else { return };
    let mut nodes: Vec<Node> = vec![];
    for _ in 0..3 {
        nodes.push(start_node_with(&db, &nats, "call_rejoin_secs = 10\n").await);
    }
    let store = kefu_store::Store::connect(&db).await.unwrap();
    let mut cross = crate::cluster_calls::start(&nodes[0].app, &nodes[1].app, &store).await;
    let call = cross.call;
    let (old_home, _) = store.call_home(call).await.unwrap().expect("a home");
    assert_eq!(call_load(&nodes[1].app, cross.agent()).await, 1);

    // SIGKILL the home (A, the visitor's node).
    let Node { proc: mut home, .. } = nodes.remove(0);
    home.0.kill().unwrap();
    let killed_at = Instant::now();
    home.0.wait().unwrap();
    let (b, c) = (&nodes[0].app, &nodes[1].app);
    let flowing = cross.rejoined_on_a_survivor(c, killed_at).await;
    assert!(flowing < Duration::from_secs(10), "media flowed again {flowing:?} after the home died");

    let (new_home, _) = store.call_home(call).await.unwrap().expect("a home");
    assert_ne!(new_home, old_home, "the call row names the survivor that took it over");
    let (s, v) = b.call("GET", &format!("/api/v1/calls/{call}"), Some(cross.agent()), None).await;
    assert_eq!((s, v["status"].as_str(), v["recording"].as_str()), (200, Some("active"), Some("recording")), "{v}");
    assert_eq!(call_load(b, cross.agent()).await, 1, "the agent still holds exactly one call slot");
    // Past the rejoin deadline the call is still on: both sides came back.
    tokio::time::sleep(Duration::from_secs(10).saturating_sub(killed_at.elapsed()) + Duration::from_secs(3)).await;
    cross.still_flowing(b).await;

    // The recording: the dead node's file of each side kept as interrupted, a new one going on.
    let files = segments(&store, call, 4).await;
    for side in ["visitor", "agent"] {
        let mut of: Vec<&str> = files.iter().filter(|f| f.role == side).map(|f| f.status.as_str()).collect();
        of.sort_unstable();
        assert_eq!(of, ["interrupted", "recording"], "{side}: {files:?}");
    }
    // The call's record lists both segments of each side.
    let (s, listed) = b.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(cross.agent()), None).await;
    assert_eq!(s, 200, "{listed}");
    assert!(listed.to_string().matches("\"role\":\"visitor\"").count() >= 2, "{listed}");

    cross.hang_up(b).await;
    assert_eq!(call_load(c, cross.agent()).await, 0, "hanging up frees the agent's call slot");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let files = store.recordings_of_call(call).await.unwrap();
        if files.iter().all(|f| !matches!(f.status.as_str(), "recording" | "paused")) {
            assert_eq!(files.iter().filter(|f| f.status == "finished").count(), 2, "{files:?}");
            break;
        }
        assert!(Instant::now() < deadline, "the new segments never finished: {files:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // 2. B is home to a new call (the visitor on B, the agent on C); B's liveness lock's
    // connection is cut while B runs on: C takes the call over, both sides rejoin from where
    // they are, and when the old participants in B's room time out the call goes on.
    let mut second = crate::cluster_calls::start(b, c, &store).await;
    let (old_home, _) = store.call_home(second.call).await.unwrap().expect("a home");
    let mut pg = sqlx::PgConnection::connect(&db).await.unwrap();
    // The node's lock: advisory, the two-key form (class 0x6b656675, the node's id).
    let cut: Vec<(bool,)> = sqlx::query_as(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted
            AND classid = {}::oid AND objid = {old_home}::oid AND objsubid = 2",
        0x6b65_6675
    ))
    .fetch_all(&mut pg)
    .await
    .unwrap();
    assert_eq!(cut.len(), 1, "the home's liveness lock");
    let cut_at = Instant::now();
    let flowing = second.rejoined_where_they_are(cut_at).await;
    eprintln!("home's liveness lock cut -> media flowing through a survivor {} ms", flowing.as_millis());
    let (new_home, _) = store.call_home(second.call).await.unwrap().expect("a home");
    assert_ne!(new_home, old_home);
    // Long enough for the old room's participants (not answering any more) to time out on B.
    tokio::time::sleep(Duration::from_secs(15)).await;
    second.still_flowing(c).await;
    assert_eq!(call_load(c, second.agent()).await, 1);

    // 3. The visitor's socket (on B; the room is on C now) closes with its media: C keeps the
    // rejoin grace, and the visitor's new socket on B joins again within it.
    second.visitor_socket_closed_and_back(b, Duration::from_secs(10)).await;
    assert_eq!(call_load(c, second.agent()).await, 1);
}
