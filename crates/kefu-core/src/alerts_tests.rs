use super::*;

const G: GroupId = GroupId(1);

fn t() -> Thresholds {
    Thresholds {
        waiting: Levels { warning: 2, critical: 4 },
        longest_wait_secs: Levels { warning: 30, critical: 60 },
        service_level_pct: Levels { warning: 80, critical: 60 },
    }
}

fn r(waiting: u32, longest: u32, sl: f64) -> FloorReading {
    FloorReading { waiting, longest_wait_secs: longest, service_level: sl, service_level_judged: 100 }
}

fn at(s: i64) -> Millis {
    Millis(s * 1000)
}

#[test]
fn a_healthy_line_raises_nothing() {
    let mut book = AlertBook::default();
    assert!(book.evaluate(G, &t(), &r(1, 29, 0.95), at(0)).is_empty());
    assert_eq!(book.active().count(), 0);
}

#[test]
fn crossing_a_level_raises_at_once_and_escalates() {
    let mut book = AlertBook::default();
    let c = book.evaluate(G, &t(), &r(2, 0, 1.0), at(0));
    assert_eq!(
        c,
        vec![AlertChange::Raised { group: G, metric: AlertMetric::Waiting, level: AlertLevel::Warning, value: 2, threshold: 2, new: true }]
    );
    let c = book.evaluate(G, &t(), &r(5, 0, 1.0), at(1));
    assert_eq!(
        c,
        vec![AlertChange::Raised {
            group: G,
            metric: AlertMetric::Waiting,
            level: AlertLevel::Critical,
            value: 5,
            threshold: 4,
            new: false
        }]
    );
    assert!(book.evaluate(G, &t(), &r(5, 0, 1.0), at(2)).is_empty(), "no repeat while it stays");
}

#[test]
fn clearing_waits_for_the_line_to_settle() {
    let mut book = AlertBook::default();
    book.evaluate(G, &t(), &r(2, 0, 1.0), at(0));
    assert!(book.evaluate(G, &t(), &r(1, 0, 1.0), at(1)).is_empty(), "clear, but not for long enough");
    assert!(book.evaluate(G, &t(), &r(1, 0, 1.0), at(5)).is_empty());
    let c = book.evaluate(G, &t(), &r(1, 0, 1.0), at(6));
    assert_eq!(c, vec![AlertChange::Cleared { group: G, metric: AlertMetric::Waiting, value: 1 }]);
    assert_eq!(book.active().count(), 0);
}

#[test]
fn a_line_hovering_at_the_level_does_not_flap() {
    let mut book = AlertBook::default();
    let mut changes = 0;
    // The line goes 2, 1, 2, 1 ... every second for a minute: one alert, never cleared.
    for s in 0..60 {
        changes += book.evaluate(G, &t(), &r(2 - (s % 2) as u32, 0, 1.0), at(s)).len();
    }
    assert_eq!(changes, 1);
    assert_eq!(book.active().count(), 1);
}

#[test]
fn longest_wait_needs_a_band_below_the_level_to_clear() {
    let mut book = AlertBook::default();
    book.evaluate(G, &t(), &r(0, 30, 1.0), at(0));
    // 28 s is under the level but inside the 10% band (27 s): still raised after a minute.
    for s in 1..60 {
        assert!(book.evaluate(G, &t(), &r(0, 28, 1.0), at(s)).is_empty());
    }
    book.evaluate(G, &t(), &r(0, 27, 1.0), at(60));
    let c = book.evaluate(G, &t(), &r(0, 27, 1.0), at(65));
    assert_eq!(c, vec![AlertChange::Cleared { group: G, metric: AlertMetric::LongestWait, value: 27 }]);
}

#[test]
fn service_level_alerts_below_the_level_and_clears_two_points_above() {
    let mut book = AlertBook::default();
    assert!(book.evaluate(G, &t(), &r(0, 0, 0.80), at(0)).is_empty(), "80% is not below 80%");
    let c = book.evaluate(G, &t(), &r(0, 0, 0.799), at(1));
    assert!(matches!(c[..], [AlertChange::Raised { metric: AlertMetric::ServiceLevel, level: AlertLevel::Warning, value: 79, .. }]));
    let c = book.evaluate(G, &t(), &r(0, 0, 0.5), at(2));
    assert!(matches!(c[..], [AlertChange::Raised { level: AlertLevel::Critical, threshold: 60, .. }]));
    // Back to 70%: warning, after settling (clear of 60 by 2 points).
    assert!(book.evaluate(G, &t(), &r(0, 0, 0.7), at(3)).is_empty());
    let c = book.evaluate(G, &t(), &r(0, 0, 0.7), at(8));
    assert!(matches!(c[..], [AlertChange::Raised { level: AlertLevel::Warning, new: false, .. }]));
    // 81% is above the level but inside the band: stays.
    assert!(book.evaluate(G, &t(), &r(0, 0, 0.81), at(9)).is_empty());
    assert!(book.evaluate(G, &t(), &r(0, 0, 0.81), at(30)).is_empty());
    book.evaluate(G, &t(), &r(0, 0, 0.82), at(31));
    let c = book.evaluate(G, &t(), &r(0, 0, 0.82), at(36));
    assert!(matches!(c[..], [AlertChange::Cleared { metric: AlertMetric::ServiceLevel, value: 82, .. }]));
}

