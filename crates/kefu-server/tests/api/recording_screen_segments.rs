//! Two screen shares in one recorded call, the first without sound and the second with it: the
//! first share's file has no sound track, so the second share starts a segment of its own
//! (`-screen-2.webm`, listed on the call's record as a screen) whose sound track carries the
//! share's sound, and the composition mixes that sound in where it played.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::calls::{cards_recording, flowing_call, FlowingCall};
use crate::helpers::{spawn_app, Socket};
use crate::media_peer::Peer;

/// The visitor renegotiates with `offer`; the agent's page answers the server's offers for `secs`.
async fn renegotiate(call: i64, offer: String, mids: &[String], visitor: (&mut Socket, &Peer), agent: (&mut Socket, &Peer), secs: u64) {
    let (visitor_ws, visitor_peer) = visitor;
    let (agent_ws, agent_peer) = agent;
    visitor_ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": offer, "screen_mids": mids })).await;
    let reply = visitor_ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    visitor_peer.answered(reply["data"]["sdp"].as_str().unwrap());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        for e in agent_ws.drain(50).await {
            if e["type"] == "call.offer" {
                let answer = agent_peer.answer(e["data"]["sdp"].as_str().unwrap());
                agent_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
            }
        }
    }
}

/// `ffprobe` on a file: its stream kinds (sorted) and the packets of its `a` or `v` streams.
fn probe(path: &Path, select: &str) -> (Vec<String>, u32) {
    let streams =
        Command::new("ffprobe").args(["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"]).arg(path).output().unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", select, "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let mut kinds: Vec<String> = String::from_utf8_lossy(&streams.stdout).lines().map(|l| l.trim().to_owned()).collect();
    kinds.sort();
    (kinds, String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_share_with_sound_after_a_silent_one_is_recorded_with_its_sound() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let FlowingCall { visitor: _visitor, conversation: _conv, call, mut visitor_ws, mut agent_ws, visitor_peer, agent_peer } =
        flowing_call(&app, &agent, "Two shares").await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Share 1: a screen without sound, for about 2 s, then stopped (its transceiver inactive).
    let (offer, mid) = visitor_peer.share_screen();
    let mut mids = vec![mid];
    renegotiate(call, offer, &mids, (&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer), 2).await;
    let offer = visitor_peer.stop_share();
    renegotiate(call, offer, &mids, (&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer), 1).await;
    // Share 2: a screen with its sound, for about 3 s.
    let (offer, more) = visitor_peer.share_screen_with_sound();
    mids.extend(more);
    renegotiate(call, offer, &mids, (&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer), 3).await;
    // Both segments are listed while the call runs.
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
    let live = v["recordings"].as_array().unwrap().iter().filter(|r| r["kind"] == "screen").count();
    assert_eq!(live, 2, "a screen row per segment: {v}");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((visitor_peer, agent_peer));

    let mut files: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
        files = v["recordings"].as_array().cloned().unwrap_or_default();
        if files.len() == 4 && files.iter().all(|r| r["status"] == "finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut screens: Vec<&Value> = files.iter().filter(|r| r["kind"] == "screen").collect();
    assert_eq!(screens.len(), 2, "{files:?}");
    assert!(screens.iter().all(|r| r["status"] == "finished" && r["role"] == "visitor"), "{files:?}");
    screens.sort_by_key(|r| r["started_at"].as_str().unwrap_or_default().to_owned());
    let mut found = Vec::new();
    for (n, screen) in screens.iter().enumerate() {
        let resp = app.http.get(app.url(screen["url"].as_str().unwrap())).bearer_auth(&agent).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = resp.bytes().await.unwrap();
        let path = std::env::temp_dir().join(format!("kefu-screen-segment-{n}-{}.webm", std::process::id()));
        std::fs::write(&path, &bytes).unwrap();
        found.push((probe(&path, "v"), probe(&path, "a").1));
        let _ = std::fs::remove_file(&path);
    }
    println!("the screen segments (kinds, video packets, audio packets): {found:?}");
    let [((first, first_video), _), ((second, second_video), second_audio)] = &found[..] else { unreachable!() };
    assert_eq!(first, &["video"], "share 1 had no sound: its file has its picture only");
    assert!(*first_video >= 25, "about 2 s of share 1's picture: {first_video}");
    assert_eq!(second, &["audio", "video"], "share 2's segment has its picture and its sound");
    assert!(*second_video >= 40, "about 3 s of share 2's picture: {second_video}");
    assert!(*second_audio >= 100, "about 3 s of share 2's sound at 50 packets/s: {second_audio}");

    // The composition takes both segments in time order: it is made, and share 2's sound is in
    // the mix (louder in the call's last seconds than before any share).
    let view = crate::compositions::finished_composition(&app, &agent, call).await;
    assert!(view["bytes"].as_i64().unwrap_or(0) > 0, "{view}");
    let resp = app.http.get(app.url(&format!("/api/v1/calls/{call}/composition/file"))).bearer_auth(&agent).send().await.unwrap();
    let path = std::env::temp_dir().join(format!("kefu-screen-segments-composed-{}.mp4", std::process::id()));
    std::fs::write(&path, resp.bytes().await.unwrap()).unwrap();
    let length = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(&path)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().unwrap_or(0.0))
        .unwrap();
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
    let (before, during) = (loudness(0.2, 0.9), loudness(length - 2.5, length - 0.7));
    let _ = std::fs::remove_file(&path);
    println!("the composition ({length:.1} s): mean volume {before:.1} dB before any share, {during:.1} dB while share 2 sounds");
    assert!(during > before + 1.0, "share 2's sound is mixed in: {before:.1} dB -> {during:.1} dB");
}
