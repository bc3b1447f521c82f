//! Quality inspection (质检) rows: rules, reviewers, automatic results and hits, scoring forms,
//! the sampled work queue, reviews and appeals. What a score means and who may see it is the
//! server's and the core's business; this module only stores and sums.

use crate::{conflict, touched, Result, Store, StoreError, Tx};

/// An automatic rule.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaRuleRow {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// `kefu_core::qa::Check` as JSON.
    pub definition: String,
    /// Points per hit.
    pub weight: i64,
    /// Any hit flags the conversation.
    pub heavy: bool,
    /// Checked on closed conversations.
    pub enabled: bool,
}

/// Fields of a rule to write.
#[derive(Debug, Clone)]
pub struct QaRuleFields<'a> {
    /// Unique name.
    pub name: &'a str,
    /// The check as JSON.
    pub definition: &'a str,
    /// Points per hit.
    pub weight: i64,
    /// Flags on any hit.
    pub heavy: bool,
    /// Active.
    pub enabled: bool,
}

/// The automatic result of a conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaResultRow {
    /// Conversation.
    pub conversation_id: i64,
    /// The agent who served it (last).
    pub agent_id: i64,
    /// 0-100.
    pub score: i64,
    /// A heavy rule hit (the conversation goes to the work queue whatever its score).
    pub heavy_hit: bool,
    /// When the conversation closed.
    pub closed_at: i64,
    /// When it was scored.
    pub scored_at: i64,
}

/// A hit of a result.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaHitRow {
    /// Rule id (the rule may be gone).
    pub rule_id: i64,
    /// Its name when scored.
    pub rule_name: String,
    /// Its weight when scored.
    pub weight: i64,
    /// The transcript line.
    pub message_id: Option<i64>,
    /// What was found.
    pub detail: String,
}

/// A scoring form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaFormRow {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// JSON array of items.
    pub items: String,
    /// Offered to reviewers.
    pub enabled: bool,
}

/// A queued sample with what the queue shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaSampleRow {
    /// Conversation.
    pub conversation_id: i64,
    /// Its agent.
    pub agent_id: i64,
    /// random | flagged.
    pub reason: String,
    /// Automatic score.
    pub score: i64,
    /// When it closed.
    pub closed_at: i64,
}

/// A review.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaReviewRow {
    /// Id.
    pub id: i64,
    /// Conversation.
    pub conversation_id: i64,
    /// The reviewed agent.
    pub agent_id: i64,
    /// Who reviewed.
    pub reviewer_id: i64,
    /// The form used.
    pub form_id: i64,
    /// Its name then.
    pub form_name: String,
    /// JSON: the scored items.
    pub items: String,
    /// JSON: comments on transcript lines.
    pub line_comments: String,
    /// Overall comment.
    pub comment: Option<String>,
    /// 0-100 as reviewed.
    pub score: i64,
    /// A fatal item failed (score 0).
    pub fatal: bool,
    /// When.
    pub created_at: i64,
}

/// A review with its conversation's skill group: what the appeals list needs of each appeal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaReviewInGroup {
    /// The review.
    #[sqlx(flatten)]
    pub review: QaReviewRow,
    /// Its conversation's skill group.
    pub group_id: i64,
}

/// An appeal.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaAppealRow {
    /// Id.
    pub id: i64,
    /// The review appealed.
    pub review_id: i64,
    /// The appealing agent.
    pub agent_id: i64,
    /// Why.
    pub reason: String,
    /// open | upheld | rejected.
    pub status: String,
    /// The supervisor who decided.
    pub decided_by: Option<i64>,
    /// Their note.
    pub note: Option<String>,
    /// The score after an upheld appeal.
    pub new_score: Option<i64>,
    /// Filed.
    pub created_at: i64,
    /// Decided.
    pub decided_at: Option<i64>,
}

/// One agent's line of the QA report.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaAgentTotals {
    /// Agent.
    pub agent_id: i64,
    /// Conversations scored automatically.
    pub scored: i64,
    /// Sum of their automatic scores.
    pub auto_sum: i64,
    /// Conversations with a heavy rule hit.
    pub heavy_hit: i64,
    /// Reviews.
    pub reviewed: i64,
    /// Sum of the reviews' final scores (after appeals).
    pub review_sum: i64,
}

