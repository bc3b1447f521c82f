//! "My closed conversations": an agent's own closed conversations, newest first, paged by a
//! (closed_at, id) cursor so rows closing meanwhile neither repeat nor vanish between pages.

use crate::conversations::CONV_COLUMNS;
use crate::{ConversationRow, Result, Store};

impl Store {
    /// Closed conversations `agent` served last, newest first, strictly before the cursor
    /// `(closed_at, id)` when given.
    pub async fn agent_closed_conversations(&self, agent: i64, before: Option<(i64, i64)>, limit: i64) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            let (at, id) = before.unwrap_or((i64::MAX, i64::MAX));
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations
                  WHERE agent_id = $1 AND status = 'closed' AND closed_at IS NOT NULL
                    AND (closed_at < $2 OR (closed_at = $3 AND id < $4))
                  ORDER BY closed_at DESC, id DESC LIMIT $5"
            ))
            .bind(agent)
            .bind(at)
            .bind(at)
            .bind(id)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}
