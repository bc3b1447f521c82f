//! The wrap-up part of the conversation report's model: each wrap-up of an agent
//! (`report_wraps`) and the conversation it is given to, summed into `report_contacts.wrap_ms`.
//!
//! As kefu-insight's contact fold defines it (`Wraps`, which the refold here runs): a status change into wrap-up begins a wrap-up
//! for the conversation the agent closed last (a close of theirs, after the conversation was
//! queued and answered) if there is one; a change out of wrap-up ends the open one and gives it
//! its time; a new one begun while one is open replaces it (no time). Which agent holds the
//! conversation later does not matter: the wrap-up stays with it.
//!
//! Whether a status change begins a wrap-up, and for which conversation, depends only on the log
//! before it; how a wrap-up ends depends only on the agent's status changes after it. So a fact
//! written late changes only the wrap-ups begun in a window it bounds, and the one open when the
//! window opens: a late status change, the wrap-up open at it and its own; a late queueing,
//! answer or close of a conversation, the wrap-ups its closers began from it until each closer's
//! next close of another conversation. Those are folded again from the agent's status changes in
//! the window (and the few after it that end them), never from the agent's whole history.

use std::collections::BTreeSet;

use kefu_core::{AgentStatusKind, Fact};
use kefu_insight::Wraps;

use crate::facts::decode;
use crate::routing_batch::id_list;
use crate::{Result, StoreError, Tx};

/// A fact's place in the fold's order: `(at, id)`.
pub(crate) type Place = (i64, i64);

/// The condition on close `f` (a `facts` row) that makes it count for wrap-up: its conversation
/// was queued, then answered, before it.
const COUNTED_CLOSE: &str = "f.kind = 'closed' AND EXISTS (SELECT 1 FROM facts a WHERE a.conversation_id = f.conversation_id
      AND a.kind = 'answered' AND (a.at < f.at OR (a.at = f.at AND a.id < f.id))
      AND EXISTS (SELECT 1 FROM facts q WHERE q.conversation_id = f.conversation_id AND q.kind = 'queued'
        AND (q.at < a.at OR (q.at = a.at AND q.id < a.id))))";

/// Status changes of an agent read per statement while folding wrap-ups again.
const PAGE: i64 = 64;

