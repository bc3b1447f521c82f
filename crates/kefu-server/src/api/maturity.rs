//! `/api/v1/maturity`: the maturity assessment (four dimensions, their evidence and next steps)
//! and its questionnaire's answers. Admins and supervisors; agents none.

use axum::extract::State;
use axum::routing::{get, put};
use axum::{Json, Router};

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::error::{ApiJson, ApiResult};
use crate::reports::maturity;
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity, MaturityAnswers, MaturityAssessment};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/maturity", get(assessment)).route("/api/v1/maturity/answers", put(answer))
}

#[utoipa::path(get, path = "/api/v1/maturity", tag = "maturity",
    responses((status = 200, description = "channel management, customer experience, process re-engineering and data insight scored 1-4 from the last 30 days' figures, configuration and the questionnaire; each with its checks (the evidence) and the failing checks of the next level", body = MaturityAssessment), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn assessment(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<MaturityAssessment>> {
    staff.require_scope(Scope::StatsRead)?;
    Ok(Json(maturity::assessment(&state).await?))
}

#[utoipa::path(put, path = "/api/v1/maturity/answers", tag = "maturity", request_body = MaturityAnswers,
    responses((status = 200, description = "saved (each answer replaces that question's earlier one); the assessment with them", body = MaturityAssessment), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<MaturityAnswers>,
) -> ApiResult<Json<MaturityAssessment>> {
    staff.require_scope(Scope::StatsRead)?;
    if !staff.is_user() {
        // An integration reads the assessment; only people (or an admin key) answer for the organisation.
        staff.require_scope(Scope::Admin)?;
    }
    let before = maturity::answers(&state).await?;
    maturity::save_answers(&state, staff.is_user().then_some(staff.id), &body.answers).await?;
    let after = maturity::answers(&state).await?;
    // The organisation's self-assessment is an administrative statement: it goes in the 操作日志.
    let change = Change::new(AuditEntity::MaturityAnswers, "organisation", AuditAction::Updated, "maturity questionnaire");
    record(&state, &staff, change.before(&before).after(&after)).await;
    Ok(Json(maturity::assessment(&state).await?))
}
