//! Routing's writes and reads for many conversations at once: a burst of offers (agents going
//! ready in front of a long line) is written with one statement per table, and the parts of the
//! offered conversations' views are read with one query per part, instead of a few round trips
//! per conversation. It records what the routing task decided; it decides nothing.

use std::collections::HashMap;

use kefu_core::{AgentId, ConversationId, Fact, GroupId};

use crate::conversations::{CONV_COLUMNS, MSG_COLUMNS};
use crate::{CallRow, ConversationRow, MessageRow, Result, Store, StoreError, TagRow, Tx, VisitorRow};

/// One offer to record.
#[derive(Debug, Clone)]
pub struct NewOffer {
    /// The conversation offered.
    pub conversation_id: i64,
    /// To whom.
    pub agent_id: i64,
    /// The line it was offered from.
    pub group_id: i64,
    /// When the offer lapses (ms).
    pub expires_at: i64,
    /// Why this agent (the routing log's detail, JSON).
    pub detail: serde_json::Value,
}

/// What a conversation's view is built from, read for many conversations at once.
#[derive(Debug, Clone)]
pub struct ViewParts {
    /// The conversation.
    pub conversation: ConversationRow,
    /// Its visitor.
    pub visitor: VisitorRow,
    /// The name of the agent serving it, if one does.
    pub agent_name: Option<String>,
    /// Its call that is not ended, if any.
    pub call: Option<CallRow>,
    /// Its tags, by name.
    pub tags: Vec<TagRow>,
    /// Since when the customer waits for a reply (ms), if they do.
    pub awaiting_reply_since: Option<i64>,
    /// The reply target (seconds) of its group.
    pub reply_target_secs: i64,
    /// The customer's first message, if they wrote one.
    pub first_visitor_message: Option<MessageRow>,
}

/// `1, 2, 3`: ids are integers, so they are written into the statement (as `contacts.rs` does
/// for its filters) rather than bound one placeholder each.
pub(crate) fn id_list(ids: impl IntoIterator<Item = i64>) -> String {
    ids.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", ")
}

