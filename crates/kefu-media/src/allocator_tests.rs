//! Tests of the layer allocator: cases, then properties over random budgets and rates.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

const RATES: [u64; 3] = [150_000, 500_000, 1_500_000];

fn camera(track: u64, current: Option<Layer>) -> Demand {
    Demand { track: TrackId(track), kind: TrackKind::Camera, rates: RATES.to_vec(), current }
}

#[test]
fn the_best_layer_the_budget_carries_and_a_pause_when_none_does() {
    assert_eq!(choose(Some(2_000_000), &[camera(1, None)], true, true), vec![Some(2)]);
    assert_eq!(choose(Some(700_000), &[camera(1, None)], true, true), vec![Some(1)]);
    assert_eq!(choose(Some(200_000), &[camera(1, None)], true, true), vec![Some(0)]);
    assert_eq!(choose(Some(60_000), &[camera(1, Some(0))], true, true), vec![None], "paused: not even the lowest fits");
    assert_eq!(choose(None, &[camera(1, None)], true, true), vec![Some(2)], "no estimate: no limit");
}

#[test]
fn down_at_once_up_only_with_headroom_and_when_allowed() {
    assert_eq!(choose(Some(1_400_000), &[camera(1, Some(2))], true, true), vec![Some(1)], "down at once");
    // 1.5 Mbit/s fits 1.6 Mbit/s but not with 15% headroom: stay.
    assert_eq!(choose(Some(1_600_000), &[camera(1, Some(1))], true, true), vec![Some(1)]);
    assert_eq!(choose(Some(1_800_000), &[camera(1, Some(1))], true, true), vec![Some(2)]);
    assert_eq!(choose(Some(1_800_000), &[camera(1, Some(1))], false, true), vec![Some(1)], "held");
    // Staying needs no headroom.
    assert_eq!(choose(Some(1_500_000), &[camera(1, Some(2))], true, true), vec![Some(2)]);
}

#[test]
fn flowing_video_keeps_its_lowest_layer_while_the_budget_nearly_carries_it() {
    // 80 kbit/s is over half the lowest layer: the video goes on rather than pausing.
    assert_eq!(choose(Some(80_000), &[camera(1, Some(0))], true, true), vec![Some(0)]);
    assert_eq!(choose(Some(80_000), &[camera(1, Some(2))], true, true), vec![Some(0)], "down from the top to the lowest, not to a pause");
    assert_eq!(choose(Some(70_000), &[camera(1, Some(0))], true, true), vec![None], "under half: paused");
    assert_eq!(choose(Some(70_000), &[camera(1, Some(0))], true, false), vec![Some(0)], "unless not allowed to pause");
    assert_eq!(choose(Some(110_000), &[camera(1, None)], true, true), vec![None], "paused video resumes only when most of the layer fits");
    // Those 120 kbit/s are 80% of the 150 kbit/s layer: while paused, padding fills the link
    // up to the estimate, so it already carries most of what the layer takes.
    assert_eq!(choose(Some(120_000), &[camera(1, None)], true, true), vec![Some(0)], "resumed");
    assert_eq!(choose(Some(120_000), &[camera(1, None)], false, true), vec![None], "not during the hold after a pause");
    // What is kept counts in full: a second camera gets nothing.
    assert_eq!(choose(Some(120_000), &[camera(1, Some(0)), camera(2, Some(0))], true, true), vec![Some(0), None]);
}

