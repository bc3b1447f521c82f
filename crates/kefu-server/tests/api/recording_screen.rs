//! A screen shared during a recorded call is recorded as a file of its own, next to the
//! sharer's camera file (kind `screen`), from the moment the share began, with a video stream and
//! no (empty) audio track; the composition stays the two cameras side by side.

use std::time::Duration;

use serde_json::Value;

use crate::calls::{cards_recording, flowing_call};
use crate::helpers::spawn_app;
use crate::screen_recording::{download, finished_recordings, mean_volume, probe, renegotiate, span_in_composition};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_shared_screen_is_recorded_as_its_own_file() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let mut c = flowing_call(&app, &agent, "Screen").await;
    let call = c.call;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The visitor shares a screen for about 3 s.
    let (offer, mid) = c.visitor_peer.share_screen();
    renegotiate(&mut c, offer, &[mid], 3).await;
    // While the share runs, its file is already listed (recording), not only once it ends.
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
    let live: Vec<&Value> = v["recordings"].as_array().unwrap().iter().filter(|r| r["kind"] == "screen").collect();
    assert_eq!(live.len(), 1, "the screen's row appears when the share starts: {v}");
    assert_eq!(live[0]["status"], "recording", "{v}");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((c.visitor_peer, c.agent_peer));

    let files = finished_recordings(&app, &agent, call, 3).await;
    let mut kinds: Vec<(String, String)> =
        files.iter().map(|r| (r["role"].as_str().unwrap().to_owned(), r["kind"].as_str().unwrap().to_owned())).collect();
    kinds.sort();
    let want = [("agent", "camera"), ("visitor", "camera"), ("visitor", "screen")].map(|(a, b)| (a.to_owned(), b.to_owned()));
    assert_eq!(kinds, want, "{files:?}");
    let screen = files.iter().find(|r| r["kind"] == "screen").unwrap();
    assert_eq!(screen["status"], "finished", "{screen}");
    let (path, bytes) = download(&app, &agent, screen["url"].as_str().unwrap(), "screen-api.webm").await;
    assert_eq!(screen["bytes"].as_i64(), Some(bytes as i64));
    let (kinds, packets) = probe(&path, "v");
    let _ = std::fs::remove_file(&path);
    println!("the screen's file: {bytes} bytes, {packets} video packets");
    assert!(packets >= 40, "about 3 s of the screen at 25 fps: {packets}");
    assert_eq!(kinds, ["video"], "the screen's file has its picture and no empty sound track");
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
    let mut c = flowing_call(&app, &agent, "Screen sound").await;
    let call = c.call;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(c.agent_peer.audio_mids(), 1, "before the share the agent hears the visitor's voice only");

    let (offer, mids) = c.visitor_peer.share_screen_with_sound();
    let offered = renegotiate(&mut c, offer, &mids, 3).await;
    assert!(
        offered.iter().any(|sdp| sdp.contains("kefu-screen-audio-")),
        "the agent is offered the share's sound as a kefu-screen-audio track"
    );
    assert_eq!(c.agent_peer.audio_mids(), 2, "the agent hears the share's sound beside the visitor's voice");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((c.visitor_peer, c.agent_peer));

    let files = finished_recordings(&app, &agent, call, 3).await;
    let screen = files.iter().find(|r| r["kind"] == "screen").expect("the screen's file");
    let (path, bytes) = download(&app, &agent, screen["url"].as_str().unwrap(), "screen-sound-api.webm").await;
    let (kinds, packets) = probe(&path, "a");
    let _ = std::fs::remove_file(&path);
    assert_eq!(kinds, ["audio", "video"], "the screen's file has its picture and its sound");
    println!("the screen's file: {bytes} bytes, {packets} audio packets");
    assert!(packets >= 100, "about 3 s of the share's sound at 50 packets/s: {packets}");

    // The composition takes the screen's file for its sound: it is made (ffmpeg accepted the
    // graph with the sound-only clip) and lasts the call.
    let view = crate::compositions::finished_composition(&app, &agent, call).await;
    assert!(view["bytes"].as_i64().unwrap_or(0) > 0, "{view}");
    // Its sound is in the mix: louder while the share sounds than before it.
    let (share_from, share_to) = span_in_composition(&files, screen);
    assert!(share_from > 0.7 && share_to > share_from + 1.5, "the share starts after the cameras and lasts: {files:?}");
    let url = format!("/api/v1/calls/{call}/composition/file");
    let (path, _) = download(&app, &agent, &url, "screen-sound-composed.mp4").await;
    let (before, during) = (mean_volume(&path, 0.2, share_from - 0.3), mean_volume(&path, share_from + 0.5, share_to - 0.5));
    let _ = std::fs::remove_file(&path);
    println!(
        "the composition's mean volume: {before:.1} dB before the share, {during:.1} dB while it sounds ({share_from:.1}-{share_to:.1} s)"
    );
    assert!(during > before + 1.0, "the share's sound is mixed in: {before:.1} dB -> {during:.1} dB");
}
