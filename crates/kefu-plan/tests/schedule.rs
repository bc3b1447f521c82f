//! Shift suggestions: exact cover when one exists, contracts always respected, and the
//! coverage reported is the sum of the shifts.

use kefu_plan::schedule::{cost, gaps, suggest, Contract, Horizon, Schedule, Shift};
use proptest::prelude::*;

const DAY: Horizon = Horizon { per_day: 24, first_weekday: 0 };

fn contract(hours_per_week: u32, lengths: &[u32], earliest: u32, latest: u32, off: &[u8]) -> Contract {
    Contract {
        max_intervals_per_week: hours_per_week,
        shift_lengths: lengths.to_vec(),
        earliest_start: earliest,
        latest_end: latest,
        days_off: off.to_vec(),
    }
}

fn requirement_of(shifts: &[(u32, u32, u32)], days: u32, per_day: u32) -> Vec<u32> {
    let mut r = vec![0; (days * per_day) as usize];
    for &(day, start, len) in shifts {
        for i in 0..len {
            r[(day * per_day + start + i) as usize] += 1;
        }
    }
    r
}

fn check_contracts(s: &Schedule, contracts: &[Contract], h: Horizon) {
    for sh in &s.shifts {
        let c = &contracts[sh.agent];
        assert!(c.shift_lengths.contains(&sh.len), "{sh:?}");
        assert!(sh.start >= c.earliest_start && sh.start + sh.len <= c.latest_end, "{sh:?}");
        let weekday = ((u32::from(h.first_weekday) + sh.day) % 7) as u8;
        assert!(!c.days_off.contains(&weekday), "{sh:?} on a day off");
        let same_day = s.shifts.iter().filter(|o| o.agent == sh.agent && o.day == sh.day).count();
        assert_eq!(same_day, 1, "two shifts a day: {sh:?}");
        let week: u32 = s.shifts.iter().filter(|o| o.agent == sh.agent && o.day / 7 == sh.day / 7).map(|o| o.len).sum();
        assert!(week <= c.max_intervals_per_week, "agent {} works {week}", sh.agent);
    }
    let mut cov = vec![0; s.coverage.len()];
    for sh in &s.shifts {
        for i in 0..sh.len {
            cov[(sh.day * h.per_day + sh.start + i) as usize] += 1;
        }
    }
    assert_eq!(cov, s.coverage, "coverage is the sum of the shifts");
}

#[test]
fn an_exactly_coverable_requirement_is_covered_exactly() {
    // Day 0: two 8-interval shifts from 4, one 4-interval shift from 8; day 1: one from 10.
    let required = requirement_of(&[(0, 4, 8), (0, 4, 8), (0, 8, 4), (1, 10, 8)], 2, 24);
    let contracts = vec![contract(40, &[4, 8], 0, 24, &[]); 4];
    let s = suggest(&required, DAY, &contracts);
    assert_eq!((s.under, s.over), (0, 0), "{:?}", s.shifts);
    assert_eq!(s.coverage, required);
    check_contracts(&s, &contracts, DAY);
}

#[test]
fn staggered_shifts_are_found_by_the_local_search() {
    // Overlapping 6-interval shifts starting every 2 intervals: a staircase the greedy's first
    // choice does not line up with by itself.
    let required = requirement_of(&[(0, 2, 6), (0, 4, 6), (0, 6, 6), (0, 8, 6)], 1, 24);
    let contracts = vec![contract(40, &[6], 0, 24, &[]); 4];
    let s = suggest(&required, DAY, &contracts);
    assert_eq!((s.under, s.over), (0, 0), "{:?}", s.shifts);
}

#[test]
fn contracts_are_respected_and_shortfall_is_reported() {
    // Three days needing 2 agents from 8 to 16; one agent off on day 1 (a Tuesday), one who
    // may only start at 10, and a weekly cap of 16 intervals (two shifts).
    let required = requirement_of(&[(0, 8, 8), (0, 8, 8), (1, 8, 8), (1, 8, 8), (2, 8, 8), (2, 8, 8)], 3, 24);
    let contracts = vec![contract(16, &[8], 0, 24, &[1]), contract(16, &[8], 10, 24, &[]), contract(16, &[8, 4], 0, 16, &[])];
    let s = suggest(&required, DAY, &contracts);
    check_contracts(&s, &contracts, DAY);
    assert_eq!(s.shifts.len(), 6, "{:?}", s.shifts);
    assert_eq!(gaps(&required, &s.coverage), (s.under, s.over));
    assert!(s.under > 0, "agent 1 cannot start at 8");
    assert!(s.shifts.contains(&Shift { agent: 1, day: 0, start: 10, len: 8 }) || s.shifts.iter().any(|x| x.agent == 1 && x.start >= 10));
}

#[test]
fn a_shortage_is_spread_rather_than_left_as_a_hole() {
    // Four agents needed 09:00-18:00 (18 half hours) but only 8-hour shifts: half start at 09:00
    // and half at 10:00, so every half hour has at least two agents, rather than all four at
    // 09:00 and nobody from 17:00.
    let h = Horizon { per_day: 48, first_weekday: 0 };
    let mut required = vec![0; 48];
    required[18..36].iter_mut().for_each(|r| *r = 4);
    let contracts = vec![contract(80, &[16], 0, 48, &[]); 4];
    let s = suggest(&required, h, &contracts);
    check_contracts(&s, &contracts, h);
    assert!(s.coverage[18..36].iter().all(|c| *c >= 2), "{:?}", &s.coverage[18..36]);
    assert_eq!((s.under, s.over), (8, 0));
}

#[test]
fn nothing_required_means_no_shifts() {
    let s = suggest(&[0; 48], DAY, &[contract(40, &[8], 0, 24, &[])]);
    assert!(s.shifts.is_empty());
    assert_eq!((s.under, s.over), (0, 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    #[test]
    fn suggestions_never_break_contracts_and_never_lose_to_no_shifts(
        req in proptest::collection::vec(0u32..4, 48),
        agents in proptest::collection::vec((4u32..20, 0u32..8, 14u32..24, proptest::option::of(0u8..7)), 1..5),
    ) {
        let h = Horizon { per_day: 24, first_weekday: 3 };
        let contracts: Vec<Contract> = agents
            .iter()
            .map(|&(cap, earliest, latest, off)| contract(cap, &[4, 6, 8], earliest, latest, &off.into_iter().collect::<Vec<_>>()))
            .collect();
        let s = suggest(&req, h, &contracts);
        check_contracts(&s, &contracts, h);
        let (under, over) = gaps(&req, &s.coverage);
        prop_assert_eq!((under, over), (s.under, s.over));
        prop_assert!(cost(&req, &s.coverage) <= cost(&req, &vec![0; req.len()]), "worse than an empty plan");
    }
}