impl Tx {
    /// The conversation `agent` closed last before `place` (a close that counts), if any. The
    /// plain `at <= $2` lets the agent's closes be read backwards from `place` on the index
    /// (with only the `OR`, a rebuild scanned every close of the agent for each wrap-up).
    async fn closed_last(&mut self, agent: i64, place: Place) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT f.conversation_id FROM facts f WHERE f.agent_id = $1 AND f.at <= $2 AND (f.at < $2 OR f.id < $3) AND {COUNTED_CLOSE}
             ORDER BY f.at DESC, f.id DESC LIMIT 1"
        );
        on_tx!(self, |db| Ok(sqlx::query_scalar(&sql).bind(agent).bind(place.0).bind(place.1).fetch_optional(&mut *db).await?))
    }

    /// Fold a status change of `agent` at `place`, the latest of theirs, on top of the wrap-ups.
    pub(crate) async fn fold_wrap(&mut self, agent: i64, from: AgentStatusKind, to: AgentStatusKind, place: Place) -> Result<()> {
        let begins = if to == AgentStatusKind::WrapUp { self.closed_last(agent, place).await? } else { None };
        if from != AgentStatusKind::WrapUp && begins.is_none() {
            return Ok(());
        }
        on_tx!(self, |db| {
            let open: Option<(i64, i64)> =
                sqlx::query_as("SELECT conversation_id, started_at FROM report_wraps WHERE agent_id = $1 AND ended_at IS NULL")
                    .bind(agent)
                    .fetch_optional(&mut *db)
                    .await?;
            if let Some((conversation, since)) = open {
                let ends = from == AgentStatusKind::WrapUp;
                sqlx::query("UPDATE report_wraps SET ended_at = $1, replaced = $2 WHERE agent_id = $3 AND ended_at IS NULL")
                    .bind(place.0)
                    .bind(!ends)
                    .bind(agent)
                    .execute(&mut *db)
                    .await?;
                if ends {
                    sqlx::query("UPDATE report_contacts SET wrap_ms = wrap_ms + $1 WHERE conversation_id = $2")
                        .bind((place.0 - since).max(0))
                        .bind(conversation)
                        .execute(&mut *db)
                        .await?;
                }
            }
            if let Some(conversation) = begins {
                sqlx::query("INSERT INTO report_wraps (agent_id, started_at, conversation_id) VALUES ($1, $2, $3)")
                    .bind(agent)
                    .bind(place.0)
                    .bind(conversation)
                    .execute(&mut *db)
                    .await?;
            }
            Ok::<(), StoreError>(())
        })
    }

    /// After a late fact of `conversation` at `from` (its queueing, an answer or a close): fold
    /// again the wrap-ups of each agent who closed it since, begun from `from` until that agent's
    /// next close of another conversation (after it, the conversation closed last is that one,
    /// as before).
    pub(crate) async fn refold_wraps_of_closers(&mut self, conversation: i64, from: i64) -> Result<()> {
        let closers: Vec<(i64, i64)> = on_tx!(self, |db| {
            sqlx::query_as(
            "SELECT agent_id, MAX(at) FROM facts WHERE conversation_id = $1 AND kind = 'closed' AND agent_id IS NOT NULL GROUP BY agent_id"
        )
        .bind(conversation)
        .fetch_all(&mut *db)
        .await
        })?;
        let next_sql =
            format!("SELECT MIN(f.at) FROM facts f WHERE f.agent_id = $1 AND f.conversation_id <> $2 AND f.at > $3 AND {COUNTED_CLOSE}");
        for (agent, last_close) in closers {
            // Closes before the late fact count as they did.
            if last_close < from {
                continue;
            }
            let until: Option<i64> =
                on_tx!(self, |db| sqlx::query_scalar(&next_sql).bind(agent).bind(conversation).bind(last_close).fetch_one(&mut *db).await)?;
            self.refold_wraps(agent, from, until.unwrap_or(i64::MAX)).await?;
        }
        Ok(())
    }

    /// Fold again the wrap-ups of `agent` begun at `from <= started_at <= until`, and those begun
    /// before `from` that had not ended before it, from the agent's status changes (see the
    /// module's doc); then the wrap-up time of every conversation they were or are given to.
    pub(crate) async fn refold_wraps(&mut self, agent: i64, from: i64, until: i64) -> Result<()> {
        let earliest: Option<i64> = on_tx!(self, |db| sqlx::query_scalar(
            "SELECT MIN(started_at) FROM report_wraps WHERE agent_id = $1 AND started_at < $2 AND (ended_at IS NULL OR ended_at >= $2)"
        )
        .bind(agent)
        .bind(from)
        .fetch_one(&mut *db)
        .await)?;
        let from = earliest.map_or(from, |e| e.min(from));
        let mut wraps = Wraps::default();
        let mut after: Place = (from, i64::MIN);
        // The window's status changes, then the ones after it until its last wrap-up has ended.
        'pages: loop {
            let rows: Vec<(i64, i64, String)> = on_tx!(self, |db| sqlx::query_as(
                "SELECT id, at, data FROM facts WHERE kind = 'agent_status' AND agent_id = $1 AND at >= $2 AND (at > $2 OR id > $3)
                 ORDER BY at, id LIMIT $4"
            )
            .bind(agent)
            .bind(after.0)
            .bind(after.1)
            .bind(PAGE)
            .fetch_all(&mut *db)
            .await)?;
            let last_page = (rows.len() as i64) < PAGE;
            for (id, at, data) in rows {
                if at > until && !wraps.is_open(agent) {
                    break 'pages;
                }
                after = (at, id);
                let Fact::AgentStatus { from: was, to, .. } = decode(id, at, &data)?.fact else { continue };
                let begins = if to.status == AgentStatusKind::WrapUp { self.closed_last(agent, (at, id)).await? } else { None };
                wraps.status_changed(agent, at, was.status, begins, at <= until);
            }
            if last_page {
                break;
            }
        }
        on_tx!(self, |db| {
            let mut touched: BTreeSet<i64> = wraps.list.iter().map(|w| w.conversation).collect();
            let old: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT conversation_id FROM report_wraps WHERE agent_id = $1 AND started_at >= $2 AND started_at <= $3",
            )
            .bind(agent)
            .bind(from)
            .bind(until)
            .fetch_all(&mut *db)
            .await?;
            touched.extend(old);
            sqlx::query("DELETE FROM report_wraps WHERE agent_id = $1 AND started_at >= $2 AND started_at <= $3")
                .bind(agent)
                .bind(from)
                .bind(until)
                .execute(&mut *db)
                .await?;
            for w in &wraps.list {
                sqlx::query(
                    "INSERT INTO report_wraps (agent_id, started_at, conversation_id, ended_at, replaced) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(agent)
                .bind(w.started_at)
                .bind(w.conversation)
                .bind(w.ended_at)
                .bind(w.replaced)
                .execute(&mut *db)
                .await?;
            }
            if !touched.is_empty() {
                sqlx::query(&format!(
                    "UPDATE report_contacts SET wrap_ms = (SELECT CAST(COALESCE(SUM(CASE WHEN w.ended_at > w.started_at
                       THEN w.ended_at - w.started_at ELSE 0 END), 0) AS BIGINT) FROM report_wraps w
                       WHERE w.conversation_id = report_contacts.conversation_id AND w.ended_at IS NOT NULL AND w.replaced = FALSE)
                     WHERE conversation_id IN ({})",
                    id_list(touched)
                ))
                .execute(&mut *db)
                .await?;
            }
            Ok::<(), StoreError>(())
        })
    }
}
