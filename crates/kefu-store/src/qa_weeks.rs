//! The weekly automatic QA sample's marker rows: a week's draw and its queue rows commit
//! together or not at all, and a week already drawn is never drawn again. Which conversations
//! are drawn is the core's business (`kefu_core::qa::draw_sample`).

use crate::{Result, Store};

impl Store {
    /// Record `week` as drawn and queue its samples (conversation, agent, reason), in one
    /// transaction. None when the week was drawn already (by this node or another): nothing
    /// is added. Some(added) otherwise; a conversation already queued keeps its reason.
    pub async fn draw_qa_week(&self, week: &str, percent: i64, samples: &[(i64, i64, &str)], now: i64) -> Result<Option<u64>> {
        let mut tx = self.begin().await?;
        let claimed = on_tx!(tx, |db| sqlx::query(
            "INSERT INTO qa_sample_weeks (week, percent, added, drawn_at) VALUES ($1, $2, 0, $3) ON CONFLICT DO NOTHING"
        )
        .bind(week)
        .bind(percent)
        .bind(now)
        .execute(&mut *db)
        .await?
        .rows_affected());
        if claimed == 0 {
            return Ok(None);
        }
        let added = tx.queue_qa_samples(samples, now).await?;
        on_tx!(tx, |db| sqlx::query("UPDATE qa_sample_weeks SET added = $1 WHERE week = $2")
            .bind(i64::try_from(added).unwrap_or(i64::MAX))
            .bind(week)
            .execute(&mut *db)
            .await?
            .rows_affected());
        tx.commit().await?;
        Ok(Some(added))
    }

    /// Whether `week` has been drawn.
    pub async fn qa_week_drawn(&self, week: &str) -> Result<bool> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM qa_sample_weeks WHERE week = $1")
            .bind(week)
            .fetch_one(pool)
            .await?
            > 0))
    }
}
