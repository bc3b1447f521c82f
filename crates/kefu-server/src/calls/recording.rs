//! Call recording in the product: which calls are recorded (the policy of the conversation's
//! business type, else of its skill group), the agent's start/stop/pause/resume, one file per
//! participant in `recordings_dir/call-<id>/`, finishing a file (size, SHA-256) when the media
//! server reports its end, and at start-up the files a dead process left (`interrupted`).
//!
//! A write error (a full disk) ends that file as `failed`; the call goes on unrecorded, its
//! state turns `off` and the timeline says so (`recording_failed`), so nobody believes a call is
//! recorded when it is not. Every change is a `call.updated` event, a system line in the
//! conversation and a `routing_log` row (the audit trail).

use std::path::{Path, PathBuf};

use kefu_core::CallStatus;
use kefu_media::{ParticipantId, RecordingEnded};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::auth::{Role, Staff};
use crate::calls::cluster::{MediaReply, MediaRequest};
use crate::clock::now_ms;
use crate::conversations::links::AttachmentLinks;
use crate::conversations::{announce_with, event, system_message, Pending};
use crate::error::{ApiError, ApiResult};
use crate::realtime::Hub;
use crate::state::AppState;
use crate::views::{parse_policy, CallView, RecordingAction, RecordingPolicy};
use kefu_store::{CallRow, ConversationRow, FinishedRecording, NewRecording, RecordingRow, Store, Tx};

/// A call became active: it takes its conversation's policy, and under `always` starts
/// recording at once (files start as participants join media). Inside the call's transaction.
pub async fn on_active(tx: &mut Tx, call: &CallRow, now: i64) -> ApiResult<(CallRow, Option<Pending>)> {
    let policy = tx.recording_policy_of(call.conversation_id).await?;
    let state = if parse_policy(&policy) == RecordingPolicy::Always { "recording" } else { "off" };
    let row = tx.set_call_recording(call.id, &policy, state).await?;
    if state == "off" {
        return Ok((row, None));
    }
    let data = json!({ "policy": policy });
    let line = system_message(tx, call.conversation_id, "recording_started", None, Some(&data), now).await?;
    tx.log_routing("recording_started", Some(call.conversation_id), None, None, &json!({ "call": call.id, "by": "policy" }), now).await?;
    Ok((row, Some(line)))
}

/// Who may fetch a recording: the agent who served the call, supervisors and admins (and API
/// keys with conversation access, which act as supervisors). Never visitors.
pub fn may_fetch(staff: &Staff, r: &RecordingRow) -> bool {
    may_fetch_of(staff, r.agent_id)
}

/// The same rule for anything made from a call's recordings (its composition).
pub fn may_fetch_of(staff: &Staff, agent_id: Option<i64>) -> bool {
    matches!(staff.role, Role::Admin | Role::Supervisor) || (staff.is_user() && agent_id == Some(staff.id))
}

/// The agent serving the call changes its recording; returns the call as it now is.
pub async fn command(state: &AppState, staff: &Staff, call_id: i64, action: RecordingAction) -> ApiResult<CallView> {
    let call = state.store.call(call_id).await.map_err(|_| ApiError::not_found("call"))?;
    let c = state.store.conversation(call.conversation_id).await.map_err(|_| ApiError::not_found("call"))?;
    if !(staff.is_user() && c.agent_id == Some(staff.id)) {
        return Err(ApiError::Forbidden("recording: only the agent serving the call controls its recording".into()));
    }
    if call.status != CallStatus::Active {
        return Err(ApiError::Conflict(format!("recording: the call is {}, not active", call.status.as_str())));
    }
    let policy = parse_policy(&call.recording_policy);
    let (to, code) = match (action, call.recording.as_str()) {
        (_, _) if policy == RecordingPolicy::Off => {
            return Err(ApiError::Conflict("recording: recording is off for this conversation's business type or group".into()))
        }
        (RecordingAction::Start, "off") => ("recording", "recording_started"),
        (RecordingAction::Stop, "recording" | "paused") if policy == RecordingPolicy::OnDemand => ("off", "recording_stopped"),
        (RecordingAction::Stop, _) if policy == RecordingPolicy::Always => {
            return Err(ApiError::Conflict("recording: calls of this business type are always recorded; pause instead".into()))
        }
        (RecordingAction::Pause, "recording") => ("paused", "recording_paused"),
        (RecordingAction::Resume, "paused") => ("recording", "recording_resumed"),
        (_, now) => return Err(ApiError::Conflict(format!("recording: cannot {action:?} while the recording is {now}").to_lowercase())),
    };
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    // The state read above chose the move; the write makes it only from that state, so of two
    // commands at once exactly one passes (the other's call has moved on under it).
    let Some(row) = tx.transition_call_recording(call_id, &call.recording, to).await? else {
        return Err(ApiError::Conflict(
            "recording: the call's recording changed meanwhile (another command came first, or the call ended); read the call again".into(),
        ));
    };
    let events = changed(&mut tx, &row, &c, code, Some(staff), now).await?;
    tx.commit().await?;
    announce_with(&state.store, &state.hub, &state.links, events, &[]).await;
    files_follow(state, call_id, action).await?;
    if matches!(action, RecordingAction::Pause | RecordingAction::Resume) {
        state.store.set_recordings_paused(call_id, action == RecordingAction::Pause).await?;
    }
    // Read again: a file that could not start turned the recording off meanwhile.
    Ok(CallView::from(&state.store.call(call_id).await?))
}