#[test]
fn video_pauses_only_when_the_budget_stays_short() {
    let t0 = Instant::now();
    let mut budget = Budget { estimate: Some(1_000_000), ..Budget::default() };
    let flowing = [camera(1, Some(0))];
    assert_eq!(budget.allocate(t0, 40_000, &flowing), vec![Some(1)]);
    // A dip: the lowest layer stays until the shortage has lasted PAUSE_AFTER.
    budget.estimate = Some(60_000);
    assert_eq!(budget.allocate(t0 + Duration::from_millis(100), 40_000, &flowing), vec![Some(0)]);
    budget.estimate = Some(300_000);
    assert_eq!(budget.allocate(t0 + Duration::from_millis(1_500), 40_000, &flowing), vec![Some(0)], "back up: the shortage is over");
    budget.estimate = Some(60_000);
    let dip = t0 + Duration::from_millis(1_600);
    assert_eq!(budget.allocate(dip, 40_000, &flowing), vec![Some(0)]);
    assert_eq!(budget.allocate(dip + PAUSE_AFTER - Duration::from_millis(1), 40_000, &flowing), vec![Some(0)]);
    assert_eq!(budget.allocate(dip + PAUSE_AFTER, 40_000, &flowing), vec![None], "short for PAUSE_AFTER: paused");
}

#[test]
fn paused_video_resumes_after_the_hold_once_most_of_its_lowest_layer_fits() {
    let t0 = Instant::now();
    let mut budget = Budget { estimate: Some(60_000), ..Budget::default() };
    let flowing = [camera(1, Some(0))];
    assert_eq!(budget.allocate(t0, 40_000, &flowing), vec![Some(0)]);
    assert_eq!(budget.allocate(t0 + PAUSE_AFTER, 40_000, &flowing), vec![None], "paused");
    let paused = [camera(1, None)];
    // 40 kbit/s of audio and 125 kbit/s for video: 83% of the 150 kbit/s layer, which a link
    // kept full by padding carries. (With the headroom of an up-switch it needed 212.5.)
    budget.estimate = Some(165_000);
    assert_eq!(budget.allocate(t0 + PAUSE_AFTER + Duration::from_secs(1), 40_000, &paused), vec![None], "held after the pause");
    assert_eq!(budget.allocate(t0 + PAUSE_AFTER + UP_HOLD, 40_000, &paused), vec![Some(0)], "resumed");
}

#[test]
fn the_fast_figure_takes_flowing_video_down_but_never_pauses_nor_holds_a_resume() {
    let t0 = Instant::now();
    let mut budget = Budget { estimate: Some(2_000_000), ..Budget::default() };
    assert_eq!(budget.allocate(t0, 40_000, &[camera(1, Some(2))]), vec![Some(2)]);
    budget.fast = Some(300_000);
    assert_eq!(budget.allocate(t0, 40_000, &[camera(1, Some(2))]), vec![Some(0)], "the raw estimate fell: down at once");
    budget.fast = Some(40_000);
    let later = t0 + PAUSE_AFTER * 2;
    assert_eq!(budget.allocate(t0, 40_000, &[camera(1, Some(0))]), vec![Some(0)]);
    assert_eq!(budget.allocate(later, 40_000, &[camera(1, Some(0))]), vec![Some(0)], "at str0m's floor for long: no pause");
    assert_eq!(budget.allocate(later, 40_000, &[camera(1, None)]), vec![Some(0)], "a paused video resumes on the estimate");
    budget.fast = Some(3_000_000);
    assert_eq!(budget.allocate(later, 40_000, &[camera(1, Some(0))]), vec![Some(2)], "never up beyond the estimate");
}

#[test]
fn a_screen_share_is_served_before_a_camera() {
    let screen = Demand { track: TrackId(9), kind: TrackKind::Screen, rates: vec![1_000_000], current: Some(0) };
    let chosen = choose(Some(1_300_000), &[camera(1, Some(0)), screen], true, true);
    assert_eq!(chosen, vec![Some(0), Some(0)]);
    let screen = Demand { track: TrackId(9), kind: TrackKind::Screen, rates: vec![1_250_000], current: Some(0) };
    assert_eq!(choose(Some(1_300_000), &[camera(1, Some(0)), screen], true, true), vec![None, Some(0)]);
}

#[test]
fn after_a_switch_down_the_budget_holds_before_going_up() {
    let t0 = Instant::now();
    let mut budget = Budget { estimate: Some(300_000), ..Budget::default() };
    assert_eq!(budget.allocate(t0, 40_000, &[camera(1, Some(2))]), vec![Some(0)]);
    budget.estimate = Some(3_000_000);
    let later = t0 + Duration::from_secs(1);
    assert_eq!(budget.allocate(later, 40_000, &[camera(1, Some(0))]), vec![Some(0)], "held after going down");
    assert_eq!(budget.allocate(t0 + UP_HOLD, 40_000, &[camera(1, Some(0))]), vec![Some(2)], "then climbs");
}

