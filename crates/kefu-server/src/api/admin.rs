//! Admin-only settings: wrap-up codes, integrators' API keys, webhooks and their delivery log.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{new_token, token_hash, Role, Staff};
use crate::clock::{now_ms, rfc3339};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::integrations::webhooks::EVENTS;
use crate::state::AppState;
use kefu_store::{ApiKeyRow, WebhookRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/wrap-up-codes", get(codes).post(create_code))
        .route("/api/v1/wrap-up-codes/{id}", delete(delete_code))
        .route("/api/v1/api-keys", get(keys).post(create_key))
        .route("/api/v1/api-keys/{id}", delete(revoke_key))
        .route("/api/v1/webhooks", get(webhooks).post(create_webhook))
        .route("/api/v1/webhooks/{id}", patch(update_webhook).delete(delete_webhook))
        .route("/api/v1/webhooks/{id}/deliveries", get(deliveries))
}

#[utoipa::path(get, path = "/api/v1/wrap-up-codes", tag = "admin", responses((status = 200, description = "{codes: [{id, code, label}]}"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn codes(State(state): State<AppState>, _staff: Staff) -> ApiResult<Json<Value>> {
    let codes: Vec<Value> =
        state.store.wrap_up_codes().await?.iter().map(|c| json!({ "id": c.id, "code": c.code, "label": c.label })).collect();
    Ok(Json(json!({ "codes": codes })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CodeBody {
    code: String,
    label: String,
}

#[utoipa::path(post, path = "/api/v1/wrap-up-codes", tag = "admin", request_body = CodeBody, responses((status = 201, description = "created (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn create_code(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    staff.require(Role::Admin)?;
    let (code, label) = (b.code.trim(), b.label.trim());
    if code.is_empty() || code.len() > 32 || label.is_empty() || label.chars().count() > 64 {
        return Err(ApiError::invalid("code: 1 to 32 characters; label: 1 to 64 characters"));
    }
    let id = state.store.create_wrap_up_code(code, label).await?;
    Ok((StatusCode::CREATED, Json(json!({ "id": id, "code": code, "label": label }))))
}

#[utoipa::path(delete, path = "/api/v1/wrap-up-codes/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn delete_code(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require(Role::Admin)?;
    state.store.delete_wrap_up_code(id).await.map_err(|_| ApiError::not_found("wrap-up code"))?;
    Ok(StatusCode::NO_CONTENT)
}

const SCOPES: [&str; 3] = ["conversations:read", "conversations:write", "admin"];

fn key_json(k: &ApiKeyRow) -> Value {
    let scopes: Value = serde_json::from_str(&k.scopes).unwrap_or(Value::Array(vec![]));
    json!({ "id": k.id, "name": k.name, "prefix": k.prefix, "scopes": scopes, "created_at": rfc3339(k.created_at) })
}

#[utoipa::path(get, path = "/api/v1/api-keys", tag = "admin", responses((status = 200, description = "{api_keys: [...]} (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn keys(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Value>> {
    staff.require(Role::Admin)?;
    let keys: Vec<Value> = state.store.api_keys().await?.iter().map(key_json).collect();
    Ok(Json(json!({ "api_keys": keys })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct KeyBody {
    name: String,
    scopes: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/api-keys", tag = "admin", request_body = KeyBody, responses((status = 201, description = "{api_key, key}: the key is shown once (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn create_key(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<KeyBody>) -> ApiResult<(StatusCode, Json<Value>)> {
    staff.require(Role::Admin)?;
    staff.require_write()?;
    let name = b.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid("name: 1 to 64 characters"));
    }
    if b.scopes.is_empty() || b.scopes.iter().any(|s| !SCOPES.contains(&s.as_str())) {
        return Err(ApiError::invalid(format!("scopes: one or more of {}", SCOPES.join(", "))));
    }
    let key = new_token("kefu_");
    let row = state
        .store
        .create_api_key(name, &key[..12], &token_hash(&key), &serde_json::to_string(&b.scopes).unwrap_or_default(), now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(json!({ "api_key": key_json(&row), "key": key }))))
}

#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "revoked (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn revoke_key(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require(Role::Admin)?;
    if !state.store.revoke_api_key(id, now_ms()).await? {
        return Err(ApiError::not_found("API key"));
    }
    Ok(StatusCode::NO_CONTENT)
}

fn webhook_json(w: &WebhookRow) -> Value {
    let events: Value = serde_json::from_str(&w.events).unwrap_or(Value::Array(vec![]));
    json!({ "id": w.id, "url": w.url, "events": events, "active": w.active, "created_at": rfc3339(w.created_at) })
}

fn check_webhook(url: Option<&str>, events: Option<&[String]>) -> ApiResult<()> {
    if let Some(url) = url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2000 {
            return Err(ApiError::invalid("url: an http(s) URL"));
        }
    }
    if let Some(events) = events {
        if events.is_empty() || events.iter().any(|e| e != "*" && !EVENTS.contains(&e.as_str())) {
            return Err(ApiError::invalid(format!("events: one or more of {}, or *", EVENTS.join(", "))));
        }
    }
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/webhooks", tag = "admin", responses((status = 200, description = "{webhooks: [...]} (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn webhooks(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<Value>> {
    staff.require(Role::Admin)?;
    let hooks: Vec<Value> = state.store.webhooks().await?.iter().map(webhook_json).collect();
    Ok(Json(json!({ "webhooks": hooks })))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct WebhookBody {
    url: Option<String>,
    events: Option<Vec<String>>,
    active: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/webhooks", tag = "admin", request_body = WebhookBody, responses((status = 201, description = "{webhook, secret}: the secret is shown once (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn create_webhook(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    staff.require(Role::Admin)?;
    let url = b.url.as_deref().ok_or_else(|| ApiError::invalid("url: required"))?;
    let events = b.events.as_deref().ok_or_else(|| ApiError::invalid("events: required"))?;
    check_webhook(Some(url), Some(events))?;
    let secret = new_token("whsec_");
    let id = state.store.create_webhook(url, &serde_json::to_string(events).unwrap_or_default(), &secret, now_ms()).await?;
    let hook = state.store.webhook(id).await?;
    Ok((StatusCode::CREATED, Json(json!({ "webhook": webhook_json(&hook), "secret": secret }))))
}

#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), request_body = WebhookBody, responses((status = 200, description = "updated (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn update_webhook(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<WebhookBody>,
) -> ApiResult<Json<Value>> {
    staff.require(Role::Admin)?;
    check_webhook(b.url.as_deref(), b.events.as_deref())?;
    let events = b.events.map(|e| serde_json::to_string(&e).unwrap_or_default());
    state.store.update_webhook(id, b.url.as_deref(), events.as_deref(), b.active).await.map_err(|_| ApiError::not_found("webhook"))?;
    Ok(Json(webhook_json(&state.store.webhook(id).await?)))
}

#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn delete_webhook(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require(Role::Admin)?;
    state.store.delete_webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "admin", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "{deliveries: [...]} (admin)"), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn deliveries(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<Value>> {
    staff.require(Role::Admin)?;
    state.store.webhook(id).await.map_err(|_| ApiError::not_found("webhook"))?;
    let rows: Vec<Value> = state
        .store
        .deliveries(id)
        .await?
        .iter()
        .map(|d| {
            json!({ "id": d.id, "event": d.event, "status": d.status, "attempts": d.attempts, "last_status_code": d.last_status_code,
                    "last_error": d.last_error, "next_attempt_at": rfc3339(d.next_attempt_at), "created_at": rfc3339(d.created_at) })
        })
        .collect();
    Ok(Json(json!({ "deliveries": rows })))
}
