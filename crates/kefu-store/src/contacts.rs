//! The conversation report's read model (`report_contacts`): one row per conversation, brought
//! up to date by each fact inside the transaction that writes the fact (a fact written late is
//! handed to `contacts_late`). It is kefu-insight's contact fold (`fold_log`: the definitions and
//! their tests live there; the whole-log build and the late refold call it, and an integration
//! test checks the SQL path here agrees). Written on the fact's path, read only by reports.

use kefu_core::Fact;

use crate::{Result, Store, Tx};

/// One conversation as the reports count it (see kefu-insight's `Contact`).
#[derive(Debug, Clone, PartialEq)]
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

impl From<kefu_insight::Contact> for ReportContactRow {
    fn from(c: kefu_insight::Contact) -> Self {
        ReportContactRow {
            conversation_id: c.conversation,
            customer_id: c.customer,
            group_id: c.group,
            business_type_id: c.business_type,
            channel: c.channel,
            agent_id: c.agent,
            vip: c.vip,
            left_message: c.left_message,
            queued_at: c.queued_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            abandoned_after_ms: c.abandoned_after,
            closed_by_agent: c.closed_by_agent,
            talk_ms: c.talk_ms,
            wrap_ms: c.wrap_ms,
            transfers: i64::from(c.transfers),
            csat: c.csat.map(i64::from),
            messages: c.messages.map(i64::from),
            returned_at: c.returned_at,
        }
    }
}

/// The name of this read model in `read_model_builds` (built with its wrap-ups, migration 0037).
pub(crate) const MODEL: &str = "report_contacts";

const COLUMNS: &str = "conversation_id, customer_id, group_id, business_type_id, channel, agent_id, vip, left_message, queued_at,
    answered_at, ended_at, abandoned_after_ms, closed_by_agent, talk_ms, wrap_ms, transfers, csat, messages, returned_at";

impl Tx {
    /// Bring the read model up to date with `fact` (called by [`Tx::record_fact`]): folded on
    /// top when it comes in time order, else what it changes folded again (`contacts_late`).
    pub(crate) async fn project_contact(&mut self, fact: &Fact, at: i64) -> Result<()> {
        if self.contact_fact_is_late(fact, at).await? {
            return self.refold_contact(fact, at).await;
        }
        // Just written: after every fact of the log at its time.
        self.fold_contact(fact, (at, i64::MAX)).await
    }

    /// Fold `fact`, at `place` in the log, on top of the model: right when every fact folded so
    /// far came before it.
    async fn fold_contact(&mut self, fact: &Fact, place: crate::contacts_wrap::Place) -> Result<()> {
        let at = place.0;
        if let Fact::AgentStatus { agent, from, to } = fact {
            // Wrap-up goes to the conversation the agent closed last (`contacts_wrap`).
            return self.fold_wrap(agent.0, from.status, to.status, place).await;
        }
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
                _ => {}
            }
            Ok(())
        })
    }
}

impl Store {
    /// Throw the conversation report's read model away and fold the whole fact log into it again
    /// (in time order, in memory, written in bulk: `contacts_build`), with the contact reasons
    /// model that reads it, in one transaction: `kefu rebuild-reports`, for facts written before
    /// the model existed. Returns the facts folded.
    pub async fn rebuild_report_contacts(&self) -> Result<usize> {
        Ok(self.fold_report_contacts(None).await?.unwrap_or(0))
    }

    /// Rebuild the model from the log unless it was built since it has its wrap-ups
    /// (`report_wraps`, migration 0037): run at start-up. True when it built. Nodes starting
    /// together build it once: the check, the build and its mark are one transaction, which
    /// on PostgreSQL holds the model's tables locked (the second node waits, then finds it built).
    pub async fn build_report_contacts(&self, now: i64) -> Result<bool> {
        Ok(self.fold_report_contacts(Some(now)).await?.is_some())
    }

    /// Fold the fact log into the model (and the contact reasons model, which reads it) in one
    /// transaction, marked built at `build_at` if given (and then only if it was not built yet:
    /// None when it was). Some(facts folded).
    async fn fold_report_contacts(&self, build_at: Option<i64>) -> Result<Option<usize>> {
        let mut tx = self.begin().await?;
        let built: Option<i64> = on_tx!(tx, |db| {
            if dialect::LOCKS_ROWS {
                // Writers of facts (and another node's build) wait here; under READ COMMITTED the
                // statements after the lock see what committed before it. In the order writers
                // take them: the reasons model after the conversation report's.
                sqlx::query("LOCK TABLE report_contacts, report_wraps, report_reason_tags, report_reasons IN EXCLUSIVE MODE")
                    .execute(&mut *db)
                    .await?;
            }
            match build_at {
                Some(_) => sqlx::query_scalar(crate::agent_states::MODEL_BUILT_AT).bind(MODEL).fetch_optional(&mut *db).await?,
                None => None,
            }
        });
        if built.is_some() {
            return Ok(None);
        }
        on_tx!(tx, |db| {
            sqlx::query("DELETE FROM report_contacts").execute(&mut *db).await?;
            sqlx::query("DELETE FROM report_wraps").execute(&mut *db).await?;
            Ok::<(), crate::StoreError>(())
        })?;
        let facts = tx.facts_between(i64::MIN, i64::MAX).await?;
        tx.fill_report_contacts(&facts).await?;
        tx.refill_reasons().await?;
        if let Some(now) = build_at {
            on_tx!(tx, |db| {
                for model in [MODEL, crate::reasons_model::MODEL] {
                    sqlx::query(crate::agent_states::MARK_MODEL_BUILT).bind(model).bind(now).execute(&mut *db).await?;
                }
            });
        }
        tx.commit().await?;
        Ok(Some(facts.len()))
    }