/// One rule's hits on one agent's conversations: the QA report sums the agents its reader
/// oversees (a conversation has one agent, so the conversations add up exactly).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QaRuleTotals {
    /// Rule id.
    pub rule_id: i64,
    /// The agent whose conversations were hit.
    pub agent_id: i64,
    /// Its latest name.
    pub rule_name: String,
    /// Hits.
    pub hits: i64,
    /// Conversations with at least one.
    pub conversations: i64,
}

const RULE: &str = "id, name, definition, weight, heavy, enabled";

impl Store {
    /// Every rule (or the enabled ones), by id.
    pub async fn qa_rules(&self, only_enabled: bool) -> Result<Vec<QaRuleRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {RULE} FROM qa_rules WHERE ($1 = FALSE OR enabled = TRUE) ORDER BY id"))
                .bind(only_enabled)
                .fetch_all(pool)
                .await?)
        })
    }

    /// One rule.
    pub async fn qa_rule(&self, id: i64) -> Result<QaRuleRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {RULE} FROM qa_rules WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Add a rule; a taken name is a `Conflict`.
    pub async fn create_qa_rule(&self, r: &QaRuleFields<'_>, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO qa_rules (name, definition, weight, heavy, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(r.name)
            .bind(r.definition)
            .bind(r.weight)
            .bind(r.heavy)
            .bind(r.enabled)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// Replace a rule's fields.
    pub async fn update_qa_rule(&self, id: i64, r: &QaRuleFields<'_>, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE qa_rules SET name = $1, definition = $2, weight = $3, heavy = $4, enabled = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(r.name)
            .bind(r.definition)
            .bind(r.weight)
            .bind(r.heavy)
            .bind(r.enabled)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(conflict)?;
            touched(done.rows_affected())
        })
    }

    /// Remove a rule (past hits keep its name).
    pub async fn delete_qa_rule(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("DELETE FROM qa_rules WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())
        })
    }

    /// Reviewers' user ids.
    pub async fn qa_reviewers(&self) -> Result<Vec<i64>> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT user_id FROM qa_reviewers ORDER BY user_id").fetch_all(pool).await?))
    }

    /// Whether a user holds the reviewer permission.
    pub async fn is_qa_reviewer(&self, user: i64) -> Result<bool> {
        on_pool!(self, |pool| {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM qa_reviewers WHERE user_id = $1").bind(user).fetch_one(pool).await?;
            Ok(n > 0)
        })
    }

    /// Grant (true) or withdraw the reviewer permission; idempotent.
    pub async fn set_qa_reviewer(&self, user: i64, reviewer: bool, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            let sql = if reviewer {
                "INSERT INTO qa_reviewers (user_id, added_at) VALUES ($1, $2) ON CONFLICT DO NOTHING"
            } else {
                "DELETE FROM qa_reviewers WHERE user_id = $1 AND $2 = $2"
            };
            sqlx::query(sql).bind(user).bind(now).execute(&mut *conn).await?;
            Ok(())
        })
    }

    /// Store (or replace) a conversation's automatic result with its hits:
    /// (rule id, rule name, weight, message, detail). Two scorings of one conversation may
    /// finish together (after its close and after its survey answer): the result row is written
    /// first, so on PostgreSQL the second waits on that row until the first commits and then
    /// replaces its hits, instead of both clearing none and adding theirs.
    pub async fn save_qa_result(&self, r: &QaResultRow, hits: &[(i64, String, i64, Option<i64>, String)]) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query(
                "INSERT INTO qa_results (conversation_id, agent_id, score, heavy_hit, closed_at, scored_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (conversation_id) DO UPDATE SET agent_id = excluded.agent_id, score = excluded.score,
                 heavy_hit = excluded.heavy_hit, closed_at = excluded.closed_at, scored_at = excluded.scored_at",
            )
            .bind(r.conversation_id)
            .bind(r.agent_id)
            .bind(r.score)
            .bind(r.heavy_hit)
            .bind(r.closed_at)
            .bind(r.scored_at)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM qa_hits WHERE conversation_id = $1").bind(r.conversation_id).execute(&mut *conn).await?;
            for (rule, name, weight, message, detail) in hits {
                sqlx::query(
                    "INSERT INTO qa_hits (conversation_id, rule_id, rule_name, weight, message_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(r.conversation_id)
                .bind(rule)
                .bind(name)
                .bind(weight)
                .bind(message)
                .bind(detail)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }

    /// Closed conversations an agent served that have no automatic result (their scoring, a task
    /// after the close, was lost to a crash or failed), by id after `after`, at most `limit`.
    pub async fn conversations_awaiting_qa(&self, after: i64, limit: i64) -> Result<Vec<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT c.id FROM conversations c
                 WHERE c.id > $1 AND c.status = 'closed' AND c.agent_id IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM qa_results r WHERE r.conversation_id = c.id)
                 ORDER BY c.id LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// A conversation's automatic result and hits, if scored.
    pub async fn qa_result(&self, conversation: i64) -> Result<Option<(QaResultRow, Vec<QaHitRow>)>> {
        on_pool!(self, |pool| {
            let row: Option<QaResultRow> = sqlx::query_as(
                "SELECT conversation_id, agent_id, score, heavy_hit, closed_at, scored_at FROM qa_results WHERE conversation_id = $1",
            )
            .bind(conversation)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let hits =
                sqlx::query_as("SELECT rule_id, rule_name, weight, message_id, detail FROM qa_hits WHERE conversation_id = $1 ORDER BY id")
                    .bind(conversation)
                    .fetch_all(pool)
                    .await?;
            Ok(Some((row, hits)))
        })
    }

    /// An agent's automatic results, newest first.
    pub async fn qa_results_of(&self, agent: i64, limit: i64) -> Result<Vec<QaResultRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT conversation_id, agent_id, score, heavy_hit, closed_at, scored_at FROM qa_results WHERE agent_id = $1 ORDER BY closed_at DESC LIMIT $2",
            )
            .bind(agent)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many hits each of an agent's scored conversations has (conversations without hits
    /// are absent).
    pub async fn qa_hit_counts_of(&self, agent: i64) -> Result<Vec<(i64, i64)>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT h.conversation_id, COUNT(*) FROM qa_hits h JOIN qa_results r ON r.conversation_id = h.conversation_id
                 WHERE r.agent_id = $1 GROUP BY h.conversation_id",
            )
            .bind(agent)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Results of conversations closed in [from, to), for sampling.
    pub async fn qa_results_between(&self, from: i64, to: i64) -> Result<Vec<QaResultRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT conversation_id, agent_id, score, heavy_hit, closed_at, scored_at FROM qa_results WHERE closed_at >= $1 AND closed_at < $2 ORDER BY conversation_id",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Put conversations in the work queue; one already there keeps its reason. Answers how
    /// many were added.
    pub async fn add_qa_samples(&self, samples: &[(i64, i64, &str)], now: i64) -> Result<u64> {
        let mut tx = self.begin().await?;
        let added = tx.queue_qa_samples(samples, now).await?;
        tx.commit().await?;
        Ok(added)
    }

    /// The work queue: samples not reviewed yet, flagged first, then oldest.
    pub async fn qa_queue(&self, limit: i64) -> Result<Vec<QaSampleRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT s.conversation_id, s.agent_id, s.reason, r.score, r.closed_at FROM qa_samples s
                 JOIN qa_results r ON r.conversation_id = s.conversation_id
                 LEFT JOIN qa_reviews v ON v.conversation_id = s.conversation_id
                 WHERE v.id IS NULL ORDER BY CASE WHEN s.reason = 'flagged' THEN 0 ELSE 1 END, r.closed_at, s.conversation_id LIMIT $1",
            )
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}

impl Tx {
    /// Queue samples (conversation, agent, reason) inside the caller's transaction: the one
    /// insert both the reviewer's "add" and the weekly draw use. A conversation already queued
    /// keeps its reason; answers how many were added.
    pub(crate) async fn queue_qa_samples(&mut self, samples: &[(i64, i64, &str)], now: i64) -> Result<u64> {
        let mut added = 0;
        for (conversation, agent, reason) in samples {
            added += on_tx!(self, |db| sqlx::query(
                "INSERT INTO qa_samples (conversation_id, agent_id, reason, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(conversation)
            .bind(agent)
            .bind(reason)
            .bind(now)
            .execute(&mut *db)
            .await?
            .rows_affected());
        }
        Ok(added)
    }
}
