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

    /// How many conversations queued at `from <= queued_at < to` under the filter.
    pub async fn contact_count(&self, from: i64, to: i64, filter: &ContactFilter) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM report_contacts r WHERE r.queued_at >= $1 AND r.queued_at < $2{}", filter.sql("r."));
        on_pool!(self, |pool| Ok(sqlx::query_scalar(&sql).bind(from).bind(to).fetch_one(pool).await?))
    }
}
