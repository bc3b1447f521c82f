//! Facts written late for the conversation report's model (`report_contacts`): a fact stamped
//! before one already folded for the same conversation, its customer or the agents serving it
//! (clock skew between nodes, a retried write) cannot be folded on top, since the model's rows
//! depend on the order facts happen in (talk time needs the answer before the close; a return
//! counts only after a close; wrap-up goes to the conversation the agent closed last). Instead
//! what it may change is folded again from the fact log in time order: the conversation's own
//! columns, the returns of its customer's conversations, and the wrap-ups it may move or end
//! (`contacts_wrap`: only those begun in the window the fact bounds). The rows then equal
//! `kefu rebuild-reports`'s, at the cost of reading those facts; a fact in time order costs the
//! few indexed look-ups that tell it is not late.

use std::collections::HashMap;

use kefu_core::Fact;
use kefu_insight::{fold_contact, fold_log, Contact};

use crate::facts::{decode, FactRow};
use crate::{Result, StoreError, Tx};

/// The kinds that change a row's own columns, as stored (`FactKind`'s snake case).
const OWN_KINDS: &str = "'queued', 'answered', 'abandoned', 'transferred', 'closed', 'csat'";

impl Tx {
    /// Whether `fact`, stamped `at`, came after something it should have preceded: a fact of
    /// its conversation, a later arrival or close of its customer, or a later status of an agent
    /// who answered it; for a status change, a later status, answer or close of the agent.
    pub(crate) async fn contact_fact_is_late(&mut self, fact: &Fact, at: i64) -> Result<bool> {
        let conversation = match fact {
            Fact::AgentStatus { agent, .. } => {
                return on_tx!(self, |db| {
                    let hit: Option<i64> = sqlx::query_scalar(
                        "SELECT id FROM facts WHERE agent_id = $1 AND kind IN ('agent_status', 'answered', 'closed') AND at > $2 LIMIT 1",
                    )
                    .bind(agent.0)
                    .bind(at)
                    .fetch_optional(&mut *db)
                    .await?;
                    Ok(hit.is_some())
                });
            }
            Fact::Queued { conversation, .. }
            | Fact::Answered { conversation, .. }
            | Fact::Abandoned { conversation, .. }
            | Fact::Transferred { conversation, .. }
            | Fact::Closed { conversation, .. }
            | Fact::Csat { conversation, .. } => conversation.0,
            _ => return Ok(false),
        };
        let touches_agents = matches!(fact, Fact::Queued { .. } | Fact::Answered { .. } | Fact::Abandoned { .. } | Fact::Closed { .. });
        on_tx!(self, |db| {
            let later: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM facts WHERE conversation_id = $1 AND kind IN ({OWN_KINDS}) AND at > $2 LIMIT 1"
            ))
            .bind(conversation)
            .bind(at)
            .fetch_optional(&mut *db)
            .await?;
            if later.is_some() {
                return Ok(true);
            }
            // The customer: an arrival may have to mark an earlier close as returned to; a
            // close may already have been followed by an arrival.
            let customer: Option<i64> = match fact {
                Fact::Queued { customer, .. } => Some(*customer),
                Fact::Abandoned { .. } | Fact::Closed { .. } => {
                    sqlx::query_scalar("SELECT customer_id FROM report_contacts WHERE conversation_id = $1")
                        .bind(conversation)
                        .fetch_optional(&mut *db)
                        .await?
                }
                _ => None,
            };
            if let Some(customer) = customer {
                let ends = matches!(fact, Fact::Queued { .. });
                let hit: Option<i64> = sqlx::query_scalar(
                    "SELECT conversation_id FROM report_contacts WHERE customer_id = $1 AND conversation_id <> $2
                       AND (queued_at > $3 OR ($4 AND ended_at > $3)) LIMIT 1",
                )
                .bind(customer)
                .bind(conversation)
                .bind(at)
                .bind(ends)
                .fetch_optional(&mut *db)
                .await?;
                if hit.is_some() {
                    return Ok(true);
                }
            }
            // The agents who answered or closed it: a wrap-up they began later chose the
            // conversation they had closed last without this fact.
            if touches_agents {
                let hit: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM facts WHERE kind = 'agent_status' AND at > $2 AND agent_id IN
                       (SELECT agent_id FROM facts WHERE conversation_id = $1 AND kind IN ('answered', 'closed')) LIMIT 1",
                )
                .bind(conversation)
                .bind(at)
                .fetch_optional(&mut *db)
                .await?;
                if hit.is_some() {
                    return Ok(true);
                }
            }
            Ok::<bool, StoreError>(false)
        })
    }

    /// Fold again from the log what the late `fact`, stamped `at`, may change (see the module's doc).
    pub(crate) async fn refold_contact(&mut self, fact: &Fact, at: i64) -> Result<()> {
        if let Fact::AgentStatus { agent, .. } = fact {
            // The wrap-up open at it, and its own: up to the agent's next change after it.
            return self.refold_wraps(agent.0, at, at).await;
        }
        if let Some(c) = fact.conversation() {
            let facts = self.logged(&format!("conversation_id = {} AND kind IN ({OWN_KINDS})", c.0)).await?;
            let mut own = None;
            for f in &facts {
                fold_contact(&mut own, f.at, &f.fact);
            }
            if let Some(own) = own {
                self.save_own(c.0, &own).await?;
                self.refold_returns(own.customer).await?;
            }
            // Which close counts for wrap-up, and so the conversation a wrap-up goes to.
            if matches!(fact, Fact::Queued { .. } | Fact::Answered { .. } | Fact::Closed { .. }) {
                self.refold_wraps_of_closers(c.0, at).await?;
            }
        }
        Ok(())
    }

    /// Facts matching `filter` (SQL over integers and constant words only), in time order.
    async fn logged(&mut self, filter: &str) -> Result<Vec<FactRow>> {
        let sql = format!("SELECT id, at, data FROM facts WHERE {filter} ORDER BY at, id");
        let rows: Vec<(i64, i64, String)> = on_tx!(self, |db| sqlx::query_as(&sql).fetch_all(&mut *db).await)?;
        rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
    }

    async fn save_own(&mut self, conversation: i64, o: &Contact) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query(
                "INSERT INTO report_contacts (conversation_id, customer_id, group_id, business_type_id, channel, agent_id, vip, left_message,
                   queued_at, answered_at, ended_at, abandoned_after_ms, closed_by_agent, talk_ms, transfers, csat, messages)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
                 ON CONFLICT (conversation_id) DO UPDATE SET customer_id = excluded.customer_id, group_id = excluded.group_id,
                   business_type_id = excluded.business_type_id, channel = excluded.channel, agent_id = excluded.agent_id,
                   vip = excluded.vip, left_message = excluded.left_message, queued_at = excluded.queued_at,
                   answered_at = excluded.answered_at, ended_at = excluded.ended_at, abandoned_after_ms = excluded.abandoned_after_ms,
                   closed_by_agent = excluded.closed_by_agent, talk_ms = excluded.talk_ms, transfers = excluded.transfers,
                   csat = excluded.csat, messages = excluded.messages",
            )
            .bind(conversation)
            .bind(o.customer)
            .bind(o.group)
            .bind(o.business_type)
            .bind(&o.channel)
            .bind(o.agent)
            .bind(o.vip)
            .bind(o.left_message)
            .bind(o.queued_at)
            .bind(o.answered_at)
            .bind(o.ended_at)
            .bind(o.abandoned_after)
            .bind(o.closed_by_agent)
            .bind(o.talk_ms)
            .bind(i64::from(o.transfers))
            .bind(o.csat.map(i64::from))
            .bind(o.messages.map(i64::from))
            .execute(&mut *db)
            .await?;
            Ok::<(), StoreError>(())
        })
    }

    /// Each of the customer's conversations returned to: the first arrival of the customer
    /// after the conversation first ended ([`fold_log`] over their conversations' facts).
    async fn refold_returns(&mut self, customer: i64) -> Result<()> {
        let ids: Vec<i64> = on_tx!(self, |db| sqlx::query_scalar("SELECT conversation_id FROM report_contacts WHERE customer_id = $1")
            .bind(customer)
            .fetch_all(&mut *db)
            .await)?;
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        let facts = self.logged(&format!("conversation_id IN ({list}) AND kind IN ('queued', 'abandoned', 'closed')")).await?;
        let folded = fold_log(facts.iter().map(|f| (f.at, &f.fact)));
        let returned: HashMap<i64, Option<i64>> = folded.contacts.iter().map(|c| (c.conversation, c.returned_at)).collect();
        for c in ids {
            let back = returned.get(&c).copied().flatten();
            on_tx!(self, |db| sqlx::query("UPDATE report_contacts SET returned_at = $1 WHERE conversation_id = $2")
                .bind(back)
                .bind(c)
                .execute(&mut *db)
                .await
                .map(|_| ()))?;
        }
        Ok(())
    }
}
