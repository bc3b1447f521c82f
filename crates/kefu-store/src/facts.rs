//! The fact log: appended inside the transaction of the change a fact records, read back by time
//! range for reports. Never updated or deleted here. Also the audit of report exports.

use kefu_core::{AgentStatusKind, Fact, FactKind, StatusFact};

use crate::contacts_lock::folded_by_reports;
use crate::routing_batch::value_rows;
use crate::{Result, Store, StoreError, Tx};

/// A stored fact: when, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct FactRow {
    /// Its id (the order facts were written in).
    pub id: i64,
    /// When (ms since the epoch).
    pub at: i64,
    /// What happened.
    pub fact: Fact,
}

pub(crate) fn decode(id: i64, at: i64, data: &str) -> Result<FactRow> {
    let fact = serde_json::from_str(data).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?;
    Ok(FactRow { id, at, fact })
}

/// A fact as the agent state report reads it: its typed columns, and for a status change only
/// the status it moved to (decoding whole facts was most of a month's report).
#[derive(Debug, Clone, PartialEq)]
pub struct AgentFactRow {
    /// When (ms since the epoch).
    pub at: i64,
    /// Which kind of fact.
    pub kind: FactKind,
    /// The conversation it is about, if any.
    pub conversation_id: Option<i64>,
    /// The agent it is about, if any.
    pub agent_id: Option<i64>,
    /// The status an agent moved to (status changes only).
    pub to: Option<StatusFact>,
}

/// The part of a status fact's JSON the agent report reads (the rest is skipped unparsed).
#[derive(serde::Deserialize)]
struct StatusTo {
    to: StatusFact,
}

pub(crate) fn agent_fact(
    at: i64,
    kind: FactKind,
    conversation_id: Option<i64>,
    agent_id: Option<i64>,
    data: Option<&str>,
) -> Result<AgentFactRow> {
    let to = match data {
        Some(data) => Some(serde_json::from_str::<StatusTo>(data).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))?.to),
        None => None,
    };
    Ok(AgentFactRow { at, kind, conversation_id, agent_id, to })
}

type AgentColumns = (i64, FactKind, Option<i64>, Option<i64>, Option<String>);

impl Tx {
    /// Append a fact: it commits with the transaction's change, or not at all. It is written, and
    /// folded into the report models, when the transaction commits (`write_facts`): the locks
    /// that keeps the models right are then taken all at once, in one order (`contacts_lock`).
    /// Nothing reads a transaction's own facts before it commits.
    pub async fn record_fact(&mut self, fact: &Fact, at: i64) -> Result<()> {
        self.facts.push((fact.clone(), at));
        Ok(())
    }

    /// Write the facts recorded in this transaction, in the order recorded, each folded into the
    /// report models before the next is written (as if each had its own transaction), after
    /// locking what the models read for all of them; then bring the contact reasons of their
    /// conversations, and of those whose tags changed, up to date. Called by [`Tx::commit`].
    pub(crate) async fn write_facts(&mut self) -> Result<()> {
        let facts = std::mem::take(&mut self.facts);
        let folded: Vec<(Fact, i64)> = facts.iter().filter(|(f, _)| folded_by_reports(f)).cloned().collect();
        let mut reasons = std::mem::take(&mut self.reasons_stale);
        reasons.extend(folded.iter().filter_map(|(f, _)| f.conversation()).map(|c| c.0));
        self.lock_for_contacts(&folded, &reasons).await?;
        // Facts the models do not fold go in together, one statement per run of them.
        let mut run: Vec<(Fact, i64)> = vec![];
        for (fact, at) in facts {
            if !folded_by_reports(&fact) {
                run.push((fact, at));
                continue;
            }
            self.insert_facts(&std::mem::take(&mut run)).await?;
            let id = self.insert_fact(&fact, at).await?;
            self.project_contact(&fact, at).await?;
            self.project_agent_state(&fact, at, id).await?;
        }
        self.insert_facts(&run).await?;
        self.resync_reasons(&reasons).await
    }

    /// Every fact written at `from <= at < to`, in the log's order, as this transaction sees them.
    pub(crate) async fn facts_between(&mut self, from: i64, to: i64) -> Result<Vec<FactRow>> {
        on_tx!(self, |db| {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as("SELECT id, at, data FROM facts WHERE at >= $1 AND at < $2 ORDER BY at, id")
                .bind(from)
                .bind(to)
                .fetch_all(&mut *db)
                .await?;
            rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
        })
    }

