//! The embedded web UIs: the agent workspace at `/app/`, the visitor widget at `/widget/`, and the
//! demo customer page at `/demo`. Built assets are compiled into the binary (rust-embed).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

use crate::api::headers::{frame_source_of, widget_frame_policy, workspace_policy, DEMO_CRM_POLICY, DEMO_POLICY};
use crate::error::{error_body, ErrorCode};
use crate::state::AppState;

#[derive(RustEmbed)]
#[folder = "../../web/workspace/dist/"]
#[allow_missing = true]
struct Workspace;

#[derive(RustEmbed)]
#[folder = "../../web/widget/dist/"]
#[allow_missing = true]
struct Widget;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/app/") }))
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .route("/app/", get(|State(state): State<AppState>| async move { workspace_file(&state, "index.html").await }))
        .route("/app/{*path}", get(|State(state): State<AppState>, Path(p): Path<String>| async move { workspace_file(&state, &p).await }))
        .route("/widget/{*path}", get(widget_path))
        .route("/demo", get(|| async { widget_file("demo.html") }))
        .route("/demo/crm", get(demo_crm))
}

async fn workspace_file(state: &AppState, path: &str) -> Response {
    match Workspace::get(path) {
        Some(f) if path != "index.html" => respond(path, f.data.into_owned()),
        // The app shell, also for client-side routes; missing assets are 404.
        _ if path.starts_with("assets/") => error_body(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file"),
        _ => match Workspace::get("index.html") {
            Some(f) => {
                let policy = workspace_policy(&crm_frame_sources(state).await);
                with_policy(respond("index.html", f.data.into_owned()), &policy, Some("DENY"))
            }
            None => not_built("workspace"),
        },
    }
}

/// The origins of the skill groups' CRM pages, which the customer panel frames.
async fn crm_frame_sources(state: &AppState) -> Vec<String> {
    let groups = state.store.groups().await.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, "could not read the skill groups; the workspace may frame only this origin");
        vec![]
    });
    let mut sources: Vec<String> = groups.iter().filter_map(|g| g.crm_url_template.as_deref()).filter_map(frame_source_of).collect();
    sources.sort();
    sources.dedup();
    sources
}

#[derive(serde::Deserialize)]
struct FrameQuery {
    widget: Option<String>,
}

async fn widget_path(State(state): State<AppState>, Path(p): Path<String>, Query(q): Query<FrameQuery>) -> Response {
    match p.as_str() {
        // The chat frame names its widget (`?widget=`, the loader's data-widget); only the origins
        // listed for that widget may frame it.
        "frame.html" => {
            let name = q.widget.as_deref().unwrap_or("default");
            let allowed = crate::api::widgets::allowed_origins(&state, name).await.unwrap_or_else(|e| {
                tracing::warn!(widget = %name, error = %e, "could not read the widget's allowed origins; only this origin may frame it");
                vec![]
            });
            with_policy(widget_file("frame.html"), &widget_frame_policy(&allowed), None)
        }
        _ => widget_file(&p),
    }
}

fn widget_file(path: &str) -> Response {
    match Widget::get(path) {
        Some(f) if path == "demo.html" => with_policy(respond(path, f.data.into_owned()), DEMO_POLICY, Some("SAMEORIGIN")),
        Some(f) => respond(path, f.data.into_owned()),
        None if Widget::get("loader.js").is_none() => not_built("widget"),
        None => error_body(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file"),
    }
}

/// A page's own policy (the security-headers layer leaves it alone) and its `X-Frame-Options`
/// for browsers that predate `frame-ancestors` (none for the widget frame: no value lists origins).
fn with_policy(mut res: Response, policy: &str, frame_options: Option<&'static str>) -> Response {
    if !res.status().is_success() {
        return res;
    }
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(policy) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    if let Some(x) = frame_options {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(x));
    }
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    res
}

fn not_built(what: &str) -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        ErrorCode::NotFound,
        &format!("the {what} UI was not built into this binary; run `npm run build` in web/ and rebuild"),
    )
}

fn respond(path: &str, bytes: Vec<u8>) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    ([(header::CONTENT_TYPE, mime.as_ref().to_string()), (header::CACHE_CONTROL, cache.to_string())], Body::from(bytes)).into_response()
}

#[derive(serde::Deserialize)]
struct CrmQuery {
    id: Option<String>,
}

/// The demo's stand-in for a business CRM, shown in the agent's customer panel iframe.
async fn demo_crm(axum::extract::Query(q): axum::extract::Query<CrmQuery>) -> Response {
    let id: String = q.id.unwrap_or_default().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').take(64).collect();
    let html = format!(
        "<!doctype html><meta charset=utf-8><title>Demo CRM</title><body style=\"font:14px sans-serif;margin:12px\">\
         <h3>示例银行 CRM · Demo CRM</h3><p>客户号 Customer id: <b data-testid=crm-customer-id>{id}</b></p>\
         <p>风险等级 Risk: 低 Low · 持卡 Cards: 2 · 贷款 Loans: 0</p></body>"
    );
    let page = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    with_policy(page, DEMO_CRM_POLICY, Some("SAMEORIGIN"))
}
