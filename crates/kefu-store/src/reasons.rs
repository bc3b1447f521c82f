//! Contact reasons' rows: each tag on a conversation that queued in a range, with the
//! conversation's CSAT score and comment, read from `conversation_tags` at report time (a tag is
//! a label an agent may correct later; the report counts what conversations carry now).
//! Reads only.

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

    /// The contact reasons report summed by the database: per tag and bucket of `step_ms` from
    /// `from` (conversations queued then), conversations, CSAT answers, their sum and those of 4
    /// or 5; and how many distinct conversations carry any tag.
    pub async fn reason_sums(&self, from: i64, to: i64, step_ms: i64, filter: &ContactFilter) -> Result<(Vec<ReasonSumRow>, i64)> {
        let step = step_ms.max(1);
        let where_ = format!(
            "FROM report_contacts r JOIN conversation_tags t ON t.conversation_id = r.conversation_id
             WHERE r.queued_at >= $1 AND r.queued_at < $2{}",
            filter.sql("r.")
        );
        let sums = format!(
            "SELECT t.tag_id, $1 + ((r.queued_at - $1) / $3) * $3, COUNT(*), COUNT(r.csat), CAST(COALESCE(SUM(r.csat), 0) AS BIGINT),
               CAST(SUM(CASE WHEN r.csat >= 4 THEN 1 ELSE 0 END) AS BIGINT)
             {where_} GROUP BY 1, 2"
        );
        let distinct = format!("SELECT COUNT(DISTINCT r.conversation_id) {where_}");
        on_pool!(self, |pool| {
            let rows: Vec<(i64, i64, i64, i64, i64, i64)> = sqlx::query_as(&sums).bind(from).bind(to).bind(step).fetch_all(pool).await?;
            let tagged: i64 = sqlx::query_scalar(&distinct).bind(from).bind(to).fetch_one(pool).await?;
            let rows = rows
                .into_iter()
                .map(|(tag_id, slot, conversations, csat_count, csat_sum, csat_good)| ReasonSumRow {
                    tag_id,
                    slot,
                    conversations,
                    csat_count,
                    csat_sum,
                    csat_good,
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
