//! The audit log of administrative changes (操作日志), for admins: newest first, cursor-paged,
//! searchable by text, object, actor and time.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Staff;
use crate::clock::optional_time_param;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, AuditEntity, AuditEntryView, AuditPage};
use kefu_store::AuditFilter;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/audit-log", get(list))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Text inside the summary (the object's name), the actor's name or the object id.
    q: Option<String>,
    /// Kind of object.
    entity: Option<AuditEntity>,
    /// Object id (with `entity`): one object's history.
    entity_id: Option<String>,
    /// Changes made by this user.
    actor_id: Option<i64>,
    /// From this time (RFC 3339, inclusive).
    from: Option<String>,
    /// Until this time (RFC 3339, exclusive).
    to: Option<String>,
    /// `next_before` of the previous page.
    before: Option<String>,
    /// Page size, 1 to 100 (default 50).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/audit-log", tag = "admin", params(AuditQuery), responses((status = 200, description = "administrative changes, newest first (admin)", body = AuditPage), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<AuditQuery>) -> ApiResult<Json<AuditPage>> {
    staff.require_scope(Scope::Admin)?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit: 1 to 100"));
    }
    let before = match q.before.as_deref() {
        Some(c) => Some(c.parse::<i64>().map_err(|_| ApiError::invalid("before: not a cursor this API gave out"))?),
        None => None,
    };
    let text = q.q.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::invalid("q: at most 200 characters"));
    }
    let filter = AuditFilter {
        text,
        entity: q.entity.map(|e| e.as_str().to_string()),
        entity_id: q.entity_id,
        actor_id: q.actor_id,
        from: optional_time_param("from", q.from.as_deref())?,
        to: optional_time_param("to", q.to.as_deref())?,
    };
    let rows = state.store.audit_entries(&filter, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_before = if more { rows.last().map(|r| r.id.to_string()) } else { None };
    Ok(Json(AuditPage { entries: rows.iter().map(AuditEntryView::from).collect(), next_before }))
}
