//! Workforce planning in the server: builds a group's interval history (imported rows, else
//! Kefu's own conversations), and hands it to `kefu-plan` for forecasts, staffing and shifts.
//! The HTTP surface is `api::planning`; the arithmetic is all in `kefu-plan`.

pub mod actuals;
pub mod csv;
pub mod wall;
pub mod zone;

use std::collections::BTreeMap;

use kefu_plan::forecast::Seasons;
use kefu_store::{PlanningSettingsRow, Store};

use crate::error::ApiResult;
use zone::PlanClock;

/// Planning interval: 30 minutes of the organisation's wall clock (see `zone`).
pub const INTERVAL_MS: i64 = 30 * 60 * 1000;
/// Wall half hours in a local day and week: forecasts run on the zone's wall clock (`wall`), so
/// a DST change day is 48 of them like any other.
pub const SEASONS: Seasons = Seasons { per_day: 48, per_week: 336 };
/// How far back history is read for a forecast.
pub const HISTORY_WEEKS: i64 = 12;
/// Handle time assumed for a group with no handle time on record at all.
pub const DEFAULT_AHT_SECS: f64 = 300.0;

/// A group's continuous interval history: every interval from `start` on, zero when quiet.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// First interval, ms.
    pub start: i64,
    /// Offered per interval.
    pub offered: Vec<f64>,
    /// Mean handle time per interval, seconds (`None`: nothing handled then).
    pub aht: Vec<Option<f64>>,
}

impl Series {
    /// The interval after the last one.
    pub fn end(&self) -> i64 {
        self.start + self.offered.len() as i64 * INTERVAL_MS
    }

    /// Handle time per interval with the gaps filled by the offered-weighted mean (the
    /// forecasting models need a value everywhere; a quiet night has no handle time).
    pub fn aht_filled(&self) -> Vec<f64> {
        fill_aht(&self.aht, &self.offered)
    }
}

/// Handle times with the gaps filled by the offered-weighted mean of the rest.
pub(crate) fn fill_aht(aht: &[Option<f64>], offered: &[f64]) -> Vec<f64> {
    let (sum, n) = aht.iter().zip(offered).fold((0.0, 0.0), |(s, n), (a, o)| match a {
        Some(a) if *o > 0.0 => (s + a * o, n + o),
        _ => (s, n),
    });
    let mean = if n > 0.0 { sum / n } else { DEFAULT_AHT_SECS };
    aht.iter().map(|a| a.unwrap_or(mean)).collect()
}

/// One interval of history, from either source.
#[derive(Debug, Clone, Copy, Default)]
struct Bucket {
    offered: f64,
    handle_sum: f64,
    handled: f64,
    aht_given: Option<f64>,
}

/// The group's history for the `HISTORY_WEEKS` up to its latest interval on record. Imported
/// intervals win over Kefu's own for the same half hour (they are the old system's full count).
/// Both are counted on the zone's half hours (`clock.floor`).
///
/// Seam: Kefu's own history is read from the conversations table here. When the event log's
/// interval read model lands, `own_history` is the one function to point at it.
pub async fn group_history(store: &Store, clock: &PlanClock, group_id: i64, now: i64) -> ApiResult<Option<Series>> {
    let window = HISTORY_WEEKS * 7 * 86_400_000;
    let mut buckets = own_history(store, clock, group_id, now - window).await?;
    // Imported history may end long ago (an old system's export): read its last 12 weeks.
    let imported_until = store.latest_history(group_id).await?.unwrap_or(i64::MIN + window);
    for r in store.history(group_id, imported_until - window).await? {
        buckets.insert(clock.floor(r.interval_start), Bucket { offered: r.offered as f64, aht_given: r.aht_secs, ..Bucket::default() });
    }
    let Some(&last) = buckets.keys().next_back() else {
        return Ok(None);
    };
    let first = buckets.keys().next().copied().unwrap_or(last).max(last - (HISTORY_WEEKS * 7 * 86_400_000 - INTERVAL_MS));
    let len = ((last - first) / INTERVAL_MS + 1) as usize;
    let mut series = Series { start: first, offered: vec![0.0; len], aht: vec![None; len] };
    for (start, b) in buckets.range(first..) {
        let i = ((start - first) / INTERVAL_MS) as usize;
        series.offered[i] = b.offered;
        series.aht[i] = b.aht_given.or((b.handled > 0.0).then(|| b.handle_sum / b.handled));
    }
    Ok(Some(series))
}

/// Offered and handle time per half hour from the group's conversations since `since`. Handle
/// time is talk (answered to closed) plus the closing agent's wrap-up, as the reports' AHT: an
/// agent in wrap-up is not free for the next contact, so staffing must count it.
async fn own_history(store: &Store, clock: &PlanClock, group_id: i64, since: i64) -> ApiResult<BTreeMap<i64, Bucket>> {
    let mut out: BTreeMap<i64, Bucket> = BTreeMap::new();
    for (queued_at, assigned_at, closed_at, wrap_ms) in store.group_contacts_since(group_id, since).await? {
        let b = out.entry(clock.floor(queued_at)).or_default();
        b.offered += 1.0;
        if let (Some(a), Some(c)) = (assigned_at, closed_at) {
            b.handle_sum += ((c - a).max(0) + wrap_ms.max(0)) as f64 / 1000.0;
            b.handled += 1.0;
        }
    }
    Ok(out)
}

/// The group's settings, or the defaults: 30% shrinkage, one contact at a time, 80/20.
pub async fn settings(store: &Store, group_id: i64) -> ApiResult<PlanningSettingsRow> {
    Ok(store.planning_settings(group_id).await?.unwrap_or(PlanningSettingsRow {
        group_id,
        shrinkage: 0.3,
        concurrency: 1,
        service_level: 0.8,
        within_secs: 20,
    }))
}