    /// The read model's rows of conversations queued at `from <= queued_at < to`, in no order.
    /// Columns are read by position: a month is 100,000 rows, and looking each column up by name
    /// was a measurable share of the report's time.
    pub async fn contacts_queued_between(&self, from: i64, to: i64) -> Result<Vec<ReportContactRow>> {
        on_pool!(self, |pool| {
            use sqlx::Row;
            let rows = sqlx::query(&format!("SELECT {COLUMNS} FROM report_contacts WHERE queued_at >= $1 AND queued_at < $2"))
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ReportContactRow {
                        conversation_id: r.try_get(0)?,
                        customer_id: r.try_get(1)?,
                        group_id: r.try_get(2)?,
                        business_type_id: r.try_get(3)?,
                        channel: r.try_get(4)?,
                        agent_id: r.try_get(5)?,
                        vip: r.try_get(6)?,
                        left_message: r.try_get(7)?,
                        queued_at: r.try_get(8)?,
                        answered_at: r.try_get(9)?,
                        ended_at: r.try_get(10)?,
                        abandoned_after_ms: r.try_get(11)?,
                        closed_by_agent: r.try_get(12)?,
                        talk_ms: r.try_get(13)?,
                        wrap_ms: r.try_get(14)?,
                        transfers: r.try_get(15)?,
                        csat: r.try_get(16)?,
                        messages: r.try_get(17)?,
                        returned_at: r.try_get(18)?,
                    })
                })
                .collect()
        })
    }
}

/// What a conversation report's rows are split by, for [`Store::contact_sums`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKey {
    /// One key for all.
    Total,
    /// `group_id`.
    Group,
    /// `business_type_id`.
    BusinessType,
    /// `channel`.
    Channel,
    /// `agent_id`.
    Agent,
}

/// How [`Store::contact_sums`] judges each conversation.
#[derive(Debug, Clone)]
pub struct SumRules {
    /// Service-level target (ms) per group; others get `default_target_ms`.
    pub targets_ms: Vec<(i64, i64)>,
    pub default_target_ms: i64,
    /// Abandoned sooner than this (ms) is a short abandon.
    pub short_abandon_ms: i64,
    /// A return within this (ms) after a close means not resolved on first contact.
    pub fcr_window_ms: i64,
    /// Only these groups, business types and channels; None: all.
    pub groups: Option<Vec<i64>>,
    #[allow(missing_docs)]
    pub business_types: Option<Vec<i64>>,
    #[allow(missing_docs)]
    pub channels: Option<Vec<String>>,
}

