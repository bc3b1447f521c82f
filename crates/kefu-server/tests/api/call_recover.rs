//! A call recovers from a lost connection on the same media node: the visitor's peer connection
//! dies (a phone switching from Wi-Fi to 4G) while its WebSocket stays, and the same socket joins
//! again with a new peer. Whether the server still holds the old participant (the client noticed
//! first) or has already dropped it (ICE timed out there first), the new join replaces it: media
//! flows both ways again, the call stays active, each join records a new segment of the visitor,
//! and the composition is made of them all. A side that never comes back ends the call `failed`
//! once `call_rejoin_secs` have passed. The same when the WebSocket goes too (a real Wi-Fi -> 4G
//! switch): a new socket of the visitor joins the still-active call within the grace.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::calls::{cards_recording, composed, flowing_call, join, FlowingCall};
use crate::helpers::{spawn_app_with, Socket, TestApp};
use crate::media_peer::Peer;

/// How long the server's ICE (lite) keeps a pair with no binding request: str0m's 15 s, and a margin.
const SERVER_NOTICES: Duration = Duration::from_secs(17);

/// Relay server offers until `visitor` received media, and `agent` received more than `since`
/// (audio, video) again: the new connection carries media both ways. The agent's frames meanwhile.
async fn flowing_again(
    visitor_ws: &mut Socket,
    visitor: &Peer,
    agent_ws: &mut Socket,
    agent: &Peer,
    since: (usize, usize),
    call: i64,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut agent_saw = vec![];
    loop {
        if visitor.audio() > 20 && visitor.video() > 10 && agent.audio() > since.0 + 20 && agent.video() > since.1 + 10 {
            return agent_saw;
        }
        let counts = (visitor.audio(), visitor.video(), agent.audio(), agent.video());
        assert!(Instant::now() < deadline, "media did not flow both ways again in 30 s: {counts:?}, the agent had {since:?}");
        for (ws, peer, is_agent) in [(&mut *visitor_ws, visitor, false), (&mut *agent_ws, agent, true)] {
            for e in ws.drain(50).await {
                if e["type"] == "call.offer" && e["call_id"] == call {
                    let answer = peer.answer(e["data"]["sdp"].as_str().unwrap());
                    ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
                }
                assert_ne!(e["type"], "call.error", "{e}");
                if is_agent {
                    agent_saw.push(e);
                }
            }
        }
    }
}

/// Answer the server's offers to `peer` until a frame of `kind` for the call comes: that frame.
async fn answering_until(ws: &mut Socket, peer: &Peer, call: i64, kind: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut found = None;
    loop {
        // The whole batch: an offer may come right after the frame looked for.
        for e in ws.drain(50).await {
            if e["type"] == "call.offer" && e["call_id"] == call {
                let answer = peer.answer(e["data"]["sdp"].as_str().unwrap());
                ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
            }
            if found.is_none() && e["type"] == kind && e["call_id"] == call {
                found = Some(e);
            }
        }
        if let Some(e) = found {
            return e;
        }
        assert!(Instant::now() < deadline, "no {kind} within 10 s");
    }
}

/// The `call.peer` frames about the visitor among `frames`: their states, in order.
fn visitor_states(frames: &[Value]) -> Vec<&str> {
    frames
        .iter()
        .filter(|e| e["type"] == "call.peer" && e["data"]["side"] == "visitor")
        .filter_map(|e| e["data"]["state"].as_str())
        .collect()
}

async fn status(app: &TestApp, token: &str, call: i64) -> Value {
    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(token), None).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Every file of the call once none is being written any more.
