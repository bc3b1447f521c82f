//! Interval forecasts of one series (volume or handle time) with the model chosen per series by
//! backtest: MSTL with an AutoETS trend and plain AutoETS (both from `augurs`), against the
//! seasonal baselines (same interval last week; mean of the same interval over recent weeks).
//! Owns the model menu and the choice; knows nothing of groups, storage or time zones.

use augurs::ets::{trend::AutoETSTrendModel, AutoETS};
use augurs::mstl::MSTLModel;
use augurs::{Fit, Predict};
use serde::Serialize;

/// The series' seasonal periods, in intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seasons {
    /// Intervals in a day (48 for 30-minute intervals around the clock).
    pub per_day: usize,
    /// Intervals in a week (`per_day` times the days the centre is open).
    pub per_week: usize,
}

/// The forecasting methods the backtest chooses from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Method {
    /// The same interval one week earlier.
    SeasonalNaive,
    /// The mean of the same interval over the last (up to) four weeks.
    SeasonalMean,
    /// MSTL (daily and weekly seasonality) with an AutoETS model of the trend.
    MstlEts,
    /// AutoETS without seasonality: for series too short to show a week.
    Ets,
    /// The mean of `MstlEts` and `SeasonalMean`: combining a model with a robust baseline
    /// is the most reliable gain in forecasting competitions (M3, M4), and here each errs
    /// differently (MSTL follows the level, the mean ignores one odd week).
    Combined,
}

/// A forecast and how it was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    /// The method the backtest chose.
    pub method: Method,
    /// One non-negative value per future interval.
    pub values: Vec<f64>,
    /// Each method tried with its weighted MAPE on the held-out tail (lower is better).
    pub backtest: Vec<(Method, f64)>,
}

/// Weighted MAPE: `sum |actual - predicted| / sum actual`. Zero actuals weigh nothing, so
/// quiet night intervals do not blow the figure up as plain MAPE would. `None` when the actuals
/// sum to zero.
pub fn wmape(actual: &[f64], predicted: &[f64]) -> Option<f64> {
    let total: f64 = actual.iter().sum();
    if total <= 0.0 {
        return None;
    }
    let err: f64 = actual.iter().zip(predicted).map(|(a, p)| (a - p).abs()).sum();
    Some(err / total)
}

/// Forecast `horizon` intervals after `history`. The last week (or a fifth of a shorter
/// history; the last two weeks as two folds once five weeks exist) is held out, every method
/// that can run on what precedes it forecasts it, and the one with the lowest wMAPE is refitted
/// on the whole history.
pub fn forecast(history: &[f64], seasons: Seasons, horizon: usize) -> Forecast {
    if history.is_empty() || horizon == 0 {
        return Forecast { method: Method::SeasonalNaive, values: vec![0.0; horizon], backtest: vec![] };
    }
    let holdout = seasons.per_week.min(history.len() / 5);
    // Rolling origin: with at least five weeks of history, the last two weeks are two folds
    // (each forecast from what came before it) and a method's score is its pooled wMAPE, so one
    // odd week does not pick the model alone (Hyndman & Athanasopoulos, FPP 3rd ed., §5.10).
    let folds = if holdout == seasons.per_week && history.len() >= 5 * seasons.per_week { 2 } else { 1 };
    let mut backtest = Vec::new();
    if holdout > 0 {
        let first = history.len() - folds * holdout;
        for method in candidates(first, seasons) {
            let (mut err, mut total, mut ok) = (0.0, 0.0, true);
            for fold in 0..folds {
                let cut = first + fold * holdout;
                let test = &history[cut..cut + holdout];
                match run(method, &history[..cut], seasons, holdout) {
                    Some(pred) => {
                        err += test.iter().zip(&pred).map(|(a, p)| (a - p).abs()).sum::<f64>();
                        total += test.iter().sum::<f64>();
                    }
                    None => ok = false,
                }
            }
            if ok && total > 0.0 {
                backtest.push((method, err / total));
            }
        }
    }
    let mut ranked = backtest.clone();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let order = ranked.iter().map(|(m, _)| *m).chain(candidates(history.len(), seasons));
    for method in order {
        if let Some(values) = run(method, history, seasons, horizon) {
            return Forecast { method, values, backtest };
        }
    }
    // `seasonal_naive` always runs on a non-empty history, so this is a last resort only.
    let values = seasonal_naive(history, seasons, horizon);
    Forecast { method: Method::SeasonalNaive, values, backtest }
}

/// Run one method; `None` when it cannot fit this series (too short, or the fit failed).
pub fn run(method: Method, y: &[f64], seasons: Seasons, horizon: usize) -> Option<Vec<f64>> {
    let values = match method {
        Method::SeasonalNaive => seasonal_naive(y, seasons, horizon),
        Method::SeasonalMean => seasonal_mean(y, seasons, horizon, 4),
        Method::MstlEts => mstl_ets(y, seasons, horizon)?,
        Method::Combined => {
            let a = mstl_ets(y, seasons, horizon)?;
            let b = seasonal_mean(y, seasons, horizon, 4);
            a.iter().zip(&b).map(|(a, b)| (a + b) / 2.0).collect()
        }
        Method::Ets => {
            let fit = AutoETS::non_seasonal().fit(y).ok()?;
            fit.predict(horizon, None).ok()?.point
        }
    };
    values.iter().all(|v| v.is_finite()).then(|| values.into_iter().map(|v| v.max(0.0)).collect())
}

