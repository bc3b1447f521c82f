//! Contact reasons (咨询原因): conversations counted per tag — how many, what share of the tagged
//! ones, the trend per interval, and the CSAT scores and comments of each tag's conversations,
//! newest first. The loop from the customer's words back to the business.
//!
//! A conversation counts under every tag it carries, in the interval in which it queued (as in
//! the conversation report). Shares are of the *tagged* conversations, so with several tags on
//! one conversation they add up to more than 100%; `coverage` says how many conversations were
//! tagged at all.

use std::collections::{BTreeMap, BTreeSet};

use jiff::tz::TimeZone;
use serde::Serialize;

use crate::interval::Interval;

/// One tag on one conversation, with what the report needs of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedContact {
    /// The conversation.
    pub conversation: i64,
    /// The tag.
    pub tag: i64,
    /// When the conversation queued (the interval it counts in).
    pub queued_at: i64,
    /// When it ended (closed or abandoned): the order of comments, newest first.
    pub ended_at: Option<i64>,
    /// The customer's CSAT score (1-5), if given.
    pub csat: Option<u8>,
    /// The customer's CSAT comment, if any.
    pub comment: Option<String>,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct ReasonSpec {
    /// Range start (ms, inclusive).
    pub from: i64,
    /// Range end (ms, exclusive).
    pub to: i64,
    /// Trend interval.
    pub interval: Interval,
    /// The organisation's time zone.
    pub zone: TimeZone,
    /// At most this many comments per tag (the newest).
    pub comments_per_tag: usize,
}

/// A customer's comment on a conversation with the tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonComment {
    /// The conversation (a link for the reader).
    pub conversation: i64,
    /// Its CSAT score.
    pub score: Option<u8>,
    /// The comment.
    pub comment: String,
    /// When the conversation ended (ms).
    pub at: Option<i64>,
}

/// One tag's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonFigures {
    /// The tag.
    pub tag: i64,
    /// Conversations carrying it.
    pub conversations: u64,
    /// conversations ÷ tagged conversations of the range.
    pub share: Option<f64>,
    /// Per interval of [`ReasonReport::intervals`], conversations carrying it.
    pub trend: Vec<u64>,
    /// CSAT answers of its conversations.
    pub csat_count: u64,
    /// Their average.
    pub csat_average: Option<f64>,
    /// Share of them that were 4 or 5.
    pub csat_good_share: Option<f64>,
    /// Comments in all (the list below may be cut).
    pub comment_count: u64,
    /// The newest comments.
    pub comments: Vec<ReasonComment>,
}

/// The contact reasons report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReasonReport {
    /// Interval starts and labels (the trend's axis).
    pub intervals: Vec<(i64, String)>,
    /// Conversations queued in the range (tagged or not), as the caller counted them.
    pub conversations: u64,
    /// Of those, carrying at least one tag.
    pub tagged: u64,
    /// tagged ÷ conversations.
    pub coverage: Option<f64>,
    /// Per tag, most conversations first (ties by tag id).
    pub reasons: Vec<ReasonFigures>,
}

fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[derive(Default)]
struct Sums {
    conversations: u64,
    trend: Vec<u64>,
    csat_count: u64,
    csat_sum: u64,
    csat_good: u64,
    /// Comments in all (the list may hold only the newest).
    comment_count: u64,
    comments: Vec<ReasonComment>,
}

/// Which interval of `cover` holds `at` (the first when before it).
fn index(cover: &[(i64, i64)], at: i64) -> usize {
    cover.partition_point(|&(start, _)| start <= at).saturating_sub(1)
}

