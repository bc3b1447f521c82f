//! Three screen shares in one recorded call: with sound, without, with sound again. Each share's
//! tracks differ from the open screen file's, so each starts a segment of its own (`-screen`,
//! `-screen-2`, `-screen-3`, each listed on the call's record as a screen): the shares with sound
//! have a sound track carrying it, the silent one has none (no track of silence), and the
//! composition mixes the shares' sound in where it played, and none where the silent one ran.

use std::time::Duration;

use serde_json::Value;

use crate::calls::{cards_recording, flowing_call};
use crate::helpers::spawn_app;
use crate::screen_recording::{download, finished_recordings, mean_volume, probe, renegotiate, span_in_composition};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_share_whose_tracks_differ_from_the_open_screen_file_starts_a_segment() {
    let app = spawn_app().await;
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let mut c = flowing_call(&app, &agent, "Three shares").await;
    let call = c.call;
    tokio::time::sleep(Duration::from_secs(1)).await;

    // Share 1: a screen with its sound, for about 3 s, then stopped (its transceivers inactive).
    let (offer, mut mids) = c.visitor_peer.share_screen_with_sound();
    renegotiate(&mut c, offer, &mids, 3).await;
    let offer = c.visitor_peer.stop_share();
    renegotiate(&mut c, offer, &mids, 1).await;
    // Share 2: a screen without sound, for about 3 s, then stopped.
    let (offer, mid) = c.visitor_peer.share_screen();
    mids.push(mid);
    renegotiate(&mut c, offer, &mids, 3).await;
    let offer = c.visitor_peer.stop_share();
    renegotiate(&mut c, offer, &mids, 1).await;
    // Share 3: with its sound again, for about 3 s.
    let (offer, more) = c.visitor_peer.share_screen_with_sound();
    mids.extend(more);
    renegotiate(&mut c, offer, &mids, 3).await;
    // The segments are listed while the call runs.
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&agent), None).await;
    let live = v["recordings"].as_array().unwrap().iter().filter(|r| r["kind"] == "screen").count();
    assert_eq!(live, 3, "a screen row per segment: {v}");
    let (s, _) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200);
    drop((c.visitor_peer, c.agent_peer));

    let files = finished_recordings(&app, &agent, call, 5).await;
    let mut screens: Vec<&Value> = files.iter().filter(|r| r["kind"] == "screen").collect();
    assert_eq!(screens.len(), 3, "{files:?}");
    assert!(screens.iter().all(|r| r["status"] == "finished" && r["role"] == "visitor"), "{files:?}");
    screens.sort_by_key(|r| r["started_at"].as_str().unwrap_or_default().to_owned());
    let mut found = Vec::new();
    for (n, screen) in screens.iter().enumerate() {
        let (path, _) = download(&app, &agent, screen["url"].as_str().unwrap(), &format!("screen-segment-{n}.webm")).await;
        found.push((probe(&path, "v"), probe(&path, "a").1));
        let _ = std::fs::remove_file(&path);
    }
    println!("the screen segments (kinds, video packets, audio packets): {found:?}");
    for (n, ((kinds, video), audio)) in found.iter().enumerate() {
        assert!(*video >= 40, "about 3 s of share {}'s picture: {video}", n + 1);
        if n == 1 {
            assert_eq!(kinds, &["video"], "share 2 had no sound: its segment has its picture only");
        } else {
            assert_eq!(kinds, &["audio", "video"], "share {} had sound: its segment has picture and sound", n + 1);
            assert!(*audio >= 100, "about 3 s of share {}'s sound at 50 packets/s: {audio}", n + 1);
        }
    }

    // The composition takes the three segments in time order: it is made, the shares' sound is
    // in the mix where they played (louder than before any share), and the silent share adds none.
    let view = crate::compositions::finished_composition(&app, &agent, call).await;
    assert!(view["bytes"].as_i64().unwrap_or(0) > 0, "{view}");
    let url = format!("/api/v1/calls/{call}/composition/file");
    let (path, _) = download(&app, &agent, &url, "screen-segments-composed.mp4").await;
    let spans: Vec<(f64, f64)> = screens.iter().map(|r| span_in_composition(&files, r)).collect();
    assert!(spans[0].0 > 0.7 && spans.iter().all(|(from, to)| *to > from + 1.5), "the shares start after the cameras and last: {files:?}");
    let before = mean_volume(&path, 0.2, spans[0].0 - 0.3);
    let during: Vec<f64> = spans.iter().map(|(from, to)| mean_volume(&path, from + 0.5, to - 0.5)).collect();
    let _ = std::fs::remove_file(&path);
    println!("the composition: mean volume {before:.1} dB before any share, {during:.1?} dB during shares 1-3 ({spans:.1?} s)");
    assert!(during[0] > before + 1.0 && during[2] > before + 1.0, "the shares' sound is mixed in: {before:.1} dB -> {during:.1?} dB");
    assert!(during[1] < during[0] - 1.0 && during[1] < during[2] - 1.0, "the silent share adds no sound: {during:.1?} dB");
}
