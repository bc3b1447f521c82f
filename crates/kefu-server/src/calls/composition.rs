//! After a recorded video call: one MP4 with the agent's and the visitor's files side by side
//! and a burned-in watermark (when, which agent, which conversation), made by ffmpeg (an
//! external program: no encoder in the process) once every file of the ended call is finished.
//! One job per call, claimed in the database by the process that makes it and held under a lease
//! it renews while ffmpeg runs; run at low priority on one thread; its SHA-256 is stored. Only
//! video calls with a file of each side are composed. Every file of each side is used, at its
//! true time (a recording stopped and started again leaves black and silence between its files),
//! and so are files a crash interrupted (composed when the next start finds them).
//!
//! Recovery (a process died while ffmpeg ran): every node sweeps now and then for jobs whose
//! lease ran out and makes them again; the store hands each such job to one node only (see
//! [`Store::claim_stale_compositions`]). A lone server, at start-up, takes every unfinished job at
//! once: no other process can be making one.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use kefu_core::CallStatus;

use super::composition_graph::{self, Clip};
use crate::clock::{now_ms, rfc3339};
use kefu_store::{JobLease, RecordingRow, Store};

/// The composition's name within the call's directory.
const NAME: &str = "composed.mp4";
/// How long a job stays its holder's without a renewal: a dead process's jobs are taken over
/// this long after its last renewal at most (plus a sweep).
const LEASE_MS: i64 = 60_000;
/// The holder renews well within the lease, so a slow database round does not lose it.
const RENEW_EVERY: Duration = Duration::from_secs(20);
/// How often each node looks for jobs whose lease ran out.
const SWEEP_EVERY: Duration = Duration::from_secs(30);
/// Jobs taken over in one sweep round (each runs ffmpeg; the next round takes more).
const SWEEP_BATCH: i64 = 4;

/// This process's name as a job holder: unique per run, so a restarted node does not take its
/// dead predecessor's jobs for its own.
fn holder() -> &'static str {
    static HOLDER: OnceLock<String> = OnceLock::new();
    HOLDER.get_or_init(|| format!("pid{}-{:016x}", std::process::id(), rand::random::<u64>()))
}

/// A lease for this process from now.
fn lease() -> JobLease<'static> {
    JobLease { holder: holder(), until: now_ms() + LEASE_MS }
}

/// Recovery of compositions cut off by a dead process, in the background on every node: a lone
/// server (`lone`) first takes every unfinished job (no other process can be making one), then
/// every node sweeps for jobs whose lease ran out.
pub fn spawn_recovery(store: Store, dir: PathBuf, lone: bool) {
    tokio::spawn(async move {
        let mut all = lone;
        loop {
            match take_over(&store, &dir, if all { i64::MAX } else { now_ms() }).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(calls = n, "compositions cut off by a stopped server are made again"),
                Err(e) => tracing::warn!(error = ?e, "could not look for compositions cut off by a stopped server"),
            }
            all = false;
            tokio::time::sleep(SWEEP_EVERY).await;
        }
    });
}

/// Claim the jobs whose lease ended before `before` and make each again; how many.
async fn take_over(store: &Store, dir: &Path, before: i64) -> anyhow::Result<usize> {
    let mut taken = 0;
    loop {
        let calls = store.claim_stale_compositions(before, lease(), SWEEP_BATCH).await?;
        if calls.is_empty() {
            return Ok(taken);
        }
        taken += calls.len();
        for call in calls {
            let (store, dir) = (store.clone(), dir.to_path_buf());
            tokio::spawn(async move {
                if let Err(e) = remake(&store, &dir, call).await {
                    tracing::warn!(call, error = %e, "composition failed");
                }
            });
        }
    }
}

/// Compose the call if it has ended and none of its files is still being written.
pub async fn maybe_compose(store: &Store, dir: &Path, call_id: i64) {
    if let Err(e) = compose(store, dir, call_id).await {
        tracing::warn!(call = call_id, error = %e, "composition failed");
    }
}

/// What a call's composition is made of: each side's camera files, and its shared screens' files
/// (for their sound only: see [`run_ffmpeg`]).
struct Plan {
    agent: Vec<RecordingRow>,
    visitor: Vec<RecordingRow>,
    conversation: i64,
}

