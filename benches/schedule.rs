//! Shift-suggestion timing (not a test): four weeks of half hours with a call-centre day curve
//! (peaks mid-morning and mid-afternoon, weekends lighter) and 60 agents on 40-hour contracts.
//!
//! Run: cargo bench -p kefu-plan --bench schedule

// A benchmark times itself; the crate under test reads no clock.
#![allow(clippy::disallowed_methods)]

use kefu_plan::schedule::{suggest, Contract, Horizon};
use std::time::Instant;

fn main() {
    let per_day = 48u32;
    let days = 28u32;
    let required: Vec<u32> = (0..days * per_day)
        .map(|i| {
            let (day, slot) = (i / per_day, (i % per_day) as f64);
            if !(16.0..42.0).contains(&slot) {
                return 0;
            }
            let curve = 20.0 * (-((slot - 21.0) / 4.0).powi(2)).exp() + 16.0 * (-((slot - 30.0) / 5.0).powi(2)).exp() + 6.0;
            let weekend = if day % 7 >= 5 { 0.5 } else { 1.0 };
            (curve * weekend).round() as u32
        })
        .collect();
    let contracts: Vec<Contract> = (0..60)
        .map(|i| Contract {
            max_intervals_per_week: 80,
            shift_lengths: vec![16, 12, 8],
            earliest_start: 14,
            latest_end: 44,
            days_off: vec![(i % 7) as u8, ((i + 1) % 7) as u8],
        })
        .collect();
    let t = Instant::now();
    let s = suggest(&required, Horizon { per_day, first_weekday: 0 }, &contracts);
    let need: u32 = required.iter().sum();
    println!(
        "{} shifts for {} agent-half-hours required over {days} days, 60 agents: under {} ({:.1}%), over {} ({:.1}%), in {:.0} ms",
        s.shifts.len(),
        need,
        s.under,
        100.0 * f64::from(s.under) / f64::from(need),
        s.over,
        100.0 * f64::from(s.over) / f64::from(need),
        t.elapsed().as_secs_f64() * 1e3
    );
}