/// `($1, $2, $3), ($4, $5, $6)`: `rows` groups of `width` numbered placeholders.
pub(crate) fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=width).map(|c| format!("${}", r * width + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// Lock these conversations' rows in id order (PostgreSQL; SQLite has one writer anyway).
    /// A transaction writing many conversations takes their locks in the order the message
    /// writer does (`conversations/batch.rs` sorts by id), so the two cannot deadlock.
    pub async fn lock_conversations(&mut self, ids: &[i64]) -> Result<()> {
        if ids.len() < 2 {
            return Ok(());
        }
        let list = id_list(ids.iter().copied());
        on_tx!(self, |db| {
            if dialect::LOCKS_ROWS {
                let sql = format!("SELECT id FROM conversations WHERE id IN ({list}) ORDER BY id{}", dialect::FOR_UPDATE);
                sqlx::query(&sql).execute(&mut *db).await?;
            }
            Ok(())
        })
    }

    /// Record many offers: each conversation set offered (unless it was closed meanwhile), with
    /// its `offered` fact and routing log line, in three statements (the facts' at commit) whatever their number. The
    /// same rows as `set_offered` + `record_fact(Offered)` + `log_routing("offered")` each.
    pub async fn record_offers(&mut self, offers: &[NewOffer], now: i64) -> Result<()> {
        if offers.is_empty() {
            return Ok(());
        }
        let ids = id_list(offers.iter().map(|o| o.conversation_id));
        let agent_case: String = offers.iter().map(|o| format!(" WHEN {} THEN {}", o.conversation_id, o.agent_id)).collect();
        let expiry_case: String = offers.iter().map(|o| format!(" WHEN {} THEN {}", o.conversation_id, o.expires_at)).collect();
        let update = format!(
            "UPDATE conversations SET status = 'offered', offered_agent_id = CASE id{agent_case} END,
               offer_expires_at = CASE id{expiry_case} END, agent_id = NULL WHERE id IN ({ids}) AND status <> 'closed'"
        );
        let log_sql = format!(
            "INSERT INTO routing_log (at, kind, conversation_id, agent_id, group_id, detail) VALUES {}",
            value_rows(offers.len(), 6)
        );
        self.lock_conversations(&offers.iter().map(|o| o.conversation_id).collect::<Vec<_>>()).await?;
        // The facts go in at commit, with the transaction's others, in one statement (`facts.rs`).
        for o in offers {
            let fact =
                Fact::Offered { conversation: ConversationId(o.conversation_id), agent: AgentId(o.agent_id), group: GroupId(o.group_id) };
            self.record_fact(&fact, now).await?;
        }
        on_tx!(self, |db| {
            sqlx::query(&update).execute(&mut *db).await?;
            let mut q = sqlx::query(&log_sql);
            for o in offers {
                q = q.bind(now).bind("offered").bind(o.conversation_id).bind(o.agent_id).bind(o.group_id).bind(o.detail.to_string());
            }
            q.execute(&mut *db).await?;
            Ok(())
        })
    }
}

/// The parts of conversations' views besides their rows, their agents' names and their first
/// messages, read one query per part.
pub(crate) struct Parts {
    pub(crate) visitors: Vec<VisitorRow>,
    pub(crate) calls: Vec<CallRow>,
    pub(crate) tagged: Vec<(i64, i64)>,
    pub(crate) tags: Vec<TagRow>,
    pub(crate) awaiting: Vec<(i64, Option<i64>)>,
    pub(crate) targets: Vec<(i64, i64)>,
}

/// Read the [`Parts`] of `$rows` (conversation rows) through `$db` (a pool, or `&mut *conn`
/// inside a transaction): the same queries either way.
macro_rules! read_parts {
    ($db:expr, $rows:expr) => {{
        let rows: &[$crate::ConversationRow] = &$rows;
        let list = $crate::routing_batch::id_list(rows.iter().map(|c| c.id));
        let visitor_ids = $crate::routing_batch::id_list(rows.iter().map(|c| c.visitor_id));
        async {
            let visitors: Vec<$crate::VisitorRow> = sqlx::query_as(&format!(
                "SELECT {} FROM visitors WHERE id IN ({visitor_ids})",
                $crate::directory::VISITOR_COLUMNS
            ))
            .fetch_all($db)
            .await?;
            let calls: Vec<$crate::CallRow> = sqlx::query_as(&format!(
                "SELECT {} FROM calls WHERE conversation_id IN ({list}) AND status <> 'ended'",
                $crate::calls::CALL_COLUMNS
            ))
            .fetch_all($db)
            .await?;
            let tagged: Vec<(i64, i64)> = sqlx::query_as(&format!(
                "SELECT c.conversation_id, t.id FROM tags t JOIN conversation_tags c ON c.tag_id = t.id
                 WHERE c.conversation_id IN ({list}) ORDER BY t.name"
            ))
            .fetch_all($db)
            .await?;
            let tags: Vec<$crate::TagRow> = if tagged.is_empty() {
                vec![]
            } else {
                let tag_ids = $crate::routing_batch::id_list(tagged.iter().map(|t| t.1));
                sqlx::query_as(&format!("SELECT {} FROM tags t WHERE t.id IN ({tag_ids})", $crate::tags::TAG_COLUMNS))
                    .fetch_all($db)
                    .await?
            };
            let awaiting: Vec<(i64, Option<i64>)> = sqlx::query_as(&format!(
                "SELECT m.conversation_id, MIN(m.created_at) FROM messages m
                 WHERE m.conversation_id IN ({list}) AND m.sender = 'visitor' AND m.kind <> 'event'
                   AND m.seq > COALESCE((SELECT MAX(a.seq) FROM messages a WHERE a.conversation_id = m.conversation_id AND a.sender = 'agent'), 0)
                 GROUP BY m.conversation_id"
            ))
            .fetch_all($db)
            .await?;
            let targets: Vec<(i64, i64)> = sqlx::query_as(&format!(
                "SELECT c.id, g.reply_target_secs FROM conversations c JOIN skill_groups g ON g.id = c.group_id WHERE c.id IN ({list})"
            ))
            .fetch_all($db)
            .await?;
            Ok::<_, $crate::StoreError>($crate::routing_batch::Parts { visitors, calls, tagged, tags, awaiting, targets })
        }
        .await
    }};
}
pub(crate) use read_parts;

impl Store {
    /// The view parts of these conversations, in the order asked (an id that does not exist is
    /// left out): seven queries in all, whatever their number.
    pub async fn view_parts(&self, ids: &[i64]) -> Result<Vec<ViewParts>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list = id_list(ids.iter().copied());
        on_pool!(self, |pool| {
            let rows: Vec<ConversationRow> =
                sqlx::query_as(&format!("SELECT {CONV_COLUMNS} FROM conversations WHERE id IN ({list})")).fetch_all(pool).await?;
            let parts = read_parts!(pool, rows)?;
            let agents: Vec<i64> = rows.iter().filter_map(|c| c.agent_id).collect();
            let names: Vec<(i64, String)> = if agents.is_empty() {
                vec![]
            } else {
                sqlx::query_as(&format!("SELECT id, name FROM users WHERE id IN ({})", id_list(agents))).fetch_all(pool).await?
            };
            let firsts: Vec<MessageRow> = sqlx::query_as(&format!(
                "SELECT {MSG_COLUMNS} FROM messages m WHERE m.conversation_id IN ({list}) AND m.sender = 'visitor' AND m.kind <> 'event'
                   AND m.seq = (SELECT MIN(f.seq) FROM messages f WHERE f.conversation_id = m.conversation_id AND f.sender = 'visitor' AND f.kind <> 'event')"
            ))
            .fetch_all(pool)
            .await?;
            Ok::<_, StoreError>(assemble(ids, rows, parts, names, firsts))
        })
    }
}

