//! Planning shapes on the wire: forecasts, staffing, contracts and schedule suggestions.
//! Times are ms since the epoch; every series is per 30-minute interval from `starts_at`.

use kefu_plan::forecast::Method;
use kefu_plan::schedule::Contract;
use kefu_store::PlanningSettingsRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;

/// A group's planning settings (admin-set; defaults 30% shrinkage, 1 contact at a time, 80/20).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanningSettings {
    /// Share of scheduled time lost to breaks, training and absence, 0..0.9.
    pub shrinkage: f64,
    /// Contacts an agent serves at once: 1 for calls and video, 2-4 typical for chat.
    pub concurrency: u32,
    /// Service-level goal, share answered in time (0.8 = 80%).
    pub service_level: f64,
    /// The answer-time threshold of the goal, seconds.
    pub within_secs: u32,
}

impl PlanningSettings {
    /// From the stored row.
    pub fn of(r: &PlanningSettingsRow) -> Self {
        PlanningSettings {
            shrinkage: r.shrinkage,
            concurrency: r.concurrency.clamp(1, 10) as u32,
            service_level: r.service_level,
            within_secs: r.within_secs.clamp(1, 3600) as u32,
        }
    }
}

/// A group the caller plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanningGroup {
    /// Group id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Its settings.
    pub settings: PlanningSettings,
}

/// The groups the caller plans.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanningGroupList {
    /// By name.
    pub groups: Vec<PlanningGroup>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// What an import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Intervals stored (new or replaced).
    pub intervals: u64,
    /// Per group.
    pub groups: Vec<ImportedGroup>,
}

/// Intervals stored for one group.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedGroup {
    /// Group id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Intervals stored.
    pub intervals: u64,
}

/// One method's weighted MAPE on the held-out last week.
#[derive(Debug, Serialize, ToSchema)]
pub struct BacktestScore {
    /// Method.
    pub method: Method,
    /// sum |error| / sum actual (lower is better).
    pub wmape: f64,
}

/// A past interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActualPoint {
    /// Interval start.
    pub start: i64,
    /// Offered.
    pub offered: f64,
    /// Mean handle time, seconds, when anything was handled.
    pub aht_secs: Option<f64>,
}

/// The chosen method's forecast of a past interval (from the history before the held-out week).
#[derive(Debug, Serialize, ToSchema)]
pub struct BacktestPoint {
    /// Interval start.
    pub start: i64,
    /// Forecast offered.
    pub offered: f64,
}

/// A future interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastPoint {
    /// Interval start.
    pub start: i64,
    /// Forecast offered.
    pub offered: f64,
    /// Forecast mean handle time, seconds.
    pub aht_secs: f64,
}

/// A group's forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct ForecastView {
    /// Group.
    pub group_id: i64,
    /// Interval length.
    pub interval_minutes: u32,
    /// First forecast interval: the one after the group's latest history.
    pub starts_at: i64,
    /// Method chosen for volume by the backtest.
    pub volume_method: Method,
    /// Method chosen for handle time.
    pub aht_method: Method,
    /// Every volume method tried, with its score.
    pub backtest: Vec<BacktestScore>,
    /// The last two weeks of history.
    pub actual: Vec<ActualPoint>,
    /// The chosen method's forecast of the last week of history, to compare with `actual`.
    pub backtest_points: Vec<BacktestPoint>,
    /// The forecast.
    pub points: Vec<ForecastPoint>,
}

/// Staffing of one interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffingPoint {
    /// Interval start.
    pub start: i64,
    /// Forecast offered.
    pub offered: f64,
    /// Forecast handle time, seconds.
    pub aht_secs: f64,
    /// Offered traffic in erlangs.
    pub erlangs: f64,
    /// Agents needed on the floor for the goal.
    pub required: u32,
    /// Agents to schedule (required / (1 - shrinkage), rounded up).
    pub scheduled: u32,
    /// Service level `required` agents reach.
    pub service_level: f64,
    /// Average speed of answer with `required` agents, seconds.
    pub asa_secs: f64,
    /// Occupancy with `required` agents.
    pub occupancy: f64,
}

/// Agents per interval for a group's forecast.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffingView {
    /// Group.
    pub group_id: i64,
    /// Interval length.
    pub interval_minutes: u32,
    /// First interval.
    pub starts_at: i64,
    /// The settings used.
    pub settings: PlanningSettings,
    /// Per interval.
    pub points: Vec<StaffingPoint>,
}

/// What one agent may work.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContractBody {
    /// The agent (a user) this contract is, if it names one: the shifts carry their id, and
    /// their name when `name` is left empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i64>,
    /// Who (shown on the shifts); may be empty when `agent_id` names the agent.
    #[serde(default)]
    pub name: String,
    /// Most hours a week.
    pub hours_per_week: f64,
    /// Allowed shift lengths, hours (multiples of 0.5).
    pub shift_hours: Vec<f64>,
    /// Earliest start, `HH:MM` on the half hour, in the organisation's time zone.
    pub earliest_start: String,
    /// Latest end, `HH:MM` (`24:00` for midnight), in the organisation's time zone.
    pub latest_end: String,
    /// Days off, 0 = Monday .. 6 = Sunday, the organisation's days.
    #[serde(default)]
    pub days_off: Vec<u8>,
}

