//! A participant whose browser publishes H.264: their recording is Matroska (the issue: WebM
//! for VP8/Opus, Matroska for H.264), listed and downloaded as such, and composed like any other;
//! paused, it shows black (as VP8's does), not the last picture held.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use kefu_media::testing::{h264_pictures, shown_pictures, TempFile};
use serde_json::json;

use crate::calls::{active_call, served_chat, until_media_flows};
use crate::helpers::{spawn_app, Socket};
use crate::media_peer::{self, Peer};

/// Two seconds of x264, one Annex B access unit per picture (str0m packetises Annex B).
fn pictures() -> Vec<Vec<u8>> {
    let pictures = h264_pictures(2);
    assert!(pictures.len() >= 45, "{} pictures", pictures.len());
    pictures
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn join_h264(ws: &mut Socket, call: i64, pictures: Arc<Vec<Vec<u8>>>) -> Peer {
    let offering = media_peer::offer_h264(pictures);
    ws.send(json!({ "type": "call.join", "call_id": call, "sdp": offering.sdp, "screen_mids": [] })).await;
    let answer = ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    offering.answered(answer["data"]["sdp"].as_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_h264_participant_is_recorded_to_matroska() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, _) = app.call("PUT", "/api/v1/groups/1/recording-policy", Some(&admin), Some(json!({ "policy": "always" }))).await;
    assert_eq!(s, 200);
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "H264").await;
    let mut agent_ws = app.ws(&agent).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let call = active_call(&app, &visitor, &agent, conv).await;
    let pictures = Arc::new(pictures());
    let visitor_peer = join_h264(&mut visitor_ws, call, pictures.clone()).await;
    let agent_peer = join_h264(&mut agent_ws, call, pictures).await;
    until_media_flows(&mut [(&mut visitor_ws, &visitor_peer), (&mut agent_ws, &agent_peer)], call).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    // Paused for 3 s (a card number said aloud), then resumed for 2 s.
    let recording = |action: &'static str| {
        let (app, agent) = (&app, &agent);
        async move {
            let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(agent), Some(json!({ "action": action }))).await;
            assert_eq!(s, 200, "{action}: {v}");
        }
    };
    let paused_at = now_ms();
    recording("pause").await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let resumed_at = now_ms();
    recording("resume").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((visitor_peer, agent_peer));

    let mut files = Vec::new();
    for _ in 0..100 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
        files = v["recordings"].as_array().cloned().unwrap_or_default();
        if files.len() == 2 && files.iter().all(|r| r["status"] == "finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(files.len(), 2, "{files:?}");
    for r in &files {
        assert_eq!((r["status"].as_str(), r["mime"].as_str()), (Some("finished"), Some("video/x-matroska")), "{r}");
        let resp = app.http.get(app.url(r["url"].as_str().unwrap())).bearer_auth(&agent).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        assert_eq!(resp.headers()["content-type"], "video/x-matroska");
        assert!(resp.headers()["content-disposition"].to_str().unwrap().ends_with(".mkv\""));
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(r["bytes"].as_i64(), Some(bytes.len() as i64), "the stored size is the .mkv's");
        let path = std::env::temp_dir().join(format!("kefu-h264-api-{}-{}.mkv", std::process::id(), r["role"].as_str().unwrap()));
        std::fs::write(&path, &bytes).unwrap();
        let out = Command::new("ffprobe")
            .args(["-v", "error", "-show_entries", "format=duration:stream=codec_name,width", "-of", "default=nw=1"])
            .arg(&path)
            .output()
            .unwrap();
        let _ = std::fs::remove_file(&path);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(text.contains("codec_name=h264") && text.contains("codec_name=opus") && text.contains("width=320"), "{text}");
        let duration: f64 = text.lines().find_map(|l| l.strip_prefix("duration=")).and_then(|d| d.parse().ok()).unwrap_or(0.0);
        assert!(duration > 6.5, "about the call's length: {duration}");
        // Black through the pause (a second's margin at each edge: the request's way to the
        // media thread, and the next keyframe after the resume), the picture before and after.
        // The pause is found in the file (its place there depends on the sender's clock): a run
        // of black pictures of about its length, with the picture before and after it.
        let shown = shown_pictures(&TempFile::with_bytes(&format!("h264-pause-{}", r["role"].as_str().unwrap()), "mkv", &bytes));
        println!("{}: {:?}", r["role"], shown.iter().map(|(t, l)| format!("{t:.2}:{l:.0}")).collect::<Vec<_>>());
        let black = |l: f64| l < 20.0;
        let first = shown.iter().position(|(_, l)| black(*l)).expect("black pictures while paused");
        let back = first + shown[first..].iter().position(|(_, l)| !black(*l)).expect("the picture after the pause");
        let dark = shown[back].0 - shown[first].0;
        let paused = (resumed_at - paused_at) as f64 / 1000.0;
        assert!(first > 0 && shown[..first].iter().all(|(_, l)| !black(*l)), "the picture before the pause");
        assert!(shown[back..].iter().all(|(_, l)| !black(*l)), "no black after the resume");
        assert!(dark > paused * 0.6 && dark < paused + 1.5, "black for about the pause's {paused} s: {dark} s");
    }
    // Composed like any other: the MP4 is made from the two .mkv files.
    let mut status = String::new();
    for _ in 0..600 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/composition"), Some(&agent), None).await;
        status = v["status"].as_str().unwrap_or_default().to_owned();
        if status == "finished" || status == "failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "finished");
}