async fn ended_files(app: &TestApp, token: &str, call: i64) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(token), None).await;
        assert_eq!(s, 200, "{v}");
        let files = v["recordings"].as_array().cloned().unwrap_or_default();
        if !files.is_empty() && files.iter().all(|r| r["status"] != "recording" && r["status"] != "paused") {
            return files;
        }
        assert!(Instant::now() < deadline, "the files of call {call} did not end: {v}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_connection_joins_again_with_a_new_peer_and_the_call_and_its_recording_go_on() {
    let app = spawn_app_with(|c| c.call_rejoin_secs = 4).await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { call, mut visitor_ws, mut agent_ws, visitor_peer, agent_peer, .. } = flowing_call(&app, &agent, "Roaming").await;

    // 1. The client notices first: its old connection is still the server's participant.
    drop(visitor_peer);
    let since = (agent_peer.audio(), agent_peer.video());
    let visitor_peer = join(&mut visitor_ws, call).await;
    let mut saw = flowing_again(&mut visitor_ws, &visitor_peer, &mut agent_ws, &agent_peer, since, call).await;
    saw.extend(agent_ws.drain(500).await);
    assert_eq!(visitor_states(&saw), ["lost", "back"], "the agent saw the customer reconnect: {saw:?}");

    // 2. The network is gone long enough for the server to drop the participant: the call waits.
    drop(visitor_peer);
    tokio::time::sleep(SERVER_NOTICES).await;
    assert_eq!(status(&app, &agent, call).await["status"], "active", "a lost connection does not end the call at once");
    let since = (agent_peer.audio(), agent_peer.video());
    let visitor_peer = join(&mut visitor_ws, call).await;
    flowing_again(&mut visitor_ws, &visitor_peer, &mut agent_ws, &agent_peer, since, call).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    assert_eq!(status(&app, &agent, call).await["status"], "active", "past the grace, the rejoined call goes on");

    // 3. Gone for good: the call ends `failed` once the grace has passed.
    drop(visitor_peer);
    let gone = Instant::now();
    let deadline = gone + SERVER_NOTICES + Duration::from_secs(10);
    while status(&app, &agent, call).await["status"] != "ended" {
        assert!(Instant::now() < deadline, "the call of a side that never came back did not end");
        agent_ws.drain(200).await;
    }
    assert_eq!(status(&app, &agent, call).await["end_reason"], "failed");
    assert!(gone.elapsed() > Duration::from_secs(4), "not before the grace: {:?}", gone.elapsed());
    drop(agent_peer);

    // One file for the agent, a segment per join for the visitor, all complete; the composition
    // is made of them.
    let files = ended_files(&app, &agent, call).await;
    let mut roles: Vec<&str> = files.iter().map(|r| r["role"].as_str().unwrap()).collect();
    roles.sort_unstable();
    assert_eq!(roles, ["agent", "visitor", "visitor", "visitor"], "{files:?}");
    assert!(files.iter().all(|r| r["status"] == "finished"), "{files:?}");
    let made = composed(&app, &agent, call).await;
    eprintln!("composition {} s, files {files:?}", made.duration);
    assert!(made.duration > 20.0, "the composition spans the call: {} s", made.duration);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_socket_joins_again_from_a_new_socket_and_the_call_and_its_recording_go_on() {
    let app = spawn_app_with(|c| c.call_rejoin_secs = 4).await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor, call, visitor_ws, mut agent_ws, visitor_peer, agent_peer, .. } =
        flowing_call(&app, &agent, "Switching").await;

    // Wi-Fi to 4G: the socket and the media path go together. The agent is told the customer
    // is reconnecting (`call.peer` lost), and that they are back once their media is.
    drop(visitor_ws);
    drop(visitor_peer);
    let lost = answering_until(&mut agent_ws, &agent_peer, call, "call.peer").await;
    assert_eq!(lost["data"], json!({ "side": "visitor", "state": "lost" }), "{lost}");
    assert_eq!(status(&app, &agent, call).await["status"], "active", "a closed socket does not end the call at once");
    let since = (agent_peer.audio(), agent_peer.video());
    let mut visitor_ws = app.ws(&visitor).await;
    let visitor_peer = join(&mut visitor_ws, call).await;
    let mut saw = flowing_again(&mut visitor_ws, &visitor_peer, &mut agent_ws, &agent_peer, since, call).await;
    saw.extend(agent_ws.drain(500).await);
    assert_eq!(visitor_states(&saw), ["back"], "{saw:?}");
    // Past the grace the call goes on: its side came back.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(status(&app, &agent, call).await["status"], "active");

    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    drop((visitor_peer, agent_peer));
    // A file for the agent, a segment per socket for the visitor, all complete.
    let files = ended_files(&app, &agent, call).await;
    let mut roles: Vec<&str> = files.iter().map(|r| r["role"].as_str().unwrap()).collect();
    roles.sort_unstable();
    assert_eq!(roles, ["agent", "visitor", "visitor"], "{files:?}");
    assert!(files.iter().all(|r| r["status"] == "finished"), "{files:?}");
}