    /// Insert one fact row; its id (with `at`, its place in the log's order).
    async fn insert_fact(&mut self, fact: &Fact, at: i64) -> Result<i64> {
        let data = serde_json::to_string(fact).map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
        on_tx!(self, |db| Ok(sqlx::query_scalar(
            "INSERT INTO facts (at, kind, conversation_id, agent_id, group_id, data) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"
        )
        .bind(at)
        .bind(fact.kind())
        .bind(fact.conversation().map(|c| c.0))
        .bind(fact.agent().map(|a| a.0))
        .bind(fact.group().map(|g| g.0))
        .bind(data.as_str())
        .fetch_one(&mut *db)
        .await?))
    }

    /// Insert fact rows, in order (ids ascending), a few hundred per statement.
    pub(crate) async fn insert_facts(&mut self, facts: &[(Fact, i64)]) -> Result<()> {
        for chunk in facts.chunks(500) {
            let data = chunk
                .iter()
                .map(|(f, _)| serde_json::to_string(f))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Db(sqlx::Error::Encode(Box::new(e))))?;
            let sql =
                format!("INSERT INTO facts (at, kind, conversation_id, agent_id, group_id, data) VALUES {}", value_rows(chunk.len(), 6));
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for ((fact, at), data) in chunk.iter().zip(&data) {
                    q = q
                        .bind(*at)
                        .bind(fact.kind())
                        .bind(fact.conversation().map(|c| c.0))
                        .bind(fact.agent().map(|a| a.0))
                        .bind(fact.group().map(|g| g.0))
                        .bind(data.as_str());
                }
                q.execute(&mut *db).await?;
                Ok::<(), StoreError>(())
            })?;
        }
        Ok(())
    }

    /// How many messages the visitor and agents sent in a conversation (for its closing fact).
    pub async fn message_counts(&mut self, conversation_id: i64) -> Result<(u32, u32)> {
        on_tx!(self, |db| {
            let rows: Vec<(String, i64)> =
                sqlx::query_as("SELECT sender, COUNT(*) FROM messages WHERE conversation_id = $1 AND sender <> 'system' GROUP BY sender")
                    .bind(conversation_id)
                    .fetch_all(&mut *db)
                    .await?;
            let count = |who: &str| rows.iter().find(|r| r.0 == who).map_or(0, |r| r.1 as u32);
            Ok((count("visitor"), count("agent")))
        })
    }

    /// Set an agent's stored status; returns what it was (kind and away reason).
    pub async fn set_user_status(
        &mut self,
        id: i64,
        status: AgentStatusKind,
        away_reason: Option<&str>,
        wrap_up_until: Option<i64>,
    ) -> Result<(AgentStatusKind, Option<String>)> {
        on_tx!(self, |db| {
            let before: (AgentStatusKind, Option<String>) =
                sqlx::query_as(&format!("SELECT status, away_reason FROM users WHERE id = $1{}", dialect::FOR_UPDATE))
                    .bind(id)
                    .fetch_optional(&mut *db)
                    .await?
                    .ok_or(StoreError::NotFound)?;
            sqlx::query("UPDATE users SET status = $1, away_reason = $2, wrap_up_until = $3 WHERE id = $4")
                .bind(status)
                .bind(away_reason)
                .bind(wrap_up_until)
                .bind(id)
                .execute(&mut *db)
                .await?;
            Ok(before)
        })
    }
}

/// Each agent's last status fact before `$2` (`$1` = the status kind), oldest first.
const LAST_STATUS_OF_EACH_AGENT: &str =
    "WHERE f.id IN (SELECT MAX(id) FROM facts WHERE kind = $1 AND agent_id IS NOT NULL AND at < $2 GROUP BY agent_id)
     ORDER BY f.at, f.id";

impl Store {
    /// Facts written at `from <= at < to`, in time order (ties in the order written); only those
    /// of `kinds` unless it is empty (a report reads only what it folds).
    pub async fn facts_between(&self, from: i64, to: i64, kinds: &[FactKind]) -> Result<Vec<FactRow>> {
        let only = if kinds.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
            format!(" AND kind IN ({})", marks.join(", "))
        };
        let sql = format!("SELECT id, at, data FROM facts WHERE at >= $1 AND at < $2{only} ORDER BY at, id");
        on_pool!(self, |pool| {
            let mut q = sqlx::query_as::<_, (i64, i64, String)>(&sql).bind(from).bind(to);
            for k in kinds {
                q = q.bind(*k);
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
        })
    }

