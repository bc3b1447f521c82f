//! Widget settings (per widget name, e.g. one per website or app): the pre-chat form, the
//! welcome text and which business types it offers. Public read for the widget; admin write.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::paging::NamedListQuery;
use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::views::{
    ApiKeyScope as Scope, AuditAction, AuditEntity, BusinessTypeOption, FormField, GroupWelcome, IdentitySecret, PreChatForm,
    WidgetBranding, WidgetConfig, WidgetEntry, WidgetList, WidgetSettings,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/widget/config", get(config))
        .route("/api/v1/widgets", get(list))
        .route("/api/v1/widgets/identity-secret", get(identity_secret))
        .route("/api/v1/widgets/identity-secret/rotate", post(rotate_identity_secret))
        .route("/api/v1/widgets/{name}", get(one).put(save).delete(remove))
}

fn defaults() -> WidgetSettings {
    let label = |zh: &str, en: &str| BTreeMap::from([("zh-CN".to_string(), zh.to_string()), ("en".to_string(), en.to_string())]);
    WidgetSettings {
        fields: vec![
            FormField { name: "name".into(), label: label("您的称呼", "Your name"), required: false, kind: "text".into() },
            FormField { name: "business_type_id".into(), label: label("咨询业务", "Topic"), required: true, kind: "select".into() },
        ],
        welcome: label("您好，欢迎咨询！", "Hello! How can we help?"),
        business_type_ids: vec![],
        allowed_origins: vec![],
        branding: WidgetBranding::default(),
    }
}

/// Largest logo data URL kept with a widget's settings.
const MAX_LOGO_CHARS: usize = 100 * 1024;

fn check_branding(b: &WidgetBranding) -> ApiResult<()> {
    let hex = b.color.len() == 7 && b.color.starts_with('#') && b.color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if !hex {
        return Err(ApiError::invalid("branding.color: a colour written #rrggbb"));
    }
    if b.title.values().any(|t| t.trim().is_empty() || t.chars().count() > 32) {
        return Err(ApiError::invalid("branding.title: 1 to 32 characters per locale"));
    }
    if let Some(logo) = &b.logo {
        let kinds = ["png", "jpeg", "webp", "svg+xml"];
        let typed = kinds.iter().any(|k| logo.starts_with(&format!("data:image/{k};base64,")));
        if !typed {
            return Err(ApiError::invalid("branding.logo: a data:image/png, jpeg, webp or svg+xml base64 URL"));
        }
        if logo.len() > MAX_LOGO_CHARS {
            return Err(ApiError::invalid(format!("branding.logo: at most {} KB", MAX_LOGO_CHARS / 1024)));
        }
    }
    Ok(())
}

fn check_name(name: &str) -> ApiResult<()> {
    let ok =
        !name.is_empty() && name.len() <= 32 && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid("name: 1 to 32 characters of a-z, 0-9, - and _"))
    }
}

fn validate(w: &WidgetSettings) -> ApiResult<()> {
    if w.fields.len() > 10 {
        return Err(ApiError::invalid("fields: at most 10"));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, f) in w.fields.iter().enumerate() {
        check_name(&f.name).map_err(|_| ApiError::invalid(format!("fields[{i}].name: 1 to 32 characters of a-z, 0-9, - and _")))?;
        if !seen.insert(&f.name) {
            return Err(ApiError::invalid(format!("fields[{i}].name: {:?} appears twice", f.name)));
        }
        if !matches!(f.kind.as_str(), "text" | "textarea" | "select") {
            return Err(ApiError::invalid(format!("fields[{i}].kind: one of text, textarea, select")));
        }
        if f.kind == "select" && f.name != "business_type_id" {
            return Err(ApiError::invalid(format!("fields[{i}]: only business_type_id can be a select")));
        }
        if f.label.is_empty() || f.label.values().any(|l| l.trim().is_empty() || l.chars().count() > 64) {
            return Err(ApiError::invalid(format!("fields[{i}].label: 1 to 64 characters per locale")));
        }
    }
    check_branding(&w.branding)?;
    if w.welcome.values().any(|t| t.chars().count() > 500) {
        return Err(ApiError::invalid("welcome: at most 500 characters per locale"));
    }
    if w.allowed_origins.len() > MAX_ORIGINS {
        return Err(ApiError::invalid(format!("allowed_origins: at most {MAX_ORIGINS}")));
    }
    for (i, o) in w.allowed_origins.iter().enumerate() {
        if !is_origin(o) {
            return Err(ApiError::invalid(format!(
                "allowed_origins[{i}]: {o:?} is not an origin; write scheme, host and port only, e.g. https://shop.example or http://127.0.0.1:8081"
            )));
        }
    }
    Ok(())
}

/// Most origins one widget lists.
const MAX_ORIGINS: usize = 20;