#[test]
fn probing_asks_for_the_next_step_and_the_top() {
    let (minimum, desired) = probe(40_000, &[camera(1, Some(0))], &[Some(0)]);
    assert_eq!(desired, 40_000 + 1_500_000 * UP_HEADROOM_PERCENT / 100, "enough to switch up to the top");
    assert!(minimum > 40_000 + 150_000 && minimum <= 40_000 + 150_000 + 350_000 * 2, "{minimum}");
    let (minimum, _) = probe(40_000, &[camera(1, None)], &[None]);
    assert!(minimum >= 40_000 + 150_000, "a paused subscriber probes for the lowest layer: {minimum}");
    let (minimum, desired) = probe(40_000, &[camera(1, Some(2))], &[Some(2)]);
    assert_eq!(minimum, 40_000 + 1_500_000, "at the top: no step to probe for");
    assert!(desired > minimum);
}

#[test]
fn nominal_rates_rise_with_the_layer() {
    assert_eq!(nominal_rate(3, 0), 100_000);
    assert_eq!(nominal_rate(3, 2), 1_500_000);
    assert_eq!(nominal_rate(2, 1), 1_500_000);
    assert_eq!(nominal_rate(1, 0), 800_000);
}

fn demand() -> impl Strategy<Value = Demand> {
    (1..20u64, prop::bool::ANY, prop::collection::vec(10_000..3_000_000u64, 1..4), prop::option::of(0..3u8)).prop_map(
        |(track, screen, mut rates, current)| {
            rates.sort_unstable();
            let current = current.map(|c| c.min(rates.len() as u8 - 1));
            let kind = if screen { TrackKind::Screen } else { TrackKind::Camera };
            Demand { track: TrackId(track), kind, rates, current }
        },
    )
}

proptest! {
    /// The chosen layers never take more than the budget (a kept lowest layer of flowing video
    /// counted at its [`KEEP_LOWEST_PERCENT`], a resumed one at [`RESUME_LOWEST_PERCENT`]), and nothing better fits: each layer above a
    /// chosen one is too big for what is left, or is an up-switch not allowed.
    #[test]
    fn never_over_the_budget_and_nothing_better_fits(
        budget in 0..5_000_000u64,
        demands in prop::collection::vec(demand(), 1..4),
        may_go_up in prop::bool::ANY,
    ) {
        let chosen = choose(Some(budget), &demands, may_go_up, true);
        prop_assert_eq!(chosen.len(), demands.len());
        let cost = |d: &Demand, l: Layer| {
            let rate = d.rates[l as usize];
            match (l, d.current) {
                (0, Some(_)) => rate * KEEP_LOWEST_PERCENT / 100,
                (0, None) => rate * RESUME_LOWEST_PERCENT / 100,
                _ => rate,
            }
        };
        let total: u64 = demands.iter().zip(&chosen).map(|(d, c)| c.map_or(0, |l| cost(d, l))).sum();
        prop_assert!(total <= budget, "{} over {}", total, budget);
        // With one track the left budget is the whole budget: check maximality exactly.
        if let [d] = demands.as_slice() {
            let from = chosen[0].map_or(0, |l| l as usize + 1);
            for layer in from..d.rates.len() {
                let rate = d.rates[layer];
                let up = d.current.is_none_or(|c| layer > c as usize);
                let needs = if layer == 0 { rate * RESUME_LOWEST_PERCENT / 100 } else { rate * UP_HEADROOM_PERCENT / 100 };
                let allowed_up = may_go_up && needs <= budget;
                let fits = if up { needs <= budget } else { rate <= budget };
                prop_assert!(!fits || (up && !allowed_up), "layer {} fits but {:?} was chosen", layer, chosen[0]);
            }
        }
    }
}
