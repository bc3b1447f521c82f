//! Starting many conversations with one statement: the start writer (`conversations/starts.rs`
//! in the server) inserts the conversations that arrived together in one multi-row `INSERT`,
//! then writes their events, messages and webhook rows with the batch functions of
//! `message_batch.rs`. One conversation alone is the same statement with one row
//! ([`Tx::insert_conversation`]).

use std::collections::HashMap;

use sqlx::FromRow;

use kefu_core::ConversationStatus;

use crate::conversations::CONV_COLUMNS;
use crate::routing_batch::value_rows;
use crate::{ConversationRow, NewConversation, Result, StoreError, Tx};

/// Rows per multi-row `INSERT` (12 binds each: well under both engines' bind limits).
const ROWS_PER_INSERT: usize = 500;

/// The columns a new conversation is written with, as [`Tx::insert_new`] binds them.
const NEW_COLUMNS: &str =
    "visitor_id, group_id, business_type_id, channel, status, priority, min_skill_level, topic, left_message, created_at, queued_at, media";
const NEW_WIDTH: usize = 12;

impl Tx {
    /// Insert queued conversations, one per visitor (the caller gives each visitor once), all at
    /// `now`, in the order given (ids follow it). A visitor who already has a conversation that
    /// is not closed (`conversations_one_open_per_visitor`) gets `None`: the row is skipped
    /// (`ON CONFLICT DO NOTHING`) and the others are written. Any other failure fails the whole
    /// statement.
    pub async fn insert_conversations(&mut self, new: &[NewConversation<'_>], now: i64) -> Result<Vec<Option<ConversationRow>>> {
        let mut by_visitor: HashMap<i64, ConversationRow> = HashMap::with_capacity(new.len());
        for chunk in new.chunks(ROWS_PER_INSERT) {
            // RETURNING's order is not promised: each row is found by its visitor.
            let rows = self.insert_new(chunk, now, "ON CONFLICT DO NOTHING").await?;
            by_visitor.extend(rows.into_iter().map(|r| (r.visitor_id, r)));
        }
        Ok(new.iter().map(|c| by_visitor.remove(&c.visitor_id)).collect())
    }

    /// Insert a queued conversation; returns it as stored (its starter builds the first view
    /// from it without reading it back). `Conflict` when the visitor already has one that is
    /// not closed (`conversations_one_open_per_visitor`).
    pub async fn insert_conversation(&mut self, c: &NewConversation<'_>, now: i64) -> Result<ConversationRow> {
        let mut rows = self.insert_new(std::slice::from_ref(c), now, "").await?;
        // Without ON CONFLICT the insert writes its row or fails: as `fetch_one` would.
        rows.pop().ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    /// One multi-row `INSERT` of queued conversations at `now`, `on_conflict` after its values;
    /// the rows it wrote, in no promised order. A unique violation is `Conflict`.
    async fn insert_new(&mut self, rows: &[NewConversation<'_>], now: i64, on_conflict: &str) -> Result<Vec<ConversationRow>> {
        let sql = format!(
            "INSERT INTO conversations ({NEW_COLUMNS}) VALUES {} {on_conflict} RETURNING {CONV_COLUMNS}",
            value_rows(rows.len(), NEW_WIDTH)
        );
        Ok(on_tx!(self, |db| {
            let mut q = sqlx::query(&sql);
            for c in rows {
                q = q
                    .bind(c.visitor_id)
                    .bind(c.group_id)
                    .bind(c.business_type_id)
                    .bind(c.channel)
                    .bind(ConversationStatus::Queued)
                    .bind(c.priority)
                    .bind(c.min_skill_level)
                    .bind(c.topic)
                    .bind(c.left_message)
                    .bind(now)
                    .bind(now)
                    .bind(c.media);
            }
            let rows = q.fetch_all(&mut *db).await.map_err(crate::conflict)?;
            rows.iter().map(ConversationRow::from_row).collect::<std::result::Result<Vec<_>, _>>()?
        }))
    }
}
