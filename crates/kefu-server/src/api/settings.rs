//! `/api/v1/settings`: the organisation's settings (crate::org) — the time zone reports count
//! days in (a named IANA zone), the sentiment alert thresholds and the message length limit.
//! Admins read and change them; every change is audited and in force at once. Every staff member
//! reads the few the workspace needs (`/api/v1/settings/workspace`).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::org::OrgValues;
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/settings", get(show).put(save)).route("/api/v1/settings/workspace", get(workspace))
}

/// The organisation's settings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OrgSettings {
    /// IANA name, e.g. `Asia/Shanghai`: days, weeks and months of reports start at its midnight.
    pub time_zone: String,
    /// A customer's latest message or trend at or below this (-1 to below 0) raises a sentiment
    /// alert (default -0.5).
    pub sentiment_alert_at: f64,
    /// An alerted customer's trend at or above this (above `sentiment_alert_at`, at most 1) clears
    /// it (default -0.1).
    pub sentiment_clear_at: f64,
    /// The most characters a message text may have (100 to 20000; default 5000): the server
    /// refuses longer ones (`message_too_long`), the widget and the workspace count against it.
    pub max_message_chars: usize,
}

/// What every staff member's workspace needs of the organisation's settings.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorkspaceSettings {
    /// The message length limit the composer counts against.
    pub max_message_chars: usize,
    /// The organisation's time zone (IANA name): reports count days in it, so a page's "today"
    /// is today there, whatever the browser's zone.
    pub time_zone: String,
}

/// The fields to change; those left out keep their value.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OrgSettingsBody {
    time_zone: Option<String>,
    sentiment_alert_at: Option<f64>,
    sentiment_clear_at: Option<f64>,
    max_message_chars: Option<usize>,
}

fn view(v: &OrgValues) -> OrgSettings {
    OrgSettings {
        time_zone: v.time_zone.name().to_string(),
        sentiment_alert_at: v.sentiment.raise_at(),
        sentiment_clear_at: v.sentiment.clear_at(),
        max_message_chars: v.max_message_chars,
    }
}

#[utoipa::path(get, path = "/api/v1/settings/workspace", tag = "settings",
    responses((status = 200, description = "the settings the workspace needs: the message length limit and the time zone (any staff member)", body = WorkspaceSettings), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn workspace(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<WorkspaceSettings>> {
    staff.require_scope(Scope::ConversationsRead)?;
    Ok(Json(WorkspaceSettings { max_message_chars: state.org.max_message_chars(), time_zone: state.org.time_zone().name().to_string() }))
}

#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, description = "the organisation's time zone and sentiment alert thresholds (admin)", body = OrgSettings), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<OrgSettings>> {
    staff.require_scope(Scope::Admin)?;
    Ok(Json(view(&state.org.get())))
}

#[utoipa::path(put, path = "/api/v1/settings", tag = "settings", request_body = OrgSettingsBody,
    responses((status = 200, description = "saved and in force at once (admin; audited)", body = OrgSettings), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn save(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<OrgSettingsBody>) -> ApiResult<Json<OrgSettings>> {
    staff.require_scope(Scope::Admin)?;
    let before = state.org.get();
    let time_zone = match b.time_zone.as_deref().map(str::trim) {
        Some(name) => kefu_core::ZoneName::new(name)
            .map_err(|_| ApiError::invalid(format!("time_zone: {name:?} is not a named IANA time zone such as Asia/Shanghai")))?,
        None => before.time_zone.clone(),
    };
    let alert = b.sentiment_alert_at.unwrap_or(before.sentiment.raise_at());
    let clear = b.sentiment_clear_at.unwrap_or(before.sentiment.clear_at());
    let sentiment = kefu_sentiment::Thresholds::new(alert, clear).map_err(ApiError::invalid)?;
    let max_message_chars = b.max_message_chars.unwrap_or(before.max_message_chars);
    if !crate::org::MESSAGE_CHARS_RANGE.contains(&max_message_chars) {
        let (lo, hi) = (crate::org::MESSAGE_CHARS_RANGE.start(), crate::org::MESSAGE_CHARS_RANGE.end());
        return Err(ApiError::invalid_field("max_message_chars", format!("max_message_chars: {lo} to {hi} characters")));
    }
    let after = OrgValues { time_zone, sentiment, max_message_chars };
    state.org.save(&state.store, after.clone()).await?;
    let (was, now) = (view(&before), view(&after));
    record(&state, &staff, Change::new(AuditEntity::OrgSettings, "org", AuditAction::Updated, "org").before(&was).after(&now)).await;
    Ok(Json(now))
}
