//! Calls over the real server: routing with per-media capacity, the call's life over REST and
//! its events, media between two real WebRTC peers (str0m on 127.0.0.1 UDP) signalled over the
//! WebSocket, bad signalling answered with `call.error`, and calls that end by themselves
//! (conversation closed, participant vanished, ring timeout, restart).

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, Socket, TestApp};
use crate::media_peer::{self, Peer};

/// agent1 (the only ready agent of the cards group) serves a new chat of a new visitor.
pub async fn served_chat(app: &TestApp, agent: &str, name: &str) -> (String, i64) {
    let visitor = app.visitor(name).await;
    let id = app.start(&visitor, "hello").await["id"].as_i64().unwrap();
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{v}");
    (visitor, id)
}

async fn start_call(app: &TestApp, token: &str, conversation: i64) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/conversations/{conversation}/calls"), Some(token), Some(json!({ "media": "video" }))).await
}

/// The visitor starts a video call and the agent accepts it: the call id.
pub async fn active_call(app: &TestApp, visitor: &str, agent: &str, conversation: i64) -> i64 {
    let (s, call) = start_call(app, visitor, conversation).await;
    assert_eq!(s, 201, "{call}");
    assert_eq!(call["status"], "ringing");
    assert_eq!(call["started_by"], "visitor");
    let id = call["id"].as_i64().unwrap();
    let (s, call) = app.call("POST", &format!("/api/v1/calls/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{call}");
    assert_eq!(call["status"], "active");
    id
}

/// A visitor's chat served by agent1 with an active video call: (visitor, agent, conversation, call).
pub async fn in_call(app: &TestApp, name: &str) -> (String, String, i64, i64) {
    let agent = app.ready_agent(1).await;
    let (visitor, conversation) = served_chat(app, &agent, name).await;
    let call = active_call(app, &visitor, &agent, conversation).await;
    (visitor, agent, conversation, call)
}

async fn call_status(app: &TestApp, token: &str, call: i64) -> Value {
    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(token), None).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Wait for the `call.updated` event saying the call reached `status`.
pub async fn call_event(ws: &mut Socket, call: i64, status: &str) -> Value {
    ws.wait_until("call.updated", |e| e["data"]["id"] == call && e["data"]["status"] == status).await
}

/// Join a call's media over `ws` with a fresh peer; the server's answer starts it.
pub async fn join(ws: &mut Socket, call: i64) -> Peer {
    let offering = media_peer::offer();
    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp, "screen_mids": [] })).await;
    let answer = ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    offering.answered(answer["data"]["sdp"].as_str().unwrap())
}

/// Relay server offers to the peers until each has received audio and video from the other.
pub async fn until_media_flows(sockets: &mut [(&mut Socket, &Peer)], call: i64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if sockets.iter().all(|(_, p)| p.audio() > 20 && p.video() > 10) {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "media did not flow both ways in 30 s");
        for (ws, peer) in sockets.iter_mut() {
            for e in ws.drain(50).await {
                if e["type"] == "call.offer" && e["call_id"] == call {
                    let answer = peer.answer(e["data"]["sdp"].as_str().unwrap());
                    ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
                }
                assert_ne!(e["type"], "call.error", "{e}");
            }
        }
    }
}

/// A served chat of a new visitor turned into a video call both sides joined, media flowing both
/// ways: where the recording, composition and quality tests start.
pub struct FlowingCall {
    pub visitor: String,
    pub conversation: i64,
    pub call: i64,
    pub visitor_ws: Socket,
    pub agent_ws: Socket,
    pub visitor_peer: Peer,
    pub agent_peer: Peer,
}

pub async fn flowing_call(app: &TestApp, agent: &str, name: &str) -> FlowingCall {
    let (visitor, conversation) = served_chat(app, agent, name).await;
    let mut agent_ws = app.ws(agent).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(app, &visitor, agent, conversation).await;
    let visitor_peer = join(&mut visitor_ws, call).await;
    let agent_peer = join(&mut agent_ws, call).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;
    FlowingCall { visitor, conversation, call, visitor_ws, agent_ws, visitor_peer, agent_peer }
}

