//! 接管: a supervisor takes a chat over from the agent serving it (or from the line) and serves it
//! at once. The customer sees who serves them now; the agent's workspace drops the chat.

use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};

use crate::api::conversations::view_for;
use crate::auth::{Caller, Role, Staff};
use crate::conversations::access::load_visible;
use crate::error::{ApiError, ApiResult};
use crate::routing::Op;
use crate::state::AppState;
use crate::views::ConversationView;
use kefu_core::ConversationStatus;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/conversations/{id}/take-over", post(take_over))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/take-over", tag = "conversations", params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "the caller (a supervisor or admin) now serves it, without an offer; 409 agent_unavailable when the caller is offline or has no free slot for its media, or during a call", body = ConversationView), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn take_over(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<ConversationView>> {
    // A person takes over, not an integration.
    if !staff.is_user() || staff.role < Role::Supervisor {
        return Err(ApiError::Forbidden("this needs the supervisor role".into()));
    }
    let by = staff.id;
    let caller = Caller::Staff(staff);
    let c = load_visible(&state.store, &caller, id).await?;
    if !matches!(c.status, ConversationStatus::Queued | ConversationStatus::Offered | ConversationStatus::Assigned) {
        return Err(ApiError::Conflict("only a waiting or served conversation can be taken over".into()));
    }
    if c.agent_id == Some(by) && c.status == ConversationStatus::Assigned {
        return Err(ApiError::Conflict("you already serve this conversation".into()));
    }
    state.routing.run(Op::TakeOver { conversation: id, by }).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}
