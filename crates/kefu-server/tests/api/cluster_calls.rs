//! The calls part of the cluster test (`cluster.rs` runs it on its nodes): a call whose visitor
//! is on one node and whose agent is on another has one room, on the node that joined first; the
//! other side's signalling reaches it through NATS and its answer carries that node's media
//! address; media flows both ways, keeps flowing while an unrelated node dies, and when the
//! call's home dies a survivor takes the call over and tells both sides (`call.moved`): when they
//! rejoin, media flows through the new home and the recording goes on in new segments
//! (`cluster_call_failover`); when nobody rejoins, the call ends (`home_lost`) and frees
//! the agent's call slot.
//! A snapshot asked for through the agent's node is answered by an upload through the visitor's.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::calls::{call_event, until_media_flows};
use crate::helpers::{Socket, TestApp};
use crate::media_peer::{self, Peer};

/// The demo's loans group (agent3 serves it alone in the test).
const LOANS: i64 = 2;

/// A running call across two nodes.
pub struct CrossCall {
    pub call: i64,
    conversation: i64,
    visitor: String,
    agent: String,
    pub(crate) visitor_ws: Socket,
    pub agent_ws: Socket,
    pub(crate) visitor_peer: Peer,
    pub(crate) agent_peer: Peer,
}

/// Join a call's media over `ws`: the peer and the server's answer.
pub(crate) async fn join(ws: &mut Socket, call: i64) -> (Peer, String) {
    let offering = media_peer::offer();
    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp, "screen_mids": [] })).await;
    let answer = ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    let sdp = answer["data"]["sdp"].as_str().unwrap().to_string();
    (offering.answered(&sdp), sdp)
}

/// The SFU address in an answer's host candidates.
fn candidates(sdp: &str) -> Vec<String> {
    sdp.lines()
        .filter(|l| l.starts_with("a=candidate"))
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(format!("{}:{}", f.get(4)?, f.get(5)?))
        })
        .collect()
}

