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
use crate::conversations::redact::{redacted, Payload};
use crate::error::{ApiError, ApiJson, ApiResult, ErrorCode, ErrorParams};
use crate::routing::Op;
use crate::state::{client_ip, AppState};
use crate::text::clean_line;
use crate::views::{ApiKeyScope as Scope, ConversationList, SessionEndReason, VisitorSession, VisitorView};
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
    /// external id (1 to 128 characters), `name` (at most 64 characters), `vip` 0 to 9, `attrs`
    /// (at most 50 keys of 64 characters, text values of at most 1024 characters, 8 KiB in all),
    /// `agent` = account manager's email, `exp`, optional `iat` and `nbf`): the visitor is then the
    /// known customer with that external id, on any device. Clocks may differ by 5 seconds; a token
    /// may live at most `identity_token_max_hours` (default 24 h).
    identity_token: Option<String>,
    /// The widget in use (`data-widget`; `default` when absent). When it lists allowed origins, an
    /// identity token must name one of them in `aud`.
    widget: Option<String>,
    /// The origin of the page the widget is embedded in (the loader tells the frame); the
    /// identity token's `aud` must name it when the widget lists allowed origins.
    origin: Option<String>,
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
    /// Expiry, Unix seconds (required; checked by the decoder).
    exp: i64,
    /// Issued at, Unix seconds.
    iat: Option<i64>,
    /// The page origins the token was issued for (a string or an array), checked against the
    /// widget's allowed origins by `bind_to_origins`.
    #[serde(default, deserialize_with = "one_or_many")]
    aud: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Aud {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Aud::deserialize(d)? {
        Aud::One(a) => vec![a],
        Aud::Many(a) => a,
    })
}

/// A widget that lists allowed origins takes only identity tokens issued for one of them: `aud`
/// names the page origin, which is listed, and is the origin the frame says it is embedded in. A
/// token leaked from one site then cannot sign its customer in through another site's widget.
fn bind_to_origins(id: &Identity, allowed: &[String], embedded_in: Option<&str>) -> ApiResult<()> {
    if allowed.is_empty() {
        return Ok(());
    }
    let refused = |why: &str| {
        Err(ApiError::BadRequest(ErrorCode::InvalidIdentityToken, format!("the identity token is not bound to this widget: {why}")))
    };
    if id.aud.is_empty() {
        return refused("it needs an aud claim naming the page origin, one of the widget's allowed origins");
    }
    let bound = |o: &str| id.aud.iter().any(|a| a == o) && allowed.iter().any(|a| a == o);
    match embedded_in {
        Some(origin) if !bound(origin) => refused("its aud claim does not name the origin of the page the widget is on"),
        Some(_) => Ok(()),
        None if id.aud.iter().any(|a| bound(a)) => Ok(()),
        None => refused("its aud claim names none of the widget's allowed origins"),
    }
}

/// How far the business system's clock may be from ours. Seconds, not the decoder's default
/// minute: an identity token is meant to be minted for the page that uses it.
const IDENTITY_LEEWAY_SECS: u64 = 5;

const VISITOR_TOKEN_DAYS: i64 = 180;

