//! The embedded web UIs: the agent workspace at `/app/`, the visitor widget at `/widget/`, and the
//! demo customer page at `/demo`. Built assets are compiled into the binary (rust-embed).

use axum::body::Body;
use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use rust_embed::RustEmbed;

use crate::error::error_body;
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
        .route("/app/", get(|| async { workspace_file("index.html") }))
        .route("/app/{*path}", get(|Path(p): Path<String>| async move { workspace_file(&p) }))
        .route("/widget/{*path}", get(|Path(p): Path<String>| async move { widget_file(&p) }))
        .route("/demo", get(|| async { widget_file("demo.html") }))
        .route("/demo/crm", get(demo_crm))
}

fn workspace_file(path: &str) -> Response {
    match Workspace::get(path) {
        Some(f) => respond(path, f.data.into_owned()),
        // Client-side routes fall back to the app shell; missing assets are 404.
        None if !path.starts_with("assets/") => match Workspace::get("index.html") {
            Some(f) => respond("index.html", f.data.into_owned()),
            None => not_built("workspace"),
        },
        None => error_body(StatusCode::NOT_FOUND, "not_found", "no such file"),
    }
}

fn widget_file(path: &str) -> Response {
    match Widget::get(path) {
        Some(f) => respond(path, f.data.into_owned()),
        None if Widget::get("loader.js").is_none() => not_built("widget"),
        None => error_body(StatusCode::NOT_FOUND, "not_found", "no such file"),
    }
}

fn not_built(what: &str) -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("the {what} UI was not built into this binary; run `npm run build` in web/ and rebuild"),
    )
}

fn respond(path: &str, bytes: Vec<u8>) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    (
        [
            (header::CONTENT_TYPE, mime.as_ref().to_string()),
            (header::CACHE_CONTROL, cache.to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response()
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
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
