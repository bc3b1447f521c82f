//! Quality inspection by people: scoring forms, reviews, appeals (申诉) and the QA report's sums.

use crate::{
    conflict, touched, QaAgentTotals, QaAppealRow, QaFormRow, QaReviewInGroup, QaReviewRow, QaRuleTotals, Result, Store, StoreError,
};

const REVIEW: &str =
    "id, conversation_id, agent_id, reviewer_id, form_id, form_name, items, line_comments, comment, score, fatal, created_at";
const APPEAL: &str = "id, review_id, agent_id, reason, status, decided_by, note, new_score, created_at, decided_at";

/// A review to store.
#[derive(Debug, Clone)]
pub struct NewQaReview<'a> {
    /// Conversation.
    pub conversation_id: i64,
    /// The reviewed agent.
    pub agent_id: i64,
    /// The reviewer.
    pub reviewer_id: i64,
    /// Form id and name.
    pub form: (i64, &'a str),
    /// JSON of the scored items.
    pub items: &'a str,
    /// JSON of line comments.
    pub line_comments: &'a str,
    /// Overall comment.
    pub comment: Option<&'a str>,
    /// 0-100.
    pub score: i64,
    /// A fatal item failed.
    pub fatal: bool,
}

impl Store {
    /// Every form (or the enabled ones), by name.
    pub async fn qa_forms(&self, only_enabled: bool) -> Result<Vec<QaFormRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, name, items, enabled FROM qa_forms WHERE ($1 = FALSE OR enabled = TRUE) ORDER BY name, id")
                .bind(only_enabled)
                .fetch_all(pool)
                .await?)
        })
    }

    /// One form.
    pub async fn qa_form(&self, id: i64) -> Result<QaFormRow> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, items, enabled FROM qa_forms WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Add (`id` None) or replace a form; a taken name is a `Conflict`.
    pub async fn save_qa_form(&self, id: Option<i64>, name: &str, items: &str, enabled: bool, now: i64) -> Result<i64> {
        in_write!(self, |conn| match id {
            None => sqlx::query_scalar(
                "INSERT INTO qa_forms (name, items, enabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
            )
            .bind(name)
            .bind(items)
            .bind(enabled)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict),
            Some(id) => {
                let done = sqlx::query("UPDATE qa_forms SET name = $1, items = $2, enabled = $3, updated_at = $4 WHERE id = $5")
                    .bind(name)
                    .bind(items)
                    .bind(enabled)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await
                    .map_err(conflict)?;
                touched(done.rows_affected())?;
                Ok(id)
            }
        })
    }

    /// Store a review; a conversation already reviewed is a `Conflict`.
    pub async fn create_qa_review(&self, r: &NewQaReview<'_>, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO qa_reviews (conversation_id, agent_id, reviewer_id, form_id, form_name, items, line_comments, comment, score, fatal, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(r.conversation_id)
            .bind(r.agent_id)
            .bind(r.reviewer_id)
            .bind(r.form.0)
            .bind(r.form.1)
            .bind(r.items)
            .bind(r.line_comments)
            .bind(r.comment)
            .bind(r.score)
            .bind(r.fatal)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// A review by id.
    pub async fn qa_review(&self, id: i64) -> Result<QaReviewRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {REVIEW} FROM qa_reviews WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The review of a conversation, if any.
    pub async fn qa_review_of(&self, conversation: i64) -> Result<Option<QaReviewRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {REVIEW} FROM qa_reviews WHERE conversation_id = $1"))
                .bind(conversation)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// An agent's reviews, newest first.
    pub async fn qa_reviews_of_agent(&self, agent: i64, limit: i64) -> Result<Vec<QaReviewRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {REVIEW} FROM qa_reviews WHERE agent_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"))
                .bind(agent)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    /// File an appeal; a second one on the same review is a `Conflict`.
    pub async fn create_qa_appeal(&self, review: i64, agent: i64, reason: &str, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO qa_appeals (review_id, agent_id, reason, status, created_at) VALUES ($1, $2, $3, 'open', $4) RETURNING id",
            )
            .bind(review)
            .bind(agent)
            .bind(reason)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// An appeal by id.
    pub async fn qa_appeal(&self, id: i64) -> Result<QaAppealRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {APPEAL} FROM qa_appeals WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// The appeal of a review, if any.
    pub async fn qa_appeal_of(&self, review: i64) -> Result<Option<QaAppealRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {APPEAL} FROM qa_appeals WHERE review_id = $1")).bind(review).fetch_optional(pool).await?)
        })
    }

    /// Appeals in a status (or all), oldest first.
    pub async fn qa_appeals(&self, status: Option<&str>, limit: i64) -> Result<Vec<QaAppealRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {APPEAL} FROM qa_appeals WHERE ($1 IS NULL OR status = $1) ORDER BY created_at, id LIMIT $2"
            ))
            .bind(status)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The reviews of the appeals [`Store::qa_appeals`] lists with the same arguments, with their
    /// conversations' groups, in one read (the list needs both for every appeal).
    pub async fn qa_appealed_reviews(&self, status: Option<&str>, limit: i64) -> Result<Vec<QaReviewInGroup>> {
        let columns: Vec<String> = REVIEW.split(", ").map(|c| format!("r.{c}")).collect();
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {}, c.group_id FROM qa_appeals a
                 JOIN qa_reviews r ON r.id = a.review_id JOIN conversations c ON c.id = r.conversation_id
                 WHERE ($1 IS NULL OR a.status = $1) ORDER BY a.created_at, a.id LIMIT $2",
                columns.join(", ")
            ))
            .bind(status)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Decide an open appeal; false if it was already decided.
    pub async fn decide_qa_appeal(
        &self,
        id: i64,
        status: &str,
        by: i64,
        note: Option<&str>,
        new_score: Option<i64>,
        now: i64,
    ) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE qa_appeals SET status = $1, decided_by = $2, note = $3, new_score = $4, decided_at = $5 WHERE id = $6 AND status = 'open'",
            )
            .bind(status)
            .bind(by)
            .bind(note)
            .bind(new_score)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Per agent, over conversations closed in [from, to): automatic scores and flags, and the
    /// reviews of those conversations with their final scores (an upheld appeal's new score).
    pub async fn qa_agent_totals(&self, from: i64, to: i64) -> Result<Vec<QaAgentTotals>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT r.agent_id, COUNT(*) AS scored, CAST(SUM(r.score) AS BIGINT) AS auto_sum,
                        CAST(SUM(CASE WHEN r.heavy_hit THEN 1 ELSE 0 END) AS BIGINT) AS heavy_hit,
                        COUNT(v.id) AS reviewed,
                        CAST(COALESCE(SUM(CASE WHEN v.id IS NULL THEN 0 ELSE COALESCE(a.new_score, v.score) END), 0) AS BIGINT) AS review_sum
                 FROM qa_results r
                 LEFT JOIN qa_reviews v ON v.conversation_id = r.conversation_id
                 LEFT JOIN qa_appeals a ON a.review_id = v.id AND a.status = 'upheld'
                 WHERE r.closed_at >= $1 AND r.closed_at < $2
                 GROUP BY r.agent_id ORDER BY r.agent_id",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Per rule and agent, over conversations closed in [from, to): hits and conversations hit.
    pub async fn qa_rule_totals(&self, from: i64, to: i64) -> Result<Vec<QaRuleTotals>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT h.rule_id, r.agent_id, MAX(h.rule_name) AS rule_name, COUNT(*) AS hits,
                        COUNT(DISTINCT h.conversation_id) AS conversations
                 FROM qa_hits h JOIN qa_results r ON r.conversation_id = h.conversation_id
                 WHERE r.closed_at >= $1 AND r.closed_at < $2
                 GROUP BY h.rule_id, r.agent_id ORDER BY h.rule_id, r.agent_id",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?)
        })
    }
}
