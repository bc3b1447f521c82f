//! `/api/v1/planning/*`: interval-history import, forecasts, staffing and shift suggestions per
//! skill group. Supervisors plan the groups they belong to, admins every group; agents get 403.
//! Settings (shrinkage, concurrency, service-level goal) are admin-set.

use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use kefu_plan::forecast::run;
use kefu_plan::schedule::{gaps, suggest, Horizon};
use kefu_plan::staffing::{staff_interval, IntervalLoad, Target};
use kefu_store::{GroupRow, HistoryRow, PlanningSettingsRow};
use serde::Deserialize;

use crate::audit::{record, Change};
use crate::auth::{Role, Staff};
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::planning::wall::{forecast_after, over_history, WallSeries};
use crate::planning::zone::{coverage, LocalGrid, PlanClock};
use crate::planning::{self, csv, Series, INTERVAL_MS, SEASONS};
use crate::state::AppState;
use crate::views::planning::*;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity};

/// A CSV of a year of half hours for a few groups fits; the JSON limit (1 MiB) would not.
const MAX_CSV: usize = 16 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/planning/history/import", post(import).layer(DefaultBodyLimit::max(MAX_CSV)))
        .route("/api/v1/planning/groups", get(groups))
        .route("/api/v1/planning/groups/{id}/settings", put(save_settings))
        .route("/api/v1/planning/groups/{id}/forecast", get(forecast_view))
        .route("/api/v1/planning/groups/{id}/staffing", get(staffing))
        .route("/api/v1/planning/groups/{id}/schedule", get(latest_schedule).post(make_schedule))
        .merge(super::planning_actuals::router())
}

/// The groups this caller plans: all for admins and API keys with `stats:read`, else the
/// groups the supervisor is a member of.
async fn planned_groups(state: &AppState, staff: &Staff) -> ApiResult<Vec<GroupRow>> {
    staff.require_scope(Scope::StatsRead)?;
    let groups = state.store.groups().await?;
    if staff.role == Role::Admin || !staff.is_user() {
        return Ok(groups);
    }
    let mine: Vec<i64> = state.store.members().await?.into_iter().filter(|m| m.agent_id == staff.id).map(|m| m.group_id).collect();
    Ok(groups.into_iter().filter(|g| mine.contains(&g.id)).collect())
}

pub(crate) async fn planned_group(state: &AppState, staff: &Staff, id: i64) -> ApiResult<GroupRow> {
    let groups = planned_groups(state, staff).await?;
    match groups.into_iter().find(|g| g.id == id) {
        Some(g) => Ok(g),
        None if state.store.group(id).await.is_ok() => Err(ApiError::Forbidden("you do not supervise this group".into())),
        None => Err(ApiError::not_found("group")),
    }
}

#[utoipa::path(get, path = "/api/v1/planning/groups", tag = "planning", params(crate::api::paging::ListQuery), responses((status = 200, description = "the groups this caller plans, with their planning settings, by name, paged like the catalogs (`q` finds the name)", body = PlanningGroupList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn groups(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<crate::api::paging::ListQuery>,
) -> ApiResult<Json<PlanningGroupList>> {
    let mut out = Vec::new();
    for g in planned_groups(&state, &staff).await? {
        out.push(PlanningGroup { id: g.id, name: g.name, settings: PlanningSettings::of(&planning::settings(&state.store, g.id).await?) });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    let page = q.page(out, |g| g.id, |g| vec![g.name.as_str()])?;
    Ok(Json(PlanningGroupList { groups: page.rows, total: page.total, next_after: page.next_after }))
}

#[utoipa::path(put, path = "/api/v1/planning/groups/{id}/settings", tag = "planning", request_body = PlanningSettings, responses((status = 200, description = "saved (admin)", body = PlanningSettings), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn save_settings(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PlanningSettings>,
) -> ApiResult<Json<PlanningSettings>> {
    staff.require_scope(Scope::Admin)?;
    let group = state.store.group(id).await.map_err(|_| ApiError::not_found("group"))?;
    if !(0.0..=0.9).contains(&b.shrinkage) {
        return Err(ApiError::invalid("shrinkage: a share from 0 to 0.9"));
    }
    if !(1..=10).contains(&b.concurrency) {
        return Err(ApiError::invalid("concurrency: 1 to 10 contacts at once"));
    }
    if !(0.05..=0.99).contains(&b.service_level) {
        return Err(ApiError::invalid("service_level: a share from 0.05 to 0.99"));
    }
    if !(1..=3600).contains(&b.within_secs) {
        return Err(ApiError::invalid("within_secs: 1 to 3600 seconds"));
    }
    let row = PlanningSettingsRow {
        group_id: id,
        shrinkage: b.shrinkage,
        concurrency: i64::from(b.concurrency),
        service_level: b.service_level,
        within_secs: i64::from(b.within_secs),
    };
    let before = PlanningSettings::of(&planning::settings(&state.store, id).await?);
    state.store.save_planning_settings(&row, now_ms()).await?;
    let after = PlanningSettings::of(&row);
    record(&state, &staff, Change::new(AuditEntity::PlanningSettings, id, AuditAction::Updated, group.name).before(&before).after(&after))
        .await;
    Ok(Json(after))
}

