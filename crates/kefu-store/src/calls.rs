//! Calls: one row per video or voice call of a conversation. Changes are written inside a
//! [`Tx`] together with the conversation event announcing them and their webhook rows.

use kefu_core::CallStatus;

use crate::{conflict, Result, Store, StoreError, Tx};

/// A call as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CallRow {
    /// Id.
    pub id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// video | voice.
    pub media: String,
    /// ringing | active | ended.
    pub status: CallStatus,
    /// visitor | agent.
    pub started_by: String,
    /// Created (ringing, or active at once for a call-service conversation).
    pub started_at: i64,
    /// Accepted.
    pub answered_at: Option<i64>,
    /// Ended.
    pub ended_at: Option<i64>,
    /// hangup | declined | missed | failed | conversation_closed | server_restart | home_lost.
    pub end_reason: Option<String>,
    /// always | on_demand | off: fixed when the call became active.
    pub recording_policy: String,
    /// off | recording | paused.
    pub recording: String,
    /// The agent records the call in their own browser now (client-side recording, where the
    /// deployment allows it): the visitor is told, as for the server's recording.
    pub local_recording: bool,
}

pub(crate) const CALL_COLUMNS: &str =
    "id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason, recording_policy, recording, local_recording";
/// A conversation's call that is not ended (at most one: the `calls_one_open` index).
const OPEN_CALL: &str = "SELECT id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason,
     recording_policy, recording, local_recording FROM calls WHERE conversation_id = $1 AND status <> 'ended'";

/// A call to insert.
#[derive(Debug, Clone, Copy)]
pub struct NewCall<'a> {
    /// Its conversation.
    pub conversation_id: i64,
    /// video | voice.
    pub media: &'a str,
    /// visitor | agent.
    pub started_by: &'a str,
    /// Answered at once (a call-service conversation accepted by its agent): `active`, not `ringing`.
    pub answered: bool,
}

impl Store {
    /// A call by id.
    pub async fn call(&self, id: i64) -> Result<CallRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The conversation's call that is not ended, if any.
    pub async fn open_call(&self, conversation_id: i64) -> Result<Option<CallRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(OPEN_CALL).bind(conversation_id).fetch_optional(pool).await?))
    }

    /// Calls that are not ended (ringing or active), oldest first.
    pub async fn open_calls(&self) -> Result<Vec<CallRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE status <> 'ended' ORDER BY id")).fetch_all(pool).await?)
        })
    }

    /// How many calls are active (answered, not ended).
    pub async fn active_call_count(&self) -> Result<i64> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT COUNT(*) FROM calls WHERE status = 'active'").fetch_one(pool).await?))
    }

    /// The calls of a conversation, oldest first.
    pub async fn calls_of(&self, conversation_id: i64) -> Result<Vec<CallRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE conversation_id = $1 ORDER BY id"))
                .bind(conversation_id)
                .fetch_all(pool)
                .await?)
        })
    }
}

impl Tx {
    /// Insert a call; `Conflict` when the conversation already has one that is not ended.
    pub async fn insert_call(&mut self, c: &NewCall<'_>, now: i64) -> Result<CallRow> {
        on_tx!(self, |db| {
            let (status, answered_at) = if c.answered { (CallStatus::Active, Some(now)) } else { (CallStatus::Ringing, None) };
            sqlx::query_as(&format!(
                "INSERT INTO calls (conversation_id, media, status, started_by, started_at, answered_at) VALUES ($1, $2, $3, $4, $5, $6)
             RETURNING {CALL_COLUMNS}"
            ))
            .bind(c.conversation_id)
            .bind(c.media)
            .bind(status)
            .bind(c.started_by)
            .bind(now)
            .bind(answered_at)
            .fetch_one(&mut *db)
            .await
            .map_err(conflict)
        })
    }

    /// A call, read inside the transaction (locked on PostgreSQL until it ends).
    pub async fn call(&mut self, id: i64) -> Result<CallRow> {
        on_tx!(self, |db| {
            sqlx::query_as(&format!("SELECT {CALL_COLUMNS} FROM calls WHERE id = $1{}", dialect::FOR_UPDATE))
                .bind(id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The conversation's call that is not ended, if any (locked on PostgreSQL until the
    /// transaction ends).
    pub async fn open_call(&mut self, conversation_id: i64) -> Result<Option<CallRow>> {
        on_tx!(self, |db| Ok(sqlx::query_as(&format!("{OPEN_CALL}{}", dialect::FOR_UPDATE))
            .bind(conversation_id)
            .fetch_optional(&mut *db)
            .await?))
    }

    /// A ringing call is answered; `None` if it was not ringing (already answered or ended).
    pub async fn answer_call(&mut self, id: i64, now: i64) -> Result<Option<CallRow>> {
        on_tx!(self, |db| {
            Ok(sqlx::query_as(&format!(
                "UPDATE calls SET status = 'active', answered_at = $1 WHERE id = $2 AND status = 'ringing' RETURNING {CALL_COLUMNS}"
            ))
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *db)
            .await?)
        })
    }

    /// End a call that is not ended yet (with `only_if` set: only if it is in that status);
    /// `None` if nothing changed.
    pub async fn end_call(&mut self, id: i64, reason: &str, only_if: Option<CallStatus>, now: i64) -> Result<Option<CallRow>> {
        on_tx!(self, |db| {
            Ok(sqlx::query_as(&format!(
                "UPDATE calls SET status = 'ended', ended_at = $1, end_reason = $2, recording = 'off', local_recording = $6 WHERE id = $3
               AND status <> 'ended' AND ($4 IS NULL OR status = $5) RETURNING {CALL_COLUMNS}"
            ))
            .bind(now)
            .bind(reason)
            .bind(id)
            .bind(only_if)
            .bind(only_if)
            .bind(false)
            .fetch_optional(&mut *db)
            .await?)
        })
    }

    /// The agent's local recording of an active call starts (`on`) or stops; `None` if the call
    /// is not active or the recording is already so. The check is the update's own condition, so
    /// of two requests at once exactly one passes.
    pub async fn set_call_local_recording(&mut self, id: i64, on: bool) -> Result<Option<CallRow>> {
        on_tx!(self, |db| {
            Ok(sqlx::query_as(&format!(
                "UPDATE calls SET local_recording = $1 WHERE id = $2 AND status = 'active' AND local_recording <> $3
                 RETURNING {CALL_COLUMNS}"
            ))
            .bind(on)
            .bind(id)
            .bind(on)
            .fetch_optional(&mut *db)
            .await?)
        })
    }
}
