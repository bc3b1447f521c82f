//! Starting many conversations with one statement: the start writer (`conversations/starts.rs`
//! in the server) inserts the conversations that arrived together in one multi-row `INSERT`,
//! then writes their events, messages and webhook rows with the batch functions of
//! `message_batch.rs`. Each row is what [`Tx::insert_conversation`] writes for one.

use std::collections::HashMap;

use sqlx::FromRow;

use crate::conversations::CONV_COLUMNS;
use crate::{ConversationRow, NewConversation, Result, Tx};

/// Rows per multi-row `INSERT` (11 binds each: well under both engines' bind limits).
const ROWS_PER_INSERT: usize = 500;

impl Tx {
    /// Insert queued conversations, one per visitor (the caller gives each visitor once), all at
    /// `now`, in the order given (ids follow it). A visitor who already has a conversation that
    /// is not closed (`conversations_one_open_per_visitor`) gets `None`: the row is skipped
    /// (`ON CONFLICT DO NOTHING`) and the others are written. Any other failure fails the whole
    /// statement.
    pub async fn insert_conversations(&mut self, new: &[NewConversation<'_>], now: i64) -> Result<Vec<Option<ConversationRow>>> {
        let mut by_visitor: HashMap<i64, ConversationRow> = HashMap::with_capacity(new.len());
        for chunk in new.chunks(ROWS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len())
                .map(|r| {
                    let p = |c: usize| format!("${}", r * 11 + c);
                    format!(
                        "({}, {}, {}, {}, 'queued', {}, {}, {}, {}, {}, {}, {})",
                        p(1),
                        p(2),
                        p(3),
                        p(4),
                        p(5),
                        p(6),
                        p(7),
                        p(8),
                        p(9),
                        p(10),
                        p(11)
                    )
                })
                .collect();
            let sql = format!(
                "INSERT INTO conversations (visitor_id, group_id, business_type_id, channel, status, priority, min_skill_level, topic,
                   left_message, created_at, queued_at, media) VALUES {} ON CONFLICT DO NOTHING RETURNING {CONV_COLUMNS}",
                values.join(", ")
            );
            let rows: Vec<ConversationRow> = on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for c in chunk {
                    q = q
                        .bind(c.visitor_id)
                        .bind(c.group_id)
                        .bind(c.business_type_id)
                        .bind(c.channel)
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
            });
            // RETURNING's order is not promised: each row is found by its visitor.
            by_visitor.extend(rows.into_iter().map(|r| (r.visitor_id, r)));
        }
        Ok(new.iter().map(|c| by_visitor.remove(&c.visitor_id)).collect())
    }
}