#[utoipa::path(post, path = "/api/v1/visitors", tag = "visitors", request_body = CreateVisitor, responses((status = 200, description = "a visitor token and the visitor", body = VisitorSession), crate::error::ApiErrors))]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<CreateVisitor>,
) -> ApiResult<Json<VisitorSession>> {
    state.limits.visitor(client_ip(addr.ip(), &headers, &state.config.trusted_proxies)).await?;
    let now = now_ms();
    let locale = body.locale.as_deref().filter(|l| matches!(*l, "zh-CN" | "en"));
    let name = body.name.as_deref().map(clean_line);
    let name = name.as_deref().filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > 64) {
        return Err(ApiError::invalid("name: at most 64 characters"));
    }
    let token = new_token("v_");
    let expires_at = now + VISITOR_TOKEN_DAYS * 86_400_000;
    let visitor = match &body.identity_token {
        Some(identity) => {
            let max_lifetime_secs = i64::from(state.config.identity_token_max_hours) * 3600;
            let id = verify_identity(&state.identity_secret(), identity, max_lifetime_secs, now / 1000)?;
            bind_to_origins(&id, &widget_origins(&state, body.widget.as_deref()).await?, body.origin.as_deref())?;
            if state.store.customer_block(&id.sub).await?.is_some() {
                return Err(ApiError::coded(
                    ErrorCode::VisitorBlocked,
                    "visitor_blocked: this customer is blocked; a supervisor can unblock them",
                    ErrorParams::default(),
                ));
            }
            let designated = match &id.agent {
                Some(email) => state.store.user_by_email(email).await?.map(|u| u.id),
                None => None,
            };
            let name =
                id.name.as_deref().map(clean_line).filter(|n| !n.is_empty()).or(name.map(str::to_string)).unwrap_or(clean_line(&id.sub));
            let attrs = Value::Object(id.attrs).to_string();
            let customer = KnownCustomer {
                external_id: &id.sub,
                name: &name,
                vip_level: id.vip.clamp(0, 9),
                attributes: &attrs,
                designated_agent_id: designated,
                locale,
            };
            let visitor = state.store.upsert_customer(&customer, now).await?;
            state.store.create_session(&token_hash(&token), TokenOwner::Visitor(visitor.id), now, expires_at).await?;
            visitor
        }
        None => {
            // The visitor and their session in one write transaction (behind SQLite's one
            // writer, each transaction of a crowd of new visitors queues).
            let fallback = format!("访客{}", now % 100_000);
            state.store.create_visitor_with_session(name.unwrap_or(&fallback), locale, &token_hash(&token), now, expires_at).await?
        }
    };
    Ok(Json(VisitorSession { token, visitor: redacted(Payload::Visitor, VisitorView::from(&visitor)) }))
}

/// Decode and check an identity token at `now` (Unix seconds): signature, `exp` and `nbf` with a
/// few seconds' leeway, a lifetime of at most `max_lifetime_secs`, and the claims' sizes.
fn verify_identity(secret: &str, token: &str, max_lifetime_secs: i64, now: i64) -> ApiResult<Identity> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_required_spec_claims(&["exp", "sub"]);
    // `aud` names page origins, which only the widget knows: `bind_to_origins` checks it.
    validation.validate_aud = false;
    validation.leeway = IDENTITY_LEEWAY_SECS;
    validation.validate_nbf = true;
    let id = decode::<Identity>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation).map_err(decode_error)?.claims;
    let bad = |msg: String| ApiError::BadRequest(ErrorCode::InvalidIdentityToken, format!("identity token: {msg}"));
    // A long-lived token copied out of a page would let anyone be that customer until it expires.
    let leeway = IDENTITY_LEEWAY_SECS as i64;
    let too_long = id.exp - now > max_lifetime_secs + leeway || id.iat.is_some_and(|iat| id.exp - iat > max_lifetime_secs);
    if too_long {
        return Err(bad(format!("exp: the token may live at most {max_lifetime_secs} s (exp - iat, and exp - now)")));
    }
    if id.sub.is_empty() || id.sub.chars().count() > 128 {
        return Err(bad("sub: must be 1 to 128 characters".into()));
    }
    if let Some(name) = &id.name {
        crate::customers::check_name("name", name).map_err(bad)?;
    }
    crate::customers::check_attributes("attrs", &id.attrs).map_err(bad)?;
    if id.agent.as_ref().is_some_and(|a| a.len() > 254) {
        return Err(bad("agent: an email of at most 254 characters".into()));
    }
    Ok(id)
}

fn decode_error(e: jsonwebtoken::errors::Error) -> ApiError {
    match e.kind() {
        ErrorKind::ExpiredSignature => {
            ApiError::BadRequest(ErrorCode::IdentityTokenExpired, "the identity token has expired; the page must fetch a new one".into())
        }
        ErrorKind::ImmatureSignature => ApiError::BadRequest(
            ErrorCode::InvalidIdentityToken,
            "identity token: nbf is in the future (check the business system's clock)".into(),
        ),
        ErrorKind::InvalidSignature => {
            ApiError::BadRequest(ErrorCode::InvalidIdentityToken, "the identity token's signature does not match the widget secret".into())
        }
        _ => ApiError::BadRequest(ErrorCode::InvalidIdentityToken, format!("the identity token is not valid: {e}")),
    }
}

async fn widget_origins(state: &AppState, widget: Option<&str>) -> ApiResult<Vec<String>> {
    let name = widget.unwrap_or("default");
    match crate::api::widgets::load(state, name).await? {
        Some(w) => Ok(w.allowed_origins),
        None if name == "default" => Ok(vec![]),
        None => Err(ApiError::invalid("widget: no widget with this name")),
    }
}

