//! The weekly QA sample (抽检): which of a week's scored conversations go to the reviewers —
//! every flagged one, and N% of each agent's conversations at random from the rest — and which
//! week is due. Pure: the caller hands in the results, the time and the zone; the same week
//! always draws the same conversations (the order comes from a hash seeded by the week), so a
//! draw can be explained and re-run.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

/// A scored conversation as the sampler sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scored {
    /// The conversation.
    pub conversation: i64,
    /// Who served it.
    pub agent: i64,
    /// The automatic score, 0 to 100.
    pub score: i64,
    /// A heavy rule hit.
    pub heavy_hit: bool,
}

/// Why a conversation is in the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SampleReason {
    /// Drawn at random.
    Random,
    /// Scored below the threshold or hit a heavy rule: always reviewed.
    Flagged,
}

impl SampleReason {
    /// As stored (`qa_samples.reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            SampleReason::Random => "random",
            SampleReason::Flagged => "flagged",
        }
    }
}

/// One conversation of the sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampled {
    /// The conversation.
    pub conversation: i64,
    /// Who served it.
    pub agent: i64,
    /// Why.
    pub reason: SampleReason,
}

/// The sample of a week: every flagged conversation (score below `flag_below`, or a heavy
/// hit), then per agent `ceil(percent% of all the agent's conversations)` (flagged ones count
/// in the total) drawn from the agent's unflagged ones, as many as there are at most. A
/// conversation listed twice is taken once. Flagged first, then by agent; `seed` fixes the draw.
pub fn draw_sample(scored: &[Scored], percent: u32, flag_below: i64, seed: u64) -> Vec<Sampled> {
    let percent = percent.min(100) as usize;
    let mut seen = BTreeSet::new();
    let mut flagged = Vec::new();
    let mut totals: BTreeMap<i64, usize> = BTreeMap::new();
    let mut rest: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for s in scored {
        if !seen.insert(s.conversation) {
            continue;
        }
        *totals.entry(s.agent).or_default() += 1;
        if s.heavy_hit || s.score < flag_below {
            flagged.push(Sampled { conversation: s.conversation, agent: s.agent, reason: SampleReason::Flagged });
        } else {
            rest.entry(s.agent).or_default().push(s.conversation);
        }
    }
    let mut out = flagged;
    for (agent, mut ids) in rest {
        let want = (totals[&agent] * percent).div_ceil(100).min(ids.len());
        ids.sort_by_key(|&id| (mix(seed ^ mix(id as u64)), id));
        out.extend(ids.into_iter().take(want).map(|conversation| Sampled { conversation, agent, reason: SampleReason::Random }));
    }
    out
}

/// splitmix64's finaliser: a fixed, well-spread hash, so a draw is the same on every build and
/// platform (a library generator may change its stream between versions).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// An ISO week in the organisation's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoWeek {
    /// ISO week-numbering year.
    pub year: i16,
    /// 1 to 53.
    pub week: i8,
    /// Monday 00:00 local (ms), inclusive.
    pub from: i64,
    /// The next Monday 00:00 local (ms), exclusive.
    pub to: i64,
}

impl IsoWeek {
    /// As stored and shown: `2026-W48`.
    pub fn key(&self) -> String {
        format!("{:04}-W{:02}", self.year, self.week)
    }

    /// The draw's seed: the week itself, so the same week draws the same sample.
    pub fn seed(&self) -> u64 {
        (self.year as u64) * 100 + self.week as u64
    }
}

/// The ISO week before the one `now` (ms) falls in, in `zone`. None only for a time outside
/// the calendar's range.
pub fn week_before(now: i64, zone: &TimeZone) -> Option<IsoWeek> {
    let today = Timestamp::from_millisecond(now).ok()?.to_zoned_datetime(zone.clone()).date();
    let monday = today.checked_sub(i64::from(today.weekday().to_monday_zero_offset()).days()).ok()?;
    let start = monday.checked_sub(7.days()).ok()?;
    let iso = start.iso_week_date();
    Some(IsoWeek { year: iso.year(), week: iso.week(), from: midnight(start, zone)?, to: midnight(monday, zone)? })
}

/// The weeks a sampler due at `now` draws, oldest first: the week before `now`'s always, and
/// the `catch_up - 1` weeks before it at most that ended after `since` (when the sample was
/// turned on) — the weeks missed while the server was down or the sample was off. A week
/// already drawn is the caller's to skip (its marker row).
pub fn weeks_due(now: i64, zone: &TimeZone, since: i64, catch_up: usize) -> Vec<IsoWeek> {
    let mut out: Vec<IsoWeek> = week_before(now, zone).into_iter().collect();
    while out.len() < catch_up {
        // The week before the one starting at the oldest's Monday.
        let Some(w) = out.last().and_then(|w| week_before(w.from, zone)) else { break };
        if w.to <= since {
            break;
        }
        out.push(w);
    }
    out.reverse();
    out
}

fn midnight(d: Date, zone: &TimeZone) -> Option<i64> {
    d.to_zoned_datetime(zone.clone()).ok().map(|z| z.timestamp().as_millisecond())
}
