//! `/api/v1/wrap-up-codes`: the wrap-up codes (服务小结) agents pick when closing; admins add,
//! relabel, disable, reorder and delete them.

use crate::api::list_filters::StatusFilter;
use crate::api::paging::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity, WrapUpCodeList, WrapUpCodeView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/wrap-up-codes", get(codes).post(create_code))
        .route("/api/v1/wrap-up-codes/order", put(reorder_codes))
        .route("/api/v1/wrap-up-codes/{id}", patch(update_code).delete(delete_code))
}

fn check_label(label: &str) -> ApiResult<()> {
    if label.is_empty() || label.chars().count() > 64 {
        return Err(ApiError::invalid("label: 1 to 64 characters"));
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/wrap-up-codes", tag = "admin", params(ListQuery, StatusFilter), responses((status = 200, description = "the wrap-up codes in order, disabled ones included (check `disabled` before offering one); `q`: in the code or label; `status`: enabled or disabled ones only; a page at a time with `limit`", body = WrapUpCodeList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn codes(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(f): Query<StatusFilter>,
) -> ApiResult<Json<WrapUpCodeList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let wanted = f.wanted()?;
    let all = state.store.wrap_up_codes().await?.iter().map(WrapUpCodeView::from).filter(|c| wanted(!c.disabled)).collect();
    let page = q.page(all, |c| c.id, |c| vec![c.code.as_str(), c.label.as_str()])?;
    Ok(Json(WrapUpCodeList { codes: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    /// Stored on closed conversations, 1 to 32 characters.
    code: String,
    /// Shown to agents, 1 to 64 characters.
    label: String,
}

#[utoipa::path(post, path = "/api/v1/wrap-up-codes", tag = "admin", request_body = CodeBody, responses((status = 201, description = "created at the end of the list (admin)", body = WrapUpCodeView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_code(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<(StatusCode, Json<WrapUpCodeView>)> {
    staff.require_scope(Scope::Admin)?;
    let (code, label) = (b.code.trim(), b.label.trim());
    if code.is_empty() || code.len() > 32 {
        return Err(ApiError::invalid("code: 1 to 32 characters"));
    }
    check_label(label)?;
    let id = state.store.create_wrap_up_code(code, label).await?;
    let view = WrapUpCodeView { id, code: code.to_string(), label: label.to_string(), disabled: false };
    record(&state, &staff, Change::new(AuditEntity::WrapUpCode, id, AuditAction::Created, &view.label).after(&view)).await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// What to change; absent fields stay. The code itself cannot change: closed conversations
/// are stored with it.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeUpdate {
    /// Shown to agents, 1 to 64 characters.
    label: Option<String>,
    /// Stop (true) or resume (false) offering the code when closing.
    disabled: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/wrap-up-codes/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), request_body = CodeUpdate, responses((status = 200, description = "updated (admin)", body = WrapUpCodeView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update_code(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CodeUpdate>,
) -> ApiResult<Json<WrapUpCodeView>> {
    staff.require_scope(Scope::Admin)?;
    let codes = state.store.wrap_up_codes().await?;
    let old = codes.iter().find(|c| c.id == id).ok_or_else(|| ApiError::not_found("wrap-up code"))?;
    let label = b.label.as_deref().map(str::trim).unwrap_or(&old.label).to_string();
    check_label(&label)?;
    let disabled = b.disabled.unwrap_or(old.disabled);
    state.store.update_wrap_up_code(id, &label, disabled).await.map_err(|_| ApiError::not_found("wrap-up code"))?;
    let view = WrapUpCodeView { id, code: old.code.clone(), label, disabled };
    let change =
        Change::new(AuditEntity::WrapUpCode, id, AuditAction::Updated, &view.label).before(&WrapUpCodeView::from(old)).after(&view);
    record(&state, &staff, change).await;
    Ok(Json(view))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeOrder {
    /// Every wrap-up code's id exactly once, in the new order.
    ids: Vec<i64>,
}

#[utoipa::path(put, path = "/api/v1/wrap-up-codes/order", tag = "admin", request_body = CodeOrder, responses((status = 200, description = "reordered (admin): the list in its new order", body = WrapUpCodeList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn reorder_codes(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<CodeOrder>) -> ApiResult<Json<WrapUpCodeList>> {
    staff.require_scope(Scope::Admin)?;
    let before: Vec<i64> = state.store.wrap_up_codes().await?.iter().map(|c| c.id).collect();
    if !state.store.reorder_wrap_up_codes(&b.ids).await? {
        return Err(ApiError::invalid("ids: give every wrap-up code's id exactly once (reload the list and try again)"));
    }
    let codes: Vec<_> = state.store.wrap_up_codes().await?.iter().map(WrapUpCodeView::from).collect();
    let change = Change::new(AuditEntity::WrapUpCode, "*", AuditAction::Reordered, "order").before(&before).after(&b.ids);
    record(&state, &staff, change).await;
    Ok(Json(WrapUpCodeList { total: codes.len() as i64, codes, next_after: None }))
}

#[utoipa::path(delete, path = "/api/v1/wrap-up-codes/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn delete_code(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let before = state.store.wrap_up_codes().await?.iter().find(|c| c.id == id).map(WrapUpCodeView::from);
    state.store.delete_wrap_up_code(id).await.map_err(|_| ApiError::not_found("wrap-up code"))?;
    let label = before.as_ref().map(|c| c.label.clone()).unwrap_or_default();
    record(&state, &staff, Change::new(AuditEntity::WrapUpCode, id, AuditAction::Deleted, label).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}