/// Fold tagged contacts into the report. `conversations`: all conversations of the range under
/// the same filters (the coverage's denominator). Contacts outside `from..to` are left out; a
/// tag listed twice on one conversation counts once.
pub fn reason_report(tagged: &[TaggedContact], conversations: u64, spec: &ReasonSpec) -> ReasonReport {
    let cover = spec.interval.cover(spec.from, spec.to, &spec.zone);
    let mut per_tag: BTreeMap<i64, Sums> = BTreeMap::new();
    let mut seen: BTreeSet<(i64, i64)> = BTreeSet::new();
    let mut any: BTreeSet<i64> = BTreeSet::new();
    for t in tagged {
        if t.queued_at < spec.from || t.queued_at >= spec.to {
            continue;
        }
        if !seen.insert((t.tag, t.conversation)) {
            continue;
        }
        let sums = per_tag.entry(t.tag).or_insert_with(|| Sums { trend: vec![0; cover.len()], ..Sums::default() });
        sums.conversations += 1;
        any.insert(t.conversation);
        if let Some(n) = sums.trend.get_mut(index(&cover, t.queued_at)) {
            *n += 1;
        }
        if let Some(score) = t.csat {
            sums.csat_count += 1;
            sums.csat_sum += u64::from(score);
            sums.csat_good += u64::from(score >= 4);
        }
        sums.comment_count += u64::from(comment(sums, t));
    }
    finish(per_tag, any.len() as u64, conversations, &cover, spec)
}

/// What a database summed of one tag's conversations that queued in one bucket of time (a
/// bucket lies inside one interval of the report: a quarter or half hour from its start).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReasonCell {
    /// The tag.
    pub tag: i64,
    /// The bucket's start (ms).
    pub at: i64,
    /// Conversations carrying the tag.
    pub conversations: u64,
    /// Of them, with a CSAT score; their sum; those scoring 4 or 5.
    pub csat_count: u64,
    #[allow(missing_docs)]
    pub csat_sum: u64,
    #[allow(missing_docs)]
    pub csat_good: u64,
    /// Of them, with a comment that is not blank.
    pub comments: u64,
}

/// [`reason_report`] of sums a database made per tag and bucket (comments counted there), the
/// tags on conversations with a comment (`comments`: all of them, or at least each tag's
/// `comments_per_tag` newest; the others are not needed), and the count of distinct tagged
/// conversations (`tagged`).
pub fn reason_report_of_sums(
    cells: &[ReasonCell],
    comments: &[TaggedContact],
    tagged: u64,
    conversations: u64,
    spec: &ReasonSpec,
) -> ReasonReport {
    let cover = spec.interval.cover(spec.from, spec.to, &spec.zone);
    let mut per_tag: BTreeMap<i64, Sums> = BTreeMap::new();
    for c in cells {
        if c.at < spec.from || c.at >= spec.to || c.conversations == 0 {
            continue;
        }
        let sums = per_tag.entry(c.tag).or_insert_with(|| Sums { trend: vec![0; cover.len()], ..Sums::default() });
        sums.conversations += c.conversations;
        if let Some(n) = sums.trend.get_mut(index(&cover, c.at)) {
            *n += c.conversations;
        }
        sums.csat_count += c.csat_count;
        sums.csat_sum += c.csat_sum;
        sums.csat_good += c.csat_good;
        sums.comment_count += c.comments;
    }
    for t in comments {
        if t.queued_at < spec.from || t.queued_at >= spec.to {
            continue;
        }
        if let Some(sums) = per_tag.get_mut(&t.tag) {
            comment(sums, t);
        }
    }
    finish(per_tag, tagged, conversations, &cover, spec)
}

/// List `t`'s comment under the tag, if it has one that is not blank (true then).
fn comment(sums: &mut Sums, t: &TaggedContact) -> bool {
    let Some(comment) = t.comment.as_deref().map(str::trim).filter(|c| !c.is_empty()) else { return false };
    sums.comments.push(ReasonComment { conversation: t.conversation, score: t.csat, comment: comment.to_string(), at: t.ended_at });
    true
}

