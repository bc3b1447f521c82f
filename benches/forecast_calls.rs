//! Forecast accuracy benchmark (not a test): the fpp2 "calls" series (half-hourly call volume
//! of a North American bank, weekdays 07:00-21:00, March-October 2003), extracted by
//! `tools/planning-bench/fetch-calls.sh`. The last two weeks are held out; every method and the
//! backtest's own choice forecast them from the rest in one go, scored by weighted MAPE against
//! two seasonal-naive baselines: the last observed week repeated (what a planner can know at the
//! forecast origin) and the same interval one week earlier (which, for the second held-out
//! week, peeks at the first).
//!
//! Run: tools/planning-bench/fetch-calls.sh && cargo bench -p kefu-plan --bench forecast_calls
//! (CALLS_CSV=path overrides the default target/planning-bench/calls.csv). `forecast_wall` runs
//! the same series through the planning forecast's wall-clock walk, on New York's clock.

// A benchmark reads its data file and times itself; the crate under test does neither.
#![allow(clippy::disallowed_methods)]

use kefu_plan::forecast::{forecast, run, wmape, Method, Seasons};
use std::time::Instant;

fn main() {
    let path = std::env::var("CALLS_CSV").unwrap_or_else(|_| "../../target/planning-bench/calls.csv".into());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}; run tools/planning-bench/fetch-calls.sh first"));
    let y: Vec<f64> = text.lines().skip(1).filter_map(|l| l.split(',').nth(1)?.trim().parse().ok()).collect();
    // Weekdays only: a "week" is five business days of 28 half hours.
    let seasons = Seasons { per_day: 28, per_week: 140 };
    let holdout = 2 * seasons.per_week;
    let (train, test) = y.split_at(y.len() - holdout);
    println!("series: {} half hours ({} weekdays); train {}, held out {}", y.len(), y.len() / 28, train.len(), test.len());

    let origin_naive = run(Method::SeasonalNaive, train, seasons, holdout).expect("naive");
    let week_earlier: Vec<f64> = (0..holdout).map(|h| y[train.len() + h - seasons.per_week]).collect();
    let base_origin = wmape(test, &origin_naive).expect("volume");
    let base_week = wmape(test, &week_earlier).expect("volume");
    println!("seasonal naive, last week repeated from the origin: wMAPE {:.4}", base_origin);
    println!("seasonal naive, same interval one week earlier:     wMAPE {:.4}", base_week);

    for method in [Method::SeasonalMean, Method::MstlEts, Method::Ets, Method::Combined] {
        let t = Instant::now();
        if let Some(pred) = run(method, train, seasons, holdout) {
            let w = wmape(test, &pred).expect("volume");
            println!("{method:?}: wMAPE {w:.4} ({:.0} ms)", t.elapsed().as_secs_f64() * 1e3);
        }
    }
    let t = Instant::now();
    let chosen = forecast(train, seasons, holdout);
    let w = wmape(test, &chosen.values).expect("volume");
    println!(
        "backtest choice {:?} (inner backtest {:?}): wMAPE {w:.4} in {:.0} ms",
        chosen.method,
        chosen.backtest,
        t.elapsed().as_secs_f64() * 1e3
    );
    // Rolling: re-forecast each held-out week from everything before it, one week ahead,
    // as a planner re-runs the forecast weekly; the like-for-like match of "one week earlier".
    let mut rolling = Vec::new();
    for week in 0..2 {
        let end = train.len() + week * seasons.per_week;
        rolling.extend(forecast(&y[..end], seasons, seasons.per_week).values);
    }
    let wr = wmape(test, &rolling).expect("volume");
    println!(
        "backtest choice re-run weekly, one week ahead: wMAPE {wr:.4}, {:.1}% better than one week earlier",
        (1.0 - wr / base_week) * 100.0
    );
    println!(
        "improvement over seasonal naive: {:.1}% (vs last week repeated), {:.1}% (vs one week earlier); goal >= 15%",
        (1.0 - w / base_origin) * 100.0,
        (1.0 - w / base_week) * 100.0
    );
}