/// The participants' files follow a recording change, on the node that holds the call's room
/// (in a cluster, perhaps another one: asked over NATS).
async fn files_follow(state: &AppState, call_id: i64, action: RecordingAction) -> ApiResult<()> {
    if let Some(cluster) = &state.calls.cluster {
        if let Some((home, _)) = state.store.call_home(call_id).await? {
            if home != cluster.node {
                return match cluster.ask(home, &MediaRequest::Recording { call: call_id, action }).await {
                    MediaReply::Sdp(_) => Ok(()),
                    MediaReply::Refused { message, .. } => {
                        Err(ApiError::Internal(anyhow::anyhow!("recording on the call's node: {message}")))
                    }
                };
            }
        }
    }
    files_follow_here(state, call_id, action).await
}

/// `files_follow` for the participants in this node's room of the call.
pub(crate) async fn files_follow_here(state: &AppState, call_id: i64, action: RecordingAction) -> ApiResult<()> {
    let row = state.store.call(call_id).await?;
    let c = state.store.conversation(row.conversation_id).await?;
    let parts = state.calls.parts_of_call(call_id);
    for (p, role) in parts {
        let done = match action {
            RecordingAction::Start => {
                let started = start_file(state, &row, &c, p, role).await;
                if started.is_err() {
                    Finisher::of(state).turn_off(call_id).await?;
                }
                started
            }
            RecordingAction::Stop => state.calls.handle.stop_recording(p).await.map_err(|e| ApiError::Internal(e.into())),
            RecordingAction::Pause | RecordingAction::Resume => {
                let paused = action == RecordingAction::Pause;
                state.calls.handle.pause_recording(p, paused).await.map_err(|e| ApiError::Internal(e.into()))
            }
        };
        if let Err(e) = done {
            tracing::warn!(call = call_id, participant = p.0, error = %e, "recording: a participant's file did not follow");
        }
    }
    Ok(())
}

/// The events of a recording change: `call.updated`, the timeline line, the audit row.
async fn changed(tx: &mut Tx, call: &CallRow, c: &ConversationRow, code: &str, by: Option<&Staff>, now: i64) -> ApiResult<Vec<Pending>> {
    let view = serde_json::to_value(CallView::from(call)).map_err(|e| ApiError::Internal(e.into()))?;
    let mut events = vec![event(tx, call.conversation_id, "call.updated", view, now).await?];
    let data = json!({ "policy": call.recording_policy });
    events.push(system_message(tx, call.conversation_id, code, None, Some(&data), now).await?);
    let detail = json!({ "call": call.id, "by": by.map(|s| s.id) });
    tx.log_routing(code, Some(c.id), c.agent_id, Some(c.group_id), &detail, now).await?;
    Ok(events)
}

