//! Floor alerts over HTTP: each group's alert thresholds (admins set them, supervisors read
//! them), today's alerts, and the floor's figures now (what the wallboard and the alert panel
//! load before the `floor.updated` / `alert.*` frames take over).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use kefu_core::{Levels, Thresholds};
use serde::Deserialize;

use crate::api::paging::{IdOrder, ListQuery};
use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::floor::figures;
use crate::state::AppState;
use crate::views::{
    AlertList, AlertView, ApiKeyScope as Scope, AuditAction, AuditEntity, FloorView, SentimentAlertList, ThresholdsList, ThresholdsView,
};
use kefu_store::ThresholdsRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/alert-thresholds", get(list_thresholds))
        .route("/api/v1/groups/{id}/alert-thresholds", put(set_thresholds).delete(reset_thresholds))
        .route("/api/v1/alerts", get(today_alerts))
        .route("/api/v1/sentiment-alerts", get(sentiment_alerts))
        .route("/api/v1/stats/floor", get(floor))
}

#[utoipa::path(get, path = "/api/v1/alert-thresholds", tag = "stats", params(ListQuery), responses((status = 200, description = "each group's alert thresholds (its own or the defaults), in group order, paged like the catalogs (`q` finds the group's name), and the defaults (supervisor)", body = ThresholdsList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list_thresholds(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<Json<ThresholdsList>> {
    staff.require_scope(Scope::StatsRead)?;
    let own = figures::thresholds(&state).await?;
    let page = q.page(state.store.groups().await?, |g| g.id, |g| vec![g.name.as_str()])?;
    let groups = page
        .rows
        .iter()
        .map(|g| {
            let (t, custom) = own.get(&g.id).copied().unwrap_or_default();
            ThresholdsView::build(g.id, &t, custom)
        })
        .collect();
    Ok(Json(ThresholdsList {
        groups,
        defaults: ThresholdsView::build(0, &Thresholds::default(), false),
        total: page.total,
        next_after: page.next_after,
    }))
}

/// A group's levels. Waiting and longest wait alert at or above their level, service level
/// below it; critical must be worse than warning. 0 switches a level off.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ThresholdsBody {
    /// Conversations in line, 0..=10000.
    waiting_warning: i64,
    waiting_critical: i64,
    /// Seconds, 0..=86400.
    longest_wait_warning_secs: i64,
    longest_wait_critical_secs: i64,
    /// Percent, 0..=100.
    service_level_warning_pct: i64,
    service_level_critical_pct: i64,
}