    /// Each agent's last status fact before `before`: where the agent stood when a range starts.
    pub async fn last_statuses_before(&self, before: i64) -> Result<Vec<FactRow>> {
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, String)> =
                sqlx::query_as(&format!("SELECT f.id, f.at, f.data FROM facts f {LAST_STATUS_OF_EACH_AGENT}"))
                    .bind(FactKind::AgentStatus)
                    .bind(before)
                    .fetch_all(pool)
                    .await?;
            rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
        })
    }

    /// Facts written at `from <= at < to` as the agent state report reads them, in time order
    /// (ties in the order written), only those of `kinds` unless it is empty: columns only, and
    /// JSON decoded for status changes alone (their new status).
    pub async fn agent_facts_between(&self, from: i64, to: i64, kinds: &[FactKind]) -> Result<Vec<AgentFactRow>> {
        let only = if kinds.is_empty() {
            String::new()
        } else {
            let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 4)).collect();
            format!(" AND kind IN ({})", marks.join(", "))
        };
        let sql = format!(
            "SELECT at, kind, conversation_id, agent_id, CASE WHEN kind = $3 THEN data END FROM facts
             WHERE at >= $1 AND at < $2{only} ORDER BY at, id"
        );
        on_pool!(self, |pool| {
            let mut q = sqlx::query_as::<_, AgentColumns>(&sql).bind(from).bind(to).bind(FactKind::AgentStatus);
            for k in kinds {
                q = q.bind(*k);
            }
            let rows = q.fetch_all(pool).await?;
            rows.iter().map(|(at, kind, c, a, data)| agent_fact(*at, *kind, *c, *a, data.as_deref())).collect()
        })
    }

    /// [`Store::last_statuses_before`] as the agent state report reads it.
    pub async fn last_agent_statuses_before(&self, before: i64) -> Result<Vec<AgentFactRow>> {
        on_pool!(self, |pool| {
            let rows: Vec<AgentColumns> = sqlx::query_as(&format!(
                "SELECT f.at, f.kind, f.conversation_id, f.agent_id, f.data FROM facts f {LAST_STATUS_OF_EACH_AGENT}"
            ))
            .bind(FactKind::AgentStatus)
            .bind(before)
            .fetch_all(pool)
            .await?;
            rows.iter().map(|(at, kind, c, a, data)| agent_fact(*at, *kind, *c, *a, data.as_deref())).collect()
        })
    }

    /// Every fact about one conversation, in the order written.
    pub async fn facts_of_conversation(&self, conversation_id: i64) -> Result<Vec<FactRow>> {
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, String)> = sqlx::query_as("SELECT id, at, data FROM facts WHERE conversation_id = $1 ORDER BY id")
                .bind(conversation_id)
                .fetch_all(pool)
                .await?;
            rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
        })
    }

    /// Every fact about one agent (status changes, offers, answers ...), in the order written.
    pub async fn facts_of_agent(&self, agent_id: i64) -> Result<Vec<FactRow>> {
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, String)> =
                sqlx::query_as("SELECT id, at, data FROM facts WHERE agent_id = $1 ORDER BY id").bind(agent_id).fetch_all(pool).await?;
            rows.iter().map(|(id, at, data)| decode(*id, *at, data)).collect()
        })
    }

    /// Each group's own service-level target (s), None where the server's default applies.
    pub async fn service_level_targets(&self) -> Result<Vec<(i64, Option<i64>)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT id, service_level_target_secs FROM skill_groups ORDER BY id")
            .fetch_all(pool)
            .await?))
    }

    /// Set (or, with None, clear) a group's service-level target.
    pub async fn set_service_level_target(&self, group_id: i64, secs: Option<i64>) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE skill_groups SET service_level_target_secs = $1 WHERE id = $2")
                .bind(secs)
                .bind(group_id)
                .execute(&mut *conn)
                .await?;
            crate::touched(done.rows_affected())
        })
    }

    /// Record that a user (or an API key) exported a report (the audit of exports).
    pub async fn log_export(&self, e: &ExportRow) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query(
                "INSERT INTO report_exports (user_id, api_key_id, report, format, query, rows, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(e.user_id)
            .bind(e.api_key_id)
            .bind(&e.report)
            .bind(&e.format)
            .bind(&e.query)
            .bind(e.rows)
            .bind(e.created_at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// A page of report exports, newest first: older than `before` (an id; None = from the
    /// newest), at most `limit`.
    pub async fn report_exports_page(&self, before: Option<i64>, limit: i64) -> Result<Vec<ExportEntry>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, user_id, api_key_id, report, format, query, rows, created_at FROM report_exports
             WHERE ($1 IS NULL OR id < $1) ORDER BY id DESC LIMIT $2"
        )
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }
}

/// A logged export with its id (the cursor of the export log's pages).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ExportEntry {
    pub id: i64,
    #[sqlx(flatten)]
    pub export: ExportRow,
}

/// One report export (the audit of exports).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ExportRow {
    /// The user who exported (None for an API key).
    pub user_id: Option<i64>,
    /// The API key that exported.
    pub api_key_id: Option<i64>,
    /// `conversations` or `agents`.
    pub report: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// The query string asked for.
    pub query: String,
    /// Rows exported.
    pub rows: i64,
    /// When (ms).
    pub created_at: i64,
}
