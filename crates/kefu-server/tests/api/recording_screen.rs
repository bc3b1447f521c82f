//! A screen shared during a recorded call is recorded as a file of its own, next to the
//! sharer's camera file (kind `screen`), from the moment the share began, with a video stream and
//! no (empty) audio track; the composition stays the two cameras side by side.

use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::calls::{cards_recording, flowing_call, FlowingCall};
use crate::helpers::spawn_app;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_screen_is_recorded_as_its_own_file() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor: _visitor, conversation: _conv, call, mut visitor_ws, mut agent_ws, visitor_peer, agent_peer } =
        flowing_call(&app, &agent, "Screen").await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The visitor shares a screen for about 3 s.
    let (offer, mid) = visitor_peer.share_screen();
    visitor_ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": offer, "screen_mids": [mid] })).await;
    let reply = visitor_ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    visitor_peer.answered(reply["data"]["sdp"].as_str().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < deadline {
        // The agent's page takes the server's offer of the new track.
        for e in agent_ws.drain(50).await {
            if e["type"] == "call.offer" {
                let answer = agent_peer.answer(e["data"]["sdp"].as_str().unwrap());
                agent_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
            }
        }
    }
    // While the share runs, its file is already listed (recording), not only once it ends.
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
    let live: Vec<&Value> = v["recordings"].as_array().unwrap().iter().filter(|r| r["kind"] == "screen").collect();
    assert_eq!(live.len(), 1, "the screen's row appears when the share starts: {v}");
    assert_eq!(live[0]["status"], "recording", "{v}");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((visitor_peer, agent_peer));

    let mut files: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
        files = v["recordings"].as_array().cloned().unwrap_or_default();
        if files.len() == 3 && files.iter().all(|r| r["status"] == "finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut kinds: Vec<(String, String)> =
        files.iter().map(|r| (r["role"].as_str().unwrap().to_owned(), r["kind"].as_str().unwrap().to_owned())).collect();
    kinds.sort();
    let want = [("agent", "camera"), ("visitor", "camera"), ("visitor", "screen")].map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(kinds, want, "{files:?}");
    let screen = files.iter().find(|r| r["kind"] == "screen").unwrap();
    assert_eq!(screen["status"], "finished", "{screen}");
    let resp = app.http.get(app.url(screen["url"].as_str().unwrap())).bearer_auth(&agent).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(screen["bytes"].as_i64(), Some(bytes.len() as i64));
    let path = std::env::temp_dir().join(format!("kefu-screen-api-{}.webm", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let streams =
        Command::new("ffprobe").args(["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"]).arg(&path).output().unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let packets: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
    println!("the screen's file: {} bytes, {packets} video packets", bytes.len());
    assert!(packets >= 40, "about 3 s of the screen at 25 fps: {packets}");
    let kinds = String::from_utf8_lossy(&streams.stdout).trim().to_owned();
    assert_eq!(kinds, "video", "the screen's file has its picture and no empty sound track");
}

/// A screen shared with its sound (a shared tab's audio, on a transceiver of its own beside the
/// microphone): the other side gets it as a `kefu-screen-audio-*` track and hears it on its own
/// mid; the screen's file carries it as its sound track; the composition, which shows only the
/// cameras, mixes it into the sharer's side. Stopping the share ends both tracks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_screens_sound_is_forwarded_recorded_with_the_screen_and_composed() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor: _visitor, conversation: _conv, call, mut visitor_ws, mut agent_ws, visitor_peer, agent_peer } =
        flowing_call(&app, &agent, "Screen sound").await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(agent_peer.audio_mids(), 1, "before the share the agent hears the visitor's voice only");

    let (offer, mids) = visitor_peer.share_screen_with_sound();
    visitor_ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": offer, "screen_mids": mids })).await;
    let reply = visitor_ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    visitor_peer.answered(reply["data"]["sdp"].as_str().unwrap());
    let mut offered_sound = false;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < deadline {
        for e in agent_ws.drain(50).await {
            if e["type"] == "call.offer" {
                let sdp = e["data"]["sdp"].as_str().unwrap();
                offered_sound |= sdp.contains("kefu-screen-audio-");
                let answer = agent_peer.answer(sdp);
                agent_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
            }
        }
    }
    assert!(offered_sound, "the agent is offered the share's sound as a kefu-screen-audio track");
    assert_eq!(agent_peer.audio_mids(), 2, "the agent hears the share's sound beside the visitor's voice");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((visitor_peer, agent_peer));

    let mut files: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
        files = v["recordings"].as_array().cloned().unwrap_or_default();
        if files.len() == 3 && files.iter().all(|r| r["status"] == "finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let screen = files.iter().find(|r| r["kind"] == "screen").expect("the screen's file");
    let resp = app.http.get(app.url(screen["url"].as_str().unwrap())).bearer_auth(&agent).send().await.unwrap();
    let bytes = resp.bytes().await.unwrap();
    let path = std::env::temp_dir().join(format!("kefu-screen-sound-api-{}.webm", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    let streams =
        Command::new("ffprobe").args(["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"]).arg(&path).output().unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "a", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    let mut kinds: Vec<String> = String::from_utf8_lossy(&streams.stdout).lines().map(|l| l.trim().to_owned()).collect();
    kinds.sort();
    assert_eq!(kinds, ["audio", "video"], "the screen's file has its picture and its sound");
    let packets: u32 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0);
    println!("the screen's file: {} bytes, {packets} audio packets", bytes.len());
    assert!(packets >= 100, "about 3 s of the share's sound at 50 packets/s: {packets}");

    // The composition takes the screen's file for its sound: it is made (ffmpeg accepted the
    // graph with the sound-only clip) and lasts the call.
    let view = crate::compositions::finished_composition(&app, &agent, call).await;
    assert!(view["bytes"].as_i64().unwrap_or(0) > 0, "{view}");
    // Its sound is in the mix: louder while the share sounds than before it. The windows are
    // placed by the files' own times (the composition starts at the earliest file's start), not
    // by guesses, since on a loaded machine the share may start seconds late.
    let ms = |r: &Value| {
        let t = time::OffsetDateTime::parse(r["started_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        (t.unix_timestamp_nanos() / 1_000_000) as f64 / 1000.0
    };
    let origin = files.iter().map(ms).fold(f64::MAX, f64::min);
    let share_from = ms(screen) - origin;
    let share_to = share_from + screen["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0;
    assert!(share_from > 0.7 && share_to > share_from + 1.5, "the share starts after the cameras and lasts: {files:?}");
    let resp = app.http.get(app.url(&format!("/api/v1/calls/{call}/composition/file"))).bearer_auth(&agent).send().await.unwrap();
    let path = std::env::temp_dir().join(format!("kefu-screen-sound-composed-{}.mp4", std::process::id()));
    std::fs::write(&path, resp.bytes().await.unwrap()).unwrap();
    let loudness = |from: f64, to: f64| -> f64 {
        let out = Command::new("ffmpeg")
            .args(["-v", "info", "-nostdin", "-ss", &format!("{from}"), "-to", &format!("{to}"), "-i"])
            .arg(&path)
            .args(["-vn", "-af", "volumedetect", "-f", "null", "-"])
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&out.stderr).to_string();
        let line = log.lines().find(|l| l.contains("mean_volume:")).unwrap_or_else(|| panic!("no volume: {log}"));
        line.split("mean_volume:").nth(1).unwrap().trim().trim_end_matches(" dB").parse().unwrap()
    };
    let (before, during) = (loudness(0.2, share_from - 0.3), loudness(share_from + 0.5, share_to - 0.5));
    let _ = std::fs::remove_file(&path);
    println!(
        "the composition's mean volume: {before:.1} dB before the share, {during:.1} dB while it sounds ({share_from:.1}-{share_to:.1} s)"
    );
    assert!(during > before + 1.0, "the share's sound is mixed in: {before:.1} dB -> {during:.1} dB");
}