/// A participant joined the call's media: record it if the call is being recorded.
pub async fn participant_joined(state: AppState, call_id: i64, p: ParticipantId, role: &'static str) {
    let Ok(call) = state.store.call(call_id).await else { return };
    if call.recording == "off" {
        return;
    }
    let Ok(c) = state.store.conversation(call.conversation_id).await else { return };
    if let Err(e) = start_file(&state, &call, &c, p, role).await {
        tracing::warn!(call = call_id, participant = p.0, error = %e, "recording: could not start a participant's file");
        // Nobody may believe the call is recorded when it is not.
        if let Err(e) = Finisher::of(&state).turn_off(call_id).await {
            tracing::error!(call = call_id, error = ?e, "recording: could not mark the call unrecorded");
        }
    }
}

/// Start one participant's file: its row first (so its end finds it), then the media server.
async fn start_file(state: &AppState, call: &CallRow, c: &ConversationRow, p: ParticipantId, role: &'static str) -> ApiResult<()> {
    let now = now_ms();
    let rel = format!("call-{}/{role}-{}-{now}.webm", call.id, p.0);
    let abs = state.config.recordings_dir.join(&rel);
    if let Some(dir) = abs.parent() {
        tokio::fs::create_dir_all(dir).await.map_err(|e| ApiError::Internal(e.into()))?;
    }
    let paused = call.recording == "paused";
    let new = NewRecording {
        call_id: call.id,
        conversation_id: call.conversation_id,
        role,
        agent_id: c.agent_id,
        path: &rel,
        status: if paused { "paused" } else { "recording" },
    };
    // Its start is the file's time zero, which lies `lead` before now: what lines the files (and
    // the chat's messages) up on the call's timeline.
    // A side's later segment (its media rejoined on another node after the call's home died)
    // starts now: only its first file reaches back to the answer.
    let again = state.store.recordings_of_call(call.id).await?.iter().any(|r| r.role == role);
    let lead = if again { std::time::Duration::ZERO } else { lead(call, now) };
    let row = state.store.insert_recording(&new, now - lead.as_millis() as i64).await?;
    let video = call.media == "video";
    let started = match state.calls.handle.start_recording(p, abs, video, lead).await {
        Ok(()) if paused => state.calls.handle.pause_recording(p, true).await,
        other => other,
    };
    if let Err(e) = started {
        let failed = FinishedRecording { status: "failed", bytes: 0, duration_ms: None, sha256: None, error: Some("media") };
        state.store.finish_recording(row.id, &failed, now).await?;
        return Err(ApiError::Internal(e.into()));
    }
    Ok(())
}

/// How far before now a new file's time zero lies: under `always` the call's recording began
/// when it was answered, and a participant whose media joins later (the widget checks camera
/// and microphone first) still gets a file on the call's timeline, so both files of a call line
/// up and each lasts as long as the call. Capped: a file never starts with more than a minute of
/// nothing. An agent's start (on demand) starts the files at once.
fn lead(call: &CallRow, now: i64) -> std::time::Duration {
    let since = match (parse_policy(&call.recording_policy), call.answered_at) {
        (RecordingPolicy::Always, Some(at)) => now - at,
        _ => 0,
    };
    std::time::Duration::from_millis(since.clamp(0, 60_000) as u64)
}

/// What finishing a file needs (the media event task has no `AppState`).
#[derive(Clone)]
pub struct Finisher {
    pub store: Store,
    pub hub: Hub,
    pub links: AttachmentLinks,
    pub dir: PathBuf,
}

impl Finisher {
    /// The parts of the application state it needs.
    pub fn of(state: &AppState) -> Finisher {
        Finisher {
            store: state.store.clone(),
            hub: state.hub.clone(),
            links: state.links.clone(),
            dir: state.config.recordings_dir.clone(),
        }
    }

