//! The contact reasons report (咨询原因): conversations per tag over a range, with their trend,
//! CSAT and the customers' comments. Read from the store's contact reasons model, which follows
//! the tags conversations carry now (a tag is a label agents may correct after the
//! conversation), not from facts. Nothing here is on the routing path.

use kefu_insight::{Interval, ReasonCell, ReasonSpec, TaggedContact};

use crate::auth::Staff;
use crate::clock::rfc3339;
use crate::error::ApiResult;
use crate::reports::{asked, export, intervals, ReportParams};
use crate::state::AppState;
use crate::views::{ReasonCommentView, ReasonReport, ReasonView};

/// Comments shown per tag (the newest); the count says how many there are in all.
const COMMENTS_PER_TAG: usize = 50;

/// The contact reasons report the caller asked for (their groups, or those asked).
pub async fn reasons(state: &AppState, staff: &Staff, p: &ReportParams) -> ApiResult<ReasonReport> {
    let a = asked(state, staff, p).await?;
    let filter = kefu_store::ContactFilter {
        groups: a.groups.as_ref().map(|g| g.iter().copied().collect()),
        business_types: a.business_types.clone(),
        channels: a.channels.clone(),
    };
    // The read model's sums added up per tag and half hour (quarter hour for 15-minute rows, or
    // in a zone off the half hour); only each tag's newest comments come back one by one.
    let halves = a.interval != Interval::Min15 && Interval::Min30.start_of(a.from, state.org.time_zone().zone()) == a.from;
    let (sums, tagged) = state.store.reason_sums(a.from, a.to, if halves { 1_800_000 } else { 900_000 }, &filter).await?;
    let comments: Vec<TaggedContact> = state
        .store
        .reason_comments(a.from, a.to, COMMENTS_PER_TAG as i64, &filter)
        .await?
        .into_iter()
        .map(|r| TaggedContact {
            conversation: r.conversation_id,
            tag: r.tag_id,
            queued_at: r.queued_at,
            ended_at: r.ended_at,
            csat: r.csat.and_then(|s| u8::try_from(s).ok()),
            comment: r.csat_comment,
        })
        .collect();
    let cells: Vec<ReasonCell> = sums
        .into_iter()
        .map(|s| ReasonCell {
            tag: s.tag_id,
            at: s.slot,
            conversations: s.conversations.max(0) as u64,
            csat_count: s.csat_count.max(0) as u64,
            csat_sum: s.csat_sum.max(0) as u64,
            csat_good: s.csat_good.max(0) as u64,
            comments: s.comments.max(0) as u64,
        })
        .collect();
    let all = state.store.contact_count(a.from, a.to, &filter).await?;
    let spec = ReasonSpec {
        from: a.from,
        to: a.to,
        interval: a.interval,
        zone: state.org.time_zone().zone().clone(),
        comments_per_tag: COMMENTS_PER_TAG,
    };
    let report = kefu_insight::reason_report_of_sums(&cells, &comments, tagged.max(0) as u64, u64::try_from(all).unwrap_or(0), &spec);
    let tags: std::collections::HashMap<i64, kefu_store::TagRow> = state.store.tags(true).await?.into_iter().map(|t| (t.id, t)).collect();
    let reasons = report
        .reasons
        .into_iter()
        .map(|r| {
            let tag = tags.get(&r.tag);
            ReasonView {
                tag_id: r.tag,
                name: tag.map_or_else(|| format!("#{}", r.tag), |t| t.name.clone()),
                color: tag.map_or_else(|| "#909399".to_string(), |t| t.color.clone()),
                conversations: r.conversations,
                share: r.share,
                trend: r.trend,
                csat_count: r.csat_count,
                csat_average: r.csat_average,
                csat_good_share: r.csat_good_share,
                comment_count: r.comment_count,
                comments: r
                    .comments
                    .into_iter()
                    .map(|c| ReasonCommentView {
                        conversation_id: c.conversation,
                        score: c.score,
                        comment: c.comment,
                        at: c.at.map(rfc3339),
                    })
                    .collect(),
            }
        })
        .collect();
    Ok(ReasonReport {
        from: a.from_day.to_string(),
        to: a.to_day.to_string(),
        time_zone: state.org.time_zone().name().to_string(),
        interval: export::interval_word(a.interval).into(),
        intervals: intervals(&report.intervals),
        conversations: report.conversations,
        tagged: report.tagged,
        coverage: report.coverage,
        reasons,
    })
}
