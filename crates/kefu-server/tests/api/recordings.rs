//! Call recording over the real server: the policy (group, overridden by business type), files
//! for both sides while real str0m peers send media, the agent's start/pause/resume/stop with
//! their events and timeline lines, and who may list and download the files (logged).

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::calls::{active_call, call_event, join, served_chat, until_media_flows};
use crate::helpers::{spawn_app, spawn_app_with, Socket, TestApp};

async fn set_policy(app: &TestApp, admin: &str, path: &str, policy: Value) {
    let (s, v) = app.call("PUT", path, Some(admin), Some(json!({ "policy": policy }))).await;
    assert_eq!(s, 200, "{v}");
}

/// Poll until every recording of the call has ended; the list.
async fn finished_recordings(app: &TestApp, token: &str, call: i64, count: usize) -> Vec<Value> {
    for _ in 0..100 {
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(token), None).await;
        assert_eq!(s, 200, "{v}");
        let list = v["recordings"].as_array().cloned().unwrap_or_default();
        if list.len() == count && list.iter().all(|r| r["status"] != "recording" && r["status"] != "paused") {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the recordings of call {call} did not finish");
}

/// Download a recording as `token`: (status, bytes).
async fn download(app: &TestApp, token: &str, id: i64) -> (u16, Vec<u8>) {
    let resp = app.http.get(app.url(&format!("/api/v1/recordings/{id}/file"))).bearer_auth(token).send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

/// ffprobe's format duration and stream kinds of a WebM held in memory.
fn ffprobe(bytes: &[u8], name: &str) -> (f64, Vec<String>) {
    let path = std::env::temp_dir().join(format!("kefu-rec-api-{}-{name}.webm", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration:stream=codec_type", "-of", "default=nw=1"])
        .arg(&path)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let duration = text.lines().find_map(|l| l.strip_prefix("duration=")).and_then(|d| d.parse().ok()).unwrap_or(0.0);
    let mut kinds: Vec<String> = text.lines().filter_map(|l| l.strip_prefix("codec_type=")).map(str::to_owned).collect();
    kinds.sort();
    (duration, kinds)
}

async fn recording_event(ws: &mut Socket, call: i64, state: &str) -> Value {
    ws.wait_until("call.updated", |e| e["data"]["id"] == call && e["data"]["recording"] == state).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_always_recorded_call_leaves_one_file_per_side_that_only_staff_who_may_see_it_fetch() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    // The group records always; the business type (credit cards, group 1) inherits it.
    set_policy(&app, &admin, "/api/v1/groups/1/recording-policy", json!("always")).await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Rec").await;
    let mut agent_ws = app.ws(&agent).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    let active = call_event(&mut visitor_ws, call, "active").await;
    assert_eq!(active["data"]["recording"], "recording", "the visitor is told: {active}");
    assert_eq!(active["data"]["recording_policy"], "always");
    visitor_ws.wait_until("message.created", |e| e["data"]["body"] == "recording_started").await;

    let visitor_peer = join(&mut visitor_ws, call).await;
    let agent_peer = join(&mut agent_ws, call).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Under `always` the agent may pause but not stop.
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(&agent), Some(json!({ "action": "stop" }))).await;
    assert_eq!(s, 409, "{v}");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((visitor_peer, agent_peer));

    let files = finished_recordings(&app, &agent, call, 2).await;
    let mut roles: Vec<&str> = files.iter().map(|r| r["role"].as_str().unwrap()).collect();
    roles.sort();
    assert_eq!(roles, ["agent", "visitor"]);
    for r in &files {
        assert_eq!(r["status"], "finished", "{r}");
        let (s, bytes) = download(&app, &agent, r["id"].as_i64().unwrap()).await;
        assert_eq!(s, 200);
        assert_eq!(r["bytes"].as_i64(), Some(bytes.len() as i64));
        assert_eq!(r["sha256"].as_str(), Some(hex::encode(Sha256::digest(&bytes)).as_str()), "the stored hash is the file's");
        let (duration, kinds) = ffprobe(&bytes, r["role"].as_str().unwrap());
        assert_eq!(kinds, ["audio", "video"], "{r}");
        assert!(duration > 2.5, "about the call's length: {duration}");
    }

    // Visitors never; another agent neither; a supervisor and an admin yes.
    let id = files[0]["id"].as_i64().unwrap();
    let (s, _) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&visitor), None).await;
    assert_eq!(s, 403);
    assert_eq!(download(&app, &visitor, id).await.0, 403);
    let other = app.ready_agent(2).await;
    assert_eq!(download(&app, &other, id).await.0, 404);
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    assert_eq!(download(&app, &supervisor, id).await.0, 200);
    let (s, v) = app.call("GET", &format!("/api/v1/conversations/{conv}/recordings"), Some(&admin), None).await;
    assert_eq!((s, v["recordings"].as_array().map(Vec::len)), (200, Some(2)), "{v}");

    // Each download is logged: who and when.
    let log = app.store().await.downloads(kefu_store::Download::Recording(id)).await.unwrap();
    assert_eq!(log.len(), 2, "the agent's and the supervisor's: {log:?}");
    assert!(log.iter().all(|(user, _, at)| user.is_some() && *at > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_demand_recording_follows_the_agent_and_a_business_type_overrides_its_group() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    set_policy(&app, &admin, "/api/v1/groups/1/recording-policy", json!("always")).await;
    set_policy(&app, &admin, "/api/v1/business-types/1/recording-policy", json!("off")).await;
    let (s, v) = app.call("GET", "/api/v1/recording-policies", Some(&admin), None).await;
    assert_eq!(s, 200);
    assert!(v["business_types"].as_array().unwrap().iter().any(|t| t["business_type_id"] == 1 && t["policy"] == "off"), "{v}");

    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Override").await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&agent), None).await;
    assert_eq!((v["recording_policy"].as_str(), v["recording"].as_str()), (Some("off"), Some("off")), "the business type wins: {v}");
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(&agent), Some(json!({ "action": "start" }))).await;
    assert_eq!(s, 409, "recording is off here: {v}");
    app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;

    set_policy(&app, &admin, "/api/v1/business-types/1/recording-policy", json!("on_demand")).await;
    let mut agent_ws = app.ws(&agent).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    let active = call_event(&mut visitor_ws, call, "active").await;
    assert_eq!(active["data"]["recording"], "off", "on demand starts unrecorded");
    let visitor_peer = join(&mut visitor_ws, call).await;
    let agent_peer = join(&mut agent_ws, call).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;

    let act = |action: &'static str, token: String| {
        let app = &app;
        async move { app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(&token), Some(json!({ "action": action }))).await }
    };
    assert_eq!(act("start", visitor.clone()).await.0, 403, "visitors do not control recording");
    for (action, state, line) in [
        ("start", "recording", "recording_started"),
        ("pause", "paused", "recording_paused"),
        ("resume", "recording", "recording_resumed"),
        ("stop", "off", "recording_stopped"),
    ] {
        let (s, v) = act(action, agent.clone()).await;
        assert_eq!((s, v["recording"].as_str()), (200, Some(state)), "{action}: {v}");
        recording_event(&mut visitor_ws, call, state).await;
        visitor_ws.wait_until("message.created", |e| e["data"]["body"] == line).await;
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    assert_eq!(act("resume", agent.clone()).await.0, 409, "nothing to resume");
    let files = finished_recordings(&app, &agent, call, 2).await;
    assert!(files.iter().all(|r| r["status"] == "finished" && r["sha256"].is_string()), "{files:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_that_cannot_be_written_turns_off_and_the_call_goes_on() {
    // The recordings directory is a file: no recording file can be created (as on a broken or
    // full disk).
    let app = spawn_app_with(|c| {
        c.recordings_dir = c.data_dir.join("not-a-directory");
        std::fs::write(&c.recordings_dir, b"x").unwrap();
    })
    .await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    set_policy(&app, &admin, "/api/v1/groups/1/recording-policy", json!("always")).await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Disk").await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    recording_event(&mut visitor_ws, call, "recording").await;
    let _peer = join(&mut visitor_ws, call).await;

    // The visitor is told it is no longer recorded, staff read why in the timeline.
    recording_event(&mut visitor_ws, call, "off").await;
    visitor_ws.wait_until("message.created", |e| e["data"]["body"] == "recording_failed").await;
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&agent), None).await;
    assert_eq!((v["status"].as_str(), v["recording"].as_str()), (Some("active"), Some("off")), "the call goes on: {v}");
}
