//! The HTTP surface: each area's `router()`, merged here, plus health, metrics, OpenAPI, and the
//! layers that make every failure a JSON error.

pub mod admin;
pub mod agents;
pub mod alerts;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod canned;
pub mod conversations;
pub mod groups;
pub mod headers;
pub mod history;
pub mod list_filters;
pub mod maturity;
pub mod notes;
pub mod openapi;
pub mod paging;
pub mod planning;
pub mod planning_actuals;
pub mod qa;
pub mod qa_report_export;
pub mod qa_reviews;
pub mod qa_sampling;
pub mod ranged;
pub mod recordings;
pub mod reports;
pub mod search;
pub mod settings;
pub mod stats;
pub mod tags;
pub mod take_over;
pub mod transfer_candidates;
pub mod visitors;
pub mod web;
pub mod widgets;
pub mod wrap_up_codes;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::error::{error_body, ApiError, ErrorCode};
use crate::metrics::render;
use crate::state::AppState;

/// Largest JSON body.
const MAX_JSON: usize = 1024 * 1024;

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(auth::router())
        .merge(agents::router())
        .merge(visitors::router())
        .merge(conversations::router())
        .merge(transfer_candidates::router())
        .merge(calls::router())
        .merge(recordings::router())
        .merge(groups::router())
        .merge(admin::router())
        .merge(wrap_up_codes::router())
        .merge(canned::router())
        .merge(notes::router())
        .merge(history::router())
        .merge(audit::router())
        .merge(search::router())
        .merge(tags::router())
        .merge(take_over::router())
        .merge(stats::router())
        .merge(qa::router())
        .merge(qa_reviews::router())
        .merge(qa_sampling::router())
        .merge(alerts::router())
        .merge(planning::router())
        .merge(qa_report_export::router())
        .merge(reports::router())
        .merge(maturity::router())
        .merge(settings::router())
        .merge(widgets::router())
        .merge(openapi::router())
        .route("/api/v1/ws", get(crate::realtime::ws::upgrade))
        .layer(DefaultBodyLimit::max(MAX_JSON))
        .merge(attachments::router())
        .merge(web::router())
        .route("/healthz", get(|| async { Json(json!({ "status": "ok" })) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_on_main))
        .fallback(|| async { error_body(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such route") })
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(crate::serve::refuse_oversized_headers))
        .layer(middleware::from_fn_with_state(state.clone(), headers::security_headers))
        // The span records the path, never the query: WebSocket URLs carry tokens, attachment links signatures.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| tracing::info_span!("request", method = %req.method(), path = %req.uri().path())),
        )
        .with_state(state)
}

/// The `metrics_listen` listener: `/metrics` only.
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics_on_own_listener))
        .fallback(|| async { error_body(StatusCode::NOT_FOUND, ErrorCode::NotFound, "this listener serves only /metrics") })
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn(crate::serve::refuse_oversized_headers))
        .layer(middleware::from_fn_with_state(state.clone(), headers::security_headers))
        .with_state(state)
}

async fn readyz(State(state): State<AppState>) -> Response {
    if !state.store.ping().await {
        return error_body(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, "the database does not answer");
    }
    if state.hub.bus().is_some_and(|bus| !bus.connected()) {
        return error_body(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, "NATS does not answer (nats_url)");
    }
    Json(json!({ "status": "ready" })).into_response()
}

/// On the main listener the figures are for whoever holds `metrics_token`; without a token they
/// are not served there at all (only on `metrics_listen`, if set).
async fn metrics_on_main(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match &state.config.metrics_token {
        Some(token) => metrics_with_token(state.clone(), &headers, token).await,
        None => error_body(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "/metrics is not served here: set metrics_token (then send it as a Bearer token) or metrics_listen",
        ),
    }
}

/// The separate listener is reachable only where the operator bound it; the token, when set, is
/// still required.
async fn metrics_on_own_listener(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match state.config.metrics_token.clone() {
        Some(token) => metrics_with_token(state, &headers, &token).await,
        None => metrics(state).await,
    }
}

async fn metrics_with_token(state: AppState, headers: &HeaderMap, token: &str) -> Response {
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
    // Comparing digests, not the strings, keeps the time taken independent of how much matched.
    let digest = |t: &str| crate::auth::token_hash(t);
    if sent.is_some_and(|s| digest(s) == digest(token)) {
        metrics(state).await
    } else {
        ApiError::Unauthorized("/metrics needs Authorization: Bearer <metrics_token>".into()).into_response()
    }
}

async fn metrics(state: AppState) -> Response {
    let groups = stats::group_figures(&state).await.map(|g| g.into_iter().map(|(_, f, _)| f).collect::<Vec<_>>()).unwrap_or_default();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], render(&state.metrics, &groups)).into_response()
}

/// Errors produced outside our handlers (405, 413 from layers, axum's own rejections) get the
/// JSON error shape too.
async fn json_errors(req: Request<Body>, next: Next) -> Response {
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let detail =
        axum::body::to_bytes(res.into_body(), 4096).await.ok().and_then(|b| String::from_utf8(b.to_vec()).ok()).unwrap_or_default();
    let (code, fallback) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (ErrorCode::MethodNotAllowed, "this route does not take that method"),
        StatusCode::PAYLOAD_TOO_LARGE => (ErrorCode::PayloadTooLarge, "request body too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (ErrorCode::UnsupportedMediaType, "unsupported content type"),
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "not found"),
        s if s.is_server_error() => (ErrorCode::Internal, "internal error"),
        _ => (ErrorCode::BadRequest, "the request could not be understood"),
    };
    let message = if detail.trim().is_empty() || status.is_server_error() { fallback.to_string() } else { detail.trim().to_string() };
    error_body(status, code, &message)
}
