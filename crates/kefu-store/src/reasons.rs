//! Contact reasons' reads: the report's sums and newest comments from its read model
//! (`reasons_model`: what the tags conversations carry now count for, summed per quarter hour),
//! and the same from the raw rows (`conversation_tags` joined with the conversation report's
//! model), which the model replaced and tests and the bench compare it with. Reads only.

use crate::contacts::contact_filter;
use crate::{Result, Store};

/// One tag on one conversation (see kefu-insight's `TaggedContact`).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
#[allow(missing_docs)]
pub struct TaggedContactRow {
    pub conversation_id: i64,
    pub tag_id: i64,
    pub queued_at: i64,
    pub ended_at: Option<i64>,
    pub csat: Option<i64>,
    pub csat_comment: Option<String>,
}

/// One tag's conversations that queued in one bucket of time, summed.
#[derive(Debug, Clone, PartialEq)]
#[allow(missing_docs)]
pub struct ReasonSumRow {
    pub tag_id: i64,
    /// The bucket's start (ms).
    pub slot: i64,
    pub conversations: i64,
    pub csat_count: i64,
    pub csat_sum: i64,
    pub csat_good: i64,
    /// Of them, with a comment that is not blank.
    pub comments: i64,
}

/// Which conversations a reasons report covers: None means all.
#[derive(Debug, Clone, Default)]
#[allow(missing_docs)]
pub struct ContactFilter {
    pub groups: Option<Vec<i64>>,
    pub business_types: Option<Vec<i64>>,
    pub channels: Option<Vec<String>>,
}

impl ContactFilter {
    fn sql(&self, prefix: &str) -> String {
        contact_filter(prefix, self.groups.as_deref(), self.business_types.as_deref(), self.channels.as_deref())
    }
}

impl Store {
    /// Tags on the conversations that queued at `from <= queued_at < to` under the filter.
    pub async fn tagged_contacts(&self, from: i64, to: i64, filter: &ContactFilter) -> Result<Vec<TaggedContactRow>> {
        let sql = format!(
            "SELECT r.conversation_id, t.tag_id, r.queued_at, r.ended_at, r.csat, c.csat_comment
             FROM report_contacts r
             JOIN conversation_tags t ON t.conversation_id = r.conversation_id
             JOIN conversations c ON c.id = r.conversation_id
             WHERE r.queued_at >= $1 AND r.queued_at < $2{}",
            filter.sql("r.")
        );
        on_pool!(self, |pool| Ok(sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await?))
    }

