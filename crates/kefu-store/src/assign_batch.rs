//! Storing a run of accepted offers with a few statements in all, not a dozen per accept: the
//! conversations are set assigned and their sequence numbers taken in one update, the agents'
//! names read once, and what their views are built from read one query per part inside the
//! transaction. Each function writes (or reads) what its one-at-a-time twin does
//! (`set_assigned`, `next_seq`, `user_name`, `view_of_row_in`, `log_routing`); what to write is
//! the routing task's.

use std::collections::HashMap;

use crate::conversations::CONV_COLUMNS;
use crate::routing_batch::{id_list, value_rows};
use crate::{ConversationRow, Result, StoreError, Tx, ViewParts};

/// One accepted offer to record.
#[derive(Debug, Clone, Copy)]
pub struct NewAssignment {
    /// The conversation accepted.
    pub conversation_id: i64,
    /// By whom.
    pub agent_id: i64,
}

/// One routing log line of a run (`log_routing`'s arguments but the kind and the time).
#[derive(Debug, Clone)]
pub struct RoutingLine {
    /// The conversation it is about, if any.
    pub conversation_id: Option<i64>,
    /// The agent, if any.
    pub agent_id: Option<i64>,
    /// The group, if any.
    pub group_id: Option<i64>,
    /// Why (JSON).
    pub detail: serde_json::Value,
}

impl Tx {
    /// Set each conversation assigned to its agent (the row `set_assigned` leaves), take `seqs`
    /// sequence numbers of each, and note each agent as one who served it: two statements in
    /// all. Returns the rows as updated, in the order given, each with the first number taken.
    /// A conversation that does not exist, or one given twice, fails the whole run (`NotFound`):
    /// the caller writes the run again one by one.
    pub async fn set_assigned_many(&mut self, run: &[NewAssignment], seqs: i64, now: i64) -> Result<Vec<(ConversationRow, i64)>> {
        if run.is_empty() {
            return Ok(vec![]);
        }
        let ids = id_list(run.iter().map(|a| a.conversation_id));
        let agent_case: String = run.iter().map(|a| format!(" WHEN {} THEN {}", a.conversation_id, a.agent_id)).collect();
        let update = format!(
            "UPDATE conversations SET status = 'assigned', agent_id = CASE id{agent_case} END, offered_agent_id = NULL,
               offer_expires_at = NULL, assigned_at = COALESCE(assigned_at, $1), agent_read_seq = 0, returned_to_queue = FALSE,
               last_seq = last_seq + {seqs} WHERE id IN ({ids}) RETURNING {CONV_COLUMNS}"
        );
        let served = format!(
            "INSERT INTO conversation_agents (conversation_id, agent_id) VALUES {} ON CONFLICT DO NOTHING",
            run.iter().map(|a| format!("({}, {})", a.conversation_id, a.agent_id)).collect::<Vec<_>>().join(", ")
        );
        let rows: Vec<ConversationRow> = on_tx!(self, |db| sqlx::query_as(&update).bind(now).fetch_all(&mut *db).await?);
        if rows.len() != run.len() {
            return Err(StoreError::NotFound);
        }
        on_tx!(self, |db| {
            sqlx::query(&served).execute(&mut *db).await?;
        });
        let mut rows: HashMap<i64, ConversationRow> = rows.into_iter().map(|c| (c.id, c)).collect();
        run.iter()
            .map(|a| {
                let row = rows.remove(&a.conversation_id).ok_or(StoreError::NotFound)?;
                let first = row.last_seq - seqs + 1;
                Ok((row, first))
            })
            .collect()
    }

    /// The names of these users, read in one statement (missing ids are absent).
    pub async fn user_names(&mut self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!("SELECT id, name FROM users WHERE id IN ({})", id_list(ids.iter().copied()));
        let names: Vec<(i64, String)> = on_tx!(self, |db| sqlx::query_as(&sql).fetch_all(&mut *db).await?);
        Ok(names.into_iter().collect())
    }

    /// The view parts of conversations the transaction holds, from their rows as it left them
    /// and their agents' names (one query per part, inside the transaction: a writer holding
    /// SQLite's write lock must not wait for a pooled connection). Without the customer's first
    /// message.
    pub async fn view_parts_of(&mut self, rows: Vec<ConversationRow>, names: &HashMap<i64, String>) -> Result<Vec<ViewParts>> {
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
        let names: Vec<(i64, String)> =
            rows.iter().filter_map(|c| c.agent_id).filter_map(|a| names.get(&a).map(|n| (a, n.clone()))).collect();
        let parts = on_tx!(self, |db| crate::routing_batch::read_parts!(&mut *db, rows))?;
        Ok(crate::routing_batch::assemble(&ids, rows, parts, names, vec![]))
    }

    /// Record a run of routing decisions of one kind, in one statement.
    pub async fn log_routing_many(&mut self, kind: &str, lines: &[RoutingLine], now: i64) -> Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "INSERT INTO routing_log (at, kind, conversation_id, agent_id, group_id, detail) VALUES {}",
            value_rows(lines.len(), 6)
        );
        on_tx!(self, |db| {
            let mut q = sqlx::query(&sql);
            for l in lines {
                q = q.bind(now).bind(kind).bind(l.conversation_id).bind(l.agent_id).bind(l.group_id).bind(l.detail.to_string());
            }
            q.execute(&mut *db).await?;
            Ok(())
        })
    }
}