    /// The media server finished a file: size, hash, status; a write error turns the call's
    /// recording off and says so in the timeline.
    pub async fn ended(&self, ended: RecordingEnded) {
        let Ok(rel) = ended.path.strip_prefix(&self.dir).map(|p| p.to_string_lossy().into_owned()) else { return };
        let row = match self.store.recording_by_path(&rel).await {
            Ok(row) => row,
            Err(_) => match self.screen_row(&rel, ended.started_unix_ms).await {
                Some(row) => row,
                None => return,
            },
        };
        // H.264 was written to Matroska under another name: the row follows the file.
        if ended.file != ended.path {
            if let Ok(file) = ended.file.strip_prefix(&self.dir).map(|p| p.to_string_lossy().into_owned()) {
                if let Err(e) = self.store.set_recording_path(row.id, &file).await {
                    tracing::error!(recording = row.id, error = ?e, "recording: could not store the file's new name");
                }
            }
        }
        let sha = hash_file(ended.file.clone()).await;
        let status = if ended.error.is_some() { "failed" } else { "finished" };
        let error = ended.error.as_deref().map(|_| "write_failed");
        let duration = i64::try_from(ended.duration_ms).ok();
        let f = FinishedRecording { status, bytes: ended.bytes as i64, duration_ms: duration, sha256: sha.as_deref(), error };
        if let Err(e) = self.store.finish_recording(row.id, &f, now_ms()).await {
            tracing::error!(recording = row.id, error = ?e, "recording: could not store a finished file");
        }
        if ended.dropped_packets > 0 {
            tracing::warn!(recording = row.id, dropped = ended.dropped_packets, "recording: the writer fell behind and dropped packets");
        }
        if let Some(e) = ended.error {
            tracing::warn!(recording = row.id, error = %e, "recording: a write error ended the file");
            if let Err(e) = self.turn_off(row.call_id).await {
                tracing::error!(call = row.call_id, error = ?e, "recording: could not mark the call unrecorded");
            }
        }
        // The last file of an ended call: compose both sides (does nothing otherwise).
        super::composition::maybe_compose(&self.store, &self.dir, row.call_id).await;
    }

    /// The media server began a file. A camera file has its row already (made before asking);
    /// a shared screen's file gets its row now, so it is listed while the share runs.
    pub async fn started(&self, path: &Path, started_ms: i64) {
        let Ok(rel) = path.strip_prefix(&self.dir).map(|p| p.to_string_lossy().into_owned()) else { return };
        if !crate::views::is_screen_file(&rel) || self.store.recording_by_path(&rel).await.is_ok() {
            return;
        }
        self.screen_row(&rel, started_ms).await;
    }

    /// A shared screen's file (the media server started it when the share began, or a later
    /// share's segment): its row, made after its camera file's (same call, side and agent) when
    /// it starts, or at its end if its start was missed. Its start is its place on the call's
    /// timeline, so the composition takes the segments in time order.
    async fn screen_row(&self, rel: &str, started_ms: i64) -> Option<RecordingRow> {
        let stem = crate::views::screen_camera_stem(rel)?;
        let camera = match self.store.recording_by_path(&format!("{stem}.webm")).await {
            Ok(row) => row,
            Err(_) => self.store.recording_by_path(&format!("{stem}.mkv")).await.ok()?,
        };
        let new = NewRecording {
            call_id: camera.call_id,
            conversation_id: camera.conversation_id,
            role: &camera.role,
            agent_id: camera.agent_id,
            path: rel,
            status: "recording",
        };
        match self.store.insert_recording(&new, started_ms).await {
            Ok(row) => Some(row),
            Err(e) => {
                tracing::error!(path = rel, error = ?e, "recording: could not store a screen's file");
                None
            }
        }
    }

    async fn turn_off(&self, call_id: i64) -> ApiResult<()> {
        let call = self.store.call(call_id).await?;
        if call.status != CallStatus::Active || call.recording == "off" {
            return Ok(());
        }
        let c = self.store.conversation(call.conversation_id).await?;
        let now = now_ms();
        let mut tx = self.store.begin().await?;
        let row = tx.set_call_recording(call_id, &call.recording_policy, "off").await?;
        let events = changed(&mut tx, &row, &c, "recording_failed", None, now).await?;
        tx.commit().await?;
        announce_with(&self.store, &self.hub, &self.links, events, &[]).await;
        Ok(())
    }
}

/// At start-up: files a dead process was writing are kept as they are (they play up to their
/// last written cluster), hashed and marked `interrupted`, and their calls composed.
pub async fn finish_interrupted(store: &Store, dir: &Path) -> anyhow::Result<usize> {
    finish_as_interrupted(store, dir, &store.open_recordings().await?).await
}

/// The files of a call whose node died (cluster): kept as interrupted; their size and hash are
/// read if `dir` is storage this node shares with the dead one.
pub async fn finish_interrupted_of_call(store: &Store, dir: &Path, call: i64) -> anyhow::Result<usize> {
    finish_interrupted_before(store, dir, call, i64::MAX).await
}