impl ThresholdsBody {
    fn parse(&self) -> ApiResult<Thresholds> {
        let field =
            |name: &str, v: i64| u32::try_from(v).map_err(|_| ApiError::invalid_field(name, format!("{name}: must not be negative")));
        let t = Thresholds {
            waiting: Levels {
                warning: field("waiting_warning", self.waiting_warning)?,
                critical: field("waiting_critical", self.waiting_critical)?,
            },
            longest_wait_secs: Levels {
                warning: field("longest_wait_warning_secs", self.longest_wait_warning_secs)?,
                critical: field("longest_wait_critical_secs", self.longest_wait_critical_secs)?,
            },
            service_level_pct: Levels {
                warning: field("service_level_warning_pct", self.service_level_warning_pct)?,
                critical: field("service_level_critical_pct", self.service_level_critical_pct)?,
            },
        };
        t.validate().map_err(|e| ApiError::invalid_field(e.field, format!("{}: {}", e.field, e.message)))?;
        Ok(t)
    }
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/alert-thresholds", tag = "admin", params(("id" = i64, Path, description = "group id")), request_body = ThresholdsBody,
    responses((status = 200, description = "the group's thresholds, now its own (admin)", body = ThresholdsView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn set_thresholds(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ThresholdsBody>,
) -> ApiResult<Json<ThresholdsView>> {
    staff.require_scope(Scope::Admin)?;
    let t = b.parse()?;
    let group = group_name(&state, id).await?;
    let before = thresholds_of(&state, id).await?;
    let row = ThresholdsRow {
        group_id: id,
        waiting_warning: t.waiting.warning.into(),
        waiting_critical: t.waiting.critical.into(),
        longest_wait_warning_secs: t.longest_wait_secs.warning.into(),
        longest_wait_critical_secs: t.longest_wait_secs.critical.into(),
        service_level_warning_pct: t.service_level_pct.warning.into(),
        service_level_critical_pct: t.service_level_pct.critical.into(),
        updated_by: staff.is_user().then_some(staff.id),
        updated_at: now_ms(),
    };
    state.store.set_alert_thresholds(&row).await?;
    state.floor.poke();
    let after = ThresholdsView::build(id, &t, true);
    record(&state, &staff, Change::new(AuditEntity::AlertThresholds, id, AuditAction::Updated, group).before(&before).after(&after)).await;
    Ok(Json(after))
}

/// The group's name, or 404.
async fn group_name(state: &AppState, id: i64) -> ApiResult<String> {
    state.store.groups().await?.into_iter().find(|g| g.id == id).map(|g| g.name).ok_or_else(|| ApiError::not_found("group"))
}

/// The thresholds `group` is judged by now (its own or the defaults), as the API shows them.
async fn thresholds_of(state: &AppState, group: i64) -> ApiResult<ThresholdsView> {
    let (t, custom) = figures::thresholds(state).await?.get(&group).copied().unwrap_or_default();
    Ok(ThresholdsView::build(group, &t, custom))
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}/alert-thresholds", tag = "admin", params(("id" = i64, Path, description = "group id")),
    responses((status = 204, description = "the group uses the defaults again (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn reset_thresholds(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let group = group_name(&state, id).await?;
    let before = thresholds_of(&state, id).await?;
    // A group already on the defaults is fine: the caller wants the defaults (and nothing changed).
    let _ = state.store.reset_alert_thresholds(id).await;
    state.floor.poke();
    if before.custom {
        let after = thresholds_of(&state, id).await?;
        record(&state, &staff, Change::new(AuditEntity::AlertThresholds, id, AuditAction::Deleted, group).before(&before).after(&after))
            .await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Which alerts `GET /alerts` lists.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AlertFilter {
    /// `true`: only the alerts still active, however old (what the page's banners show; at most
    /// one per group and metric, so a page holds them all), instead of today's.
    #[serde(default)]
    pub active: bool,
}

#[utoipa::path(get, path = "/api/v1/alerts", tag = "stats", params(ListQuery, AlertFilter), responses((status = 200, description = "today's floor alerts (the last 24 hours), newest first, the active ones included, or with `active=true` only those still active; paged by id (`q` finds the group's name; 200 a page without `limit`): a supervisor sees those of their groups (none when in none), admins all", body = AlertList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn today_alerts(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(filter): Query<AlertFilter>,
) -> ApiResult<Json<AlertList>> {
    staff.require_scope(Scope::StatsRead)?;
    let names: std::collections::HashMap<i64, String> = state.store.groups().await?.into_iter().map(|g| (g.id, g.name)).collect();
    let watched = crate::floor::watched_groups(&state, &staff).await?;
    let rows = match filter.active {
        true => state.store.active_floor_alerts().await?,
        false => state.store.floor_alerts_since(now_ms() - figures::TODAY_MS, 500).await?,
    };
    let alerts: Vec<AlertView> = rows
        .iter()
        .filter(|r| watched.as_ref().is_none_or(|w| w.contains(&r.group_id)))
        .map(|r| AlertView::build(r, names.get(&r.group_id).map_or("", String::as_str)))
        .collect();
    let page = q.page_by_id(alerts, IdOrder::Newest, |a| a.id, |a| vec![a.group_name.as_str()])?;
    Ok(Json(AlertList { alerts: page.rows, total: page.total, next_after: page.next_after }))
}

#[utoipa::path(get, path = "/api/v1/sentiment-alerts", tag = "stats", params(ListQuery), responses((status = 200, description = "customers who turned strongly negative and have not recovered, oldest first, paged by id (`q` finds the customer's or the group's name; 200 a page without `limit`; `sentiment.raised` / `sentiment.cleared` frames follow): a supervisor sees those of their groups (none when in none), admins all", body = SentimentAlertList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn sentiment_alerts(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<SentimentAlertList>> {
    staff.require_scope(Scope::StatsRead)?;
    let watched = crate::floor::watched_groups(&state, &staff).await?;
    let mut alerts = vec![];
    for r in state.store.active_sentiment_alerts().await? {
        let v = crate::sentiment::view(&state, &r).await?;
        if watched.as_ref().is_none_or(|w| w.contains(&v.group_id)) {
            alerts.push(v);
        }
    }
    let page = q.page_by_id(alerts, IdOrder::Oldest, |a| a.id, |a| vec![a.visitor_name.as_str(), a.group_name.as_str()])?;
    Ok(Json(SentimentAlertList { alerts: page.rows, total: page.total, next_after: page.next_after }))
}

#[utoipa::path(get, path = "/api/v1/stats/floor", tag = "stats", responses((status = 200, description = "the groups the caller watches (a supervisor: their own, none when in none; admins all) now: line, agents by status, today's service level, thresholds (supervisor); `floor.updated` frames follow", body = FloorView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn floor(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<FloorView>> {
    staff.require_scope(Scope::StatsRead)?;
    let now = now_ms();
    let contacts = figures::today_contacts(&state, now).await?;
    let mut view = figures::read(&state, now, &contacts).await?;
    // A supervisor sees the groups they watch (their own; none when in none: crate::oversight), admins all.
    if let Some(mine) = crate::floor::watched_groups(&state, &staff).await? {
        view.groups.retain(|g| mine.contains(&g.id));
    }
    Ok(Json(view))
}