/// agent3 (loans) on `agent_node`, a visitor on `home`: a video call, the visitor joining first.
pub async fn start(home: &TestApp, agent_node: &TestApp, store: &kefu_store::Store) -> CrossCall {
    let agent = agent_node.ready_agent(3).await;
    let mut agent_ws = agent_node.ws(&agent).await;
    let visitor = home.visitor("Zhao").await;
    let mut visitor_ws = home.ws(&visitor).await;
    let body = json!({ "business_type_id": 2, "message": "视频办理贷款" });
    let (s, c) = home.call("POST", "/api/v1/conversations", Some(&visitor), Some(body)).await;
    assert_eq!(s, 201, "{c}");
    let conversation = c["id"].as_i64().unwrap();
    agent_ws.wait_until("offer.created", |e| e["conversation_id"] == conversation).await;
    let (s, v) = agent_node.call("POST", &format!("/api/v1/conversations/{conversation}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    // Recorded on demand (the policy is fixed when the call becomes active).
    store.set_group_recording_policy(LOANS, "on_demand").await.unwrap();
    let call = ring_and_answer(home, agent_node, &visitor, &agent, conversation).await;

    let (visitor_peer, visitor_answer) = join(&mut visitor_ws, call).await;
    let (agent_peer, agent_answer) = join(&mut agent_ws, call).await;
    let (_, media_addr) = store.call_home(call).await.unwrap().expect("the call has a home");
    assert!(candidates(&visitor_answer).contains(&media_addr), "the home's address {media_addr}: {visitor_answer}");
    assert_eq!(candidates(&agent_answer), candidates(&visitor_answer), "the agent on another node gets the home's media address");
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;

    // The agent starts recording through their node: the files start on the home, both sides.
    let body = json!({ "action": "start" });
    let (s, v) = agent_node.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(&agent), Some(body)).await;
    assert_eq!((s, v["recording"].as_str()), (200, Some("recording")), "{v}");
    let files = store.recordings_of_call(call).await.unwrap();
    assert_eq!(files.len(), 2, "a file per side on the call's home: {files:?}");
    CrossCall { call, conversation, visitor, agent, visitor_ws, agent_ws, visitor_peer, agent_peer }
}

/// The visitor rings (through `a`), the agent answers (through `b`): the active call's id.
pub(crate) async fn ring_and_answer(a: &TestApp, b: &TestApp, visitor: &str, agent: &str, conversation: i64) -> i64 {
    let (s, call) =
        a.call("POST", &format!("/api/v1/conversations/{conversation}/calls"), Some(visitor), Some(json!({ "media": "video" }))).await;
    assert_eq!(s, 201, "{call}");
    let id = call["id"].as_i64().unwrap();
    let (s, call) = b.call("POST", &format!("/api/v1/calls/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{call}");
    id
}

impl CrossCall {
    /// The agent asks for a snapshot through `agent_node`, the visitor's device answers through
    /// `visitor_node` (the open request is in the database, not in one node's memory), and both
    /// sides see the still arrive.
    pub async fn snapshot(&mut self, agent_node: &TestApp, visitor_node: &TestApp) {
        let (s, v) = agent_node.call("POST", &format!("/api/v1/calls/{}/snapshots", self.call), Some(&self.agent), None).await;
        assert_eq!(s, 202, "{v}");
        let request = v["request_id"].as_str().unwrap().to_string();
        let asked = self.visitor_ws.wait_until("call.snapshot_requested", |e| e["call_id"] == self.call).await;
        assert_eq!(asked["data"]["request_id"], request.as_str(), "the request reaches the visitor's node");
        let (s, m) = crate::snapshots::answer(visitor_node, &self.visitor, self.conversation, &request, crate::snapshots::jpeg()).await;
        assert_eq!(s, 201, "an upload on another node answers the request: {m}");
        assert_eq!(m["attachment"]["snapshot"], json!({ "call_id": self.call, "width": 1280, "height": 720 }), "{m}");
        for ws in [&mut self.visitor_ws, &mut self.agent_ws] {
            let seen = ws.wait_until("message.created", |e| e["data"]["id"] == m["id"]).await;
            assert_eq!(seen["data"]["attachment"]["snapshot"]["call_id"], self.call, "{seen}");
        }
        // A retry through another node is the same message, not a second still.
        let (s, again) = crate::snapshots::answer(agent_node, &self.visitor, self.conversation, &request, crate::snapshots::jpeg()).await;
        assert_eq!((s, &again["id"]), (200, &m["id"]), "{again}");
    }

    /// Media goes on arriving at both peers, and the call is still active.
    pub async fn still_flowing(&mut self, app: &TestApp) {
        let (a, v) = (self.agent_peer.audio(), self.visitor_peer.audio());
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.agent_peer.audio() < a + 20 || self.visitor_peer.audio() < v + 20 {
            assert!(Instant::now() < deadline, "media stopped: agent {a}, visitor {v}");
            for (ws, peer) in [(&mut self.visitor_ws, &self.visitor_peer), (&mut self.agent_ws, &self.agent_peer)] {
                for e in ws.drain(50).await {
                    if e["type"] == "call.offer" && e["call_id"] == self.call {
                        let answer = peer.answer(e["data"]["sdp"].as_str().unwrap());
                        ws.send(json!({ "type": "call.answer", "call_id": self.call, "sdp": answer })).await;
                    }
                    assert_ne!(e["type"], "call.error", "{e}");
                }
            }
        }
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{}", self.call), Some(&self.agent), None).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("active")), "{v}");
    }

    /// The call's home was killed at `killed_at` and nobody rejoins its media: a survivor takes
    /// it over and says so (`call.moved`), then ends it `home_lost`, and the agent can take
    /// another call at once.
    pub async fn ended_by_a_survivor(mut self, survivor: &TestApp, killed_at: Instant, store: &kefu_store::Store) {
        self.agent_ws.wait_until("call.moved", |e| e["call_id"] == self.call).await;
        eprintln!("call home SIGKILL -> call.moved from a survivor: {} ms", killed_at.elapsed().as_millis());
        let ended = call_event(&mut self.agent_ws, self.call, "ended").await;
        let after = killed_at.elapsed();
        eprintln!("call home SIGKILL -> call ended by a survivor, nobody rejoined: {} ms", after.as_millis());
        assert_eq!(ended["data"]["end_reason"], "home_lost", "{ended}");
        assert!(after < Duration::from_secs(10), "the call ended {after:?} after its node died (call_rejoin_secs = 3)");
        let (s, v): (u16, Value) = survivor.call("GET", &format!("/api/v1/calls/{}", self.call), Some(&self.agent), None).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("ended")), "{v}");
        // Its recording files are kept as interrupted (nobody writes them any more).
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let files = store.recordings_of_call(self.call).await.unwrap();
            if files.iter().all(|f| f.status == "interrupted") {
                break;
            }
            assert!(Instant::now() < deadline, "the dead node's files stay open: {files:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        // The agent's call slot is free: a new call on the same conversation rings and is answered.
        ring_and_answer(survivor, survivor, &self.visitor, &self.agent, self.conversation).await;
    }

    /// The call's home was killed at `killed_at`: the agent's socket (on a survivor) is told
    /// `call.moved` and joins again with a new peer; the visitor, whose socket died with the
    /// home, reconnects to `visitor_node` and joins the still-active call again. Media flows
    /// through the new home; how long after the kill is returned.
    pub async fn rejoined_on_a_survivor(&mut self, visitor_node: &TestApp, killed_at: Instant) -> Duration {
        self.agent_ws.wait_until("call.moved", |e| e["call_id"] == self.call).await;
        let moved = killed_at.elapsed();
        self.agent_peer = rejoin(&mut self.agent_ws, self.call).await;
        // The first `call.moved` went out while the visitor had no socket: a side not back is
        // told again.
        self.visitor_ws = visitor_node.ws(&self.visitor).await;
        self.visitor_ws.wait_until("call.moved", |e| e["call_id"] == self.call).await;
        self.visitor_peer = rejoin(&mut self.visitor_ws, self.call).await;
        until_media_flows(&mut [(&mut self.visitor_ws, &self.visitor_peer), (&mut self.agent_ws, &self.agent_peer)], self.call).await;
        let flowing = killed_at.elapsed();
        eprintln!("call home SIGKILL -> call.moved {} ms, media flowing again {} ms", moved.as_millis(), flowing.as_millis());
        flowing
    }

    /// The call's home lost its liveness lock at `since` while it runs on (taken for dead): both
    /// sockets, still connected, are told `call.moved` and join again where they are; media flows
    /// through the survivor that took the call over. How long after `since`.
    pub async fn rejoined_where_they_are(&mut self, since: Instant) -> Duration {
        for ws in [&mut self.agent_ws, &mut self.visitor_ws] {
            ws.wait_until("call.moved", |e| e["call_id"] == self.call).await;
        }
        self.agent_peer = rejoin(&mut self.agent_ws, self.call).await;
        self.visitor_peer = rejoin(&mut self.visitor_ws, self.call).await;
        until_media_flows(&mut [(&mut self.visitor_ws, &self.visitor_peer), (&mut self.agent_ws, &self.agent_peer)], self.call).await;
        since.elapsed()
    }

    /// The visitor's socket closes with its media (a phone switching networks) while the call's
    /// room is on another node: the home keeps the rejoin grace (`grace`), the visitor's new
    /// socket on `visitor_node` joins the still-active call again, media flows both ways, and the
    /// call is still on once the grace is over.
    pub async fn visitor_socket_closed_and_back(&mut self, visitor_node: &TestApp, grace: Duration) {
        let old = std::mem::replace(&mut self.visitor_ws, visitor_node.ws(&self.visitor).await);
        drop(old);
        let closed = Instant::now();
        tokio::time::sleep(Duration::from_secs(1)).await;
        let (s, v) = visitor_node.call("GET", &format!("/api/v1/calls/{}", self.call), Some(&self.agent), None).await;
        assert_eq!((s, v["status"].as_str()), (200, Some("active")), "a closed socket does not end the call at once: {v}");
        self.visitor_peer = rejoin(&mut self.visitor_ws, self.call).await;
        until_media_flows(&mut [(&mut self.visitor_ws, &self.visitor_peer), (&mut self.agent_ws, &self.agent_peer)], self.call).await;
        tokio::time::sleep((grace + Duration::from_secs(2)).saturating_sub(closed.elapsed())).await;
        self.still_flowing(visitor_node).await;
    }

    /// The agent hangs up through `app`: the call ends and the agent's call slot is free again.
    pub async fn hang_up(&mut self, app: &TestApp) {
        let (s, v) = app.call("POST", &format!("/api/v1/calls/{}/hangup", self.call), Some(&self.agent), None).await;
        assert_eq!(s, 200, "{v}");
        call_event(&mut self.agent_ws, self.call, "ended").await;
    }

    pub fn agent(&self) -> &str {
        &self.agent
    }
}

/// Join a moved call's media again with a new peer, retrying while no node has taken it over
/// yet (its dead home cannot answer: `media_unavailable`).
async fn rejoin(ws: &mut Socket, call: i64) -> Peer {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let offering = media_peer::offer();
        ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp, "screen_mids": [] })).await;
        loop {
            let e = ws.next_event().await;
            if e["call_id"] != call {
                continue;
            }
            if e["type"] == "call.answer" {
                return offering.answered(e["data"]["sdp"].as_str().unwrap());
            }
            if e["type"] == "call.error" {
                assert_eq!(e["data"]["code"], "media_unavailable", "{e}");
                assert!(Instant::now() < deadline, "no survivor took the call over: {e}");
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