/// The same for the files of a call that started before `before` (a survivor that took the call
/// over keeps the segments its own room starts from then on).
pub async fn finish_interrupted_before(store: &Store, dir: &Path, call: i64, before: i64) -> anyhow::Result<usize> {
    let open: Vec<RecordingRow> = store
        .recordings_of_call(call)
        .await?
        .into_iter()
        .filter(|r| matches!(r.status.as_str(), "recording" | "paused") && r.started_at < before)
        .collect();
    finish_as_interrupted(store, dir, &open).await
}

async fn finish_as_interrupted(store: &Store, dir: &Path, open: &[RecordingRow]) -> anyhow::Result<usize> {
    for r in open {
        screen_interrupted(store, dir, r).await?;
        let mut path = dir.join(&r.path);
        // An H.264 file was renamed to `.mkv` when it was opened; the row still has the first name.
        let mkv = path.with_extension("mkv");
        if !path.exists() && mkv.exists() {
            if let Ok(rel) = mkv.strip_prefix(dir) {
                store.set_recording_path(r.id, &rel.to_string_lossy()).await?;
                path = mkv;
            }
        }
        let bytes = tokio::fs::metadata(&path).await.map(|m| m.len() as i64).unwrap_or(0);
        let sha = hash_file(path).await;
        let f =
            FinishedRecording { status: "interrupted", bytes, duration_ms: None, sha256: sha.as_deref(), error: Some("server_restart") };
        store.finish_recording(r.id, &f, now_ms()).await?;
    }
    // Their calls ended with the process: compose them now, in the background (start-up does
    // not wait for ffmpeg), as a call that ended normally would have been.
    let mut calls: Vec<i64> = open.iter().map(|r| r.call_id).collect();
    calls.sort_unstable();
    calls.dedup();
    for call in calls {
        let (store, dir) = (store.clone(), dir.to_path_buf());
        tokio::spawn(async move { super::composition::maybe_compose(&store, &dir, call).await });
    }
    Ok(open.len())
}

/// A screen shared during a recording the process died in: its file gets a row if it has none
/// (rows of screens are made when the share starts; a process that died right then may have
/// missed it), kept as `interrupted` like its camera's.
async fn screen_interrupted(store: &Store, dir: &Path, camera: &RecordingRow) -> anyhow::Result<()> {
    let Some(stem) = camera.path.strip_suffix(".webm").or_else(|| camera.path.strip_suffix(".mkv")) else { return Ok(()) };
    // The share's segments: `-screen`, then `-screen-2` and on while such a file or row exists.
    for n in 1u32.. {
        let base = if n == 1 { format!("{stem}-screen") } else { format!("{stem}-screen-{n}") };
        let names = [format!("{base}.webm"), format!("{base}.mkv")];
        let mut seen = false;
        for name in &names {
            // Its row, under either name (an H.264 file's row keeps `.webm` until it is finished).
            seen |= store.recording_by_path(name).await.is_ok();
        }
        if seen {
            continue;
        }
        for rel in names {
            let path = dir.join(&rel);
            let Ok(meta) = tokio::fs::metadata(&path).await else { continue };
            seen = true;
            let new = NewRecording {
                call_id: camera.call_id,
                conversation_id: camera.conversation_id,
                role: &camera.role,
                agent_id: camera.agent_id,
                path: &rel,
                status: "recording",
            };
            let row = store.insert_recording(&new, camera.started_at).await?;
            let sha = hash_file(path).await;
            let f = FinishedRecording {
                status: "interrupted",
                bytes: meta.len() as i64,
                duration_ms: None,
                sha256: sha.as_deref(),
                error: Some("server_restart"),
            };
            store.finish_recording(row.id, &f, now_ms()).await?;
        }
        if !seen {
            break;
        }
    }
    Ok(())
}

/// Hex SHA-256 of a file, read off the async workers; `None` if it cannot be read.
pub(crate) async fn hash_file(path: PathBuf) -> Option<String> {
    let hashed = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut file = std::fs::File::open(path)?;
        let mut hasher = Sha256::new();
        std::io::copy(&mut file, &mut hasher)?;
        Ok(hex::encode(hasher.finalize()))
    });
    hashed.await.ok()?.ok()
}