/// The composed MP4 of a recorded call, once its job is done.
pub struct Composed {
    /// The composition's view as the asker sees it.
    pub view: Value,
    /// ffprobe's format duration, in seconds.
    pub duration: f64,
}

/// Wait for the call's composition (made after it ended), fetch it as `token` and check it is an
/// MP4 with one video and one audio stream: the check every recording test ends with.
pub async fn composed(app: &TestApp, token: &str, call: i64) -> Composed {
    let mut view = Value::Null;
    for _ in 0..600 {
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/composition"), Some(token), None).await;
        if s == 200 && v["status"] != "composing" {
            view = v;
            break;
        }
        assert!(s == 404 || v["status"] == "composing", "{s} {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(view["status"], "finished", "the composition of call {call}: {view}");
    let resp = app.http.get(app.url(view["url"].as_str().unwrap())).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (duration, kinds) = crate::compositions::probe_mp4(&resp.bytes().await.unwrap(), &call.to_string());
    assert_eq!(kinds, ["audio", "video"], "the composition of call {call}");
    Composed { view, duration }
}

/// The admin sets the cards group's recording policy; the admin's token.
pub async fn cards_recording(app: &TestApp, policy: &str) -> String {
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, v) = app.call("PUT", "/api/v1/groups/1/recording-policy", Some(&admin), Some(json!({ "policy": policy }))).await;
    assert_eq!(s, 200, "{v}");
    admin
}

async fn calls_active(app: &TestApp) -> String {
    let resp = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap();
    let text = resp.text().await.unwrap();
    text.lines().find(|l| l.starts_with("kefu_calls_active ")).unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_from_a_chat_carries_media_both_ways_and_hangup_ends_it_for_both() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Wang").await;
    let mut agent_ws = app.ws(&agent).await;
    let mut visitor_ws = app.ws(&visitor).await;

    let call = active_call(&app, &visitor, &agent, conv).await;
    call_event(&mut agent_ws, call, "active").await;
    let started = visitor_ws.wait_until("message.created", |e| e["data"]["body"] == "call_started").await;
    assert!(started["seq"].as_i64().is_some(), "call lines are conversation events: {started}");
    assert_eq!(calls_active(&app).await, "kefu_calls_active 1");

    let visitor_peer = join(&mut visitor_ws, call).await;
    let agent_peer = join(&mut agent_ws, call).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;

    // The visitor shares a screen: a client offer mid-call is answered on its socket.
    let (offer, mid) = visitor_peer.share_screen();
    visitor_ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": offer, "screen_mids": [mid] })).await;
    let reply = visitor_ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    visitor_peer.answered(reply["data"]["sdp"].as_str().unwrap());

    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["end_reason"], "hangup");
    for ws in [&mut agent_ws, &mut visitor_ws] {
        let ended = call_event(ws, call, "ended").await;
        assert_eq!(ended["data"]["end_reason"], "hangup");
        let line = ws.wait_until("message.created", |e| e["data"]["body"] == "call_ended").await;
        assert!(line["data"]["data"].to_string().contains("hangup"), "{line}");
    }
    assert_eq!(calls_active(&app).await, "kefu_calls_active 0");
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&visitor), None).await;
    assert_eq!(s, 409, "hanging up twice is refused: {v}");
    // The call slot is free again: a new call on the same chat rings.
    let (s, v) = start_call(&app, &agent, conv).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["started_by"], "agent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_in_a_call_takes_no_second_call_but_still_gets_chats() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let (v1, c1) = served_chat(&app, &agent, "One").await;
    let (v2, c2) = served_chat(&app, &agent, "Two").await;
    let call = active_call(&app, &v1, &agent, c1).await;
    let status = agent_ws.wait_until("agent.status", |e| e["data"]["load"]["call"] == 1).await;
    assert_eq!(status["data"]["load"]["chat"], 2, "the call slot is on top of the chat slots: {status}");

    let (s, v) = start_call(&app, &v2, c2).await;
    assert_eq!(s, 409, "one call at a time: {v}");
    assert!(v["error"]["message"].as_str().unwrap().contains("call"), "{v}");
    let (s, v) = start_call(&app, &v1, c1).await;
    assert_eq!(s, 409, "a second call on the same conversation: {v}");
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{c1}/transfer"), Some(&agent), Some(json!({ "group_id": 2 }))).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("call_open")), "no transfer during a call: {v}");

    // Chats still come.
    let v3 = app.visitor("Three").await;
    let c3 = app.start(&v3, "hi").await["id"].as_i64().unwrap();
    agent_ws.wait_until("offer.created", |e| e["conversation_id"] == c3).await;

    // A visitor who wants a call waits for a free call slot.
    let v4 = app.visitor("Four").await;
    let (s, c4) = app.call("POST", "/api/v1/conversations", Some(&v4), Some(json!({ "business_type_id": 1, "media": "video" }))).await;
    assert_eq!(s, 201, "{c4}");
    assert_eq!(c4["media"], "video");
    let c4 = c4["id"].as_i64().unwrap();
    let early = agent_ws.drain(500).await;
    assert!(!early.iter().any(|e| e["type"] == "offer.created" && e["conversation_id"] == c4), "offered to an agent in a call");

    // Hang-up frees the slot: the video-service conversation is offered, and taking it answers.
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&v1), None).await;
    assert_eq!(s, 200);
    agent_ws.wait_until("offer.created", |e| e["conversation_id"] == c4).await;
    let mut v4_ws = app.ws(&v4).await;
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{c4}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    let answered = v4_ws.wait_until("call.updated", |e| e["data"]["status"] == "active").await;
    assert_eq!(answered["data"]["media"], "video");
    assert_eq!(answered["data"]["conversation_id"], c4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signalling_gets_a_call_error_and_the_server_goes_on() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Bad").await;
    let (s, ringing) = start_call(&app, &visitor, conv).await;
    assert_eq!(s, 201);
    let call = ringing["id"].as_i64().unwrap();
    let mut ws = app.ws(&visitor).await;
    let error = |e: &Value, code: &str| e["type"] == "call.error" && e["data"]["code"] == code && e["call_id"].is_i64();

    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": media_peer::offer().sdp })).await;
    let e = ws.wait_for("call.error").await;
    assert!(error(&e, "call_not_active"), "{e}");

    app.call("POST", &format!("/api/v1/calls/{call}/accept"), Some(&agent), None).await;
    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": "v=0 this is not SDP" })).await;
    let e = ws.wait_for("call.error").await;
    assert!(error(&e, "bad_sdp"), "{e}");

    ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": "v=0" })).await;
    let e = ws.wait_for("call.error").await;
    assert!(error(&e, "not_joined"), "{e}");

    // Another visitor's socket, and a call that does not exist.
    let stranger = app.visitor("Stranger").await;
    let mut other = app.ws(&stranger).await;
    for id in [call, 999_999] {
        other.send(json!({ "type": "call.join", "call_id": id, "sdp": media_peer::offer().sdp })).await;
        let e = other.wait_for("call.error").await;
        assert!(error(&e, "not_in_call"), "{e}");
    }
    let (s, _) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&stranger), None).await;
    assert_eq!(s, 404);
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&stranger), None).await;
    assert_eq!(s, 404);

    ws.send(json!({ "type": "ping" })).await;
    ws.wait_for("pong").await;
    assert_eq!(call_status(&app, &visitor, call).await["status"], "active", "bad frames do not end the call");
    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/ice-servers"), Some(&visitor), None).await;
    assert_eq!((s, v), (200, json!({ "ice_servers": [], "capture": { "width": 1280, "height": 720 }, "client_recording": false })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_the_conversation_or_vanishing_ends_the_call_and_frees_the_slot() {
    let app = spawn_app_with(|c| c.call_rejoin_secs = 2).await;
    let agent = app.ready_agent(1).await;
    let (v1, c1) = served_chat(&app, &agent, "Closer").await;
    let (v2, c2) = served_chat(&app, &agent, "Vanisher").await;
    let (v3, c3) = served_chat(&app, &agent, "Third").await;

    let call = active_call(&app, &v1, &agent, c1).await;
    let mut v1_ws = app.ws(&v1).await;
    let (s, v) =
        app.call("POST", &format!("/api/v1/conversations/{c1}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{v}");
    let ended = call_event(&mut v1_ws, call, "ended").await;
    assert_eq!(ended["data"]["end_reason"], "conversation_closed");

    // The visitor joins media, then their socket dies without hanging up and never comes back:
    // the call waits `call_rejoin_secs` (2 s here) for a new socket of theirs, then ends.
    let call = active_call(&app, &v2, &agent, c2).await;
    let mut v2_ws = app.ws(&v2).await;
    let peer = join(&mut v2_ws, call).await;
    drop(v2_ws);
    drop(peer);
    let gone = tokio::time::Instant::now();
    let mut agent_ws = app.ws(&agent).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(call_status(&app, &agent, call).await["status"], "active", "a closed socket does not end the call at once");
    let deadline = gone + Duration::from_secs(10);
    while call_status(&app, &agent, call).await["status"] != "ended" {
        assert!(tokio::time::Instant::now() < deadline, "the call of a vanished participant did not end");
        agent_ws.drain(100).await;
    }
    assert!(gone.elapsed() >= Duration::from_secs(2), "not before the grace: {:?}", gone.elapsed());
    assert_eq!(call_status(&app, &agent, call).await["end_reason"], "failed");
    let (s, v) = start_call(&app, &v3, c3).await;
    assert_eq!(s, 201, "the agent's call slot is free: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_call_ends_as_missed_and_a_declined_one_as_declined() {
    let app = spawn_app_with(|c| c.call_ring_secs = 1).await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Ring").await;
    let (_, call) = start_call(&app, &agent, conv).await;
    let call = call["id"].as_i64().unwrap();
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/accept"), Some(&agent), None).await;
    assert_eq!(s, 409, "the starter does not answer their own call: {v}");
    tokio::time::sleep(Duration::from_millis(1600)).await;
    assert_eq!(call_status(&app, &visitor, call).await["end_reason"], "missed");

    let (_, call) = start_call(&app, &agent, conv).await;
    let call = call["id"].as_i64().unwrap();
    // A snapshot of the conversation carries its open call (a client whose cursor moved past
    // the `call.updated` still knows it rings), and no call once it ended.
    let (_, snapshot) = app.call("GET", &format!("/api/v1/conversations/{conv}"), Some(&visitor), None).await;
    assert_eq!((snapshot["call"]["id"].as_i64(), snapshot["call"]["status"].as_str()), (Some(call), Some("ringing")), "{snapshot}");
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/decline"), Some(&visitor), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["end_reason"], "declined");
    let (_, snapshot) = app.call("GET", &format!("/api/v1/conversations/{conv}"), Some(&agent), None).await;
    assert_eq!(snapshot["call"], Value::Null, "{snapshot}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_running_when_the_process_died_ends_as_server_restart() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Restart").await;
    let call = active_call(&app, &visitor, &agent, conv).await;

    // A second process on the same data dir: what a restart after a crash does at start-up.
    let mut config = app.config_again();
    config.demo = true;
    let again = kefu_server::Application::build(config).await.expect("rebuilds");
    let base = format!("http://{}", again.addr());
    tokio::spawn(again.run(std::future::pending()));
    let resp = app.http.get(format!("{base}/api/v1/calls/{call}")).bearer_auth(&visitor).send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["status"], "ended", "{v}");
    assert_eq!(v["end_reason"], "server_restart");
    let resp = app.http.get(format!("{base}/api/v1/conversations/{conv}/messages")).bearer_auth(&visitor).send().await.unwrap();
    let text = resp.text().await.unwrap();
    assert!(text.contains("call_ended"), "the timeline says so: {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_webhooks_and_a_disabled_agents_call_ends() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    // A receiver on loopback that accepts everything.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let hook = axum::Router::new().route("/hook", axum::routing::post(|| async { axum::http::StatusCode::OK }));
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });
    let (s, w) =
        app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["call.started", "call.ended"] }))).await;
    assert_eq!(s, 201, "{w}");
    let hook_id = w["webhook"]["id"].as_i64().unwrap();

    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Hooked").await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;

    // The agent is disabled mid-call: the conversation goes back in line and its call ends.
    let (_, me) = app.call("GET", "/api/v1/auth/me", Some(&agent), None).await;
    let agent_id = me["id"].as_i64().or(me["user"]["id"].as_i64()).expect("the agent's id");
    let (s, v) = app.call("PATCH", &format!("/api/v1/agents/{agent_id}"), Some(&admin), Some(json!({ "enabled": false }))).await;
    assert_eq!(s, 200, "{v}");
    let ended = call_event(&mut visitor_ws, call, "ended").await;
    assert_eq!(ended["data"]["end_reason"], "failed");

    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (_, log) = app.call("GET", &format!("/api/v1/webhooks/{hook_id}/deliveries"), Some(&admin), None).await;
        let mut events: Vec<&str> = log["deliveries"].as_array().unwrap().iter().filter_map(|d| d["event"].as_str()).collect();
        events.sort_unstable();
        if events == ["call.ended", "call.started"] {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "call webhooks not queued: {log}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_participant_whose_media_never_connects_ends_the_call() {
    let app = spawn_app_with(|c| c.media_connect_timeout_secs = 1).await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Silent").await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    let mut ws = app.ws(&visitor).await;
    // Joins over the WebSocket, but no packet ever comes (the network went away): the socket
    // stays open, so only the media side can tell.
    let offering = media_peer::offer();
    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp })).await;
    ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    let ended = call_event(&mut ws, call, "ended").await;
    assert_eq!(ended["data"]["end_reason"], "failed");
    let (s, v) = start_call(&app, &agent, conv).await;
    assert_eq!(s, 201, "the agent's call slot is free again: {v}");
}

