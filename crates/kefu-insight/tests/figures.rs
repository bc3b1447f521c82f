//! Each figure's definition, on hand-built fact sequences.

mod common;

use common::*;
use kefu_insight::{agent_report, conversation_report, Dimension, Interval, Key};

fn close_to(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-9)
}

/// Four answered after 5, 10, 30 and 15 s; one gave up after 3 s, one after 40 s.
fn waits() -> Vec<kefu_insight::Timed> {
    let mut f = vec![];
    for (i, wait) in [5, 10, 30, 15].into_iter().enumerate() {
        let c = i as i64 + 1;
        f.push(queued(100 * c, c, c, 1, "web"));
        f.push(answered(100 * c + wait, c, 7, 1));
    }
    f.push(queued(1000, 5, 5, 1, "web"));
    f.push(abandoned(1003, 5, 1, 3));
    f.push(queued(2000, 6, 6, 1, "web"));
    f.push(abandoned(2040, 6, 1, 40));
    sorted(f)
}

#[test]
fn service_level_leaves_out_short_abandons() {
    let r = conversation_report(&waits(), &spec(Interval::Day, Dimension::Total));
    let o = &r.overall;
    assert_eq!((o.offered, o.answered, o.abandoned, o.abandoned_short, o.answered_in_target), (6, 4, 2, 1, 3));
    // 3 within 20 s ÷ (4 answered + 2 abandoned − 1 within 5 s).
    assert!(close_to(o.service_level, 0.6), "{:?}", o.service_level);
    assert!(close_to(o.asa_secs, 15.0));
    assert_eq!(o.longest_wait_secs, 40.0);
}

#[test]
fn service_level_counts_every_abandon_without_a_short_limit() {
    let mut s = spec(Interval::Day, Dimension::Total);
    s.short_abandon_ms = 0;
    let o = conversation_report(&waits(), &s).overall;
    assert_eq!(o.abandoned_short, 0);
    assert!(close_to(o.service_level, 0.5), "{:?}", o.service_level);
}

#[test]
fn service_level_uses_each_groups_own_target() {
    let mut s = spec(Interval::Day, Dimension::Total);
    s.targets.insert(1, 30);
    assert!(close_to(conversation_report(&waits(), &s).overall.service_level, 0.8));
}

#[test]
fn aht_is_talk_plus_the_closing_agents_wrap_up() {
    let f = sorted(vec![
        status(0, 7, "offline", "ready"),
        queued(0, 1, 1, 1, "web"),
        answered(10, 1, 7, 1),
        closed(310, 1, 7, 1, 6),
        status(310, 7, "ready", "wrap_up"),
        status(340, 7, "wrap_up", "ready"),
        queued(400, 2, 2, 1, "web"),
        answered(400, 2, 7, 1),
        closed(500, 2, 7, 1, 2),
    ]);
    let o = conversation_report(&f, &spec(Interval::Day, Dimension::Total)).overall;
    assert_eq!((o.handled, o.talk_ms, o.wrap_ms), (2, 400_000, 30_000));
    assert!(close_to(o.talk_secs, 200.0));
    assert!(close_to(o.wrap_secs, 15.0));
    assert!(close_to(o.aht_secs, 215.0));
    assert!(close_to(o.messages_per_conversation, 4.0));
}

#[test]
fn first_contact_resolution_looks_for_a_return_within_the_window() {
    let day = 86_400;
    let f = sorted(vec![
        // Customer 1 comes back three days later: the first was not resolved.
        queued(0, 1, 1, 1, "web"),
        answered(5, 1, 7, 1),
        closed(60, 1, 7, 1, 2),
        queued(3 * day, 2, 1, 1, "web"),
        answered(3 * day + 5, 2, 7, 1),
        closed(3 * day + 60, 2, 7, 1, 2),
        // Customer 2 comes back eight days later: resolved within a 7-day window.
        queued(100, 3, 2, 1, "web"),
        answered(105, 3, 7, 1),
        closed(160, 3, 7, 1, 2),
        queued(8 * day, 4, 2, 1, "web"),
    ]);
    let c = kefu_insight::contacts(&f, 7 * DAY);
    let resolved: Vec<_> = c.iter().map(|c| c.first_contact_resolved).collect();
    assert_eq!(resolved, vec![Some(false), Some(true), Some(true), None]);
    // The day's report (conversations 1 and 3) with a window of 7 days, then of 10.
    let mut s = spec(Interval::Day, Dimension::Total);
    assert!(close_to(conversation_report(&f, &s).overall.fcr_rate, 0.5));
    s.fcr_window_ms = 10 * DAY;
    assert!(close_to(conversation_report(&f, &s).overall.fcr_rate, 0.0));
}