#[test]
fn a_service_level_of_a_handful_of_contacts_raises_nothing() {
    let mut book = AlertBook::default();
    let few = FloorReading { waiting: 0, longest_wait_secs: 0, service_level: 0.0, service_level_judged: MIN_JUDGED - 1 };
    assert!(book.evaluate(G, &t(), &few, at(0)).is_empty(), "the day's first abandoned chat is not 0%");
    let enough = FloorReading { service_level_judged: MIN_JUDGED, ..few };
    assert_eq!(book.evaluate(G, &t(), &enough, at(1)).len(), 1);
}

#[test]
fn a_relapse_while_settling_restarts_the_wait() {
    let mut book = AlertBook::default();
    book.evaluate(G, &t(), &r(2, 0, 1.0), at(0));
    book.evaluate(G, &t(), &r(0, 0, 1.0), at(1));
    book.evaluate(G, &t(), &r(2, 0, 1.0), at(4));
    assert!(book.evaluate(G, &t(), &r(0, 0, 1.0), at(7)).is_empty());
    assert!(book.evaluate(G, &t(), &r(0, 0, 1.0), at(11)).is_empty());
    assert_eq!(book.evaluate(G, &t(), &r(0, 0, 1.0), at(12)).len(), 1);
}

#[test]
fn a_level_switched_off_never_raises_and_lets_an_alert_go() {
    let mut off = t();
    off.waiting = Levels { warning: 0, critical: 0 };
    off.service_level_pct = Levels { warning: 0, critical: 0 };
    let mut book = AlertBook::default();
    assert!(book.evaluate(G, &off, &r(100, 0, 0.0), at(0)).is_empty());
    book.evaluate(G, &t(), &r(3, 0, 1.0), at(1));
    book.evaluate(G, &off, &r(3, 0, 1.0), at(2));
    assert_eq!(book.evaluate(G, &off, &r(3, 0, 1.0), at(7)).len(), 1, "cleared once the level is off");
}

#[test]
fn groups_are_judged_apart() {
    let mut book = AlertBook::default();
    book.evaluate(G, &t(), &r(2, 0, 1.0), at(0));
    assert!(book.evaluate(GroupId(2), &t(), &r(0, 0, 1.0), at(10)).is_empty());
    assert_eq!(book.forget(G), vec![AlertMetric::Waiting]);
    assert_eq!(book.active().count(), 0);
}

#[test]
fn validation_names_the_field() {
    assert_eq!(Thresholds::default().validate(), Ok(()));
    let mut bad = t();
    bad.waiting = Levels { warning: 5, critical: 3 };
    assert_eq!(bad.validate().map_err(|e| e.field), Err("waiting_critical"));
    let mut bad = t();
    bad.service_level_pct = Levels { warning: 70, critical: 90 };
    assert_eq!(bad.validate().map_err(|e| e.field), Err("service_level_critical_pct"));
    let mut bad = t();
    bad.service_level_pct.warning = 101;
    assert_eq!(bad.validate().map_err(|e| e.field), Err("service_level_warning_pct"));
    let mut ok = t();
    ok.waiting = Levels { warning: 5, critical: 0 };
    assert_eq!(ok.validate(), Ok(()), "a level switched off is not compared");
}

#[test]
fn tile_colour_follows_the_levels_without_hysteresis() {
    let l = Levels { warning: 30, critical: 60 };
    assert_eq!(level_of(AlertMetric::LongestWait, l, 29), None);
    assert_eq!(level_of(AlertMetric::LongestWait, l, 30), Some(AlertLevel::Warning));
    assert_eq!(level_of(AlertMetric::LongestWait, l, 61), Some(AlertLevel::Critical));
    let sl = Levels { warning: 80, critical: 60 };
    assert_eq!(level_of(AlertMetric::ServiceLevel, sl, 80), None);
    assert_eq!(level_of(AlertMetric::ServiceLevel, sl, 59), Some(AlertLevel::Critical));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Whatever the line does, each group's metric goes through whole episodes: raised as new,
        /// level changes only while active, cleared only when active; and a line that then stays
        /// healthy for the settling time leaves no alert behind.
        #[test]
        fn alerts_form_episodes_and_a_healthy_line_clears_them(
            steps in proptest::collection::vec((0u32..8, 0u32..100, 0u32..=100, 1i64..4_000), 1..80)
        ) {
            let mut book = AlertBook::default();
            let mut active = std::collections::BTreeSet::new();
            let mut now = 0i64;
            for (waiting, longest, sl, dt) in steps {
                now += dt;
                for c in book.evaluate(G, &t(), &r(waiting, longest, f64::from(sl) / 100.0), Millis(now)) {
                    match c {
                        AlertChange::Raised { metric, new: true, .. } => prop_assert!(active.insert(metric), "raised twice: {:?}", metric),
                        AlertChange::Raised { metric, new: false, .. } => prop_assert!(active.contains(&metric)),
                        AlertChange::Cleared { metric, .. } => prop_assert!(active.remove(&metric)),
                    }
                }
                prop_assert_eq!(book.active().count(), active.len());
            }
            for _ in 0..3 {
                now += SETTLE_MS;
                for c in book.evaluate(G, &t(), &r(0, 0, 1.0), Millis(now)) {
                    let settling = matches!(c, AlertChange::Cleared { .. } | AlertChange::Raised { new: false, .. });
                    prop_assert!(settling, "a healthy line raised {:?}", c);
                }
            }
            prop_assert_eq!(book.active().count(), 0);
        }
    }
}
