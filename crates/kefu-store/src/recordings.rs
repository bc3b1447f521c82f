//! Call recordings: the recording policy of skill groups and business types, a call's recording
//! state, one row per participant file (with its SHA-256 once finished) and the log of who
//! downloaded which file. The files themselves are the server's business.

use crate::{touched, Result, Store, StoreError, Tx};

/// What was downloaded: each has its own log table (a file's rows go with the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Download {
    /// One participant's recording file, by its id.
    Recording(i64),
    /// A call's composed MP4, by the call's id.
    Composition(i64),
}

impl Download {
    /// (log table, key column, key): fixed names, never user input.
    fn row(self) -> (&'static str, &'static str, i64) {
        match self {
            Download::Recording(id) => ("recording_downloads", "recording_id", id),
            Download::Composition(id) => ("composition_downloads", "call_id", id),
        }
    }
}

/// A recording file as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RecordingRow {
    /// Id.
    pub id: i64,
    /// Its call.
    pub call_id: i64,
    /// The call's conversation.
    pub conversation_id: i64,
    /// visitor | agent: whose media the file holds.
    pub role: String,
    /// The agent who served the call.
    pub agent_id: Option<i64>,
    /// Relative to the recordings directory.
    pub path: String,
    /// recording | paused | finished | failed | interrupted.
    pub status: String,
    /// Started.
    pub started_at: i64,
    /// Finished (or found interrupted).
    pub ended_at: Option<i64>,
    /// File size once finished.
    pub bytes: Option<i64>,
    /// Media length once finished.
    pub duration_ms: Option<i64>,
    /// Hex SHA-256 of the finished file.
    pub sha256: Option<String>,
    /// Why it ended early (a write error).
    pub error: Option<String>,
}

const COLUMNS: &str = "id, call_id, conversation_id, role, agent_id, path, status, started_at, ended_at, bytes, duration_ms, sha256, error";

/// A new recording file.
#[derive(Debug, Clone, Copy)]
pub struct NewRecording<'a> {
    /// Its call.
    pub call_id: i64,
    /// The call's conversation.
    pub conversation_id: i64,
    /// visitor | agent.
    pub role: &'a str,
    /// The agent who served the call.
    pub agent_id: Option<i64>,
    /// Relative to the recordings directory.
    pub path: &'a str,
    /// paused if the call's recording is paused when the file starts, else recording.
    pub status: &'a str,
}

/// How a file ended.
#[derive(Debug, Clone, Copy)]
pub struct FinishedRecording<'a> {
    /// finished | failed | interrupted.
    pub status: &'a str,
    /// File size.
    pub bytes: i64,
    /// Media length, if known.
    pub duration_ms: Option<i64>,
    /// Hex SHA-256, if the file could be read.
    pub sha256: Option<&'a str>,
    /// Why it ended early.
    pub error: Option<&'a str>,
}