/// The ` AND …` of a filter on `report_contacts` (`prefix` names its alias): ids are integers
/// spelled in; channel words are quoted as SQL strings (a quote doubled), so nothing from the
/// caller runs as SQL. An empty list matches nothing.
pub(crate) fn contact_filter(prefix: &str, groups: Option<&[i64]>, business_types: Option<&[i64]>, channels: Option<&[String]>) -> String {
    let ids = |column: &str, list: Option<&[i64]>| match list {
        Some([]) => " AND FALSE".to_string(),
        Some(l) => format!(" AND {prefix}{column} IN ({})", l.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
        None => String::new(),
    };
    let words = match channels {
        Some([]) => " AND FALSE".to_string(),
        Some(l) => {
            format!(" AND {prefix}channel IN ({})", l.iter().map(|w| format!("'{}'", w.replace('\'', "''"))).collect::<Vec<_>>().join(", "))
        }
        None => String::new(),
    };
    ids("group_id", groups) + &ids("business_type_id", business_types) + &words
}

/// The sums of the conversations that queued in one quarter hour, for one key (kefu-insight's
/// `ConversationFigures` sums; the same definitions).
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct ContactSums {
    /// Start of the quarter hour (ms).
    pub slot: i64,
    pub key_id: Option<i64>,
    pub key_word: Option<String>,
    pub offered: i64,
    pub answered: i64,
    pub abandoned: i64,
    pub abandoned_short: i64,
    pub answered_in_target: i64,
    pub wait_ms: i64,
    pub longest_wait_ms: Option<i64>,
    pub handled: i64,
    pub talk_ms: i64,
    pub wrap_ms: i64,
    pub transfers: i64,
    pub resolved_first_contact: i64,
    pub csat_count: i64,
    pub csat_sum: i64,
    pub csat_good: i64,
    pub with_messages: i64,
    pub messages: i64,
}

/// Quarter hours: every report interval (15 min to a month, in any zone of today's tz database,
/// whose offsets are whole quarter hours) is made of whole ones.
const SLOT_MS: i64 = 900_000;

impl Store {
    /// The report's sums per quarter hour and key, aggregated by the database from the read model:
    /// a month of 100,000 conversations comes back as a few thousand rows.
    pub async fn contact_sums(&self, from: i64, to: i64, by: ContactKey, rules: &SumRules) -> Result<Vec<ContactSums>> {
        let (key_id, key_word) = match by {
            ContactKey::Total => ("CAST(NULL AS BIGINT)", "CAST(NULL AS TEXT)"),
            ContactKey::Group => ("group_id", "CAST(NULL AS TEXT)"),
            ContactKey::BusinessType => ("business_type_id", "CAST(NULL AS TEXT)"),
            ContactKey::Channel => ("CAST(NULL AS BIGINT)", "channel"),
            ContactKey::Agent => ("agent_id", "CAST(NULL AS TEXT)"),
        };
        // Only integers from the caller are spelled into the statement.
        let target = if rules.targets_ms.is_empty() {
            rules.default_target_ms.to_string()
        } else {
            let arms: Vec<String> = rules.targets_ms.iter().map(|(g, t)| format!("WHEN {g} THEN {t}")).collect();
            format!("CASE group_id {} ELSE {} END", arms.join(" "), rules.default_target_ms)
        };
        let groups = contact_filter("", rules.groups.as_deref(), rules.business_types.as_deref(), rules.channels.as_deref());
        let sql = format!(
            "SELECT (queued_at / {SLOT_MS}) * {SLOT_MS} AS slot, {key_id} AS key_id, {key_word} AS key_word,
               COUNT(*),
               COUNT(answered_at),
               CAST(SUM(CASE WHEN answered_at IS NULL AND abandoned_after_ms IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN answered_at IS NULL AND abandoned_after_ms < $3 THEN 1 ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN answered_at IS NOT NULL AND answered_at - queued_at <= {target} THEN 1 ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN answered_at > queued_at THEN answered_at - queued_at ELSE 0 END) AS BIGINT),
               MAX(CASE WHEN answered_at IS NOT NULL THEN CASE WHEN answered_at > queued_at THEN answered_at - queued_at ELSE 0 END
                        ELSE abandoned_after_ms END),
               CAST(SUM(CASE WHEN closed_by_agent THEN 1 ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN closed_by_agent THEN talk_ms ELSE 0 END) AS BIGINT),
               CAST(SUM(CASE WHEN closed_by_agent THEN wrap_ms ELSE 0 END) AS BIGINT),
               CAST(SUM(transfers) AS BIGINT),
               CAST(SUM(CASE WHEN closed_by_agent AND (returned_at IS NULL OR returned_at > ended_at + $4) THEN 1 ELSE 0 END) AS BIGINT),
               COUNT(csat),
               CAST(COALESCE(SUM(csat), 0) AS BIGINT),
               CAST(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS BIGINT),
               COUNT(messages),
               CAST(COALESCE(SUM(messages), 0) AS BIGINT)
             FROM report_contacts
             WHERE queued_at >= $1 AND queued_at < $2 AND left_message = FALSE{groups}
             GROUP BY 1, 2, 3"
        );
        on_pool!(self, |pool| {
            use sqlx::Row;
            let rows = sqlx::query(&sql).bind(from).bind(to).bind(rules.short_abandon_ms).bind(rules.fcr_window_ms).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok(ContactSums {
                        slot: r.try_get(0)?,
                        key_id: r.try_get(1)?,
                        key_word: r.try_get(2)?,
                        offered: r.try_get(3)?,
                        answered: r.try_get(4)?,
                        abandoned: r.try_get(5)?,
                        abandoned_short: r.try_get(6)?,
                        answered_in_target: r.try_get(7)?,
                        wait_ms: r.try_get(8)?,
                        longest_wait_ms: r.try_get(9)?,
                        handled: r.try_get(10)?,
                        talk_ms: r.try_get(11)?,
                        wrap_ms: r.try_get(12)?,
                        transfers: r.try_get(13)?,
                        resolved_first_contact: r.try_get(14)?,
                        csat_count: r.try_get(15)?,
                        csat_sum: r.try_get(16)?,
                        csat_good: r.try_get(17)?,
                        with_messages: r.try_get(18)?,
                        messages: r.try_get(19)?,
                    })
                })
                .collect()
        })
    }
}
