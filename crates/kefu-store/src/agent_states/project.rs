//! The agent state model brought up to date by each fact, in the transaction that writes it:
//! the trackers and holder the fact touches are locked, the fact folded on top, and a fact that
//! came late handed to `late` instead.

use std::collections::BTreeSet;

use kefu_core::{AgentStatusKind, Fact, FactKind};

use super::{Fold, Move, Tracker, KINDS};
use crate::{Result, StoreError, Tx};

impl Tx {
    /// Bring the agent state model up to date with `fact`, just written as fact `id` (called by
    /// [`Tx::record_fact`]).
    pub(crate) async fn project_agent_state(&mut self, fact: &Fact, at: i64, id: i64) -> Result<()> {
        let Some(m) = Move::of_fact(fact) else { return Ok(()) };
        let late_move = m.clone();
        let (conversation, agent) = match &m {
            Move::Status { agent, .. } => (None, Some(*agent)),
            Move::Serve { conversation, agent } => (Some(*conversation), Some(*agent)),
            Move::End { conversation } => (Some(*conversation), None),
        };
        let late = on_tx!(self, |db| 'fold: {
            let mut fold = Fold::default();
            let previous: Option<i64> = match conversation {
                Some(c) => {
                    sqlx::query_scalar(&format!(
                        "SELECT agent_id FROM agent_state_serving WHERE conversation_id = $1{}",
                        dialect::FOR_UPDATE
                    ))
                    .bind(c)
                    .fetch_optional(&mut *db)
                    .await?
                }
                None => None,
            };
            if let (Some(c), Some(p)) = (conversation, previous) {
                fold.holders.insert(c, p);
            }
            // Everyone who ever answered the conversation is locked too: a late fact on it may
            // change the steps of whoever held it just before or after it.
            let answerers: Vec<i64> = match conversation {
                Some(c) => {
                    sqlx::query_scalar(
                        "SELECT DISTINCT agent_id FROM facts WHERE conversation_id = $1 AND kind = $2 AND agent_id IS NOT NULL",
                    )
                    .bind(c)
                    .bind(FactKind::Answered)
                    .fetch_all(&mut *db)
                    .await?
                }
                None => vec![],
            };
            // Lowest id first, so two writers lock trackers in one order.
            let agents: BTreeSet<i64> = [agent, previous].into_iter().flatten().chain(answerers).collect();
            for a in &agents {
                sqlx::query("INSERT INTO agent_state_now (agent_id, status, serving, since) VALUES ($1, $2, 0, $3) ON CONFLICT (agent_id) DO NOTHING")
                    .bind(a)
                    .bind(AgentStatusKind::Offline)
                    .bind(at)
                    .execute(&mut *db)
                    .await?;
                let (status, reason, serving, since, last_at): (AgentStatusKind, Option<String>, i64, i64, i64) = sqlx::query_as(&format!(
                    "SELECT status, reason, serving, since, last_at FROM agent_state_now WHERE agent_id = $1{}",
                    dialect::FOR_UPDATE
                ))
                .bind(a)
                .fetch_one(&mut *db)
                .await?;
                if [agent, previous].contains(&Some(*a)) {
                    fold.trackers.insert(*a, Tracker { status, reason, serving, since, last_at });
                }
            }
            // Late: something already folded for this agent, the holder, or the conversation
            // happened after this fact. Folding it on top would put it out of order.
            let late_for_agents = fold.trackers.values().any(|t| t.last_at > at);
            let late_for_conversation = match conversation {
                Some(c) => {
                    let marks: Vec<String> = (0..KINDS.len()).map(|i| format!("${}", i + 3)).collect();
                    let sql =
                        format!("SELECT id FROM facts WHERE conversation_id = $1 AND at > $2 AND kind IN ({}) LIMIT 1", marks.join(", "));
                    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(c).bind(at);
                    for k in KINDS {
                        q = q.bind(k);
                    }
                    q.fetch_optional(&mut *db).await?.is_some()
                }
                None => false,
            };
            if late_for_agents || late_for_conversation {
                break 'fold Ok::<bool, StoreError>(true);
            }
            let serve = matches!(m, Move::Serve { .. });
            fold.apply((at, id), m);
            for (a, t) in &fold.trackers {
                save_tracker!(db, a, t);
            }
            if let Some(c) = conversation {
                if serve {
                    sqlx::query(
                        "INSERT INTO agent_state_serving (conversation_id, agent_id) VALUES ($1, $2)
                         ON CONFLICT (conversation_id) DO UPDATE SET agent_id = excluded.agent_id",
                    )
                    .bind(c)
                    .bind(agent)
                    .execute(&mut *db)
                    .await?;
                } else if previous.is_some() {
                    sqlx::query("DELETE FROM agent_state_serving WHERE conversation_id = $1").bind(c).execute(&mut *db).await?;
                }
            }
            write_sums!(db, fold.sums);
            write_steps!(db, fold.steps);
            Ok(false)
        })?;
        if late {
            self.refold_late(late_move, (at, id)).await?;
        }
        Ok(())
    }
}