/// Put the parts read by `view_parts` together, per conversation, in the order asked.
pub(crate) fn assemble(
    ids: &[i64],
    rows: Vec<ConversationRow>,
    parts: Parts,
    names: Vec<(i64, String)>,
    firsts: Vec<MessageRow>,
) -> Vec<ViewParts> {
    let Parts { visitors, calls, tagged, tags, awaiting, targets } = parts;
    let mut rows: HashMap<i64, ConversationRow> = rows.into_iter().map(|c| (c.id, c)).collect();
    let visitors: HashMap<i64, VisitorRow> = visitors.into_iter().map(|v| (v.id, v)).collect();
    let names: HashMap<i64, String> = names.into_iter().collect();
    let mut calls: HashMap<i64, CallRow> = calls.into_iter().map(|c| (c.conversation_id, c)).collect();
    let tags: HashMap<i64, TagRow> = tags.into_iter().map(|t| (t.id, t)).collect();
    let awaiting: HashMap<i64, Option<i64>> = awaiting.into_iter().collect();
    let targets: HashMap<i64, i64> = targets.into_iter().collect();
    let mut firsts: HashMap<i64, MessageRow> = firsts.into_iter().map(|m| (m.conversation_id, m)).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(conversation) = rows.remove(id) else { continue };
        let Some(visitor) = visitors.get(&conversation.visitor_id).cloned() else { continue };
        out.push(ViewParts {
            agent_name: conversation.agent_id.and_then(|a| names.get(&a).cloned()),
            call: calls.remove(id),
            // `tagged` is in name order already.
            tags: tagged.iter().filter(|t| t.0 == *id).filter_map(|t| tags.get(&t.1).cloned()).collect(),
            awaiting_reply_since: awaiting.get(id).copied().flatten(),
            // As `reply_target` reads it: 60 s when the group is gone.
            reply_target_secs: targets.get(id).copied().unwrap_or(60),
            first_visitor_message: firsts.remove(id),
            visitor,
            conversation,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_rows_are_numbered_row_after_row() {
        assert_eq!(value_rows(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(id_list([3, 1]), "3, 1");
    }
}
