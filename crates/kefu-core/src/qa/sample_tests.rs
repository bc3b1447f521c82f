//! The weekly sample: property tests of the draw, and the ISO week in a time zone.

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;

use super::sample::*;

fn scored() -> impl Strategy<Value = Vec<Scored>> {
    prop::collection::vec((1i64..60, 1i64..5, 0i64..=100, any::<bool>()), 0..80).prop_map(|v| {
        v.into_iter()
            .map(|(conversation, agent, score, heavy)| Scored { conversation, agent, score, heavy_hit: heavy && score % 7 == 0 })
            .collect()
    })
}

proptest! {
    #[test]
    fn every_flagged_one_and_n_percent_per_agent_rounded_up(input in scored(), percent in 0u32..=100, flag_below in 0i64..=100, seed: u64) {
        let out = draw_sample(&input, percent, flag_below, seed);
        let ids: BTreeSet<i64> = out.iter().map(|s| s.conversation).collect();
        prop_assert_eq!(ids.len(), out.len(), "no duplicates");
        // The first listing of a conversation is the one that counts.
        let mut first: BTreeMap<i64, Scored> = BTreeMap::new();
        for s in &input {
            first.entry(s.conversation).or_insert(*s);
        }
        let flagged = |s: &Scored| s.heavy_hit || s.score < flag_below;
        for s in first.values().filter(|s| flagged(s)) {
            let want = Sampled { conversation: s.conversation, agent: s.agent, reason: SampleReason::Flagged };
            prop_assert!(out.contains(&want), "flagged {} missing", s.conversation);
        }
        let agents: BTreeSet<i64> = first.values().map(|s| s.agent).collect();
        for agent in agents {
            let total = first.values().filter(|s| s.agent == agent).count();
            let unflagged: BTreeSet<i64> = first.values().filter(|s| s.agent == agent && !flagged(s)).map(|s| s.conversation).collect();
            let random: Vec<&Sampled> = out.iter().filter(|s| s.agent == agent && s.reason == SampleReason::Random).collect();
            prop_assert_eq!(random.len(), (total * percent as usize).div_ceil(100).min(unflagged.len()));
            prop_assert!(random.iter().all(|s| unflagged.contains(&s.conversation)));
        }
        prop_assert_eq!(&out, &draw_sample(&input, percent, flag_below, seed), "the same seed draws the same");
    }
}

#[test]
fn another_week_draws_others() {
    let input: Vec<Scored> = (1..=100).map(|c| Scored { conversation: c, agent: 1, score: 100, heavy_hit: false }).collect();
    let a = draw_sample(&input, 10, 80, 202_647);
    let b = draw_sample(&input, 10, 80, 202_648);
    assert_eq!((a.len(), b.len()), (10, 10));
    assert_ne!(a, b);
}

#[test]
fn the_week_before_in_the_organisations_zone() {
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    // Monday 2026-11-30 00:30 in Shanghai is still Sunday in UTC: the week before is W48.
    let w = week_before(ms("2026-11-29T16:30:00Z"), &shanghai).unwrap();
    assert_eq!((w.key(), w.from, w.to), ("2026-W48".to_string(), ms("2026-11-22T16:00:00Z"), ms("2026-11-29T16:00:00Z")));
    // Twenty minutes earlier it is Sunday in Shanghai: the week before is W47.
    assert_eq!(week_before(ms("2026-11-29T15:50:00Z"), &shanghai).unwrap().key(), "2026-W47");
    // ISO years: 2021-01-04 is in 2021-W01; the week before is 2020-W53.
    let utc = jiff::tz::TimeZone::UTC;
    assert_eq!(week_before(ms("2021-01-06T12:00:00Z"), &utc).unwrap().key(), "2020-W53");
}

#[test]
fn the_weeks_due_catch_up_those_missed_since_the_sample_was_turned_on() {
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let ms = |s: &str| s.parse::<jiff::Timestamp>().unwrap().as_millisecond();
    let keys = |ws: Vec<IsoWeek>| ws.iter().map(IsoWeek::key).collect::<Vec<_>>();
    let now = ms("2026-12-01T04:00:00Z"); // Tuesday of W49 in Shanghai
                                          // Turned on long ago: eight weeks at most, oldest first, ending with the week before.
    let due = weeks_due(now, &shanghai, 0, 8);
    assert_eq!(keys(due.clone()), ["2026-W41", "2026-W42", "2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48"]);
    assert!(due.windows(2).all(|p| p[0].to == p[1].from), "back to back");
    // Turned on during W46 (Wednesday): W46 counts (it ended after), W45 does not.
    assert_eq!(keys(weeks_due(now, &shanghai, ms("2026-11-11T02:00:00Z"), 8)), ["2026-W46", "2026-W47", "2026-W48"]);
    // Turned on exactly when W47 began: W46 ended then and is not due.
    assert_eq!(keys(weeks_due(now, &shanghai, ms("2026-11-15T16:00:00Z"), 8)), ["2026-W47", "2026-W48"]);
    // Turned on today: the week before only, as before catching up existed.
    assert_eq!(keys(weeks_due(now, &shanghai, now, 8)), ["2026-W48"]);
    assert_eq!(keys(weeks_due(now, &shanghai, 0, 1)), ["2026-W48"]);
}