fn candidates(len: usize, s: Seasons) -> Vec<Method> {
    let mut out = vec![Method::SeasonalNaive];
    if len >= 2 * s.per_week {
        out.push(Method::SeasonalMean);
    }
    if len >= 2 * s.per_day.max(2) {
        out.push(Method::MstlEts);
    }
    if len >= 2 * s.per_week {
        out.push(Method::Combined);
    }
    if len >= 8 {
        out.push(Method::Ets);
    }
    out
}

/// The seasonal periods STL can estimate: each needs two full cycles in the series.
fn periods(len: usize, s: Seasons) -> Vec<usize> {
    [s.per_day, s.per_week].into_iter().filter(|p| *p >= 2 && len >= 2 * p).collect()
}

fn mstl_ets(y: &[f64], s: Seasons, horizon: usize) -> Option<Vec<f64>> {
    let periods = periods(y.len(), s);
    if periods.is_empty() {
        return None;
    }
    // Damped: a trend extrapolated straight over four weeks of half hours runs away.
    let trend = AutoETS::non_seasonal().damped(true).ok()?;
    let model = MSTLModel::new(periods, AutoETSTrendModel::from(trend));
    let fit = model.fit(y).ok()?;
    Some(fit.predict(horizon, None).ok()?.point)
}

/// The same interval one season earlier, repeated: the week if the history holds one,
/// else the day, else the last value.
fn seasonal_naive(y: &[f64], s: Seasons, horizon: usize) -> Vec<f64> {
    let p = [s.per_week, s.per_day, 1].into_iter().find(|p| *p >= 1 && y.len() >= *p).unwrap_or(1);
    let last = &y[y.len().saturating_sub(p)..];
    (0..horizon).map(|h| last.get(h % p).copied().unwrap_or(0.0)).collect()
}

/// The mean of the same interval of the week over the last `weeks` weeks.
fn seasonal_mean(y: &[f64], s: Seasons, horizon: usize, weeks: usize) -> Vec<f64> {
    let p = s.per_week.max(1);
    let full = (y.len() / p).clamp(1, weeks);
    let start = y.len() - full * p;
    (0..horizon)
        .map(|h| {
            let slot = h % p;
            (0..full).map(|w| y[start + w * p + slot]).sum::<f64>() / full as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Seasons = Seasons { per_day: 4, per_week: 12 };

    fn weekly(weeks: usize, noise: impl Fn(usize) -> f64) -> Vec<f64> {
        let shape = [5.0, 20.0, 30.0, 10.0, 6.0, 25.0, 35.0, 12.0, 2.0, 8.0, 9.0, 3.0];
        (0..weeks * 12).map(|i| shape[i % 12] + noise(i)).collect()
    }

    #[test]
    fn wmape_weighs_by_volume() {
        assert_eq!(wmape(&[10.0, 0.0, 30.0], &[12.0, 1.0, 30.0]), Some(3.0 / 40.0));
        assert_eq!(wmape(&[0.0, 0.0], &[1.0, 1.0]), None);
    }

    #[test]
    fn a_pure_weekly_pattern_is_forecast_exactly() {
        let y = weekly(6, |_| 0.0);
        let f = forecast(&y, S, 24);
        assert_eq!(f.values.len(), 24);
        let expected = weekly(2, |_| 0.0);
        assert!(wmape(&expected, &f.values).unwrap() < 1e-6, "{:?} {:?}", f.method, f.values);
    }

    #[test]
    fn noise_makes_the_backtest_prefer_a_smoothing_model() {
        // Alternating noise: last week alone is a poor guide, averages cancel it.
        let y = weekly(8, |i| if (i / 12) % 2 == 0 { 4.0 } else { -4.0 });
        let f = forecast(&y, S, 12);
        assert_ne!(f.method, Method::SeasonalNaive, "{:?}", f.backtest);
        assert!(f.backtest.iter().any(|(m, _)| *m == Method::MstlEts), "{:?}", f.backtest);
    }

    #[test]
    fn short_or_empty_histories_still_forecast() {
        assert_eq!(forecast(&[], S, 3).values, vec![0.0; 3]);
        let f = forecast(&[3.0, 4.0, 5.0], S, 2);
        assert_eq!(f.values.len(), 2);
        assert!(f.values.iter().all(|v| *v >= 0.0));
    }

    #[test]
    fn forecasts_are_never_negative() {
        let y: Vec<f64> = (0..48).map(|i| if i % 4 == 0 { 50.0 } else { 0.0 }).collect();
        let f = forecast(&y, S, 24);
        assert!(f.values.iter().all(|v| *v >= 0.0));
    }
}
