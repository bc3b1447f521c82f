//! Property: the quarter-hour and half-hour rows of a day add up to that day's figures, for
//! conversations and agent time, in a zone that is not UTC.

mod common;

use common::*;
use jiff::tz::TimeZone;
use kefu_insight::{
    agent_report, agent_report_of_moves, conversation_report, AgentFigures, AgentMove, ConversationFigures, Dimension, Interval, Key,
    Report, Timed,
};
use proptest::prelude::*;

/// One conversation: queued at `t` s, waits `w` s, then is answered by `agent` (talk `h` s,
/// wrap-up `wrap` s, CSAT) or gives up.
#[derive(Debug, Clone)]
struct Life {
    t: i64,
    w: i64,
    answered: Option<(i64, i64, i64)>,
    csat: Option<u8>,
    group: i64,
    customer: i64,
}

fn life() -> impl Strategy<Value = Life> {
    (0..86_000i64, 0..120i64, proptest::option::of((1..4i64, 1..900i64, 0..60i64)), proptest::option::of(1..=5u8), 1..3i64, 1..30i64)
        .prop_map(|(t, w, answered, csat, group, customer)| Life { t, w, answered, csat, group, customer })
}

fn facts(lives: &[Life], logins: &[(i64, i64, i64)]) -> Vec<Timed> {
    let mut f = vec![];
    for (i, l) in lives.iter().enumerate() {
        let c = i as i64 + 1;
        f.push(queued(l.t, c, l.customer, l.group, if c % 2 == 0 { "web" } else { "app" }));
        match l.answered {
            Some((agent, h, wrap)) => {
                f.push(answered(l.t + l.w, c, agent, l.group));
                f.push(closed(l.t + l.w + h, c, agent, l.group, 3));
                if wrap > 0 {
                    f.push(status(l.t + l.w + h, agent, "ready", "wrap_up"));
                    f.push(status(l.t + l.w + h + wrap, agent, "wrap_up", "ready"));
                }
            }
            None => f.push(abandoned(l.t + l.w, c, l.group, l.w)),
        }
        if let Some(score) = l.csat {
            f.push(csat(l.t + l.w + 1_000, c, score));
        }
    }
    for &(agent, on, off) in logins {
        f.push(status(on, agent, "offline", "ready"));
        f.push(status(on + 600, agent, "ready", "break"));
        f.push(status(on + 900, agent, "break", "ready"));
        f.push(status(off, agent, "ready", "offline"));
    }
    sorted(f)
}

fn sums(f: &ConversationFigures) -> [i64; 14] {
    [
        f.offered as i64,
        f.answered as i64,
        f.abandoned as i64,
        f.abandoned_short as i64,
        f.answered_in_target as i64,
        f.wait_ms,
        f.handled as i64,
        f.talk_ms,
        f.wrap_ms,
        f.transfers as i64,
        f.resolved_first_contact as i64,
        f.csat_sum as i64,
        f.csat_good as i64,
        f.messages as i64,
    ]
}

fn agent_sums(f: &AgentFigures) -> [i64; 5] {
    [f.logged_in_ms, f.ready_ms, f.busy_ms, f.wrap_up_ms, f.away_ms]
}

fn add_rows<F, const N: usize>(r: &Report<F>, key: &Key, sums: impl Fn(&F) -> [i64; N]) -> [i64; N] {
    let mut total = [0; N];
    for row in r.rows.iter().filter(|row| &row.key == key) {
        for (t, v) in total.iter_mut().zip(sums(&row.figures)) {
            *t += v;
        }
    }
    total
}

proptest! {
    /// A caller that reads only the kinds a report declares gets the same report.
    #[test]
    fn the_declared_fact_kinds_are_all_a_report_needs(lives in proptest::collection::vec(life(), 0..40), logins in proptest::collection::vec((1..4i64, 0..40_000i64, 41_000..90_000i64), 0..3)) {
        let f = facts(&lives, &logins);
        let only = |kinds: &[kefu_core::FactKind]| f.iter().filter(|t| kinds.contains(&t.fact.kind())).cloned().collect::<Vec<_>>();
        let s = spec(Interval::Min30, Dimension::Agent);
        prop_assert_eq!(conversation_report(&only(&kefu_insight::CONVERSATION_FACTS), &s), conversation_report(&f, &s));
        prop_assert_eq!(agent_report(&only(&kefu_insight::AGENT_FACTS), &s), agent_report(&f, &s));
    }

    /// The server reads moves from the fact log's columns (kind, conversation, agent, and a status
    /// change's new status) instead of whole facts: the report is the same.
    #[test]
    fn the_report_of_stored_columns_is_the_report_of_the_facts(lives in proptest::collection::vec(life(), 0..40), logins in proptest::collection::vec((1..4i64, 0..40_000i64, 41_000..90_000i64), 0..3)) {
        let f = facts(&lives, &logins);
        let moves = f.iter().filter_map(|t| {
            let to = match &t.fact {
                kefu_core::Fact::AgentStatus { to, .. } => Some(to.clone()),
                _ => None,
            };
            let m = AgentMove::of_columns(t.fact.kind(), t.fact.conversation().map(|c| c.0), t.fact.agent().map(|a| a.0), to)?;
            Some((t.at, m))
        });
        for interval in [Interval::Min15, Interval::Day] {
            let s = spec(interval, Dimension::Agent);
            prop_assert_eq!(agent_report_of_moves(moves.clone(), &s), agent_report(&f, &s));
        }
    }

    #[test]
    fn intervals_add_up_to_the_day(lives in proptest::collection::vec(life(), 0..60), logins in proptest::collection::vec((1..4i64, 0..40_000i64, 41_000..90_000i64), 0..3)) {
        let f = facts(&lives, &logins);
        for by in [Dimension::Group, Dimension::Channel, Dimension::Agent] {
            let mut day = spec(Interval::Day, by);
            // Shanghai's day: 2026-12-01 08:00 UTC onwards is still the 1st there until 16:00.
            day.zone = TimeZone::get("Asia/Shanghai").unwrap();
            day.from = T0 - 8 * 3_600_000;
            day.to = day.from + DAY;
            let whole = conversation_report(&f, &day);
            for interval in [Interval::Min15, Interval::Min30] {
                let parts = conversation_report(&f, &kefu_insight::ReportSpec { interval, ..day.clone() });
                for total in &whole.totals {
                    prop_assert_eq!(add_rows(&parts, &total.key, sums), sums(&total.figures));
                }
                prop_assert_eq!(sums(&parts.overall), sums(&whole.overall));
                let agents_whole = agent_report(&f, &day);
                let agents_parts = agent_report(&f, &kefu_insight::ReportSpec { interval, ..day.clone() });
                for total in &agents_whole.totals {
                    prop_assert_eq!(add_rows(&agents_parts, &total.key, agent_sums), agent_sums(&total.figures));
                    let t = &total.figures;
                    prop_assert_eq!(t.logged_in_ms, t.ready_ms + t.busy_ms + t.wrap_up_ms + t.away_ms, "states partition logged-in time");
                }
            }
        }
    }
}