    /// The contact reasons report's sums from its read model: per tag and bucket of `step_ms`
    /// from `from` (conversations queued then; `from` and `to` on quarter hours), conversations,
    /// CSAT answers, their sum, those of 4 or 5 and comments; and how many distinct conversations
    /// carry any tag. Filtered by group only, from the sums per quarter hour; by business type or
    /// channel too, from the model's row per conversation and tag.
    pub async fn reason_sums(&self, from: i64, to: i64, step_ms: i64, filter: &ContactFilter) -> Result<(Vec<ReasonSumRow>, i64)> {
        let step = step_ms.max(1);
        let sql = if filter.business_types.is_none() && filter.channels.is_none() {
            format!(
                "SELECT tag_id, $1 + ((slot - $1) / $3) * $3, CAST(SUM(conversations) AS BIGINT), CAST(SUM(csat_count) AS BIGINT),
                   CAST(SUM(csat_sum) AS BIGINT), CAST(SUM(csat_good) AS BIGINT), CAST(SUM(comments) AS BIGINT)
                 FROM report_reasons WHERE slot >= $1 AND slot < $2{} GROUP BY 1, 2",
                contact_filter("", filter.groups.as_deref(), None, None)
            )
        } else {
            format!(
                "SELECT tag_id, $1 + ((queued_at - $1) / $3) * $3, COUNT(*), COUNT(csat), CAST(COALESCE(SUM(csat), 0) AS BIGINT),
                   CAST(SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(SUM(CASE WHEN commented THEN 1 ELSE 0 END) AS BIGINT)
                 FROM report_reason_tags WHERE queued_at >= $1 AND queued_at < $2{} GROUP BY 1, 2",
                filter.sql("")
            )
        };
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> =
                sqlx::query_as(&sql).bind(from).bind(to).bind(step).fetch_all(pool).await?;
            let mut tagged = 0;
            let mut out = Vec::with_capacity(rows.len());
            for (tag_id, slot, conversations, csat_count, csat_sum, csat_good, comments) in rows {
                if tag_id == crate::reasons_model::ANY_TAG {
                    tagged += conversations;
                } else {
                    out.push(ReasonSumRow { tag_id, slot, conversations, csat_count, csat_sum, csat_good, comments });
                }
            }
            Ok((out, tagged))
        })
    }

    /// Each tag's `per_tag` newest comments (by the conversation's end, an open one newest, then
    /// by id, as the report orders them) on conversations queued at `from <= queued_at < to`
    /// under the filter, from the read model.
    pub async fn reason_comments(&self, from: i64, to: i64, per_tag: i64, filter: &ContactFilter) -> Result<Vec<TaggedContactRow>> {
        let sql = format!(
            "SELECT x.conversation_id, x.tag_id, x.queued_at, x.ended_at, x.csat, c.csat_comment FROM (
               SELECT r.conversation_id, r.tag_id, r.queued_at, r.ended_at, r.csat, ROW_NUMBER() OVER (PARTITION BY r.tag_id
                 ORDER BY COALESCE(r.ended_at, 9223372036854775807) DESC, r.conversation_id DESC) AS n
               FROM report_reason_tags r WHERE r.commented = TRUE AND r.queued_at >= $1 AND r.queued_at < $2 AND r.tag_id <> {}{}) x
             JOIN conversations c ON c.id = x.conversation_id WHERE x.n <= $3",
            crate::reasons_model::ANY_TAG,
            filter.sql("r.")
        );
        on_pool!(self, |pool| Ok(sqlx::query_as(&sql).bind(from).bind(to).bind(per_tag).fetch_all(pool).await?))
    }

    /// [`Store::reason_sums`] summed by the database over the raw rows (tags joined with the
    /// conversation report's model) at read time, as before the read model: the bench times
    /// both, tests compare them. Comments are not counted here (0): the caller counts them in
    /// [`Store::tagged_comments`], which it reads whole.
    pub async fn reason_sums_of_rows(&self, from: i64, to: i64, step_ms: i64, filter: &ContactFilter) -> Result<(Vec<ReasonSumRow>, i64)> {
        let step = step_ms.max(1);
        let where_ = format!(
            "FROM report_contacts r JOIN conversation_tags t ON t.conversation_id = r.conversation_id
             WHERE r.queued_at >= $1 AND r.queued_at < $2{}",
            filter.sql("r.")
        );
        let sums = format!(
            "SELECT t.tag_id, $1 + ((r.queued_at - $1) / $3) * $3, COUNT(*), COUNT(r.csat), CAST(COALESCE(SUM(r.csat), 0) AS BIGINT),
               CAST(SUM(CASE WHEN r.csat >= 4 THEN 1 ELSE 0 END) AS BIGINT), CAST(0 AS BIGINT)
             {where_} GROUP BY 1, 2"
        );
        let distinct = format!("SELECT COUNT(DISTINCT r.conversation_id) {where_}");
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, i64, i64, i64, i64, i64)> =
                sqlx::query_as(&sums).bind(from).bind(to).bind(step).fetch_all(pool).await?;
            let tagged: i64 = sqlx::query_scalar(&distinct).bind(from).bind(to).fetch_one(pool).await?;
            let rows = rows
                .into_iter()
                .map(|(tag_id, slot, conversations, csat_count, csat_sum, csat_good, comments)| ReasonSumRow {
                    tag_id,
                    slot,
                    conversations,
                    csat_count,
                    csat_sum,
                    csat_good,
                    comments,
                })
                .collect();
            Ok((rows, tagged))
        })
    }

    /// [`Store::tagged_contacts`] of only the conversations with a CSAT comment (what the
    /// report lists besides its sums).
    pub async fn tagged_comments(&self, from: i64, to: i64, filter: &ContactFilter) -> Result<Vec<TaggedContactRow>> {
        let sql = format!(
            "SELECT r.conversation_id, t.tag_id, r.queued_at, r.ended_at, r.csat, c.csat_comment
             FROM report_contacts r
             JOIN conversation_tags t ON t.conversation_id = r.conversation_id
             JOIN conversations c ON c.id = r.conversation_id
             WHERE r.queued_at >= $1 AND r.queued_at < $2 AND c.csat_comment IS NOT NULL AND c.csat_comment <> ''{}",
            filter.sql("r.")
        );
        on_pool!(self, |pool| Ok(sqlx::query_as(&sql).bind(from).bind(to).fetch_all(pool).await?))
    }

    /// How many conversations queued at `from <= queued_at < to` under the filter.
    pub async fn contact_count(&self, from: i64, to: i64, filter: &ContactFilter) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM report_contacts r WHERE r.queued_at >= $1 AND r.queued_at < $2{}", filter.sql("r."));
        on_pool!(self, |pool| Ok(sqlx::query_scalar(&sql).bind(from).bind(to).fetch_one(pool).await?))
    }
}
