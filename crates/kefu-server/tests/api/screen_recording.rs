//! What the screen-recording tests share: a share (or its end) negotiated while the agent's page
//! answers the server's offers, the call's recordings once finished, a recorded file fetched and
//! probed, and the loudness of a stretch of the composition. No test of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::calls::FlowingCall;
use crate::helpers::TestApp;

/// The visitor renegotiates with `offer` (`mids`: every screen mid so far); the agent's page
/// answers the server's offers for `secs`. Returns the SDPs the agent was offered.
pub async fn renegotiate(c: &mut FlowingCall, offer: String, mids: &[String], secs: u64) -> Vec<String> {
    let call = c.call;
    c.visitor_ws.send(json!({ "type": "call.renegotiate", "call_id": call, "sdp": offer, "screen_mids": mids })).await;
    let reply = c.visitor_ws.wait_until("call.answer", |e| e["call_id"] == call).await;
    c.visitor_peer.answered(reply["data"]["sdp"].as_str().unwrap());
    let mut offered = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    while tokio::time::Instant::now() < deadline {
        for e in c.agent_ws.drain(50).await {
            if e["type"] == "call.offer" {
                let sdp = e["data"]["sdp"].as_str().unwrap().to_owned();
                let answer = c.agent_peer.answer(&sdp);
                c.agent_ws.send(json!({ "type": "call.answer", "call_id": call, "sdp": answer })).await;
                offered.push(sdp);
            }
        }
    }
    offered
}

/// The call's recordings once `count` rows are all finished (what there is after ~10 s otherwise).
pub async fn finished_recordings(app: &TestApp, token: &str, call: i64, count: usize) -> Vec<Value> {
    let mut files: Vec<Value> = Vec::new();
    for _ in 0..100 {
        let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/recordings"), Some(token), None).await;
        files = v["recordings"].as_array().cloned().unwrap_or_default();
        if files.len() == count && files.iter().all(|r| r["status"] == "finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    files
}

/// A file of the call served at `url`, written to a temporary file named after `name` (the
/// caller removes it); its size.
pub async fn download(app: &TestApp, token: &str, url: &str, name: &str) -> (PathBuf, usize) {
    let resp = app.http.get(app.url(url)).bearer_auth(token).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    let bytes = resp.bytes().await.unwrap();
    let path = std::env::temp_dir().join(format!("kefu-{}-{name}", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    (path, bytes.len())
}

/// `ffprobe` on a file: its stream kinds (sorted) and the packets of its `a` or `v` streams.
pub fn probe(path: &Path, select: &str) -> (Vec<String>, u32) {
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

/// The mean volume (dB, ffmpeg's `volumedetect`) of the file's sound from `from` to `to` seconds.
pub fn mean_volume(path: &Path, from: f64, to: f64) -> f64 {
    let out = Command::new("ffmpeg")
        .args(["-v", "info", "-nostdin", "-ss", &format!("{from}"), "-to", &format!("{to}"), "-i"])
        .arg(path)
        .args(["-vn", "-af", "volumedetect", "-f", "null", "-"])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr).to_string();
    let line = log.lines().find(|l| l.contains("mean_volume:")).unwrap_or_else(|| panic!("no volume: {log}"));
    line.split("mean_volume:").nth(1).unwrap().trim().trim_end_matches(" dB").parse().unwrap()
}

/// Where a recording lies in the composition, in seconds from `files`' earliest start (the
/// composition starts there): its start and its end. The windows are placed by the files' own
/// times, not by guesses, since on a loaded machine a share may start seconds late.
pub fn span_in_composition(files: &[Value], r: &Value) -> (f64, f64) {
    let secs = |r: &Value| {
        let t = time::OffsetDateTime::parse(r["started_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
        (t.unix_timestamp_nanos() / 1_000_000) as f64 / 1000.0
    };
    let origin = files.iter().map(secs).fold(f64::MAX, f64::min);
    let from = secs(r) - origin;
    (from, from + r["duration_ms"].as_f64().unwrap_or(0.0) / 1000.0)
}