fn finish(per_tag: BTreeMap<i64, Sums>, tagged_count: u64, conversations: u64, cover: &[(i64, i64)], spec: &ReasonSpec) -> ReasonReport {
    let mut reasons: Vec<ReasonFigures> = per_tag
        .into_iter()
        .map(|(tag, mut s)| {
            // Newest first; a conversation without an end (still open) is the newest of all.
            s.comments.sort_by(|a, b| b.at.unwrap_or(i64::MAX).cmp(&a.at.unwrap_or(i64::MAX)).then(b.conversation.cmp(&a.conversation)));
            let comment_count = s.comment_count;
            s.comments.truncate(spec.comments_per_tag);
            let n = s.conversations;
            ReasonFigures {
                tag,
                conversations: n,
                share: ratio(n, tagged_count),
                trend: s.trend,
                csat_count: s.csat_count,
                csat_average: (s.csat_count > 0).then(|| s.csat_sum as f64 / s.csat_count as f64),
                csat_good_share: ratio(s.csat_good, s.csat_count),
                comment_count,
                comments: s.comments,
            }
        })
        .collect();
    reasons.sort_by(|a, b| b.conversations.cmp(&a.conversations).then(a.tag.cmp(&b.tag)));
    let label = |start: i64| spec.interval.label(start, &spec.zone);
    ReasonReport {
        intervals: cover.iter().map(|&(s, _)| (s, label(s))).collect(),
        // The caller's count may lag the tagged rows by a write; never report coverage above 1.
        conversations: conversations.max(tagged_count),
        tagged: tagged_count,
        coverage: ratio(tagged_count, conversations.max(tagged_count)),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const DAY: i64 = 24 * H;
    // 2026-12-01 00:00 in Shanghai.
    const START: i64 = 1_796_054_400_000;

    fn spec(days: i64) -> ReasonSpec {
        ReasonSpec {
            from: START,
            to: START + days * DAY,
            interval: Interval::Day,
            zone: TimeZone::get("Asia/Shanghai").unwrap(),
            comments_per_tag: 2,
        }
    }

    fn t(conversation: i64, tag: i64, queued_at: i64, csat: Option<u8>, comment: Option<&str>) -> TaggedContact {
        TaggedContact { conversation, tag, queued_at, ended_at: Some(queued_at + H), csat, comment: comment.map(str::to_string) }
    }

    #[test]
    fn tags_are_ranked_with_shares_of_the_tagged_and_coverage_of_all() {
        let rows = [
            t(1, 10, START + H, Some(5), None),
            t(2, 10, START + 2 * H, Some(2), Some("太慢了")),
            t(2, 20, START + 2 * H, Some(2), Some("太慢了")),
            t(3, 20, START + DAY + H, None, None),
            t(4, 20, START + DAY + 2 * H, Some(4), Some("  ")),
        ];
        let r = reason_report(&rows, 8, &spec(2));
        assert_eq!((r.conversations, r.tagged, r.coverage), (8, 4, Some(0.5)));
        assert_eq!(r.intervals.len(), 2);
        assert_eq!(r.intervals[0].1, "2026-12-01");
        let top = &r.reasons[0];
        assert_eq!((top.tag, top.conversations, top.share), (20, 3, Some(0.75)));
        assert_eq!(top.trend, vec![1, 2]);
        assert_eq!((top.csat_count, top.csat_average, top.csat_good_share), (2, Some(3.0), Some(0.5)));
        assert_eq!(top.comment_count, 1, "a blank comment is no comment");
        let second = &r.reasons[1];
        assert_eq!((second.tag, second.conversations, second.share), (10, 2, Some(0.5)));
        assert_eq!(second.trend, vec![2, 0]);
        assert_eq!(second.csat_average, Some(3.5));
        // A conversation with two tags counts under both: shares add up to more than 1.
        assert!(r.reasons.iter().filter_map(|x| x.share).sum::<f64>() > 1.0);
    }

    #[test]
    fn comments_come_newest_first_and_are_cut_to_the_limit() {
        let rows = [
            t(1, 10, START + H, Some(1), Some("old")),
            t(2, 10, START + 3 * H, Some(5), Some("newest")),
            t(3, 10, START + 2 * H, Some(3), Some("middle")),
        ];
        let r = reason_report(&rows, 3, &spec(1));
        let c = &r.reasons[0];
        assert_eq!(c.comment_count, 3);
        let texts: Vec<&str> = c.comments.iter().map(|x| x.comment.as_str()).collect();
        assert_eq!(texts, ["newest", "middle"]);
        assert_eq!(c.comments[0].conversation, 2);
        assert_eq!(c.comments[0].score, Some(5));
    }

    #[test]
    fn outside_the_range_and_repeated_rows_do_not_count() {
        let rows = [t(1, 10, START - 1, None, None), t(2, 10, START + H, None, None), t(2, 10, START + H, None, None)];
        let r = reason_report(&rows, 0, &spec(1));
        assert_eq!(r.reasons[0].conversations, 1);
        assert_eq!((r.conversations, r.tagged, r.coverage), (1, 1, Some(1.0)), "coverage never above 1");
        let empty = reason_report(&[], 0, &spec(1));
        assert_eq!((empty.coverage, empty.reasons.len()), (None, 0));
    }

    #[test]
    fn trend_days_add_up_to_the_tags_total() {
        let rows: Vec<TaggedContact> = (0..50).map(|i| t(i, 10 + i % 3, START + i * 7 * H, None, None)).collect();
        let r = reason_report(&rows, 50, &spec(30));
        for reason in &r.reasons {
            assert_eq!(reason.trend.iter().sum::<u64>(), reason.conversations);
        }
        assert_eq!(r.reasons.iter().map(|x| x.conversations).sum::<u64>(), 50);
    }

    /// What a database sums per tag and half hour, folded with the commented rows, is the
    /// report of the rows themselves.
    #[test]
    fn the_report_of_sums_is_the_report_of_the_rows() {
        let mut rows = vec![];
        for i in 0..400i64 {
            let queued = START - H + (i * 7_919_000) % (4 * DAY);
            let comment = match i % 5 {
                0 => Some("  slow answer "),
                1 => Some("   "),
                2 => Some("好"),
                _ => None,
            };
            let csat = (i % 3 != 0).then_some((i % 5 + 1) as u8);
            rows.push(t(i / 2 + 1, i % 7 + 1, queued, csat, comment));
            if i % 11 == 0 {
                rows.push(t(i / 2 + 1, i % 7 + 1, queued, csat, comment));
            }
        }
        let s = ReasonSpec { comments_per_tag: 5, ..spec(3) };
        let mut seen = BTreeSet::new();
        let mut cells: BTreeMap<(i64, i64), ReasonCell> = BTreeMap::new();
        let mut tagged = BTreeSet::new();
        for r in &rows {
            if r.queued_at < s.from || r.queued_at >= s.to || !seen.insert((r.tag, r.conversation)) {
                continue;
            }
            tagged.insert(r.conversation);
            let at = s.from + (r.queued_at - s.from) / 1_800_000 * 1_800_000;
            let c = cells.entry((r.tag, at)).or_insert(ReasonCell { tag: r.tag, at, ..ReasonCell::default() });
            c.conversations += 1;
            if let Some(score) = r.csat {
                c.csat_count += 1;
                c.csat_sum += u64::from(score);
                c.csat_good += u64::from(score >= 4);
            }
            c.comments += u64::from(r.comment.as_deref().is_some_and(|t| !t.trim().is_empty()));
        }
        let cells: Vec<ReasonCell> = cells.into_values().collect();
        // A tag is on a conversation once in the database.
        let mut once = BTreeSet::new();
        let commented: Vec<TaggedContact> =
            rows.iter().filter(|r| r.comment.is_some() && once.insert((r.tag, r.conversation))).cloned().collect();
        let whole = reason_report(&rows, 500, &s);
        assert!(whole.reasons.iter().any(|r| r.comment_count > 5), "comments are cut");
        assert_eq!(reason_report_of_sums(&cells, &commented, tagged.len() as u64, 500, &s), whole);
        // Given only each tag's newest comments (what the store lists), the report is the same.
        let newest: Vec<TaggedContact> = whole
            .reasons
            .iter()
            .flat_map(|r| {
                let tag = r.tag;
                let kept: BTreeSet<i64> = r.comments.iter().map(|c| c.conversation).collect();
                commented.iter().filter(move |t| t.tag == tag && kept.contains(&t.conversation)).cloned()
            })
            .collect();
        assert!(newest.len() < commented.len());
        assert_eq!(reason_report_of_sums(&cells, &newest, tagged.len() as u64, 500, &s), whole);
    }
}
