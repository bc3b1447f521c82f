//! The conversation report's read model (`report_contacts`): one row per conversation, brought
//! up to date by each fact inside the transaction that writes the fact. It mirrors kefu-insight's
//! `contacts` fold (the definitions and their tests live there; an integration test checks the
//! two agree). Written on the fact's path, read only by reports.

use kefu_core::{AgentStatusKind, Fact};

use crate::{Result, Store, Tx};

/// One conversation as the reports count it (see kefu-insight's `Contact`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct ReportContactRow {
    pub conversation_id: i64,
    pub customer_id: i64,
    pub group_id: i64,
    pub business_type_id: Option<i64>,
    pub channel: String,
    pub agent_id: Option<i64>,
    pub vip: bool,
    pub left_message: bool,
    pub queued_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: Option<i64>,
    pub abandoned_after_ms: Option<i64>,
    pub closed_by_agent: bool,
    pub talk_ms: i64,
    pub wrap_ms: i64,
    pub transfers: i64,
    pub csat: Option<i64>,
    pub messages: Option<i64>,
    /// The customer's next conversation after this one closed.
    pub returned_at: Option<i64>,
}

const COLUMNS: &str = "conversation_id, customer_id, group_id, business_type_id, channel, agent_id, vip, left_message, queued_at,
    answered_at, ended_at, abandoned_after_ms, closed_by_agent, talk_ms, wrap_ms, transfers, csat, messages, returned_at";

impl Tx {
    /// Bring the read model up to date with `fact` (called by [`Tx::record_fact`]).
    pub(crate) async fn project_contact(&mut self, fact: &Fact, at: i64) -> Result<()> {
        on_tx!(self, |db| {
            match fact {
                Fact::Queued { conversation, customer, group, business_type, channel, vip, left_message } => {
                    // The customer is back: whatever of theirs was closed and not yet followed.
                    sqlx::query("UPDATE report_contacts SET returned_at = $1 WHERE customer_id = $2 AND returned_at IS NULL AND ended_at IS NOT NULL")
                        .bind(at)
                        .bind(customer)
                        .execute(&mut *db)
                        .await?;
                    sqlx::query(
                        "INSERT INTO report_contacts (conversation_id, customer_id, group_id, business_type_id, channel, vip, left_message, queued_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (conversation_id) DO NOTHING",
                    )
                    .bind(conversation.0)
                    .bind(customer)
                    .bind(group.0)
                    .bind(business_type)
                    .bind(channel)
                    .bind(vip)
                    .bind(left_message)
                    .bind(at)
                    .execute(&mut *db)
                    .await?;
                }
                Fact::Answered { conversation, agent, group } => {
                    sqlx::query("UPDATE report_contacts SET answered_at = COALESCE(answered_at, $1), agent_id = $2, group_id = $3 WHERE conversation_id = $4")
                        .bind(at)
                        .bind(agent.0)
                        .bind(group.0)
                        .bind(conversation.0)
                        .execute(&mut *db)
                        .await?;
                }
                Fact::Abandoned { conversation, group, waited_ms } => {
                    sqlx::query(
                        "UPDATE report_contacts SET abandoned_after_ms = $1, ended_at = $2, group_id = $3 WHERE conversation_id = $4",
                    )
                    .bind(waited_ms)
                    .bind(at)
                    .bind(group.0)
                    .bind(conversation.0)
                    .execute(&mut *db)
                    .await?;
                }
                Fact::Transferred { conversation, .. } => {
                    sqlx::query("UPDATE report_contacts SET transfers = transfers + 1 WHERE conversation_id = $1")
                        .bind(conversation.0)
                        .execute(&mut *db)
                        .await?;
                }
                Fact::Closed { conversation, agent, visitor_messages, agent_messages, .. } => {
                    sqlx::query(
                        "UPDATE report_contacts SET ended_at = $1, messages = $2,
                           closed_by_agent = CASE WHEN answered_at IS NOT NULL AND $3 THEN TRUE ELSE FALSE END,
                           talk_ms = CASE WHEN answered_at IS NOT NULL AND $3 THEN $1 - answered_at ELSE 0 END
                         WHERE conversation_id = $4",
                    )
                    .bind(at)
                    .bind(i64::from(visitor_messages + agent_messages))
                    .bind(agent.is_some())
                    .bind(conversation.0)
                    .execute(&mut *db)
                    .await?;
                }
                Fact::Csat { conversation, score } => {
                    sqlx::query("UPDATE report_contacts SET csat = $1 WHERE conversation_id = $2")
                        .bind(i64::from(*score))
                        .bind(conversation.0)
                        .execute(&mut *db)
                        .await?;
                }
                Fact::AgentStatus { agent, from, to } => {
                    // Wrap-up belongs to the conversation the agent closed last.
                    if from.status == AgentStatusKind::WrapUp {
                        sqlx::query(
                            "UPDATE report_contacts SET wrap_ms = wrap_ms + ($1 - wrap_started_at), wrap_started_at = NULL
                             WHERE agent_id = $2 AND wrap_started_at IS NOT NULL",
                        )
                        .bind(at)
                        .bind(agent.0)
                        .execute(&mut *db)
                        .await?;
                    }
                    if to.status == AgentStatusKind::WrapUp {
                        sqlx::query(
                            "UPDATE report_contacts SET wrap_started_at = $1 WHERE conversation_id =
                               (SELECT conversation_id FROM report_contacts WHERE agent_id = $2 AND closed_by_agent = TRUE
                                ORDER BY ended_at DESC, conversation_id DESC LIMIT 1)",
                        )
                        .bind(at)
                        .bind(agent.0)
                        .execute(&mut *db)
                        .await?;
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }
}

impl Store {
    /// The read model's rows of conversations queued at `from <= queued_at < to`.
    pub async fn contacts_queued_between(&self, from: i64, to: i64) -> Result<Vec<ReportContactRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM report_contacts WHERE queued_at >= $1 AND queued_at < $2 ORDER BY queued_at, conversation_id"
        ))
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?))
    }
}
