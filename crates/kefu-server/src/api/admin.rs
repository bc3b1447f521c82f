//! Admin-only settings: integrators' API keys, webhooks and their delivery log.

use crate::api::list_filters::{ScopeFilter, StatusFilter};
use crate::api::paging::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch};
use axum::{Json, Router};
use serde::Deserialize;

use crate::audit::{record, Change};
use crate::auth::{new_token, token_hash, Staff};
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::integrations::webhooks::EVENTS;
use crate::state::AppState;
use crate::views::{
    ApiKeyCreated, ApiKeyList, ApiKeyScope as Scope, ApiKeyView, AuditAction, AuditEntity, DeliveryList, DeliveryView, WebhookCreated,
    WebhookList, WebhookView,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/api-keys", get(keys).post(create_key))
        .route("/api/v1/api-keys/{id}", delete(revoke_key))
        .route("/api/v1/webhooks", get(webhooks).post(create_webhook))
        .route("/api/v1/webhooks/{id}", patch(update_webhook).delete(delete_webhook))
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
}

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "admin", params(ListQuery, ScopeFilter), responses((status = 200, description = "the API keys not revoked (admin); `q`: in the name; `scope`: those holding it; a page at a time with `limit`", body = ApiKeyList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn keys(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(f): Query<ScopeFilter>,
) -> ApiResult<Json<ApiKeyList>> {
    staff.require_scope(Scope::Admin)?;
    let scope = f.scope.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let all = state
        .store
        .api_keys()
        .await?
        .iter()
        .map(ApiKeyView::from)
        .filter(|k| scope.is_none_or(|s| k.scopes.iter().any(|x| x == s)))
        .collect();
    let page = q.page(all, |k| k.id, |k| vec![k.name.as_str()])?;
    Ok(Json(ApiKeyList { api_keys: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeyBody {
    /// What the key is for, 1 to 64 characters.
    name: String,
    /// One or more.
    scopes: Vec<Scope>,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "admin", request_body = KeyBody, responses((status = 201, description = "the key, shown this once (admin)", body = ApiKeyCreated), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_key(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<KeyBody>,
) -> ApiResult<(StatusCode, Json<ApiKeyCreated>)> {
    staff.require_scope(Scope::Admin)?;
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid("name: 1 to 64 characters"));
    }
    if b.scopes.is_empty() {
        return Err(ApiError::invalid("scopes: one or more of conversations:read, conversations:write, stats:read, agents:read, admin"));
    }
    let key = new_token("kefu_");
    let row = state
        .store
        .create_api_key(name, &key[..12], &token_hash(&key), &serde_json::to_string(&b.scopes).unwrap_or_default(), now_ms())
        .await?;
    let view = ApiKeyView::from(&row);
    // The view carries the key's prefix, never the key.
    record(&state, &staff, Change::new(AuditEntity::ApiKey, row.id, AuditAction::Created, &view.name).after(&view)).await;
    Ok((StatusCode::CREATED, Json(ApiKeyCreated { api_key: view, key })))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "revoked (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn revoke_key(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let before = state.store.api_keys().await?.iter().find(|k| k.id == id).map(ApiKeyView::from);
    if !state.store.revoke_api_key(id, now_ms()).await? {
        return Err(ApiError::not_found("API key"));
    }
    // Refused on every node from the next request on.
    state.hub.revoke_api_key(id).await;
    let name = before.as_ref().map(|k| k.name.clone()).unwrap_or_default();
    record(&state, &staff, Change::new(AuditEntity::ApiKey, id, AuditAction::Deleted, name).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Events must be known; a URL must be http(s) and reach a public address (or one the operator
/// allows) — checked here for early feedback, and again at every delivery.
async fn check_webhook(state: &AppState, url: Option<&str>, events: Option<&[String]>) -> ApiResult<()> {
    if let Some(events) = events {
        if events.is_empty() || events.iter().any(|e| e != "*" && !EVENTS.contains(&e.as_str())) {
            return Err(ApiError::invalid(format!("events: one or more of {}, or *", EVENTS.join(", "))));
        }
    }
    if let Some(url) = url {
        state.outbound.check_target(url).await.map_err(|refusal| ApiError::invalid(format!("url: {refusal}")))?;
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "admin", params(ListQuery, StatusFilter), responses((status = 200, description = "the webhooks (admin); `q`: in the URL; `status`: active (`enabled`) or paused (`disabled`) ones only; a page at a time with `limit`", body = WebhookList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn webhooks(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(f): Query<StatusFilter>,
) -> ApiResult<Json<WebhookList>> {
    staff.require_scope(Scope::Admin)?;
    let wanted = f.wanted()?;
    let all = state.store.webhooks().await?.iter().map(WebhookView::from).filter(|w| wanted(w.active)).collect();
    let page = q.page(all, |w| w.id, |w| vec![w.url.as_str()])?;
    Ok(Json(WebhookList { webhooks: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WebhookBody {
    /// An http(s) URL the events are POSTed to; required to create. Its host must be a public
    /// address (or resolve to one) unless the operator allows it (`outbound_allow`).
    url: Option<String>,
    /// One or more event names, or `*` for all; required to create.
    #[schema(value_type = Option<Vec<crate::views::WebhookEvent>>)]
    events: Option<Vec<String>>,
    /// false pauses deliveries.
    active: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "admin", request_body = WebhookBody, responses((status = 201, description = "the webhook and its signing secret, shown this once (admin)", body = WebhookCreated), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_webhook(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<(StatusCode, Json<WebhookCreated>)> {
    staff.require_scope(Scope::Admin)?;
    let url = b.url.as_deref().ok_or_else(|| ApiError::invalid("url: required"))?;
    let events = b.events.as_deref().ok_or_else(|| ApiError::invalid("events: required"))?;
    check_webhook(&state, Some(url), Some(events)).await?;
    let url = url.trim();
    let secret = new_token("whsec_");
    let id = state.store.create_webhook(url, &serde_json::to_string(events).unwrap_or_default(), &secret, now_ms()).await?;
    let hook = WebhookView::from(&state.store.webhook(id).await?);
    // The view has no signing secret.
    record(&state, &staff, Change::new(AuditEntity::Webhook, id, AuditAction::Created, &hook.url).after(&hook)).await;
    Ok((StatusCode::CREATED, Json(WebhookCreated { webhook: hook, secret })))
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), request_body = WebhookBody, responses((status = 200, description = "updated (admin)", body = WebhookView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update_webhook(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<Json<WebhookView>> {
    staff.require_scope(Scope::Admin)?;
    check_webhook(&state, b.url.as_deref(), b.events.as_deref()).await?;
    let before = WebhookView::from(&state.store.webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?);
    let events = b.events.map(|e| serde_json::to_string(&e).unwrap_or_default());
    state
        .store
        .update_webhook(id, b.url.as_deref().map(str::trim), events.as_deref(), b.active)
        .await
        .map_err(|_| ApiError::not_found("webhook"))?;
    let after = WebhookView::from(&state.store.webhook(id).await?);
    record(&state, &staff, Change::new(AuditEntity::Webhook, id, AuditAction::Updated, &after.url).before(&before).after(&after)).await;
    Ok(Json(after))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn delete_webhook(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let before = WebhookView::from(&state.store.webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?);
    state.store.delete_webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?;
    record(&state, &staff, Change::new(AuditEntity::Webhook, id, AuditAction::Deleted, &before.url).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Paging of a webhook's deliveries: newest first, by id.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct DeliveryPage {
    /// `next_after` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "admin", params(("id" = i64, Path, description = "id"), DeliveryPage), responses((status = 200, description = "the webhook's deliveries, newest first, a page at a time (`after`, `limit`; 50 by default) (admin)", body = DeliveryList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn deliveries(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<DeliveryPage>,
) -> ApiResult<Json<DeliveryList>> {
    staff.require_scope(Scope::Admin)?;
    state.store.webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?;
    let limit = crate::api::paging::limit_of(q.limit, 50)?;
    let rows = state.store.deliveries_page(id, q.after, limit + 1).await?;
    let (rows, next_after) = crate::api::paging::split_page(rows, limit, |d| d.id);
    let total = state.store.delivery_count(id).await?;
    Ok(Json(DeliveryList { deliveries: rows.iter().map(DeliveryView::from).collect(), total, next_after }))
}
