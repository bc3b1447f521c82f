//! A call's composed MP4 over the real server: once an always-recorded call ends, the job makes
//! it; staff who may see it fetch it by Bearer token or through the `play_url` signed for them
//! (no token in the URL), in byte ranges for a player, and every download or playback is logged
//! in the database with who and when (a player's later ranges are part of the same playback).

use std::time::Duration;

use serde_json::{json, Value};

use crate::calls::{active_call, cards_recording, composed, flowing_call, join, served_chat, until_media_flows};
use crate::helpers::{spawn_app, TestApp};

/// Poll until the call's composition has finished; its view as `token` sees it.
pub async fn finished_composition(app: &TestApp, token: &str, call: i64) -> Value {
    for _ in 0..600 {
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/composition"), Some(token), None).await;
        if s == 200 && v["status"] == "finished" {
            return v;
        }
        assert!(s == 404 || v["status"] == "composing", "{s} {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the composition of call {call} did not finish");
}

async fn me(app: &TestApp, token: &str) -> i64 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.1["id"].as_i64().unwrap()
}

/// GET `path` with an optional Bearer token and Range: (status, Content-Range, body length).
async fn fetch(app: &TestApp, path: &str, token: Option<&str>, range: Option<&str>) -> (u16, Option<String>, usize) {
    let mut req = app.http.get(app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(r) = range {
        req = req.header("range", r);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let content_range = resp.headers().get("content-range").map(|v| v.to_str().unwrap().to_owned());
    (status, content_range, resp.bytes().await.unwrap().len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_composed_mp4_is_fetched_by_token_or_signed_link_and_every_download_is_logged() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let flow = flowing_call(&app, &agent, "Composed").await;
    let (call, visitor) = (flow.call, flow.visitor.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop(flow);

    let view = finished_composition(&app, &agent, call).await;
    let bytes = view["bytes"].as_i64().unwrap() as usize;
    assert!(view["starts_at"].is_string(), "{view}");
    let file = format!("/api/v1/calls/{call}/composition/file");
    let store = app.store().await;
    assert!(store.downloads(kefu_store::Download::Composition(call)).await.unwrap().is_empty(), "looking at the view is no download");

    // The agent who served it, by token: the whole file, logged.
    let agent_id = me(&app, &agent).await;
    assert_eq!(fetch(&app, &file, Some(&agent), None).await, (200, None, bytes));

    // A supervisor's player: the signed link, no token; the first range is logged, a seek is not.
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let supervisor_id = me(&app, &supervisor).await;
    let play = finished_composition(&app, &supervisor, call).await["play_url"].as_str().unwrap().to_owned();
    assert!(play.starts_with(&format!("{file}?by=u{supervisor_id}&exp=")), "{play}");
    let whole = format!("bytes 0-{}/{bytes}", bytes - 1);
    assert_eq!(fetch(&app, &play, None, Some("bytes=0-")).await, (206, Some(whole), bytes));
    assert_eq!(fetch(&app, &play, None, Some("bytes=100-199")).await, (206, Some(format!("bytes 100-199/{bytes}")), 100));

    // A link is the signer's only: another name, another call or a changed signature fail.
    let forged = play.replace(&format!("by=u{supervisor_id}"), &format!("by=u{agent_id}"));
    assert_eq!(fetch(&app, &forged, None, None).await.0, 401);
    let flipped = if play.ends_with('0') { '1' } else { '0' };
    let bad_sig = format!("{}{flipped}", &play[..play.len() - 1]);
    assert_eq!(fetch(&app, &bad_sig, None, None).await.0, 401);
    assert_eq!(fetch(&app, &file, None, None).await.0, 401, "neither a token nor a link");
    // Visitors and agents who did not serve it get nothing, and nothing is logged for them.
    assert_eq!(fetch(&app, &file, Some(&visitor), None).await.0, 403);
    let other = app.ready_agent(2).await;
    assert_eq!(fetch(&app, &file, Some(&other), None).await.0, 404);

    let log = store.downloads(kefu_store::Download::Composition(call)).await.unwrap();
    let who: Vec<_> = log.iter().map(|(user, key, _)| (*user, *key)).collect();
    assert_eq!(who, [(Some(agent_id), None), (Some(supervisor_id), None)], "{log:?}");
    assert!(log.iter().all(|(_, _, at)| *at > 0));

    // It lasts as long as the call (its files start when it was answered, under `always`), not
    // longer.
    let composed = composed(&app, &agent, call).await;
    let row = store.call(call).await.unwrap();
    let talked = (row.ended_at.unwrap() - row.answered_at.unwrap()) as f64 / 1000.0;
    println!("composed {:.2} s of a call of {talked:.2} s", composed.duration);
    assert!((composed.duration - talked).abs() < 1.0, "the MP4 lasts {} s, the call {talked} s", composed.duration);
}

/// ffprobe's format duration (s) and stream kinds of an MP4 held in memory.
pub fn probe_mp4(bytes: &[u8], name: &str) -> (f64, Vec<String>) {
    let path = std::env::temp_dir().join(format!("kefu-composed-{}-{name}.mp4", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    let out = std::process::Command::new("ffprobe")
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_stopped_and_started_again_is_composed_whole_with_the_gap_kept() {
    let app = spawn_app().await;
    cards_recording(&app, "on_demand").await;
    let agent = app.ready_agent(1).await;
    let flow = flowing_call(&app, &agent, "Twice").await;
    let call = flow.call;
    let act = |action: &'static str| {
        let (app, agent) = (&app, &agent);
        async move {
            let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(agent), Some(json!({ "action": action }))).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
    };
    // Recorded 2 s, not for 2 s, recorded 2 s more: two files a side, a gap between them.
    act("start").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    act("stop").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    act("start").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop(flow);

    let composed = composed(&app, &agent, call).await;
    let files = app.store().await.recordings_of_call(call).await.unwrap();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files.iter().all(|r| r.status == "finished"), "{files:?}");
    let start = files.iter().map(|r| r.started_at).min().unwrap();
    let end = files.iter().map(|r| r.started_at + r.duration_ms.unwrap()).max().unwrap();
    let span = (end - start) as f64 / 1000.0;

    let duration = composed.duration;
    println!("composed {duration:.2} s from files spanning {span:.2} s");
    assert!(span > 5.0, "{span}");
    assert!((duration - span).abs() < 0.5, "every file on the timeline, the gap kept: {duration} s for files spanning {span} s");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_composition_cut_off_by_a_restart_is_made_again_at_the_next_start() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Cut").await;
    let mut agent_ws = app.ws(&agent).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    // A job that began and never finished (its process died while ffmpeg ran): claimed first,
    // so the call's own job finds it taken.
    let agent_id = me(&app, &agent).await;
    // Its lease still runs (the process died a moment ago): a lone server's next start takes it
    // over all the same, as no other process can be making it.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let dead = kefu_store::JobLease { holder: "a-process-that-died", until: now + 600_000 };
    assert!(app.store().await.claim_composition(call, Some(agent_id), &format!("call-{call}/composed.mp4"), 1, dead).await.unwrap());
    let visitor_peer = join(&mut visitor_ws, call).await;
    let agent_peer = join(&mut agent_ws, call).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    drop((visitor_peer, agent_peer));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/composition"), Some(&agent), None).await;
    assert_eq!(v["status"], "composing", "stuck: {v}");

    // The next start makes it again.
    let again = kefu_server::Application::build(app.config_again()).await.expect("rebuilds");
    let base = format!("http://{}", again.addr());
    tokio::spawn(again.run(std::future::pending()));
    let mut view = Value::Null;
    for _ in 0..600 {
        let resp = app.http.get(format!("{base}/api/v1/calls/{call}/composition")).bearer_auth(&agent).send().await.unwrap();
        view = resp.json().await.unwrap();
        if view["status"] == "finished" || view["status"] == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(view["status"], "finished", "{view}");
    assert!(view["sha256"].is_string(), "{view}");
}

/// A call taken over after its node died, in a cluster whose `recordings_dir` is not shared: its
/// first segments are on the dead node's disk. The composition is made of the files this node
/// has (here: the first visitor file is gone from the disk) instead of failing as a whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_file_missing_from_this_nodes_disk_is_composed_without() {
    let app = spawn_app().await;
    cards_recording(&app, "on_demand").await;
    let agent = app.ready_agent(1).await;
    let flow = flowing_call(&app, &agent, "Elsewhere").await;
    let call = flow.call;
    let act = |action: &'static str| {
        let (app, agent) = (&app, &agent);
        async move {
            let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(agent), Some(json!({ "action": action }))).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
    };
    act("start").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    act("stop").await;
    act("start").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let store = app.store().await;
    let first = store.recordings_of_call(call).await.unwrap().into_iter().find(|r| r.role == "visitor").unwrap();
    std::fs::remove_file(app.data_dir.0.join("recordings").join(&first.path)).expect("the first visitor file was on disk");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop(flow);
    let v = finished_composition(&app, &agent, call).await;
    assert_eq!(v["status"], "finished", "{v}");
}
