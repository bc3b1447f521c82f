//! `/api/v1/planning/groups/{id}/schedule/actuals` and its export, and the saved plans it may be
//! asked for: a period of a group's plans against what happened (`planning::actuals`), for the
//! same callers as the rest of planning.

use axum::extract::{Path, Query, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::planning::planned_group;
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::planning;
use crate::state::AppState;
use crate::views::planning::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/planning/groups/{id}/schedule/actuals", get(plan_actuals))
        .route("/api/v1/planning/groups/{id}/schedule/actuals/export", get(export))
        .route("/api/v1/planning/groups/{id}/schedules", get(schedules))
}

/// A saved plan of the group, read back.
pub(crate) fn plan_of(row: &kefu_store::ScheduleRow) -> ApiResult<ScheduleView> {
    let mut view: ScheduleView = serde_json::from_str(&row.body).map_err(|e| ApiError::Internal(e.into()))?;
    view.id = row.id;
    Ok(view)
}

/// How many saved plans a period is compared against, and the plan picker lists.
const PLANS_LISTED: i64 = 100;

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/schedules", tag = "planning", responses((status = 200, description = "the group's saved plans, newest first (at most 100): what the plan-against-actuals view may be asked for", body = ScheduleList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn schedules(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<ScheduleList>> {
    planned_group(&state, &staff, id).await?;
    let mut out = vec![];
    for row in state.store.schedules(id, i64::MAX, PLANS_LISTED).await? {
        let plan = plan_of(&row)?;
        out.push(ScheduleSummary {
            id: row.id,
            starts_at: plan.starts_at,
            ends_at: planning::actuals::plan_end(&plan),
            created_at: row.created_at,
            shifts: plan.shifts.len() as u32,
        });
    }
    Ok(Json(ScheduleList { schedules: out }))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ActualsQuery {
    /// One saved plan of the group (see `/schedules`). Default: each interval against the newest
    /// plan saved for it.
    schedule_id: Option<i64>,
    /// First day, YYYY-MM-DD in the organisation's time zone. Default: the first day of the plan
    /// asked for, else of the newest plan.
    from: Option<String>,
    /// Last day, included (default: `from` when given, else the plan's last day). At most 62 days.
    to: Option<String>,
}

/// The day (in the organisation's zone) of an instant.
fn day_of(state: &AppState, ms: i64) -> ApiResult<jiff::civil::Date> {
    let at = jiff::Timestamp::from_millisecond(ms).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(state.org.time_zone().zone().to_datetime(at).date())
}

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/schedule/actuals", tag = "planning", params(ActualsQuery), responses((status = 200, description = "a period of the group's plans against what happened, per interval that has begun: agents required and scheduled (from the plan asked for, else the newest plan saved for each interval) against the group's agents logged in, ready and working (from the agent state report) and how many were ready or serving, contacts forecast against contacts that came", body = PlanActualsView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn plan_actuals(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ActualsQuery>,
) -> ApiResult<Json<PlanActualsView>> {
    Ok(Json(actuals_of(&state, &staff, id, &q).await?))
}

async fn actuals_of(state: &AppState, staff: &Staff, id: i64, q: &ActualsQuery) -> ApiResult<PlanActualsView> {
    planned_group(state, staff, id).await?;
    let plans: Vec<ScheduleView> = match q.schedule_id {
        Some(s) => vec![plan_of(&state.store.schedule(id, s).await?.ok_or_else(|| ApiError::not_found("schedule"))?)?],
        None => state.store.schedules(id, i64::MAX, PLANS_LISTED).await?.iter().map(plan_of).collect::<ApiResult<_>>()?,
    };
    let (from_day, to_day) = match (&q.from, &q.to) {
        (Some(f), t) => {
            let f = crate::reports::day("from", f)?;
            (f, t.as_deref().map(|t| crate::reports::day("to", t)).transpose()?.unwrap_or(f))
        }
        (None, Some(_)) => return Err(ApiError::invalid("from: required with to")),
        (None, None) => {
            let plan = plans.first().ok_or_else(|| ApiError::not_found("schedule"))?;
            (day_of(state, plan.starts_at)?, day_of(state, planning::actuals::plan_end(plan) - 1)?)
        }
    };
    if to_day < from_day {
        return Err(ApiError::invalid("to: on or after from"));
    }
    let from = crate::reports::midnight(from_day, state)?;
    let to = crate::reports::midnight(to_day.tomorrow().map_err(|_| ApiError::invalid("to: too far"))?, state)?;
    if to - from > 62 * 86_400_000 {
        return Err(ApiError::invalid("to: at most 62 days after from"));
    }
    let points = planning::actuals::compare(state, id, &plans, from, to, now_ms()).await?;
    Ok(PlanActualsView {
        group_id: id,
        schedule_id: q.schedule_id,
        from: from_day.to_string(),
        to: to_day.to_string(),
        starts_at: from,
        interval_minutes: 30,
        points,
    })
}

#[utoipa::path(get, path = "/api/v1/planning/groups/{id}/schedule/actuals/export", tag = "planning", params(ActualsQuery, crate::api::reports::ExportParams),
    responses((status = 200, description = "the period of plans against what happened as a CSV (UTF-8 with BOM) or XLSX file, one row per half hour (times in the organisation's zone); logged with the report exports", content_type = "application/octet-stream", body = Vec<u8>), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ActualsQuery>,
    Query(e): Query<crate::api::reports::ExportParams>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let (zh, xlsx) = e.form()?;
    let view = actuals_of(&state, &staff, id, &q).await?;
    let table = planning::actuals::table(&view, state.org.time_zone().zone(), zh);
    let query = format!("group={id}&{}", raw.unwrap_or_default());
    let span = format!("{id}-{}_{}", view.from, view.to);
    crate::api::reports::send_export(&state, &staff, &table, "plan_actuals", xlsx, query, &span).await
}
