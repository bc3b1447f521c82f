//! Visitors: anonymous, or known customers through an identity token the business system signs
//! (HMAC-SHA256 JWT); ending a visitor's own session; blocking an abusive visitor.

use axum::extract::{ConnectInfo, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use jsonwebtoken::{decode, errors::ErrorKind, Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};
use std::net::SocketAddr;

use crate::auth::{new_token, request_token, token_hash, Role, Staff, VisitorCaller};
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routing::Op;
use crate::state::{client_ip, AppState};
use crate::views::{ConversationList, SessionEndReason, VisitorSession, VisitorView};
use kefu_store::{KnownCustomer, TokenOwner};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/visitors", post(create))
        .route("/api/v1/visitors/me", get(me))
        .route("/api/v1/visitors/me/logout", post(logout))
        .route("/api/v1/visitors/{id}/block", post(block).delete(unblock))
        .route("/api/v1/visitors/{id}/conversations", get(history))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateVisitor {
    /// What the visitor calls themself (at most 64 characters); a generated name otherwise.
    name: Option<String>,
    /// `zh-CN` or `en`; other values are ignored.
    locale: Option<String>,
    /// An HMAC-SHA256 JWT signed by the business system with the widget secret (claims `sub` =
    /// external id, `name`, `vip` 0 to 9, `attrs`, `agent` = account manager's email, `exp`): the
    /// visitor is then the known customer with that external id, on any device.
    identity_token: Option<String>,
}

/// Claims of an identity token.
#[derive(Deserialize)]
struct Identity {
    sub: String,
    name: Option<String>,
    #[serde(default)]
    vip: i64,
    #[serde(default)]
    attrs: Map<String, Value>,
    /// Email of the customer's account manager (designated agent).
    agent: Option<String>,
}

const VISITOR_TOKEN_DAYS: i64 = 180;

#[utoipa::path(post, path = "/api/v1/visitors", tag = "visitors", request_body = CreateVisitor, responses((status = 200, description = "a visitor token and the visitor", body = VisitorSession), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateVisitor>,
) -> ApiResult<Json<VisitorSession>> {
    state.limits.visitor(client_ip(addr.ip(), &headers, &state.config.trusted_proxies))?;
    let now = now_ms();
    let locale = body.locale.as_deref().filter(|l| matches!(*l, "zh-CN" | "en"));
    let name = body.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 64) {
        return Err(ApiError::invalid("name: at most 64 characters"));
    }
    let visitor = match &body.identity_token {
        Some(token) => {
            let id = verify_identity(&state.identity_secret(), token)?;
            if id.sub.is_empty() || id.sub.len() > 128 {
                return Err(ApiError::BadRequest("invalid_identity_token", "identity token: sub must be 1 to 128 characters".into()));
            }
            if state.store.customer_block(&id.sub).await?.is_some() {
                return Err(ApiError::Forbidden("visitor_blocked: this customer is blocked; a supervisor can unblock them".into()));
            }
            let designated = match &id.agent {
                Some(email) => state.store.user_by_email(email).await?.map(|u| u.id),
                None => None,
            };
            let name = id.name.as_deref().or(name).unwrap_or(&id.sub).to_string();
            let attrs = Value::Object(id.attrs).to_string();
            if attrs.len() > 8192 {
                return Err(ApiError::BadRequest("invalid_identity_token", "identity token: attrs larger than 8 KiB".into()));
            }
            let customer = KnownCustomer {
                external_id: &id.sub,
                name: &name,
                vip_level: id.vip.clamp(0, 9),
                attributes: &attrs,
                designated_agent_id: designated,
                locale,
            };
            state.store.upsert_customer(&customer, now).await?
        }
        None => {
            let fallback = format!("访客{}", now % 100_000);
            state.store.create_visitor(name.unwrap_or(&fallback), locale, now).await?
        }
    };
    let token = new_token("v_");
    state.store.create_session(&token_hash(&token), TokenOwner::Visitor(visitor.id), now, now + VISITOR_TOKEN_DAYS * 86_400_000).await?;
    Ok(Json(VisitorSession { token, visitor: VisitorView::from(&visitor) }))
}

fn verify_identity(secret: &str, token: &str) -> ApiResult<Identity> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    decode::<Identity>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation).map(|d| d.claims).map_err(|e| match e.kind() {
        ErrorKind::ExpiredSignature => {
            ApiError::BadRequest("identity_token_expired", "the identity token has expired; the page must fetch a new one".into())
        }
        ErrorKind::InvalidSignature => {
            ApiError::BadRequest("invalid_identity_token", "the identity token's signature does not match the widget secret".into())
        }
        _ => ApiError::BadRequest("invalid_identity_token", format!("the identity token is not valid: {e}")),
    })
}