/// An exact, lower-case http(s) origin as a browser writes it (`Origin` header, `location.origin`):
/// no path, no trailing slash, no wildcard. It also becomes a CSP source and a JWT audience, so
/// nothing else is let through.
fn is_origin(o: &str) -> bool {
    let Some(rest) = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")) else { return false };
    let (host_ok, port) = if let Some(bracketed) = rest.strip_prefix('[') {
        let Some((v6, tail)) = bracketed.split_once(']') else { return false };
        (v6.parse::<std::net::Ipv6Addr>().is_ok() && !v6.chars().any(|c| c.is_ascii_uppercase()), tail)
    } else {
        let (host, tail) = rest.split_at(rest.find(':').unwrap_or(rest.len()));
        let label_ok =
            |l: &str| !l.is_empty() && !l.starts_with('-') && l.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        (host.len() <= 253 && host.split('.').all(label_ok), tail)
    };
    let port_ok =
        port.is_empty() || port.strip_prefix(':').is_some_and(|p| !p.is_empty() && !p.starts_with('0') && p.parse::<u16>().is_ok());
    o.len() <= 200 && host_ok && port_ok
}

/// The origins a widget lists (none for a widget nobody configured or a name it cannot have).
pub async fn allowed_origins(state: &AppState, name: &str) -> ApiResult<Vec<String>> {
    if check_name(name).is_err() {
        return Ok(vec![]);
    }
    Ok(load(state, name).await?.map(|w| w.allowed_origins).unwrap_or_default())
}

/// A widget's stored settings (None when nobody saved any under this name).
pub async fn load(state: &AppState, name: &str) -> ApiResult<Option<WidgetSettings>> {
    Ok(match state.store.setting(&format!("widget:{name}")).await? {
        Some(text) => Some(serde_json::from_str(&text).map_err(|e| ApiError::Internal(e.into()))?),
        None => None,
    })
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct WidgetQuery {
    /// Which widget (`data-widget` on the loader); `default` when absent.
    widget: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/widget/config", tag = "widgets", params(WidgetQuery),
    responses((status = 200, description = "the pre-chat form, the business types with their open flags, the welcome text", body = WidgetConfig), crate::error::ApiErrors))]
pub async fn config(State(state): State<AppState>, Query(q): Query<WidgetQuery>) -> ApiResult<impl IntoResponse> {
    let name = q.widget.as_deref().unwrap_or("default");
    check_name(name)?;
    let settings = match load(&state, name).await? {
        Some(s) => s,
        None if name == "default" => defaults(),
        None => return Err(ApiError::not_found("widget")),
    };
    let now = now_ms();
    let groups = state.store.groups().await?;
    let mut types = vec![];
    for t in state.store.business_types().await? {
        if !settings.business_type_ids.is_empty() && !settings.business_type_ids.contains(&t.id) {
            continue;
        }
        let Some(g) = groups.iter().find(|g| g.id == t.group_id) else { continue };
        let closed_reason = crate::api::groups::availability(&state, g, now).await?;
        let names = crate::text::stored_localized(&t.names);
        types.push(BusinessTypeOption { id: t.id, name: t.name, names, open: closed_reason.is_none(), closed_reason });
    }
    let config = WidgetConfig {
        pre_chat_form: PreChatForm { fields: settings.fields },
        business_types: types,
        welcome: settings.welcome,
        branding: settings.branding,
        group_welcomes: groups
            .iter()
            .map(|g| GroupWelcome { group_id: g.id, welcome: crate::text::stored_localized(&g.welcome) })
            .filter(|g| !g.welcome.is_empty())
            .collect(),
        max_message_chars: state.org.max_message_chars(),
    };
    // The loader on the customer's site reads the branding before any frame exists: public data,
    // read without credentials, so any origin may.
    Ok(([(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], Json(config)))
}

#[utoipa::path(get, path = "/api/v1/widgets", tag = "widgets", params(NamedListQuery),
    responses((status = 200, description = "a page of the widgets, `default` first, then by name; `q` finds text in the name, welcome texts and allowed origins (admin)", body = WidgetList), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<NamedListQuery>) -> ApiResult<Json<WidgetList>> {
    staff.require_scope(Scope::Admin)?;
    let mut widgets = vec![WidgetEntry { name: "default".into(), settings: load(&state, "default").await?.unwrap_or_else(defaults) }];
    // The settings keys come sorted by name.
    for (key, value) in state.store.settings_with_prefix("widget:").await? {
        let name = key.trim_start_matches("widget:").to_string();
        if name == "default" {
            continue;
        }
        match serde_json::from_str(&value) {
            Ok(settings) => widgets.push(WidgetEntry { name, settings }),
            Err(e) => tracing::warn!(widget = %name, error = %e, "stored widget settings are unreadable; left out of the list"),
        }
    }
    let page = q.page(widgets, |w| w.name.clone(), widget_text)?;
    Ok(Json(WidgetList { widgets: page.rows, total: page.total, next_after: page.next_after }))
}

/// Where `q` looks in a widget: its name, welcome texts and allowed origins.
fn widget_text(w: &WidgetEntry) -> Vec<&str> {
    let s = &w.settings;
    std::iter::once(w.name.as_str())
        .chain(s.welcome.values().map(String::as_str))
        .chain(s.allowed_origins.iter().map(String::as_str))
        .collect()
}

#[utoipa::path(get, path = "/api/v1/widgets/{name}", tag = "widgets", params(("name" = String, Path, description = "widget name")),
    responses((status = 200, description = "one widget's settings; `default` is always there (admin)", body = WidgetSettings), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn one(State(state): State<AppState>, staff: Staff, Path(name): Path<String>) -> ApiResult<Json<WidgetSettings>> {
    staff.require_scope(Scope::Admin)?;
    check_name(&name)?;
    match load(&state, &name).await? {
        Some(s) => Ok(Json(s)),
        None if name == "default" => Ok(Json(defaults())),
        None => Err(ApiError::not_found("widget")),
    }
}

#[utoipa::path(put, path = "/api/v1/widgets/{name}", tag = "widgets", params(("name" = String, Path, description = "widget name")),
    request_body = WidgetSettings,
    responses((status = 200, description = "saved (admin)", body = WidgetSettings), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<WidgetSettings>,
) -> ApiResult<Json<WidgetSettings>> {
    staff.require_scope(Scope::Admin)?;
    check_name(&name)?;
    validate(&body)?;
    let known: Vec<i64> = state.store.business_types().await?.iter().map(|t| t.id).collect();
    if let Some(bad) = body.business_type_ids.iter().find(|id| !known.contains(id)) {
        return Err(ApiError::invalid(format!("business_type_ids: no business type {bad}")));
    }
    let text = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.into()))?;
    let before = load(&state, &name).await?;
    let action = if before.is_some() { AuditAction::Updated } else { AuditAction::Created };
    state.store.set_setting(&format!("widget:{name}"), &text).await?;
    record(&state, &staff, Change::new(AuditEntity::Widget, &name, action, &name).before(&before).after(&body)).await;
    Ok(Json(body))
}