/// `base64(HMAC-SHA1(secret, username))`, computed here apart from the server's code.
fn turn_password(secret: &str, username: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_servers_hand_each_party_a_short_lived_turn_credential_and_nobody_else_any() {
    let urls = ["turn:turn.example.com:3478?transport=udp", "turns:turn.example.com:5349?transport=tcp"];
    let app = spawn_app_with(|c| {
        c.turn_urls = urls.iter().map(|u| u.to_string()).collect();
        c.turn_secret = Some(kefu_server::calls::turn::TurnSecret::new("coturn-shared-secret".into()));
        c.turn_ttl_secs = 600;
    })
    .await;
    let agent = app.ready_agent(1).await;
    let (visitor, conversation) = served_chat(&app, &agent, "Behind a NAT").await;
    let call = active_call(&app, &visitor, &agent, conversation).await;
    let (_, me) = app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await;
    let (_, agent_me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;

    let path = format!("/api/v1/calls/{call}/ice-servers");
    for (token, who) in [(&visitor, format!("visitor-{}", me["id"])), (&agent, format!("user-{}", agent_me["id"]))] {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let (s, v) = app.call("GET", &path, Some(token), None).await;
        assert_eq!(s, 200, "{v}");
        let servers = v["ice_servers"].as_array().unwrap();
        assert_eq!(servers.len(), 1, "{v}");
        assert_eq!(servers[0]["urls"], json!(urls));
        let username = servers[0]["username"].as_str().unwrap();
        let (expiry, name) = username.split_once(':').unwrap();
        assert_eq!(name, who, "{v}");
        let expiry: i64 = expiry.parse().unwrap();
        assert!((now + 598..=now + 602).contains(&expiry), "expires in turn_ttl_secs: {expiry} vs now {now}");
        assert_eq!(servers[0]["credential"], turn_password("coturn-shared-secret", username));
    }

    // Not a party of the call: the supervisor (who may read the conversation), another agent, a
    // stranger visitor. None learns the call exists.
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let other_agent = app.login("agent2@demo.kefu", "demo-agent").await;
    let stranger = app.visitor("Stranger").await;
    for token in [&supervisor, &other_agent, &stranger] {
        let (s, v) = app.call("GET", &path, Some(token), None).await;
        assert_eq!(s, 404, "{v}");
        assert_eq!(v["error"]["code"], "not_found", "{v}");
        assert!(!v.to_string().contains("credential"), "{v}");
    }
    let (s, _) = app.call("GET", &path, None, None).await;
    assert_eq!(s, 401);
}
