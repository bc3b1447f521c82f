//! Reply waits: how long a customer has been waiting for an answer, and each group's target
//! (`reply_target_secs`) the workspace colours that wait against.

use crate::{touched, Result, Store, Tx};

/// The customer's oldest message that no agent message follows: since when they wait for an
/// answer (None when the last word is the agent's, or the customer wrote nothing).
const AWAITING_SQL: &str = "SELECT MIN(created_at) FROM messages
  WHERE conversation_id = $1 AND sender = 'visitor' AND kind <> 'event'
    AND seq > COALESCE((SELECT MAX(seq) FROM messages WHERE conversation_id = $1 AND sender = 'agent'), 0)";

const TARGET_SQL: &str = "SELECT g.reply_target_secs FROM skill_groups g JOIN conversations c ON c.group_id = g.id WHERE c.id = $1";

impl Store {
    /// Since when the customer waits for a reply (ms), if they do.
    pub async fn awaiting_reply_since(&self, conversation_id: i64) -> Result<Option<i64>> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar(AWAITING_SQL).bind(conversation_id).fetch_one(pool).await?))
    }

    /// The reply target (seconds) of the conversation's group.
    pub async fn reply_target(&self, conversation_id: i64) -> Result<i64> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar(TARGET_SQL).bind(conversation_id).fetch_optional(pool).await?.unwrap_or(60)))
    }

    /// Reply targets (seconds) of every group, by group id.
    pub async fn reply_targets(&self) -> Result<Vec<(i64, i64)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT id, reply_target_secs FROM skill_groups ORDER BY id").fetch_all(pool).await?))
    }

    /// Set a group's reply target.
    pub async fn set_reply_target(&self, group_id: i64, secs: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE skill_groups SET reply_target_secs = $1 WHERE id = $2")
                .bind(secs)
                .bind(group_id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }
}

impl Tx {
    /// Since when the customer waits for a reply (ms), read inside the transaction.
    pub async fn awaiting_reply_since(&mut self, conversation_id: i64) -> Result<Option<i64>> {
        on_tx!(self, |db| Ok(sqlx::query_scalar(AWAITING_SQL).bind(conversation_id).fetch_one(&mut *db).await?))
    }

    /// The reply target (seconds) of the conversation's group, read inside the transaction.
    pub async fn reply_target(&mut self, conversation_id: i64) -> Result<i64> {
        on_tx!(self, |db| Ok(sqlx::query_scalar(TARGET_SQL).bind(conversation_id).fetch_optional(&mut *db).await?.unwrap_or(60)))
    }
}
