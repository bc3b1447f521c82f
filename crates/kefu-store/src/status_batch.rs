//! Many agents' statuses in one go: when a hundred agents go ready at once the routing task
//! stores their statuses with one read and one update, not a read and an update each. It
//! records what the routing task decided; it decides nothing.

use std::collections::HashMap;

use kefu_core::AgentStatusKind;

use crate::directory::USER_COLUMNS;
use crate::routing_batch::id_list;
use crate::{Result, Store, StoreError, Tx, UserRow};

/// One agent's new status.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// The agent.
    pub agent_id: i64,
    /// The status.
    pub status: AgentStatusKind,
    /// Why away, if away.
    pub away_reason: Option<String>,
    /// When wrap-up ends (ms), if in wrap-up.
    pub wrap_up_until: Option<i64>,
}

impl Tx {
    /// Set these statuses, in order (an agent may appear twice: the later wins), and return
    /// the status each change moved from, as [`Tx::set_user_status`] does for one. On
    /// PostgreSQL the users' rows are locked in id order until the transaction ends. An agent
    /// that does not exist fails the whole call (`NotFound`).
    pub async fn set_user_statuses(&mut self, changes: &[StatusChange]) -> Result<Vec<(AgentStatusKind, Option<String>)>> {
        if changes.is_empty() {
            return Ok(vec![]);
        }
        let mut ids: Vec<i64> = changes.iter().map(|c| c.agent_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let list = id_list(ids.iter().copied());
        let case = |column: usize| -> String {
            // Bind numbers: three per distinct agent, in `ids` order.
            ids.iter().enumerate().map(|(i, id)| format!(" WHEN {id} THEN ${}", i * 3 + column)).collect()
        };
        let update = format!(
            "UPDATE users SET status = CASE id{} END, away_reason = CASE id{} END, wrap_up_until = CASE id{} END WHERE id IN ({list})",
            case(1),
            case(2),
            case(3)
        );
        // The last change of each agent is what stays.
        let last: HashMap<i64, &StatusChange> = changes.iter().map(|c| (c.agent_id, c)).collect();
        on_tx!(self, |db| {
            let rows: Vec<(i64, AgentStatusKind, Option<String>)> = sqlx::query_as(&format!(
                "SELECT id, status, away_reason FROM users WHERE id IN ({list}) ORDER BY id{}",
                dialect::FOR_UPDATE
            ))
            .fetch_all(&mut *db)
            .await?;
            if rows.len() != ids.len() {
                return Err(StoreError::NotFound);
            }
            let mut now: HashMap<i64, (AgentStatusKind, Option<String>)> = rows.into_iter().map(|(id, s, r)| (id, (s, r))).collect();
            let mut before = Vec::with_capacity(changes.len());
            for c in changes {
                let was = now.insert(c.agent_id, (c.status, c.away_reason.clone())).ok_or(StoreError::NotFound)?;
                before.push(was);
            }
            let mut q = sqlx::query(&update);
            for id in &ids {
                let c = last[id];
                q = q.bind(c.status).bind(c.away_reason.as_deref()).bind(c.wrap_up_until);
            }
            q.execute(&mut *db).await?;
            Ok(before)
        })
    }
}

impl Store {
    /// These users, in id order (an id that does not exist is left out).
    pub async fn users_in(&self, ids: &[i64]) -> Result<Vec<UserRow>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let list = id_list(ids.iter().copied());
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id IN ({list}) ORDER BY id")).fetch_all(pool).await?)
        })
    }
}
