//! History and forecast on the organisation's wall clock: the seasonal models see 48 half hours
//! a local day and 336 a local week, so a daily peak at 10:00 stays at 10:00 across a
//! daylight-saving change (counted on real intervals it would sit an hour off for the week after
//! one). The history's real intervals are folded onto wall half hours, `kefu-plan` forecasts
//! there knowing nothing of zones, and each real interval of the result takes its wall half
//! hour's value. Owns only that mapping; in a zone without DST it is one to one.

use kefu_plan::forecast::{forecast, Forecast};

use super::zone::PlanClock;
use super::{fill_aht, Series, INTERVAL_MS, SEASONS};

/// A series over wall half hours (ordinals of [`PlanClock::wall_slot`]), continuous from `first`.
#[derive(Debug, Clone, PartialEq)]
pub struct WallSeries {
    /// The first wall half hour.
    pub first: i64,
    /// Offered per wall half hour: per real interval, so a fall-back half hour that happened
    /// twice holds the mean of its two occurrences, and one skipped by a spring-forward change
    /// holds 0 as a quiet interval does.
    pub offered: Vec<f64>,
    /// Mean handle time per wall half hour, seconds (`None`: nothing handled, or skipped).
    pub aht: Vec<Option<f64>>,
}

impl WallSeries {
    /// The real-interval history folded onto the wall clock.
    pub fn of(series: &Series, clock: &PlanClock) -> Self {
        let slots: Vec<i64> = (0..series.offered.len()).map(|i| clock.wall_slot(series.start + i as i64 * INTERVAL_MS)).collect();
        let (Some(&first), Some(&last)) = (slots.iter().min(), slots.iter().max()) else {
            return WallSeries { first: clock.wall_slot(series.start), offered: vec![], aht: vec![] };
        };
        let len = (last - first + 1) as usize;
        // Per wall half hour: occurrences, offered, offered-weighted handle time, handle times.
        let mut acc = vec![(0u32, 0.0f64, 0.0f64, 0.0f64, 0.0f64, 0u32); len];
        for (i, slot) in slots.iter().enumerate() {
            let a = &mut acc[(slot - first) as usize];
            let offered = series.offered[i];
            a.0 += 1;
            a.1 += offered;
            if let Some(aht) = series.aht[i] {
                a.2 += aht * offered;
                a.3 += offered;
                a.4 += aht;
                a.5 += 1;
            }
        }
        let offered = acc.iter().map(|a| if a.0 == 0 { 0.0 } else { a.1 / f64::from(a.0) }).collect();
        let aht = acc
            .iter()
            .map(|a| match (a.3 > 0.0, a.5) {
                (_, 0) => None,
                (true, _) => Some(a.2 / a.3),
                (false, n) => Some(a.4 / f64::from(n)),
            })
            .collect();
        WallSeries { first, offered, aht }
    }

    /// The wall half hour after the last.
    pub fn end(&self) -> i64 {
        self.first + self.offered.len() as i64
    }

    /// Handle time everywhere (see [`Series::aht_filled`]).
    pub fn aht_filled(&self) -> Vec<f64> {
        fill_aht(&self.aht, &self.offered)
    }
}

/// The `n` real intervals from `start`, each with the value of its wall half hour in `values`
/// (whose first is wall half hour `first`). A real interval whose wall half hour comes before
/// `first` (the second occurrence of a fall-back hour the history ended in) takes the same half
/// hour a week on (`per_week` values later); `values` must reach past the last (a
/// spring-forward change moves the wall clock on faster than the real intervals).
pub fn on_real_intervals(clock: &PlanClock, values: &[f64], first: i64, start: i64, n: usize, per_week: usize) -> Vec<(i64, f64)> {
    (0..n)
        .map(|k| {
            let at = start + k as i64 * INTERVAL_MS;
            let mut i = clock.wall_slot(at) - first;
            if i < 0 {
                i += per_week as i64;
            }
            let v = usize::try_from(i).ok().and_then(|i| values.get(i)).or(values.last()).copied().unwrap_or(0.0);
            (at, v)
        })
        .collect()
}