#[utoipa::path(get, path = "/api/v1/visitors/me", tag = "visitors", responses((status = 200, description = "the calling visitor", body = VisitorView), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, VisitorCaller(id): VisitorCaller) -> ApiResult<Json<VisitorView>> {
    Ok(Json(VisitorView::from(&state.store.visitor(id).await?)))
}

/// Earlier conversations of a customer, for the agent's customer panel.
#[utoipa::path(get, path = "/api/v1/visitors/{id}/conversations", tag = "visitors", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "the customer's conversations, newest first", body = ConversationList), (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)), security(("bearer" = [])))]
pub async fn history(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<ConversationList>> {
    if staff.role < Role::Supervisor && staff.is_user() {
        // An agent sees the history of customers they serve or were offered.
        let serving = state.store.conversations_by_status(None, Some(staff.id)).await?;
        if !serving.iter().any(|c| c.visitor_id == id) {
            return Err(ApiError::not_found("visitor"));
        }
    }
    let rows = state.store.visitor_conversations(id).await?;
    let mut conversations = vec![];
    for c in &rows {
        conversations.push(crate::conversations::build_view(&state.store, c).await?);
    }
    Ok(Json(ConversationList { conversations }))
}

#[utoipa::path(post, path = "/api/v1/visitors/me/logout", tag = "visitors",
    responses((status = 204, description = "the token is revoked and its WebSockets closed; a conversation still waiting for an agent is abandoned unless the visitor has another live session"),
        (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, VisitorCaller(id): VisitorCaller, parts: Parts) -> ApiResult<StatusCode> {
    let now = now_ms();
    let hash = request_token(&parts).map(|t| token_hash(&t)).unwrap_or_default();
    state.store.revoke_session(&hash, now).await?;
    if state.store.live_visitor_sessions(id, now).await? == 0 {
        // Nobody is left to answer the agent: give up the place in line. A conversation already
        // with an agent stays for the agent to close.
        if let Some(c) = state.store.open_conversation(id).await?.filter(|c| c.status != "assigned") {
            if let Err(e) = state.routing.run(Op::Abandon { conversation: c.id }).await {
                tracing::warn!(conversation = c.id, error = ?e, "could not abandon a logged-out visitor's conversation");
            }
        }
    }
    state.hub.close_session(&hash, SessionEndReason::LoggedOut);
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/v1/visitors/{id}/block`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct BlockBody {
    /// Why, 1 to 200 characters; shown to staff and, in the closing line, to the visitor.
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/visitors/{id}/block", tag = "visitors", params(("id" = i64, Path, description = "id")), request_body = BlockBody,
    responses((status = 200, description = "blocked (supervisor): the open conversation is closed with the reason, every token of the visitor revoked and their WebSockets closed; a known customer cannot start again until unblocked", body = VisitorView),
        (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn block(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BlockBody>,
) -> ApiResult<Json<VisitorView>> {
    staff.require(Role::Supervisor)?;
    staff.require_write()?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(ApiError::invalid("reason: 1 to 200 characters"));
    }
    let now = now_ms();
    let by = staff.is_user().then_some(staff.id);
    let visitor = state.store.set_visitor_blocked(id, Some((reason, by, now))).await.map_err(|_| ApiError::not_found("visitor"))?;
    // The visitor still sees the closing line with the reason, then their sockets end.
    if let Some(c) = state.store.open_conversation(id).await? {
        state.routing.run(Op::CloseBlocked { conversation: c.id, by, reason: reason.to_string() }).await?;
    }
    state.store.revoke_visitor_sessions(id, now).await?;
    state.hub.close_visitor(id, SessionEndReason::Blocked);
    tracing::info!(visitor = id, by = ?by, "visitor blocked");
    Ok(Json(VisitorView::from(&visitor)))
}

#[utoipa::path(delete, path = "/api/v1/visitors/{id}/block", tag = "visitors", params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "unblocked (supervisor): a known customer may start again with a new identity token; revoked tokens stay revoked", body = VisitorView),
        (status = "4XX", description = "JSON error naming the problem", body = crate::api::openapi::ErrorBody)),
    security(("bearer" = [])))]
pub async fn unblock(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<VisitorView>> {
    staff.require(Role::Supervisor)?;
    staff.require_write()?;
    let visitor = state.store.set_visitor_blocked(id, None).await.map_err(|_| ApiError::not_found("visitor"))?;
    Ok(Json(VisitorView::from(&visitor)))
}