#[utoipa::path(delete, path = "/api/v1/widgets/{name}", tag = "widgets", params(("name" = String, Path, description = "widget name")),
    responses((status = 204, description = "deleted; `default` returns to the built-in form (admin)"), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn remove(State(state): State<AppState>, staff: Staff, Path(name): Path<String>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    check_name(&name)?;
    let before = load(&state, &name).await?;
    if !state.store.delete_setting(&format!("widget:{name}")).await? && name != "default" {
        return Err(ApiError::not_found("widget"));
    }
    if before.is_some() {
        record(&state, &staff, Change::new(AuditEntity::Widget, &name, AuditAction::Deleted, &name).before(&before)).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/widgets/identity-secret", tag = "widgets",
    responses((status = 200, description = "the HMAC-SHA256 key business systems sign visitor identity tokens with (admin)", body = IdentitySecret),
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn identity_secret(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<IdentitySecret>> {
    staff.require_scope(Scope::Admin)?;
    Ok(Json(IdentitySecret { secret: state.identity_secret() }))
}

#[utoipa::path(post, path = "/api/v1/widgets/identity-secret/rotate", tag = "widgets",
    responses((status = 200, description = "a new secret; tokens signed with the old one are refused from now on (admin)", body = IdentitySecret),
        crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn rotate_identity_secret(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<IdentitySecret>> {
    staff.require_scope(Scope::Admin)?;
    let secret = crate::auth::new_token("");
    state.store.set_setting("widget_secret", &secret).await?;
    if let Ok(mut current) = state.widget_secret.write() {
        *current = secret.clone();
    }
    tracing::info!("identity-token secret rotated");
    // Neither secret is logged: only that it changed.
    record(&state, &staff, Change::new(AuditEntity::IdentitySecret, "widget", AuditAction::Rotated, "identity-token secret")).await;
    Ok(Json(IdentitySecret { secret }))
}

#[cfg(test)]
mod tests {
    use super::is_origin;

    #[test]
    fn origins_are_exact() {
        for ok in
            ["https://shop.example", "http://127.0.0.1:8081", "https://a-b.shop.example:8443", "http://[::1]:9000", "http://localhost"]
        {
            assert!(is_origin(ok), "{ok}");
        }
        for bad in [
            "https://shop.example/",
            "https://Shop.example",
            "shop.example",
            "https://*.shop.example",
            "https://shop.example:0",
            "https://shop.example:99999",
            "https://shop.example:",
            "ftp://shop.example",
            "https://shop.example; script-src *",
            "https://",
            "https://a..b",
            "http://[::1",
        ] {
            assert!(!is_origin(bad), "{bad}");
        }
    }
}
