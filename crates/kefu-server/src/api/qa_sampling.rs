//! The weekly automatic QA sample's setting (admins write, reviewers read); the draw itself is
//! the background task in `crate::qa::sampling`.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::qa::access::require_reviewer;
use crate::qa::sampling::{self, QaSampling};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/qa/sampling", get(get_sampling).put(put_sampling))
}

#[utoipa::path(get, path = "/api/v1/qa/sampling", tag = "qa", responses((status = 200, description = "the weekly automatic sample's setting (reviewers and admins)", body = QaSampling), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn get_sampling(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<QaSampling>> {
    require_reviewer(&state, &staff).await?;
    Ok(Json(sampling::setting(&state.store).await?))
}

#[utoipa::path(put, path = "/api/v1/qa/sampling", tag = "qa", request_body = QaSampling, responses((status = 200, description = "set (admin); each ISO week of the organisation's time zone is drawn once, an hour after it ends", body = QaSampling), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn put_sampling(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<QaSampling>) -> ApiResult<Json<QaSampling>> {
    staff.require_scope(Scope::Admin)?;
    if b.percent > 100 {
        return Err(ApiError::invalid("percent: 0 to 100"));
    }
    if !(0..=100).contains(&b.flag_below) {
        return Err(ApiError::invalid("flag_below: 0 to 100"));
    }
    let before = sampling::setting(&state.store).await?;
    sampling::set_setting(&state.store, &b, crate::clock::now_ms()).await?;
    if before != b {
        let change = Change::new(AuditEntity::QaSampling, "weekly", AuditAction::Updated, "weekly sample").before(&before).after(&b);
        record(&state, &staff, change).await;
    }
    Ok(Json(b))
}