/// `values` (one per wall half hour of `wall`: its offered, or its filled handle times)
/// forecast on the wall clock, and drawn on the `horizon` real intervals from `start` (the
/// history's end): the planning forecast's walk. A day more is forecast than asked, since a
/// spring-forward change within the horizon moves the wall clock on faster than real intervals.
pub fn forecast_after(clock: &PlanClock, wall: &WallSeries, values: &[f64], start: i64, horizon: usize) -> (Forecast, Vec<(i64, f64)>) {
    let chosen = forecast(values, SEASONS, horizon + SEASONS.per_day);
    let points = on_real_intervals(clock, &chosen.values, wall.end(), start, horizon, SEASONS.per_week);
    (chosen, points)
}

/// The real intervals of `series` whose wall half hour is one of `values` (the first being wall
/// half hour `first`), each with that value: a forecast of the history's tail drawn over it.
pub fn over_history(clock: &PlanClock, series: &Series, values: &[f64], first: i64) -> Vec<(i64, f64)> {
    (0..series.offered.len())
        .filter_map(|k| {
            let at = series.start + k as i64 * INTERVAL_MS;
            let i = usize::try_from(clock.wall_slot(at) - first).ok()?;
            values.get(i).map(|v| (at, *v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::tz::TimeZone;
    use jiff::Timestamp;

    fn ms(s: &str) -> i64 {
        s.parse::<Timestamp>().unwrap().as_millisecond()
    }

    fn clock(name: &str) -> PlanClock {
        PlanClock::new(TimeZone::get(name).unwrap(), ms("2026-03-01T00:00:00Z"))
    }

    /// The local hour and minute at `at`.
    fn local(c: &PlanClock, at: i64) -> (i8, i8) {
        let t = c.zone().to_datetime(Timestamp::from_millisecond(at).unwrap());
        (t.hour(), t.minute())
    }

    /// `weeks` of real half hours from `start` with a daily peak at 10:00 local (a shoulder at
    /// 09:30 and 10:30), quiet nights, and a handle time that is longest at the peak.
    fn peaked(c: &PlanClock, start: i64, n: usize) -> Series {
        let mut s = Series { start, offered: vec![], aht: vec![] };
        for i in 0..n {
            let (h, m) = local(c, start + i as i64 * INTERVAL_MS);
            let v = match (h, m) {
                (10, 0) => 40.0,
                (9, 30) | (10, 30) => 20.0,
                (8..=18, _) => 8.0,
                _ => 1.0,
            };
            s.offered.push(v);
            s.aht.push(Some(if (h, m) == (10, 0) { 400.0 } else { 200.0 }));
        }
        s
    }

    /// The forecast of a week after `history`, as `compute_forecast` makes it.
    fn week_after(c: &PlanClock, history: &Series) -> Vec<(i64, f64)> {
        let wall = WallSeries::of(history, c);
        forecast_after(c, &wall, &wall.offered, history.end(), SEASONS.per_week).1
    }

    /// Each local day's busiest real interval, as a local time.
    fn daily_peaks(c: &PlanClock, points: &[(i64, f64)]) -> Vec<(String, (i8, i8))> {
        let mut days: Vec<(String, (i8, i8), f64)> = vec![];
        for (at, v) in points {
            let day = c.date(*at).to_string();
            match days.last_mut() {
                Some(d) if d.0 == day => {
                    if *v > d.2 {
                        (d.1, d.2) = (local(c, *at), *v);
                    }
                }
                _ => days.push((day, local(c, *at), *v)),
            }
        }
        days.into_iter().map(|(d, t, _)| (d, t)).collect()
    }

    #[test]
    fn a_10_00_peak_stays_at_10_00_after_spring_forward() {
        // Six weeks up to Sunday 29 March 2026 00:00 in Berlin (+01), which springs forward at
        // 02:00 that night; the week forecast is all in summer time (+02).
        let c = clock("Europe/Berlin");
        let end = ms("2026-03-28T23:00:00Z");
        let n = 6 * 336;
        let history = peaked(&c, end - n as i64 * INTERVAL_MS, n);
        let points = week_after(&c, &history);
        assert_eq!(points.len(), 336, "the same real intervals as before");
        assert_eq!(points[0].0, end);
        // The 23-hour Sunday leaves the last hour on an eighth day.
        let peaks = daily_peaks(&c, &points);
        assert_eq!(peaks.len(), 8, "{peaks:?}");
        assert!(peaks[..7].iter().all(|(_, t)| *t == (10, 0)), "{peaks:?}");
        // Counted on real intervals, the winter's peak (09:00 UTC) lands at 11:00 summer time.
        let utc = forecast(&history.offered, SEASONS, 336).values;
        let real: Vec<(i64, f64)> = utc.iter().enumerate().map(|(i, v)| (end + i as i64 * INTERVAL_MS, *v)).collect();
        assert!(daily_peaks(&c, &real)[..7].iter().all(|(_, t)| *t == (11, 0)), "{:?}", daily_peaks(&c, &real));
        // The skipped 02:00 and 02:30 have no interval: 03:00 summer time follows 01:30.
        assert_eq!((local(&c, points[3].0), local(&c, points[4].0)), ((1, 30), (3, 0)));
    }

    #[test]
    fn a_10_00_peak_stays_at_10_00_after_fall_back_and_the_repeated_hour_is_one_slot() {
        // Berlin falls back on Sunday 25 October 2026 (03:00 -> 02:00). History: six weeks up
        // to Wednesday 28 October 00:00 local, so the change is inside it; then its repeated
        // hour is folded: the wall series has 48 half hours on that 25-hour day.
        let c = clock("Europe/Berlin");
        let end = ms("2026-10-27T23:00:00Z");
        let n = 6 * 336 + 2;
        let mut history = peaked(&c, end - n as i64 * INTERVAL_MS, n);
        // The repeated 02:00: 3 contacts the first time, 5 the second: the slot holds their mean.
        let first_two = ms("2026-10-25T00:00:00Z");
        let i = ((first_two - history.start) / INTERVAL_MS) as usize;
        history.offered[i] = 3.0;
        history.offered[i + 2] = 5.0;
        let wall = WallSeries::of(&history, &c);
        assert_eq!(wall.offered.len(), 6 * 336);
        assert_eq!(wall.offered[(c.wall_slot(first_two) - wall.first) as usize], 4.0);
        // Summer time before the change, winter time after it: the whole forecast peaks at 10:00.
        let peaks = daily_peaks(&c, &week_after(&c, &history));
        assert_eq!(peaks.len(), 7, "{peaks:?}");
        assert!(peaks.iter().all(|(_, t)| *t == (10, 0)), "{peaks:?}");
    }

    #[test]
    fn each_occurrence_of_a_repeated_half_hour_gets_its_forecast() {
        let c = clock("Europe/Berlin");
        // A forecast from Sunday 25 October 2026 00:00 local: 50 real intervals that day.
        let start = ms("2026-10-24T22:00:00Z");
        let first = c.wall_slot(start);
        let values: Vec<f64> = (0..96).map(f64::from).collect();
        let points = on_real_intervals(&c, &values, first, start, 50, 336);
        let v: Vec<f64> = points.iter().map(|p| p.1).collect();
        assert_eq!(&v[..8], &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 5.0], "02:00 and 02:30 twice");
        assert_eq!(v[49], 47.0, "23:30");
    }

    #[test]
    fn shanghai_is_one_to_one() {
        let c = clock("Asia/Shanghai");
        let start = ms("2026-01-25T16:00:00Z");
        let history = peaked(&c, start, 3 * 336);
        let wall = WallSeries::of(&history, &c);
        assert_eq!((wall.offered.as_slice(), wall.aht.as_slice()), (history.offered.as_slice(), history.aht.as_slice()));
        assert_eq!(c.wall_slot_start(wall.end()), history.end());
        let values: Vec<f64> = (0..400).map(f64::from).collect();
        let points = on_real_intervals(&c, &values, wall.end(), history.end(), 336, 336);
        assert!(points.iter().enumerate().all(|(i, p)| p.1 == i as f64 && p.0 == history.end() + i as i64 * INTERVAL_MS));
    }
}
