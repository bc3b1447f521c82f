//! After a recorded video call: one MP4 with the agent's and the visitor's files side by side
//! and a burned-in watermark (when, which agent, which conversation), made by ffmpeg (an
//! external program: no encoder in the process) once every file of the ended call is finished.
//! One job per call (claimed in the database), run at low priority on one thread; its SHA-256 is
//! stored. Only video calls with a file of each side are composed.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use kefu_core::CallStatus;

use crate::clock::{now_ms, rfc3339};
use kefu_store::{RecordingRow, Store};

/// The composition's name within the call's directory.
const NAME: &str = "composed.mp4";

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
    let usable = |role: &str| files.iter().find(|r| r.role == role && matches!(r.status.as_str(), "finished" | "interrupted"));
    let (Some(agent), Some(visitor)) = (usable("agent"), usable("visitor")) else { return Ok(()) };
    let rel = format!("call-{call_id}/{NAME}");
    if !store.claim_composition(call_id, agent.agent_id, &rel, now_ms()).await? {
        return Ok(());
    }
    let text = watermark(store, agent, &call.conversation_id).await;
    let out = dir.join(&rel);
    let result = run_ffmpeg(dir, agent, visitor, &text, &out).await;
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

async fn run_ffmpeg(dir: &Path, agent: &RecordingRow, visitor: &RecordingRow, text: &str, out: &Path) -> anyhow::Result<()> {
    // The text goes through a file: drawtext then needs no escaping of ':' or quotes.
    let text_file: PathBuf = out.with_extension("txt");
    tokio::fs::write(&text_file, text).await?;
    let side = "scale=640:360:force_original_aspect_ratio=decrease,pad=640:360:(ow-iw)/2:(oh-ih)/2,setsar=1";
    let filter = format!(
        "[0:v]{side}[l];[1:v]{side}[r];[l][r]hstack=inputs=2,drawtext=textfile='{}':x=10:y=h-28:fontsize=16:fontcolor=white:box=1:boxcolor=black@0.6[v];[0:a][1:a]amix=inputs=2:duration=longest[a]",
        text_file.display()
    );
    let status = tokio::process::Command::new("nice")
        .args(["-n", "19", "ffmpeg", "-nostdin", "-v", "error", "-y", "-i"])
        .arg(dir.join(&agent.path))
        .arg("-i")
        .arg(dir.join(&visitor.path))
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