/// The call's files to compose, if it is a video call that has ended with every file finished
/// and a file of each side. A file this node cannot read is left out (a cluster whose
/// `recordings_dir` is not shared: a call taken over after its node died has its first segments
/// on that node's disk; they stay there, listed as `interrupted`, and the rest is composed).
async fn plan(store: &Store, dir: &Path, call_id: i64) -> anyhow::Result<Option<Plan>> {
    let call = store.call(call_id).await?;
    if call.status != CallStatus::Ended || call.media != "video" {
        return Ok(None);
    }
    let files = store.recordings_of_call(call_id).await?;
    if files.iter().any(|r| matches!(r.status.as_str(), "recording" | "paused")) {
        return Ok(None);
    }
    let usable = |role: &str| -> Vec<RecordingRow> {
        files.iter().filter(|r| r.role == role && matches!(r.status.as_str(), "finished" | "interrupted")).cloned().collect()
    };
    let here = |files: Vec<RecordingRow>| -> Vec<RecordingRow> {
        let (here, elsewhere): (Vec<_>, Vec<_>) = files.into_iter().partition(|r| dir.join(&r.path).is_file());
        for r in &elsewhere {
            tracing::warn!(call = call_id, file = %r.path, "composition: a recording file is not on this node's disk; composed without it");
        }
        here
    };
    let (agent, visitor) = (here(usable("agent")), here(usable("visitor")));
    let camera = |r: &RecordingRow| !crate::views::is_screen_file(&r.path);
    if !agent.iter().any(camera) || !visitor.iter().any(camera) {
        return Ok(None);
    }
    Ok(Some(Plan { agent, visitor, conversation: call.conversation_id }))
}

async fn compose(store: &Store, dir: &Path, call_id: i64) -> anyhow::Result<()> {
    let Some(plan) = plan(store, dir, call_id).await? else { return Ok(()) };
    let rel = format!("call-{call_id}/{NAME}");
    if !store.claim_composition(call_id, plan.agent[0].agent_id, &rel, now_ms(), lease()).await? {
        return Ok(());
    }
    make(store, dir, call_id, plan).await
}

/// A job this process took over: made again from the call's files.
async fn remake(store: &Store, dir: &Path, call_id: i64) -> anyhow::Result<()> {
    match plan(store, dir, call_id).await? {
        Some(plan) => make(store, dir, call_id, plan).await,
        None => {
            store.finish_composition(call_id, holder(), None, None, Some("nothing_to_compose"), now_ms()).await?;
            Ok(())
        }
    }
}

/// Run the claimed job: ffmpeg, renewing the lease meanwhile; then its outcome. A job whose
/// lease was lost (this process stalled past it and another node took it over) stops: the
/// other node reports.
async fn make(store: &Store, dir: &Path, call_id: i64, plan: Plan) -> anyhow::Result<()> {
    let rel = format!("call-{call_id}/{NAME}");
    let text = watermark(store, &plan.agent[0], &plan.conversation).await;
    let out = dir.join(&rel);
    let (agent, visitor): (Vec<&RecordingRow>, Vec<&RecordingRow>) = (plan.agent.iter().collect(), plan.visitor.iter().collect());
    let job = run_ffmpeg(dir, &agent, &visitor, &text, &out);
    tokio::pin!(job);
    let mut renew = tokio::time::interval_at(tokio::time::Instant::now() + RENEW_EVERY, RENEW_EVERY);
    let result = loop {
        tokio::select! {
            result = &mut job => break result,
            _ = renew.tick() => match store.renew_composition(call_id, lease()).await {
                Ok(true) => {}
                // Dropping the job kills ffmpeg (`kill_on_drop`).
                Ok(false) => anyhow::bail!("the job's lease was lost to another node; it stops here"),
                Err(e) => tracing::warn!(call = call_id, error = ?e, "could not renew a composition's lease"),
            },
        }
    };
    match result {
        Ok(()) => {
            let bytes = tokio::fs::metadata(&out).await.map(|m| m.len() as i64).ok();
            let sha = super::recording::hash_file(out.clone()).await;
            store.finish_composition(call_id, holder(), bytes, sha.as_deref(), None, now_ms()).await?;
        }
        Err(e) => {
            store.finish_composition(call_id, holder(), None, None, Some("ffmpeg_failed"), now_ms()).await?;
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
        // A shared screen's file is not part of the picture (the two cameras side by side), but
        // its sound (a shared tab's audio) is mixed into that side's: the reviewer of the one
        // watermarked file hears what the other side heard. A second audio track would be
        // left unheard: browsers' <video> and most players play only the first.
        let screen = crate::views::is_screen_file(&r.path);
        clips.push(Clip { offset, video: found.video && !screen, audio: found.audio });
    }
    // The text goes through a file: drawtext then needs no escaping of ':' or quotes.
    let text_file: PathBuf = out.with_extension("txt");
    tokio::fs::write(&text_file, text).await?;
    let (agent_clips, visitor_clips) = clips.split_at(agent.len());
    let filter = composition_graph::filter(agent_clips, visitor_clips, length, &text_file.display().to_string());
    let mut command = tokio::process::Command::new("nice");
    // A job given up (its lease lost) must not leave ffmpeg writing the file.
    command.kill_on_drop(true);
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
