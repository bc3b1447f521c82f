//! Staff login and logout.

use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use std::net::SocketAddr;

use crate::auth::{
    check_password_rules, dummy_hash, hash_password_blocking, new_token, password_turn, request_token, token_hash,
    verify_password_blocking, Staff,
};
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult, ErrorCode, ErrorParams};
use crate::limits::account_key;
use crate::routing::Op;
use crate::state::{client_ip, AppState};
use crate::views::{LoginResponse, SessionEndReason, UserView};
use kefu_core::AgentStatus;
use kefu_store::TokenOwner;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/auth/logout", post(logout))
        .route("/api/v1/auth/me", get(me))
        .route("/api/v1/auth/password", put(change_password))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    /// The staff user's email address.
    email: String,
    password: String,
}

#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginBody, responses((status = 200, description = "a session token and the user", body = LoginResponse), crate::error::ApiErrors))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<Json<LoginResponse>> {
    let ip = client_ip(addr.ip(), &headers, &state.config.trusted_proxies);
    let account = account_key(&body.email);
    // Refuse a throttled attempt before it queues for a turn, and again once it has one: the
    // attempts ahead of it may have failed meanwhile.
    state.limits.login.check(ip, &account).await?;
    let turn = password_turn().await;
    state.limits.login.begin(ip, &account).await?;
    let bad = || ApiError::coded(ErrorCode::InvalidCredentials, "wrong email or password", ErrorParams::default());
    let user = state.store.user_by_email(body.email.trim()).await?;
    // Unknown emails and disabled users are checked against the stand-in hash: every wrong
    // login costs one argon2 verification, so the timing tells nothing.
    let hash = match &user {
        Some(u) if u.enabled => u.password_hash.clone(),
        _ => dummy_hash(state.config.password_cost).to_string(),
    };
    let verified = verify_password_blocking(body.password, hash).await;
    drop(turn);
    let user = match user {
        Some(u) if u.enabled && verified => u,
        _ => {
            state.limits.login.failed(ip).await;
            return Err(bad());
        }
    };
    state.limits.login.succeeded(&account).await;
    let token = new_token("s_");
    let now = now_ms();
    let expires = now + i64::from(state.config.session_hours) * 3_600_000;
    state.store.create_session(&token_hash(&token), TokenOwner::User(user.id), now, expires).await?;
    tracing::info!(user = user.id, "staff login");
    Ok(Json(LoginResponse { token, user: UserView::from(&user) }))
}

#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204, description = "revoked; the token's WebSockets get `session.ended` and close"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn logout(State(state): State<AppState>, staff: Staff, parts: Parts) -> ApiResult<StatusCode> {
    if let Some(token) = request_token(&parts) {
        let hash = token_hash(&token);
        let now = now_ms();
        state.store.revoke_session(&hash, now).await?;
        state.hub.close_session(&hash, SessionEndReason::LoggedOut).await;
        // Signed out everywhere: no more offers now, not after the disconnect grace period.
        if staff.is_user() && state.store.live_sessions(TokenOwner::User(staff.id), now).await? == 0 {
            state.routing.run(Op::SetStatus { agent: staff.id, status: AgentStatus::Offline }).await?;
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, description = "the caller", body = crate::views::UserView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<UserView>> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys have no user".into()));
    }
    Ok(Json(UserView::from(&state.store.user(staff.id).await?)))
}

/// `PUT /api/v1/auth/password`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct PasswordBody {
    /// The password in use now.
    current_password: String,
    /// At least 8 characters, and not the current one.
    new_password: String,
}

#[utoipa::path(put, path = "/api/v1/auth/password", tag = "auth", request_body = PasswordBody,
    responses((status = 204, description = "changed; the user's other sessions are revoked and their WebSockets closed"),
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    staff: Staff,
    parts: Parts,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<StatusCode> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys have no password".into()));
    }
    let user = state.store.user(staff.id).await?;
    // `current_password` is a password guess like a login's (a borrowed or stolen session could
    // try them): the same per-address and per-account throttle, the same single argon2 turn.
    let ip = client_ip(addr.ip(), &headers, &state.config.trusted_proxies);
    let account = account_key(&user.email);
    state.limits.login.check(ip, &account).await?;
    let turn = password_turn().await;
    state.limits.login.begin(ip, &account).await?;
    let verified = verify_password_blocking(body.current_password.clone(), user.password_hash.clone()).await;
    drop(turn);
    if !verified {
        state.limits.login.failed(ip).await;
        return Err(ApiError::invalid("current_password: does not match"));
    }
    state.limits.login.succeeded(&account).await;
    check_password_rules(&body.new_password)?;
    if body.new_password == body.current_password {
        return Err(ApiError::invalid("new_password: must differ from the current one"));
    }
    let hash = hash_password_blocking(body.new_password.clone(), state.config.password_cost).await.map_err(ApiError::Internal)?;
    state.store.set_password(staff.id, &hash, false).await?;
    // Other sessions (perhaps someone who knew the old password) end; this one stays.
    let keep = request_token(&parts).map(|t| token_hash(&t)).unwrap_or_default();
    state.store.revoke_other_sessions(staff.id, &keep, now_ms()).await?;
    state.hub.close_user(staff.id, Some(&keep), SessionEndReason::PasswordChanged).await;
    Ok(StatusCode::NO_CONTENT)
}