#[utoipa::path(post, path = "/api/v1/planning/history/import", tag = "planning", request_body(content = String, content_type = "text/csv", description = "interval_start,group,offered[,aht]: one row per group and 30-minute interval; group by name or id; aht in seconds"), responses((status = 200, description = "imported (an interval already on file is replaced)", body = ImportResult), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn import(State(state): State<AppState>, staff: Staff, body: String) -> ApiResult<Json<ImportResult>> {
    let groups = planned_groups(&state, &staff).await?;
    let all = state.store.groups().await?;
    let clock = PlanClock::new(state.org.time_zone().zone().clone(), now_ms());
    let rows = csv::parse(&body, &clock).map_err(ApiError::invalid)?;
    let mut out: Vec<HistoryRow> = Vec::with_capacity(rows.len());
    let mut counts: Vec<ImportedGroup> = Vec::new();
    for r in rows {
        let named = |g: &&GroupRow| g.name == r.group || r.group.parse::<i64>().ok() == Some(g.id);
        let group = match groups.iter().find(named) {
            Some(g) => g,
            None if all.iter().any(|g| named(&g)) => {
                return Err(ApiError::Forbidden(format!("line {}: you do not supervise group {:?}", r.line, r.group)))
            }
            None => return Err(ApiError::invalid(format!("line {}: no group named {:?}", r.line, r.group))),
        };
        match counts.iter_mut().find(|c| c.id == group.id) {
            Some(c) => c.intervals += 1,
            None => counts.push(ImportedGroup { id: group.id, name: group.name.clone(), intervals: 1 }),
        }
        out.push(HistoryRow { group_id: group.id, interval_start: r.start, offered: r.offered, aht_secs: r.aht_secs });
    }
    state.store.import_history(&out).await?;
    Ok(Json(ImportResult { intervals: out.len() as u64, groups: counts }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct WeeksQuery {
    /// Weeks ahead, 1 to 4 (default 1).
    weeks: Option<u32>,
}

fn weeks(q: &WeeksQuery) -> ApiResult<u32> {
    match q.weeks.unwrap_or(1) {
        w @ 1..=4 => Ok(w),
        _ => Err(ApiError::invalid("weeks: 1 to 4")),
    }
}

/// History, forecast of volume and handle time, and the backtest shown against the actuals.
async fn forecast_of(state: &AppState, group_id: i64, weeks: u32) -> ApiResult<ForecastView> {
    let clock = PlanClock::new(state.org.time_zone().zone().clone(), now_ms());
    let series = planning::group_history(&state.store, &clock, group_id, now_ms())
        .await?
        .ok_or_else(|| ApiError::invalid("history: this group has no history yet; import a CSV or wait for traffic"))?;
    let horizon = weeks as usize * SEASONS.per_week;
    let view = tokio::task::spawn_blocking(move || compute_forecast(group_id, &clock, &series, horizon))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok(view)
}

/// The models run on the zone's wall half hours (`planning::wall`); what they say comes back on
/// the real intervals: `horizon` of them from the end of the history, as staffing and the plans
/// count them.
fn compute_forecast(group_id: i64, clock: &PlanClock, series: &Series, horizon: usize) -> ForecastView {
    let wall = WallSeries::of(series, clock);
    let (volume, offered) = forecast_after(clock, &wall, &wall.offered, series.end(), horizon);
    let (aht, handle) = forecast_after(clock, &wall, &wall.aht_filled(), series.end(), horizon);
    let at = |i: usize| series.start + i as i64 * INTERVAL_MS;
    // The chosen method's forecast of the last week from what came before, drawn over that
    // week's actuals: the forecast-vs-actual view of how well this series is predicted.
    let held = SEASONS.per_week.min(wall.offered.len() / 5);
    let split = wall.offered.len() - held;
    let backtest_values = if held > 0 { run(volume.method, &wall.offered[..split], SEASONS, held).unwrap_or_default() } else { vec![] };
    let shown_from = series.offered.len().saturating_sub(2 * SEASONS.per_week);
    ForecastView {
        group_id,
        interval_minutes: 30,
        starts_at: series.end(),
        volume_method: volume.method,
        aht_method: aht.method,
        backtest: volume.backtest.iter().map(|(m, w)| BacktestScore { method: *m, wmape: *w }).collect(),
        actual: (shown_from..series.offered.len())
            .map(|i| ActualPoint { start: at(i), offered: series.offered[i], aht_secs: series.aht[i] })
            .collect(),
        backtest_points: over_history(clock, series, &backtest_values, wall.first + split as i64)
            .into_iter()
            .map(|(start, offered)| BacktestPoint { start, offered })
            .collect(),
        points: offered
            .iter()
            .zip(&handle)
            .map(|((start, o), (_, a))| ForecastPoint { start: *start, offered: *o, aht_secs: *a })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/forecast", tag = "planning", params(WeeksQuery), responses((status = 200, description = "volume and handle time per 30-minute interval for the weeks after the group's history, with the backtest", body = ForecastView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn forecast_view(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<WeeksQuery>,
) -> ApiResult<Json<ForecastView>> {
    let weeks = weeks(&q)?;
    planned_group(&state, &staff, id).await?;
    Ok(Json(forecast_of(&state, id, weeks).await?))
}

async fn staffing_of(state: &AppState, group_id: i64, weeks: u32) -> ApiResult<StaffingView> {
    let f = forecast_of(state, group_id, weeks).await?;
    let s = planning::settings(&state.store, group_id).await?;
    let target = Target { service_level: s.service_level, within_secs: s.within_secs as f64 };
    let points = f
        .points
        .iter()
        .map(|p| {
            let st =
                staff_interval(IntervalLoad { volume: p.offered, aht_secs: p.aht_secs }, 1800.0, target, s.concurrency as u32, s.shrinkage);
            StaffingPoint {
                start: p.start,
                offered: p.offered,
                aht_secs: p.aht_secs,
                erlangs: st.erlangs,
                required: st.required,
                scheduled: st.scheduled,
                service_level: st.service_level,
                asa_secs: if st.asa_secs.is_finite() { st.asa_secs } else { -1.0 },
                occupancy: st.occupancy,
            }
        })
        .collect();
    Ok(StaffingView { group_id, interval_minutes: 30, starts_at: f.starts_at, settings: PlanningSettings::of(&s), points })
}

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/staffing", tag = "planning", params(WeeksQuery), responses((status = 200, description = "agents required (Erlang C; chat over agents × concurrency) and to schedule (after shrinkage) per interval of the forecast", body = StaffingView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn staffing(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<WeeksQuery>,
) -> ApiResult<Json<StaffingView>> {
    let weeks = weeks(&q)?;
    planned_group(&state, &staff, id).await?;
    Ok(Json(staffing_of(&state, id, weeks).await?))
}

#[utoipa::path(post, path = "/api/v1/planning/groups/{id}/schedule", tag = "planning", request_body = ScheduleRequest, responses((status = 201, description = "suggested shifts covering the staffing requirement, saved", body = ScheduleView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn make_schedule(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ScheduleRequest>,
) -> ApiResult<(StatusCode, Json<ScheduleView>)> {
    let weeks = weeks(&WeeksQuery { weeks: b.weeks })?;
    planned_group(&state, &staff, id).await?;
    if b.contracts.is_empty() || b.contracts.len() > 500 {
        return Err(ApiError::invalid("contracts: 1 to 500 agents"));
    }
    let mut b = b;
    for (i, c) in b.contracts.iter_mut().enumerate() {
        let Some(agent) = c.agent_id else { continue };
        let user = match state.store.user(agent).await {
            Ok(u) => u,
            Err(kefu_store::StoreError::NotFound) => return Err(ApiError::invalid(format!("contracts.{i}.agent_id: no user {agent}"))),
            Err(e) => return Err(e.into()),
        };
        if c.name.trim().is_empty() {
            c.name = user.name;
        }
    }
    let contracts = b.contracts.iter().enumerate().map(|(i, c)| c.to_plan(i)).collect::<Result<Vec<_>, _>>()?;
    let staffing = staffing_of(&state, id, weeks).await?;
    // Shifts are placed on whole local days (contracts speak in the organisation's clock
    // times and weekdays), so the plan starts at the local midnight before the forecast, with
    // nothing required before the forecast's start. `required`, `coverage` and `forecast` stay
    // on the UTC intervals from `starts_at`; the solver works on the wall clock (48 half hours a
    // local day) and its shifts are turned back into instants, so a DST change day keeps a
    // 09:00 shift at 09:00.
    let clock = PlanClock::new(state.org.time_zone().zone().clone(), now_ms());
    let starts_at = clock.midnight_before(staffing.starts_at);
    let lead = ((staffing.starts_at - starts_at) / INTERVAL_MS) as usize;
    let required: Vec<u32> = std::iter::repeat_n(0, lead).chain(staffing.points.iter().map(|p| p.scheduled)).collect();
    let grid = LocalGrid::covering(&clock, starts_at, starts_at + required.len() as i64 * INTERVAL_MS);
    let wall = grid.wall_required(&clock, starts_at, &required);
    let first_weekday = grid.first.weekday().to_monday_zero_offset() as u8;
    let horizon = Horizon { per_day: SEASONS.per_day as u32, first_weekday };
    let plan = tokio::task::spawn_blocking(move || suggest(&wall, horizon, &contracts)).await.map_err(|e| ApiError::Internal(e.into()))?;
    let shifts: Vec<ShiftView> = plan
        .shifts
        .iter()
        .map(|s| {
            let (start, end) = grid.shift(&clock, s.day, s.start, s.len);
            ShiftView {
                contract: s.agent as u32,
                name: b.contracts[s.agent].name.clone(),
                agent_id: b.contracts[s.agent].agent_id,
                start,
                end,
            }
        })
        .collect();
    let covered = coverage(starts_at, required.len(), &shifts.iter().map(|s| (s.start, s.end)).collect::<Vec<_>>());
    let (under, over) = gaps(&required, &covered);
    let mut view = ScheduleView {
        id: 0,
        group_id: id,
        starts_at,
        interval_minutes: 30,
        shifts,
        required,
        coverage: covered,
        under,
        over,
        contracts: b.contracts,
        forecast: std::iter::repeat_n(0.0, lead).chain(staffing.points.iter().map(|p| p.offered)).collect(),
    };
    let body = serde_json::to_string(&view).map_err(|e| ApiError::Internal(e.into()))?;
    let caller = staff.is_user().then_some(staff.id);
    view.id = state.store.save_schedule(id, starts_at, &body, caller, now_ms()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/schedule", tag = "planning", responses((status = 200, description = "the group's latest saved suggestion", body = ScheduleView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn latest_schedule(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<ScheduleView>> {
    planned_group(&state, &staff, id).await?;
    let row = state.store.latest_schedule(id).await?.ok_or_else(|| ApiError::not_found("schedule"))?;
    Ok(Json(super::planning_actuals::plan_of(&row)?))
}