impl Store {
    /// The policy of a conversation's calls: its business type's if set, else its group's.
    pub async fn recording_policy_of(&self, conversation_id: i64) -> Result<String> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COALESCE(t.recording_policy, g.recording_policy) FROM conversations c
                 JOIN skill_groups g ON g.id = c.group_id LEFT JOIN business_types t ON t.id = c.business_type_id
                 WHERE c.id = $1",
            )
            .bind(conversation_id)
            .fetch_optional(pool)
            .await?
            .ok_or(StoreError::NotFound)
        })
    }

    /// Every group's policy and every business type's override: (id, policy).
    pub async fn recording_policies(&self) -> Result<(Vec<(i64, String)>, Vec<(i64, Option<String>)>)> {
        on_pool!(self, |pool| {
            let groups = sqlx::query_as("SELECT id, recording_policy FROM skill_groups ORDER BY id").fetch_all(pool).await?;
            let types = sqlx::query_as("SELECT id, recording_policy FROM business_types ORDER BY id").fetch_all(pool).await?;
            Ok((groups, types))
        })
    }

    /// Set a group's policy (always | on_demand | off).
    pub async fn set_group_recording_policy(&self, group_id: i64, policy: &str) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE skill_groups SET recording_policy = $1 WHERE id = $2")
                .bind(policy)
                .bind(group_id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// Set (or with `None` clear) a business type's override.
    pub async fn set_business_type_recording_policy(&self, type_id: i64, policy: Option<&str>) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE business_types SET recording_policy = $1 WHERE id = $2")
                .bind(policy)
                .bind(type_id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// A recording by id.
    pub async fn recording(&self, id: i64) -> Result<RecordingRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM recordings WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A recording by its relative path.
    pub async fn recording_by_path(&self, path: &str) -> Result<RecordingRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM recordings WHERE path = $1"))
                .bind(path)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The recordings of a call, oldest first.
    pub async fn recordings_of_call(&self, call_id: i64) -> Result<Vec<RecordingRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM recordings WHERE call_id = $1 ORDER BY id"))
                .bind(call_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// The recordings of a conversation's calls, oldest first.
    pub async fn recordings_of_conversation(&self, conversation_id: i64) -> Result<Vec<RecordingRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM recordings WHERE conversation_id = $1 ORDER BY id"))
                .bind(conversation_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Recordings still being written (at start-up: those a dead process left).
    pub async fn open_recordings(&self) -> Result<Vec<RecordingRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {COLUMNS} FROM recordings WHERE status IN ('recording', 'paused') ORDER BY id"))
                .fetch_all(pool)
                .await?)
        })
    }

    /// Start a recording file's row.
    pub async fn insert_recording(&self, r: &NewRecording<'_>, now: i64) -> Result<RecordingRow> {
        in_write!(self, |conn| {
            Ok(sqlx::query_as(&format!(
                "INSERT INTO recordings (call_id, conversation_id, role, agent_id, path, status, started_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
                 RETURNING {COLUMNS}"
            ))
            .bind(r.call_id)
            .bind(r.conversation_id)
            .bind(r.role)
            .bind(r.agent_id)
            .bind(r.path)
            .bind(r.status)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// The file of a recording lies elsewhere than first named (H.264 went to a `.mkv`).
    pub async fn set_recording_path(&self, id: i64, path: &str) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE recordings SET path = $1 WHERE id = $2").bind(path).bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())
        })
    }

    /// Mark the call's open files paused or recording again.
    pub async fn set_recordings_paused(&self, call_id: i64, paused: bool) -> Result<()> {
        in_write!(self, |conn| {
            let (to, from) = if paused { ("paused", "recording") } else { ("recording", "paused") };
            sqlx::query("UPDATE recordings SET status = $1 WHERE call_id = $2 AND status = $3")
                .bind(to)
                .bind(call_id)
                .bind(from)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// A file ended; `None` if it had already (a second report is ignored).
    pub async fn finish_recording(&self, id: i64, f: &FinishedRecording<'_>, now: i64) -> Result<Option<RecordingRow>> {
        in_write!(self, |conn| {
            Ok(sqlx::query_as(&format!(
                "UPDATE recordings SET status = $1, ended_at = $2, bytes = $3, duration_ms = $4, sha256 = $5, error = $6
                 WHERE id = $7 AND status IN ('recording', 'paused') RETURNING {COLUMNS}"
            ))
            .bind(f.status)
            .bind(now)
            .bind(f.bytes)
            .bind(f.duration_ms)
            .bind(f.sha256)
            .bind(f.error)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?)
        })
    }
}

impl Tx {
    /// Set a call's recording policy and state; the updated call.
    pub async fn set_call_recording(&mut self, call_id: i64, policy: &str, state: &str) -> Result<crate::CallRow> {
        on_tx!(self, |db| {
            sqlx::query_as(&format!(
                "UPDATE calls SET recording_policy = $1, recording = $2 WHERE id = $3 RETURNING {}",
                crate::calls::CALL_COLUMNS
            ))
            .bind(policy)
            .bind(state)
            .bind(call_id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)
        })
    }

    /// Move an active call's recording from `from` to `to`; `None` if the call is no longer
    /// active or its recording is no longer `from` (another command changed it first). The check
    /// is the update's own condition, so two commands at once cannot both pass it.
    pub async fn transition_call_recording(&mut self, call_id: i64, from: &str, to: &str) -> Result<Option<crate::CallRow>> {
        on_tx!(self, |db| {
            Ok(sqlx::query_as(&format!(
                "UPDATE calls SET recording = $1 WHERE id = $2 AND status = 'active' AND recording = $3 RETURNING {}",
                crate::calls::CALL_COLUMNS
            ))
            .bind(to)
            .bind(call_id)
            .bind(from)
            .fetch_optional(&mut *db)
            .await?)
        })
    }

    /// The policy of a conversation's calls, inside the transaction.
    pub async fn recording_policy_of(&mut self, conversation_id: i64) -> Result<String> {
        on_tx!(self, |db| {
            sqlx::query_scalar(
                "SELECT COALESCE(t.recording_policy, g.recording_policy) FROM conversations c
                 JOIN skill_groups g ON g.id = c.group_id LEFT JOIN business_types t ON t.id = c.business_type_id
                 WHERE c.id = $1",
            )
            .bind(conversation_id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)
        })
    }
}

/// The side-by-side composition of a call's recordings.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CompositionRow {
    /// Its call.
    pub call_id: i64,
    /// The agent who served the call.
    pub agent_id: Option<i64>,
    /// Relative to the recordings directory.
    pub path: String,
    /// composing | finished | failed.
    pub status: String,
    /// Started.
    pub created_at: i64,
    /// Done.
    pub finished_at: Option<i64>,
    /// File size once finished.
    pub bytes: Option<i64>,
    /// Hex SHA-256 once finished.
    pub sha256: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Who holds a composition job, and until when (ms) unless the holder renews it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLease<'a> {
    /// The holding process (unique per process: a node of a cluster, or a lone server's run).
    pub holder: &'a str,
    /// The job is the holder's until then; after that another node may take it over.
    pub until: i64,
}

impl Store {
    /// Claim a call's composition for `lease`'s holder; `false` if it was claimed before (one
    /// job per call).
    pub async fn claim_composition(&self, call_id: i64, agent_id: Option<i64>, path: &str, now: i64, lease: JobLease<'_>) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "INSERT INTO call_compositions (call_id, agent_id, path, status, created_at, claimed_by, lease_until)
                 VALUES ($1, $2, $3, 'composing', $4, $5, $6) ON CONFLICT (call_id) DO NOTHING",
            )
            .bind(call_id)
            .bind(agent_id)
            .bind(path)
            .bind(now)
            .bind(lease.holder)
            .bind(lease.until)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The holder is still composing: its lease runs until `lease.until`. `false` when the job
    /// is no longer its own (its lease ran out and another node took it over, or it ended).
    pub async fn renew_composition(&self, call_id: i64, lease: JobLease<'_>) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE call_compositions SET lease_until = $1 WHERE call_id = $2 AND status = 'composing' AND claimed_by = $3",
            )
            .bind(lease.until)
            .bind(call_id)
            .bind(lease.holder)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// The composition `holder` was making ended: finished (with size and hash) or failed (with
    /// why). `false` (nothing written) when the job is no longer the holder's: the node that
    /// took it over reports its own outcome.
    pub async fn finish_composition(
        &self,
        call_id: i64,
        holder: &str,
        bytes: Option<i64>,
        sha256: Option<&str>,
        error: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        in_write!(self, |conn| {
            let status = if error.is_some() { "failed" } else { "finished" };
            let done = sqlx::query(
                "UPDATE call_compositions SET status = $1, finished_at = $2, bytes = $3, sha256 = $4, error = $5, lease_until = NULL
                 WHERE call_id = $6 AND status = 'composing' AND claimed_by = $7",
            )
            .bind(status)
            .bind(now)
            .bind(bytes)
            .bind(sha256)
            .bind(error)
            .bind(call_id)
            .bind(holder)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Take over up to `limit` compositions whose holder stopped renewing them (a process that
    /// died while ffmpeg ran): each becomes `lease`'s holder's, to be made again; their calls.
    /// Jobs still leased at `now` are left alone, so several nodes may ask at once: on
    /// PostgreSQL each skips the rows another is claiming (`FOR UPDATE SKIP LOCKED`), on SQLite
    /// the write gate serialises them, and a job is taken by one node only. A holder never takes
    /// its own jobs (it is making them), so asking again with the same `now` ends.
    pub async fn claim_stale_compositions(&self, now: i64, lease: JobLease<'_>, limit: i64) -> Result<Vec<i64>> {
        let mut calls: Vec<i64> = in_write!(self, |conn| {
            Ok(sqlx::query_scalar(&format!(
                "UPDATE call_compositions SET claimed_by = $1, lease_until = $2 WHERE call_id IN (
                   SELECT call_id FROM call_compositions WHERE status = 'composing' AND (lease_until IS NULL OR lease_until <= $3)
                     AND (claimed_by IS NULL OR claimed_by <> $1)
                   ORDER BY call_id LIMIT $4{})
                 RETURNING call_id",
                dialect::SKIP_LOCKED
            ))
            .bind(lease.holder)
            .bind(lease.until)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?)
        })?;
        calls.sort_unstable();
        Ok(calls)
    }

    /// A call's composition, if one was made or is being made.
    pub async fn composition(&self, call_id: i64) -> Result<Option<CompositionRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT call_id, agent_id, path, status, created_at, finished_at, bytes, sha256, error FROM call_compositions WHERE call_id = $1",
            )
            .bind(call_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Log a download (or a playback) of a recording file or a call's composition: by a user, or
    /// an API key.
    pub async fn log_download(&self, what: Download, user_id: Option<i64>, api_key_id: Option<i64>, now: i64) -> Result<()> {
        let (table, key, id) = what.row();
        let sql = format!("INSERT INTO {table} ({key}, user_id, api_key_id, at) VALUES ($1, $2, $3, $4)");
        in_write!(self, |conn| {
            sqlx::query(&sql).bind(id).bind(user_id).bind(api_key_id).bind(now).execute(&mut *conn).await?;
            Ok(())
        })
    }

    /// The downloads of a recording file or a call's composition: (user id, API key id, at),
    /// oldest first.
    pub async fn downloads(&self, what: Download) -> Result<Vec<(Option<i64>, Option<i64>, i64)>> {
        let (table, key, id) = what.row();
        let sql = format!("SELECT user_id, api_key_id, at FROM {table} WHERE {key} = $1 ORDER BY id");
        on_pool!(self, |pool| Ok(sqlx::query_as(&sql).bind(id).fetch_all(pool).await?))
    }
}
