//! SIGKILL the real binary 20 s into a recorded call: after the restart the call is ended
//! `server_restart`, both participant files are kept as `interrupted` with their hash, and they
//! play for at least 17 s (the last second or so, still in memory, is lost); they are composed
//! into the call's MP4 as well.

use std::process::Command;
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::calls::{cards_recording, composed, flowing_call};
use crate::helpers::tempdir;
use crate::restart::{app_at, free_port, start};

fn ffprobe_duration(bytes: &[u8]) -> f64 {
    let path = std::env::temp_dir().join(format!("kefu-rec-crash-{}-{}.webm", std::process::id(), bytes.len()));
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1"])
        .arg(&path)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_20_s_into_a_recorded_call_leaves_files_that_play_17_s() {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut child = start(&dir.0, port).await;
    let app = app_at(port, None);
    cards_recording(&app, "always").await;
    let agent = app.ready_agent(1).await;
    let flow = flowing_call(&app, &agent, "Crash").await;
    let call = flow.call;
    tokio::time::sleep(Duration::from_secs(20)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    drop(flow);

    let mut child = start(&dir.0, port).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&admin), None).await;
    assert_eq!((v["status"].as_str(), v["end_reason"].as_str()), (Some("ended"), Some("server_restart")), "{v}");
    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(&admin), None).await;
    assert_eq!(s, 200);
    let files = v["recordings"].as_array().cloned().unwrap_or_default();
    assert_eq!(files.len(), 2, "{v}");
    for r in &files {
        assert_eq!(r["status"], "interrupted", "{r}");
        let resp = app.http.get(app.url(&format!("/api/v1/recordings/{}/file", r["id"]))).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        let bytes = resp.bytes().await.unwrap();
        assert_eq!(r["sha256"].as_str(), Some(hex::encode(Sha256::digest(&bytes)).as_str()), "hashed as found");
        let duration = ffprobe_duration(&bytes);
        assert!(duration >= 17.0, "{} plays {duration} s of the 20 s recorded", r["role"]);
    }

    // The interrupted files are composed too, as far as they go.
    let composed = composed(&app, &admin, call).await;
    assert!(composed.view["sha256"].is_string(), "{}", composed.view);
    assert!(composed.duration >= 17.0, "the composition plays {} s of the 20 s recorded", composed.duration);
    let _ = child.kill();
    let _ = child.wait();
}