fn half_hours(field: &str, v: f64) -> Result<u32, ApiError> {
    let n = v * 2.0;
    if !(n.is_finite() && (1.0..=48.0 * 7.0).contains(&n) && (n - n.round()).abs() < 1e-9) {
        return Err(ApiError::invalid(format!("{field}: a positive multiple of 0.5 hours")));
    }
    Ok(n.round() as u32)
}

fn clock(field: &str, s: &str) -> Result<u32, ApiError> {
    let bad = || ApiError::invalid(format!("{field}: a time HH:MM on the half hour"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(m == 0 || m == 30) || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 2 + m / 30)
}

impl ContractBody {
    /// The planning crate's contract, in intervals; errors name `contracts[i].field`.
    pub fn to_plan(&self, i: usize) -> Result<Contract, ApiError> {
        let f = |name: &str| format!("contracts.{i}.{name}");
        if self.name.trim().is_empty() || self.name.chars().count() > 64 {
            return Err(ApiError::invalid(format!("{}: 1 to 64 characters", f("name"))));
        }
        if self.shift_hours.is_empty() {
            return Err(ApiError::invalid(format!("{}: at least one shift length", f("shift_hours"))));
        }
        let shift_lengths = self.shift_hours.iter().map(|h| half_hours(&f("shift_hours"), *h)).collect::<Result<Vec<_>, _>>()?;
        let earliest_start = clock(&f("earliest_start"), &self.earliest_start)?;
        let latest_end = clock(&f("latest_end"), &self.latest_end)?;
        if latest_end <= earliest_start {
            return Err(ApiError::invalid(format!("{}: after earliest_start", f("latest_end"))));
        }
        if self.days_off.iter().any(|d| *d > 6) {
            return Err(ApiError::invalid(format!("{}: weekdays 0 (Monday) to 6 (Sunday)", f("days_off"))));
        }
        Ok(Contract {
            max_intervals_per_week: half_hours(&f("hours_per_week"), self.hours_per_week)?,
            shift_lengths,
            earliest_start,
            latest_end,
            days_off: self.days_off.clone(),
        })
    }
}

/// Ask for shifts over the next `weeks` of the group's forecast.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ScheduleRequest {
    /// 1 to 4 (default 1).
    pub weeks: Option<u32>,
    /// The agents available, with their contracts.
    pub contracts: Vec<ContractBody>,
}

/// One suggested shift.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShiftView {
    /// Index into `contracts`.
    pub contract: u32,
    /// The agent's name.
    pub name: String,
    /// The agent (user id) when the contract names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_id: Option<i64>,
    /// Start, ms.
    pub start: i64,
    /// End, ms.
    pub end: i64,
}

/// A saved schedule suggestion with its coverage curve against the requirement.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleView {
    /// Id.
    pub id: i64,
    /// Group.
    pub group_id: i64,
    /// First interval: the organisation's midnight starting the plan's first day.
    pub starts_at: i64,
    /// Interval length.
    pub interval_minutes: u32,
    /// The shifts, by start.
    pub shifts: Vec<ShiftView>,
    /// Agents to schedule per interval (the staffing's `scheduled`).
    pub required: Vec<u32>,
    /// Agents on shift per interval.
    pub coverage: Vec<u32>,
    /// Agent-intervals short of the requirement.
    pub under: u32,
    /// Agent-intervals above it.
    pub over: u32,
    /// The contracts it was made from.
    pub contracts: Vec<ContractBody>,
    /// Contacts forecast per interval when it was made (0 before the forecast starts): what the
    /// plan expected, shown later against what came.
    #[serde(default)]
    pub forecast: Vec<f64>,
}

/// One interval of a plan against what happened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanActualPoint {
    /// Start, ms.
    pub start: i64,
    /// The saved plan this interval's planned figures come from (none: no plan covers it).
    pub schedule_id: Option<i64>,
    /// Agents the plan asked for.
    pub required: u32,
    /// Agents on the suggested shifts.
    pub scheduled: u32,
    /// Agents of the group logged in, on average over the interval (logged-in time ÷ its length).
    pub logged_in: f64,
    /// Agents of the group ready (idle, available), on average.
    pub ready: f64,
    /// Agents of the group serving or in wrap-up, on average.
    pub working: f64,
    /// Agents of the group who were ready or serving at any time in the interval (head count,
    /// set against `scheduled`).
    pub agents_on: u32,
    /// Contacts forecast.
    pub forecast_offered: f64,
    /// Contacts that came (queued in the group).
    pub offered: u64,
}

/// A period of the group's plans against what happened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanActualsView {
    /// Group.
    pub group_id: i64,
    /// The plan asked for; none when each interval shows the latest plan saved for it.
    pub schedule_id: Option<i64>,
    /// First day of the period, YYYY-MM-DD in the organisation's time zone.
    pub from: String,
    /// Last day of the period, included.
    pub to: String,
    /// First interval, ms.
    pub starts_at: i64,
    /// Interval length.
    pub interval_minutes: u32,
    /// Per interval of the period that has begun.
    pub points: Vec<PlanActualPoint>,
}

/// A saved plan, as the plan picker lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleSummary {
    /// Id.
    pub id: i64,
    /// First interval, ms.
    pub starts_at: i64,
    /// End of its last interval, ms.
    pub ends_at: i64,
    /// When it was saved, ms.
    pub created_at: i64,
    /// Shifts on it.
    pub shifts: u32,
}

/// The group's saved plans, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleList {
    /// Newest first (at most 100).
    pub schedules: Vec<ScheduleSummary>,
}
