//! Replacing a participant whose call's room lives on another node (two nodes on one PostgreSQL
//! and one `nats-server`): the visitor's socket and the call's room are on A, the agent's socket
//! on B, so every join of the agent is carried to A (`at_home`). The agent's socket joins again
//! with a new peer (a lost connection): A replaces its participant, the visitor is told the agent
//! is reconnecting and back, media flows through the new peer and the agent's recording goes on
//! in a new segment. Then a newer socket of the agent on B joins while the old one is still open:
//! A tells the old socket `call.replaced` (through B), drops its participant, and the old
//! socket's signalling is refused; the call goes on with the newest socket.
//! Skipped without `KEFU_TEST_POSTGRES_URL` (`scripts/with-postgres.sh`) or `nats-server`.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::calls::until_media_flows;
use crate::cluster::{cluster_backing, start_node_with, Backing, Node};
use crate::cluster_calls::join;

/// The `call.peer` states about the agent among the visitor's frames until `want` came (the
/// server's offers meanwhile answered by the visitor's `peer`).
async fn agent_states_until(ws: &mut crate::helpers::Socket, peer: &crate::media_peer::Peer, call: i64, want: &[&str]) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut states = vec![];
    while states != want {
        assert!(Instant::now() < deadline, "the visitor saw {states:?}, not {want:?}");
        for e in ws.drain(100).await {
            if e["type"] == "call.offer" && e["call_id"] == call {
                let answer = peer.answer(e["data"]["sdp"].as_str().unwrap());
                ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
            }
            if e["type"] == "call.peer" && e["call_id"] == call && e["data"]["side"] == "agent" {
                states.push(e["data"]["state"].as_str().unwrap_or_default().to_owned());
            }
            assert_ne!(e["type"], "call.error", "{e}");
        }
    }
    states
}

/// The agent's files of the call, once there are `want`.
async fn agent_files(store: &kefu_store::Store, call: i64, want: usize) -> Vec<kefu_store::RecordingRow> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let files: Vec<_> = store.recordings_of_call(call).await.unwrap().into_iter().filter(|f| f.role == "agent").collect();
        if files.len() >= want {
            return files;
        }
        assert!(Instant::now() < deadline, "{want} agent files expected: {files:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_participant_whose_room_is_on_another_node_is_replaced_there() {
    let Some(Backing { db, nats: _nats, nats_url: nats, .. }) = cluster_backing().await else { return };
    let mut nodes: Vec<Node> = vec![];
    for _ in 0..2 {
        nodes.push(start_node_with(&db, &nats, "call_rejoin_secs = 10\n").await);
    }
    // The visitor's node A is the call's home (the visitor joins first); the agent is on B.
    let (a, b) = (&nodes[0].app, &nodes[1].app);
    let store = kefu_store::Store::connect(&db).await.unwrap();
    let mut cross = crate::cluster_calls::start(a, b, &store).await;
    let call = cross.call;

    // 1. The agent's socket on B joins again with a new peer: replaced on A.
    let (peer, _) = join(&mut cross.agent_ws, call).await;
    cross.agent_peer = peer;
    agent_states_until(&mut cross.visitor_ws, &cross.visitor_peer, call, &["lost", "back"]).await;
    until_media_flows(&mut [(&mut cross.visitor_ws, &cross.visitor_peer), (&mut cross.agent_ws, &cross.agent_peer)], call).await;
    cross.still_flowing(b).await;
    let files = agent_files(&store, call, 2).await;
    let mut states: Vec<&str> = files.iter().map(|f| f.status.as_str()).collect();
    states.sort_unstable();
    assert_eq!(states, ["finished", "recording"], "the replaced participant's file ended, a new segment goes on: {files:?}");

    // 2. A newer socket of the agent on B joins while the old one is still open: the newest takes
    // the call on A, and the old socket is told through B.
    let mut newer_ws = b.ws(cross.agent()).await;
    let (peer, _) = join(&mut newer_ws, call).await;
    let replaced = cross.agent_ws.wait_until("call.replaced", |e| e["call_id"] == call).await;
    assert_eq!(replaced["data"], json!({ "reason": "joined_elsewhere" }), "{replaced}");
    let old_ws = std::mem::replace(&mut cross.agent_ws, newer_ws);
    let old_peer = std::mem::replace(&mut cross.agent_peer, peer);
    agent_states_until(&mut cross.visitor_ws, &cross.visitor_peer, call, &["lost", "back"]).await;
    until_media_flows(&mut [(&mut cross.visitor_ws, &cross.visitor_peer), (&mut cross.agent_ws, &cross.agent_peer)], call).await;
    cross.still_flowing(b).await;
    let mut old_ws = old_ws;
    old_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": "v=0" })).await;
    let e: Value = old_ws.wait_for("call.error").await;
    assert_eq!(e["data"]["code"], "not_joined", "the old socket's participant is gone from A: {e}");
    drop((old_ws, old_peer));
    agent_files(&store, call, 3).await;

    cross.hang_up(b).await;
}