#[test]
fn csat_average_and_share_of_fours_and_fives() {
    let f = sorted(vec![
        queued(0, 1, 1, 1, "web"),
        csat(100, 1, 5),
        queued(0, 2, 2, 1, "web"),
        csat(100, 2, 4),
        queued(0, 3, 3, 1, "web"),
        csat(100, 3, 2),
    ]);
    let o = conversation_report(&f, &spec(Interval::Day, Dimension::Total)).overall;
    assert!(close_to(o.csat_average, 11.0 / 3.0));
    assert!(close_to(o.csat_good_share, 2.0 / 3.0));
}

#[test]
fn transfers_and_rows_per_channel_and_group() {
    let f = sorted(vec![
        queued(0, 1, 1, 1, "web"),
        answered(5, 1, 7, 1),
        transferred(30, 1, 7, 2),
        answered(40, 1, 8, 2),
        closed(90, 1, 8, 2, 4),
        queued(10, 2, 2, 1, "app"),
        abandoned(20, 2, 1, 10),
    ]);
    let by_channel = conversation_report(&f, &spec(Interval::Day, Dimension::Channel));
    let keys: Vec<_> = by_channel.totals.iter().map(|r| (r.key.clone(), r.figures.offered)).collect();
    assert_eq!(keys, vec![(Key::Word("app".into()), 1), (Key::Word("web".into()), 1)]);
    // The transferred one counts under the group and agent that answered it last.
    let by_group = conversation_report(&f, &spec(Interval::Day, Dimension::Group));
    let g2 = by_group.totals.iter().find(|r| r.key == Key::Id(2)).unwrap();
    assert_eq!((g2.figures.answered, g2.figures.transfers, g2.figures.talk_ms), (1, 1, 85_000));
    let by_agent = conversation_report(&f, &spec(Interval::Day, Dimension::Agent));
    assert!(by_agent.totals.iter().any(|r| r.key == Key::Id(8) && r.figures.handled == 1));
    assert!(by_agent.totals.iter().any(|r| r.key == Key::None && r.figures.abandoned == 1));
}

#[test]
fn quarter_hours_hold_the_conversations_that_queued_in_them() {
    let f = sorted(vec![queued(60, 1, 1, 1, "web"), queued(14 * 60, 2, 2, 1, "web"), queued(16 * 60, 3, 3, 1, "web")]);
    let r = conversation_report(&f, &spec(Interval::Min15, Dimension::Total));
    assert_eq!(r.intervals.len(), 96);
    let rows: Vec<_> = r.rows.iter().map(|r| (r.label.as_str(), r.figures.offered)).collect();
    assert_eq!(rows, vec![("2026-12-01 00:00", 2), ("2026-12-01 00:15", 1)]);
}

#[test]
fn agent_time_splits_into_ready_busy_wrap_up_and_away_with_occupancy() {
    let m = 60;
    let f = sorted(vec![
        status(0, 7, "offline", "ready"),
        queued(10 * m, 1, 1, 1, "web"),
        answered(10 * m, 1, 7, 1),
        closed(40 * m, 1, 7, 1, 2),
        status(40 * m, 7, "ready", "wrap_up"),
        status(45 * m, 7, "wrap_up", "lunch"),
        status(60 * m, 7, "lunch", "offline"),
    ]);
    let r = agent_report(&f, &spec(Interval::Day, Dimension::Agent));
    let a = &r.totals[0].figures;
    let minute = 60_000;
    assert_eq!(
        (a.logged_in_ms, a.ready_ms, a.busy_ms, a.wrap_up_ms, a.away_ms),
        (60 * minute, 10 * minute, 30 * minute, 5 * minute, 15 * minute)
    );
    assert_eq!(a.away_by_reason.get("lunch"), Some(&(15 * minute)));
    assert!(close_to(a.occupancy, 35.0 / 45.0));
    assert!(close_to(a.utilisation, 35.0 / 60.0));
    // Per half hour: the first half hour is 10 min ready and 20 busy.
    let halves = agent_report(&f, &spec(Interval::Min30, Dimension::Agent));
    assert_eq!((halves.rows[0].figures.ready_ms, halves.rows[0].figures.busy_ms), (10 * minute, 20 * minute));
}

#[test]
fn an_agent_logged_in_before_the_range_counts_from_its_start() {
    let mut s = spec(Interval::Day, Dimension::Agent);
    s.now = T0 + 3_600_000;
    let f = vec![status(-3_600, 7, "offline", "ready")];
    let r = agent_report(&f, &s);
    assert_eq!(r.overall.ready_ms, 3_600_000, "from the range start until now");
}
