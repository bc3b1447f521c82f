//! After a recorded video call: one MP4 with the agent's and the visitor's files side by side
//! and a burned-in watermark (when, which agent, which conversation), made by ffmpeg (an
//! external program: no encoder in the process) once every file of the ended call is finished.
//! One job per call (claimed in the database), run at low priority on one thread; its SHA-256 is
//! stored. Only video calls with a file of each side are composed. Every file of each side is
//! used, at its true time (a recording stopped and started again leaves black and silence between
//! its files), and so are files a crash interrupted (composed when the next start finds them).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use kefu_core::CallStatus;

use super::composition_graph::{self, Clip};
use crate::clock::{now_ms, rfc3339};
use kefu_store::{RecordingRow, Store};

/// The composition's name within the call's directory.
const NAME: &str = "composed.mp4";

/// At start-up (a lone node: in a cluster another node may be composing): compositions a dead
/// process was making are made again, in the background.
pub async fn resume_unfinished(store: &Store, dir: &Path) -> anyhow::Result<usize> {
    let calls = store.release_unfinished_compositions().await?;
    for &call in &calls {
        let (store, dir) = (store.clone(), dir.to_path_buf());
        tokio::spawn(async move { maybe_compose(&store, &dir, call).await });
    }
    Ok(calls.len())
}

/// Compose the call if it has ended and none of its files is still being written.
pub async fn maybe_compose(store: &Store, dir: &Path, call_id: i64) {
    if let Err(e) = compose(store, dir, call_id).await {
        tracing::warn!(call = call_id, error = %e, "composition failed");
    }
}

async fn compose(store: &Store, dir: &Path, call_id: i64) -> anyhow::Result<()> {
    let call = store.call(call_id).await?;
    if call.status != CallStatus::Ended || call.media != "video" {
        return Ok(());
    }
    let files = store.recordings_of_call(call_id).await?;
    if files.iter().any(|r| matches!(r.status.as_str(), "recording" | "paused")) {
        return Ok(());
    }
    let usable = |role: &str| -> Vec<&RecordingRow> {
        // Each side's camera files; a shared screen has its own file, not part of the picture.
        let camera = |r: &&RecordingRow| !crate::views::is_screen_file(&r.path);
        files.iter().filter(|r| r.role == role && matches!(r.status.as_str(), "finished" | "interrupted")).filter(camera).collect()
    };
    let (agent, visitor) = (usable("agent"), usable("visitor"));
    let (Some(first_agent), false) = (agent.first(), visitor.is_empty()) else { return Ok(()) };
    let rel = format!("call-{call_id}/{NAME}");
    if !store.claim_composition(call_id, first_agent.agent_id, &rel, now_ms()).await? {
        return Ok(());
    }
    let text = watermark(store, first_agent, &call.conversation_id).await;
    let out = dir.join(&rel);
    let result = run_ffmpeg(dir, &agent, &visitor, &text, &out).await;
    match result {
        Ok(()) => {
            let bytes = tokio::fs::metadata(&out).await.map(|m| m.len() as i64).ok();
            let sha = super::recording::hash_file(out.clone()).await;
            store.finish_composition(call_id, bytes, sha.as_deref(), None, now_ms()).await?;
        }
        Err(e) => {
            store.finish_composition(call_id, None, None, Some("ffmpeg_failed"), now_ms()).await?;
            return Err(e);
        }
    }
    Ok(())
}

/// "Kefu | 2026-11-30T20:00:05Z | agent Li (#3) | conversation 12": ASCII only, as the font
/// ffmpeg finds may have no CJK glyphs (the agent's id says who, whatever the name's script).
async fn watermark(store: &Store, agent: &RecordingRow, conversation: &i64) -> String {
    let name = match agent.agent_id {
        Some(id) => store.user(id).await.map(|u| u.name).unwrap_or_default(),
        None => String::new(),
    };
    let ascii: String = name.chars().filter(|c| c.is_ascii_graphic() || *c == ' ').collect();
    let who = match agent.agent_id {
        Some(id) => format!("agent {} (#{id})", ascii.trim()),
        None => "agent -".into(),
    };
    format!("Kefu | {} | {who} | conversation {conversation}", rfc3339(agent.started_at))
}

/// What ffprobe finds in a file: its streams, and where its last packet ends (seconds on the
/// file's own timeline; an interrupted file has no Duration to read, so the packets are walked).
struct Probe {
    video: bool,
    audio: bool,
    end: f64,
}

async fn probe(path: &Path) -> anyhow::Result<Probe> {
    let streams = tokio::process::Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=codec_type", "-of", "csv=p=0"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .await?;
    let kinds = String::from_utf8_lossy(&streams.stdout).to_string();
    let packets = tokio::process::Command::new("nice")
        .args(["-n", "19", "ffprobe", "-v", "error", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0"])
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .await?;
    let end = String::from_utf8_lossy(&packets.stdout)
        .lines()
        .filter_map(|l| {
            let mut cols = l.split(',').map(|c| c.trim().parse::<f64>().ok());
            let pts = cols.next().flatten()?;
            Some(pts + cols.next().flatten().unwrap_or(0.0))
        })
        .fold(0.0, f64::max);
    Ok(Probe { video: kinds.lines().any(|k| k.trim() == "video"), audio: kinds.lines().any(|k| k.trim() == "audio"), end })
}

async fn run_ffmpeg(dir: &Path, agent: &[&RecordingRow], visitor: &[&RecordingRow], text: &str, out: &Path) -> anyhow::Result<()> {
    // The composition starts at the earliest file's time zero; each file is placed after it.
    let origin = agent.iter().chain(visitor).map(|r| r.started_at).min().unwrap_or_default();
    let mut length: f64 = 1.0;
    let mut clips = Vec::new();
    for r in agent.iter().chain(visitor) {
        let found = probe(&dir.join(&r.path)).await?;
        let offset = (r.started_at - origin) as f64 / 1000.0;
        length = length.max(offset + found.end);
        clips.push(Clip { offset, video: found.video, audio: found.audio });
    }
    // The text goes through a file: drawtext then needs no escaping of ':' or quotes.
    let text_file: PathBuf = out.with_extension("txt");
    tokio::fs::write(&text_file, text).await?;
    let (agent_clips, visitor_clips) = clips.split_at(agent.len());
    let filter = composition_graph::filter(agent_clips, visitor_clips, length, &text_file.display().to_string());
    let mut command = tokio::process::Command::new("nice");
    // -copyts: each file keeps its own timestamps (a file whose time zero lies before its first
    // packet starts that much later), which the graph then offsets.
    command.args(["-n", "19", "ffmpeg", "-nostdin", "-v", "error", "-y", "-copyts"]);
    for r in agent.iter().chain(visitor) {
        command.arg("-i").arg(dir.join(&r.path));
    }
    let status = command
        .args(["-filter_complex", &filter, "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26"])
        .args(["-threads", "1", "-c:a", "aac", "-movflags", "+faststart"])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .await;
    let _ = tokio::fs::remove_file(&text_file).await;
    let output = status?;
    if !output.status.success() {
        let tail: String = String::from_utf8_lossy(&output.stderr).chars().rev().take(400).collect::<Vec<_>>().into_iter().rev().collect();
        anyhow::bail!("ffmpeg exited with {}: {tail}", output.status);
    }
    Ok(())
}