/// The visitor's page reconnects from a new socket while the server still holds the old one (not
/// yet known dead, its peer still sending): the newest socket takes the call at once. The old
/// socket is told `call.replaced` and its participant leaves the room (its signalling is refused,
/// its peer gets no more media, its recording segment ends); when it closes later nothing happens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_socket_of_a_side_takes_the_call_at_once_and_the_old_one_is_told() {
    let app = spawn_app_with(|c| c.call_rejoin_secs = 2).await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor, call, mut visitor_ws, mut agent_ws, visitor_peer: old_peer, agent_peer, .. } =
        flowing_call(&app, &agent, "Two sockets").await;

    // A newer socket's join that fails (a bad offer) takes nothing from the old one.
    let mut new_ws = app.ws(&visitor).await;
    new_ws.send(json!({ "type": "call.join", "call_id": call, "sdp": "v=0 not SDP", "screen_mids": [] })).await;
    let e = new_ws.wait_for("call.error").await;
    assert_eq!(e["data"]["code"], "bad_sdp", "{e}");
    let old_saw = visitor_ws.drain(300).await;
    assert!(old_saw.iter().all(|e| e["type"] != "call.replaced"), "{old_saw:?}");

    let since = (agent_peer.audio(), agent_peer.video());
    let new_peer = join(&mut new_ws, call).await;
    let replaced = visitor_ws.wait_until("call.replaced", |e| e["call_id"] == call).await;
    assert_eq!(replaced["data"], json!({ "reason": "joined_elsewhere" }), "{replaced}");
    let mut saw = flowing_again(&mut new_ws, &new_peer, &mut agent_ws, &agent_peer, since, call).await;
    saw.extend(agent_ws.drain(500).await);
    assert_eq!(visitor_states(&saw), ["lost", "back"], "the agent saw the customer reconnect: {saw:?}");

    // The old socket's participant is gone: its signalling is refused, its peer gets nothing more.
    visitor_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": "v=0" })).await;
    let e = visitor_ws.wait_for("call.error").await;
    assert_eq!(e["data"]["code"], "not_joined", "{e}");
    let before = (old_peer.audio(), old_peer.video());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(old_peer.video() <= before.1 + 2 && old_peer.audio() <= before.0 + 4, "the old peer still receives: {before:?}");

    // The old socket closing later changes nothing: the call goes on past the grace, unannounced.
    drop(visitor_ws);
    drop(old_peer);
    let saw = {
        let mut saw = vec![];
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            for e in agent_ws.drain(100).await {
                if e["type"] == "call.offer" && e["call_id"] == call {
                    let answer = agent_peer.answer(e["data"]["sdp"].as_str().unwrap());
                    agent_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
                }
                saw.push(e);
            }
        }
        saw
    };
    assert_eq!(visitor_states(&saw), Vec::<&str>::new(), "{saw:?}");
    assert_eq!(status(&app, &agent, call).await["status"], "active");

    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    drop((new_peer, agent_peer));
    let files = ended_files(&app, &agent, call).await;
    let mut roles: Vec<&str> = files.iter().map(|r| r["role"].as_str().unwrap()).collect();
    roles.sort_unstable();
    assert_eq!(roles, ["agent", "visitor", "visitor"], "a segment per socket: {files:?}");
    assert!(files.iter().all(|r| r["status"] == "finished"), "{files:?}");
}

/// The visitor's socket comes back after the grace, when the call has ended `failed` meanwhile:
/// its page's `call.join` is answered `call.ended` with the call as it ended, not an error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_join_of_a_call_that_ended_meanwhile_gets_the_ended_call_not_an_error() {
    let app = spawn_app_with(|c| c.call_rejoin_secs = 1).await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor, call, visitor_ws, mut agent_ws, visitor_peer, agent_peer, .. } = flowing_call(&app, &agent, "Late").await;
    drop(visitor_ws);
    drop(visitor_peer);
    let deadline = Instant::now() + Duration::from_secs(10);
    while status(&app, &agent, call).await["status"] != "ended" {
        assert!(Instant::now() < deadline, "the call of a side that never came back did not end");
        agent_ws.drain(200).await;
    }
    drop(agent_peer);

    let mut visitor_ws = app.ws(&visitor).await;
    let offering = crate::media_peer::offer();
    visitor_ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp, "screen_mids": [] })).await;
    let ended = visitor_ws.wait_until("call.ended", |e| e["call_id"] == call).await;
    assert_eq!((ended["data"]["id"].as_i64(), &ended["data"]["status"]), (Some(call), &json!("ended")), "{ended}");
    assert_eq!(ended["data"]["end_reason"], "failed", "{ended}");
    let after = visitor_ws.drain(500).await;
    assert!(after.iter().all(|e| e["type"] != "call.error"), "no error reaches the page: {after:?}");
}
