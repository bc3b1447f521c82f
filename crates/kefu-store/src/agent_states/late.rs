//! Facts written late: a fact stamped before one already folded for the same agent or
//! conversation (clock skew between nodes, a retried write) cannot be folded on top of the model.
//! Instead each agent it may touch is folded again from the fact log in time order, and its
//! quarter hours rewritten from the late fact or the start of its open stretch, whichever is
//! first (what lies before both was written in time order and cannot change); the
//! conversation's holder is found again. The model then equals the full rebuild's, at the cost of reading those
//! agents' facts: rare, and on one writer's transaction only.

use std::collections::BTreeMap;

use kefu_core::FactKind;

use super::{Fold, Move, KINDS, SLOT_MS};
use crate::facts::agent_fact;
use crate::{Result, StoreError, Tx};

/// A fact row as the fold reads it: at, kind, conversation, agent, the new status of a status change.
type FactColumns = (i64, FactKind, Option<i64>, Option<i64>, Option<String>);

impl Tx {
    /// Fold `agents` (locked by the caller; each with the start of its open stretch) again from
    /// the fact log, replacing their current state and their quarter hours from the one holding
    /// `at` or that start, whichever is first, and find again who holds `conversation`.
    pub(super) async fn refold_agents(&mut self, agents: &BTreeMap<i64, i64>, conversation: Option<i64>, at: i64) -> Result<()> {
        let kinds: Vec<String> = (0..KINDS.len()).map(|i| format!("${}", i + 2)).collect();
        let kinds = kinds.join(", ");
        let n = KINDS.len() + 2;
        // The agent's own status changes and every fact of each conversation they ever answered:
        // all that moves their state (a conversation's facts decide who holds it when).
        let by_agent = format!(
            "SELECT at, kind, conversation_id, agent_id, CASE WHEN kind = $1 THEN data END FROM facts
             WHERE kind IN ({kinds}) AND ((kind = $1 AND agent_id = ${n})
               OR conversation_id IN (SELECT conversation_id FROM facts WHERE kind = ${m} AND agent_id = ${n}))
             ORDER BY at, id",
            m = n + 1
        );
        let by_conversation = format!(
            "SELECT at, kind, conversation_id, agent_id, CASE WHEN kind = $1 THEN data END FROM facts
             WHERE kind IN ({kinds}) AND conversation_id = ${n} ORDER BY at, id"
        );
        on_tx!(self, |db| {
            for (agent, since) in agents {
                let from = at.min(*since);
                let from_slot = from - from.rem_euclid(SLOT_MS);
                let mut q = sqlx::query_as::<_, FactColumns>(&by_agent).bind(FactKind::AgentStatus);
                for k in KINDS {
                    q = q.bind(k);
                }
                let rows = q.bind(agent).bind(FactKind::Answered).fetch_all(&mut *db).await?;
                let fold = fold_rows(rows)?;
                sqlx::query("DELETE FROM agent_state_intervals WHERE slot >= $1 AND agent_id = $2")
                    .bind(from_slot)
                    .bind(agent)
                    .execute(&mut *db)
                    .await?;
                let sums: Vec<_> = fold.sums.into_iter().filter(|((slot, a, _, _), _)| a == agent && *slot >= from_slot).collect();
                write_sums!(db, sums);
                if let Some(t) = fold.trackers.get(agent) {
                    save_tracker!(db, agent, t);
                }
            }
            if let Some(c) = conversation {
                let mut q = sqlx::query_as::<_, FactColumns>(&by_conversation).bind(FactKind::AgentStatus);
                for k in KINDS {
                    q = q.bind(k);
                }
                let fold = fold_rows(q.bind(c).fetch_all(&mut *db).await?)?;
                match fold.holders.get(&c) {
                    Some(holder) => {
                        sqlx::query(
                            "INSERT INTO agent_state_serving (conversation_id, agent_id) VALUES ($1, $2)
                             ON CONFLICT (conversation_id) DO UPDATE SET agent_id = excluded.agent_id",
                        )
                        .bind(c)
                        .bind(holder)
                        .execute(&mut *db)
                        .await?;
                    }
                    None => {
                        sqlx::query("DELETE FROM agent_state_serving WHERE conversation_id = $1").bind(c).execute(&mut *db).await?;
                    }
                }
            }
            Ok::<(), StoreError>(())
        })
    }
}

/// Fold fact rows (in time order) from nothing.
fn fold_rows(rows: Vec<FactColumns>) -> Result<Fold> {
    let mut fold = Fold::default();
    for (at, kind, c, a, data) in rows {
        if let Some(m) = Move::of_row(agent_fact(at, kind, c, a, data.as_deref())?) {
            fold.apply(at, m);
        }
    }
    Ok(fold)
}