#[utoipa::path(get, path = "/api/v1/visitors/me", tag = "visitors", responses((status = 200, description = "the calling visitor", body = VisitorView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, VisitorCaller(id): VisitorCaller) -> ApiResult<Json<VisitorView>> {
    Ok(Json(redacted(Payload::Visitor, VisitorView::from(&state.store.visitor(id).await?))))
}

/// Earlier conversations of a customer, for the agent's customer panel.
/// Paging of a customer's conversations: newest first, by id.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct HistoryPage {
    /// `next_after` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 200 (default 50).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/visitors/{id}/conversations", tag = "visitors", params(("id" = i64, Path, description = "id"), HistoryPage), responses((status = 200, description = "the customer's conversations, newest first, a page at a time (`after`, `limit`; 50 by default)", body = ConversationList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn history(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<HistoryPage>,
) -> ApiResult<Json<ConversationList>> {
    staff.require_scope(crate::views::ApiKeyScope::ConversationsRead)?;
    if staff.role < Role::Supervisor && staff.is_user() {
        // An agent sees the history of customers they serve or were offered.
        let serving = state.store.conversations_by_status(None, Some(staff.id)).await?;
        if !serving.iter().any(|c| c.visitor_id == id) {
            return Err(ApiError::not_found("visitor"));
        }
    }
    let limit = crate::api::paging::limit_of(q.limit, 50)?;
    let rows = state.store.visitor_conversations_page(id, q.after, limit + 1).await?;
    let (rows, next_after) = crate::api::paging::split_page(rows, limit, |c| c.id);
    let mut conversations = vec![];
    for c in &rows {
        conversations.push(crate::conversations::build_view(&state.store, c).await?);
    }
    Ok(Json(ConversationList { conversations, next_after }))
}

#[utoipa::path(post, path = "/api/v1/visitors/me/logout", tag = "visitors",
    responses((status = 204, description = "the token is revoked and its WebSockets closed; a conversation still waiting for an agent is abandoned unless the visitor has another live session"),
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, VisitorCaller(id): VisitorCaller, parts: Parts) -> ApiResult<StatusCode> {
    let now = now_ms();
    let hash = request_token(&parts).map(|t| token_hash(&t)).unwrap_or_default();
    state.store.revoke_session(&hash, now).await?;
    // Say why at once: a socket that finds its session revoked on its own check (while the
    // abandon below waits its turn) would say "revoked" instead of "logged out".
    state.hub.close_session(&hash, SessionEndReason::LoggedOut).await;
    if state.store.live_sessions(TokenOwner::Visitor(id), now).await? == 0 {
        // Nobody is left to answer the agent: give up the place in line. A conversation already
        // with an agent stays for the agent to close.
        if let Some(c) = state.store.open_conversation(id).await?.filter(|c| c.status != kefu_core::ConversationStatus::Assigned) {
            if let Err(e) = state.routing.run(Op::Abandon { conversation: c.id }).await {
                tracing::warn!(conversation = c.id, error = ?e, "could not abandon a logged-out visitor's conversation");
            }
        }
    }
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
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn block(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BlockBody>,
) -> ApiResult<Json<VisitorView>> {
    require_supervisor(&staff)?;
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
    state.hub.close_visitor(id, SessionEndReason::Blocked).await;
    tracing::info!(visitor = id, by = ?by, "visitor blocked");
    Ok(Json(VisitorView::from(&visitor)))
}

#[utoipa::path(delete, path = "/api/v1/visitors/{id}/block", tag = "visitors", params(("id" = i64, Path, description = "id")),
    responses((status = 200, description = "unblocked (supervisor): a known customer may start again with a new identity token; revoked tokens stay revoked", body = VisitorView),
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn unblock(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<VisitorView>> {
    require_supervisor(&staff)?;
    let visitor = state.store.set_visitor_blocked(id, None).await.map_err(|_| ApiError::not_found("visitor"))?;
    Ok(Json(VisitorView::from(&visitor)))
}

/// Blocking is a supervisor's decision: a user needs that role, a key `conversations:write`.
fn require_supervisor(staff: &Staff) -> ApiResult<()> {
    staff.require_scope(Scope::ConversationsWrite)?;
    if staff.is_user() && staff.role < Role::Supervisor {
        return Err(ApiError::Forbidden("this needs the supervisor role".into()));
    }
    Ok(())
}
