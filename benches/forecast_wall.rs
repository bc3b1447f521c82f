//! The planning forecast's own walk over a real series (not a test): the fpp2 "calls" series
//! (half-hourly call volume of a North American bank, weekdays 07:00-21:00, 3 March - 24
//! October 2003, extracted by `tools/planning-bench/fetch-calls.sh`; its times are the bank's
//! wall clock) placed on New York's clock, so 2003's spring-forward change (6 April) lies inside
//! the history. Nights and weekends, when the bank took no calls, are quiet half hours, as a
//! group's history has them. The last two weeks are held out and forecast as the product
//! forecasts a group (`planning::wall::forecast_after`: the history folded onto wall half hours,
//! forecast there with the product's seasons of 48 and 336, drawn back on real intervals), and
//! scored by weighted MAPE against the same interval one week earlier, the last week repeated
//! from the origin, and the same forecast counted on real half hours (no wall clock: the winter
//! weeks' peaks sit an hour off there). `forecast_calls` compares the methods on the weekday
//! series alone.
//!
//! Run: tools/planning-bench/fetch-calls.sh && cargo bench --workspace --bench forecast_wall
//! (CALLS_CSV=path overrides the default target/planning-bench/calls.csv).

// A benchmark reads its data file and times itself.
#![allow(clippy::disallowed_methods)]

use std::time::Instant;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use kefu_plan::forecast::{forecast, run, wmape, Method};
use kefu_server::planning::wall::{forecast_after, WallSeries};
use kefu_server::planning::zone::PlanClock;
use kefu_server::planning::{Series, INTERVAL_MS, SEASONS};

const DAY_MS: i64 = 86_400_000;

fn main() {
    let path = std::env::var("CALLS_CSV").unwrap_or_else(|_| "../../target/planning-bench/calls.csv".into());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}; run tools/planning-bench/fetch-calls.sh first"));
    let zone = TimeZone::get("America/New_York").expect("the zone");
    // `2003-03-03T07:00:00Z,123`: the bank's wall time (the trailing Z is the extract's, not UTC).
    let counted: Vec<(i64, f64)> = text
        .lines()
        .skip(1)
        .filter_map(|l| {
            let (at, n) = l.split_once(',')?;
            let wall: DateTime = at.trim().trim_end_matches('Z').parse().ok()?;
            let at = zone.to_ambiguous_zoned_datetime(wall).compatible().ok()?.timestamp().as_millisecond();
            Some((at, n.trim().parse().ok()?))
        })
        .collect();
    let (Some(&(first, _)), Some(&(last, _))) = (counted.first(), counted.last()) else { panic!("{path}: no half hours") };
    let clock = PlanClock::new(zone, first);
    // Local midnight to local midnight: every real half hour, quiet where the bank was closed.
    let start = clock.midnight_before(first);
    let end = clock.midnight_before(last + DAY_MS);
    let n = ((end - start) / INTERVAL_MS) as usize;
    let mut offered = vec![0.0; n];
    for (at, v) in &counted {
        offered[((at - start) / INTERVAL_MS) as usize] = *v;
    }
    let held = 2 * SEASONS.per_week;
    let split = n - held;
    let history = Series { start, offered: offered[..split].to_vec(), aht: vec![None; split] };
    let actual = &offered[split..];
    println!(
        "series: {} half hours counted, {n} real half hours on New York's clock ({} days); history {split}, held out {held}",
        counted.len(),
        n / 48
    );

    let week_earlier: Vec<f64> = (0..held).map(|h| offered[split + h - SEASONS.per_week]).collect();
    let base_week = wmape(actual, &week_earlier).expect("volume");
    let origin_naive = run(Method::SeasonalNaive, &history.offered, SEASONS, held).expect("naive");
    let base_origin = wmape(actual, &origin_naive).expect("volume");
    println!("seasonal naive, last week repeated from the origin: wMAPE {base_origin:.4}");
    println!("seasonal naive, same interval one week earlier:     wMAPE {base_week:.4}");

    // The product's walk: folded onto the wall clock, forecast there, drawn on real intervals.
    let t = Instant::now();
    let wall = WallSeries::of(&history, &clock);
    let (chosen, points) = forecast_after(&clock, &wall, &wall.offered, history.end(), held);
    let took = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(points.first().map(|p| p.0), Some(history.end()), "the forecast starts where the history ends");
    let predicted: Vec<f64> = points.iter().map(|p| p.1).collect();
    let w = wmape(actual, &predicted).expect("volume");
    println!(
        "wall clock (the product's walk): {:?} (backtest {:?}), wMAPE {w:.4} in {took:.0} ms; {} wall half hours for {split} real",
        chosen.method,
        chosen.backtest,
        wall.offered.len()
    );
    // The same forecast counted on real half hours.
    let t = Instant::now();
    let real = forecast(&history.offered, SEASONS, held);
    let wr = wmape(actual, &real.values).expect("volume");
    println!("real half hours: {:?}, wMAPE {wr:.4} in {:.0} ms", real.method, t.elapsed().as_secs_f64() * 1e3);
    println!(
        "wall clock vs seasonal naive: {:.1}% better than last week repeated, {:.1}% than one week earlier",
        (1.0 - w / base_origin) * 100.0,
        (1.0 - w / base_week) * 100.0
    );
}
