//! Canned responses (快捷回复): every user's personal library and the team library that admins
//! manage. Bodies are stored as written; `{{variables}}` are expanded by the client.

use crate::api::paging::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::Deserialize;

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::text::clean_line;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity, CannedResponseList, CannedResponseView};
use kefu_store::{CannedFields, CannedRow, StoreError};

/// Longest body, in characters.
pub const MAX_BODY: usize = 2000;
const MAX_SHORTCUT: usize = 32;
const MAX_TITLE: usize = 64;
const MAX_CATEGORY: usize = 32;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/canned-responses", get(list).post(create))
        .route("/api/v1/canned-responses/{id}", patch(update).delete(remove))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct CannedQuery {
    /// Words to find in the shortcut, title or body (case-insensitive substring, so `问候` finds
    /// `您好，问候语`); a leading `/` is ignored.
    q: Option<String>,
    /// Only this category.
    category: Option<String>,
    /// Only one library: `team` or `mine` (the caller's personal one); both without it.
    library: Option<String>,
    /// `next_after` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 200; without it, every matching response at once.
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/canned-responses", tag = "canned", params(CannedQuery), responses((status = 200, description = "the team library and the caller's own (API keys: the team library)", body = CannedResponseList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<CannedQuery>) -> ApiResult<Json<CannedResponseList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let team = match q.library.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("team") => Some(true),
        Some("mine") => Some(false),
        Some(other) => return Err(ApiError::invalid(format!("library: team or mine, not {other:?}"))),
    };
    let rows = state.store.canned_responses(staff.id, q.category.as_deref().map(str::trim)).await?;
    // Libraries are small (tens to hundreds): matching here gives Unicode case folding that
    // SQLite's ASCII-only lower() lacks.
    let needle = q.q.as_deref().map(|s| s.trim().trim_start_matches('/').to_lowercase()).unwrap_or_default();
    // An API key reads the team library only (the store is asked as user 0), so its "mine" is empty.
    let in_library = |c: &CannedRow| team.is_none_or(|t| t == c.owner_user_id.is_none());
    let hit = |c: &&CannedRow| {
        in_library(c) && (needle.is_empty() || [&c.shortcut, &c.title, &c.body].iter().any(|f| f.to_lowercase().contains(&needle)))
    };
    let all = rows.iter().filter(hit).map(CannedResponseView::from).collect();
    let page = ListQuery { q: None, after: q.after, limit: q.limit }.page(all, |c| c.id, |_| vec![])?;
    Ok(Json(CannedResponseList { canned_responses: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CannedBody {
    /// Typed after `/`: 1 to 32 characters, no spaces or `/`; unique within its library.
    /// Required to create.
    shortcut: Option<String>,
    /// 1 to 64 characters. Required to create.
    title: Option<String>,
    /// 1 to 2000 characters; may hold `{{customer.name}}` and the other variables (docs/api.md).
    /// Required to create.
    body: Option<String>,
    /// Up to 32 characters; empty for none.
    category: Option<String>,
    /// Create in the team library (needs admin); only read when creating.
    #[serde(default)]
    team: bool,
}

/// Checked, cleaned fields.
struct Fields {
    shortcut: String,
    title: String,
    body: String,
    category: String,
}

fn checked(shortcut: &str, title: &str, body: &str, category: &str) -> ApiResult<Fields> {
    let shortcut = shortcut.trim().trim_start_matches('/');
    let (title, category) = (clean_line(title), clean_line(category));
    let body = crate::text::clean_message(body).trim().to_string();
    let len = |s: &str| s.chars().count();
    if shortcut.is_empty() || len(shortcut) > MAX_SHORTCUT || shortcut.chars().any(|c| c.is_whitespace() || c.is_control() || c == '/') {
        return Err(ApiError::invalid(format!("shortcut: 1 to {MAX_SHORTCUT} characters, without spaces or /")));
    }
    if title.is_empty() || len(&title) > MAX_TITLE {
        return Err(ApiError::invalid(format!("title: 1 to {MAX_TITLE} characters")));
    }
    if body.is_empty() || len(&body) > MAX_BODY {
        return Err(ApiError::invalid(format!("body: 1 to {MAX_BODY} characters")));
    }
    if len(&category) > MAX_CATEGORY {
        return Err(ApiError::invalid(format!("category: at most {MAX_CATEGORY} characters")));
    }
    Ok(Fields { shortcut: shortcut.to_string(), title, body, category })
}

fn taken(e: StoreError, shortcut: &str) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::Conflict(format!("shortcut: /{shortcut} is already used in this library")),
        e => e.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/canned-responses", tag = "canned", request_body = CannedBody, responses((status = 201, description = "created: personal (staff users), or team with `team: true` (admin)", body = CannedResponseView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<CannedBody>,
) -> ApiResult<(StatusCode, Json<CannedResponseView>)> {
    staff.require_scope(Scope::ConversationsRead)?;
    let owner = if b.team {
        staff.require_scope(Scope::Admin)?;
        None
    } else if staff.is_user() {
        Some(staff.id)
    } else {
        return Err(ApiError::Forbidden("an API key has no personal library; send \"team\": true (needs the admin scope)".into()));
    };
    let need = |v: Option<String>, name: &str| v.ok_or_else(|| ApiError::invalid(format!("{name}: required")));
    let f = checked(&need(b.shortcut, "shortcut")?, &need(b.title, "title")?, &need(b.body, "body")?, b.category.as_deref().unwrap_or(""))?;
    let fields = CannedFields { category: &f.category, shortcut: &f.shortcut, title: &f.title, body: &f.body };
    let id = state.store.create_canned_response(owner, &fields, now_ms()).await.map_err(|e| taken(e, &f.shortcut))?;
    let view = CannedResponseView::from(&state.store.canned_response(id).await?);
    team_change(&state, &staff, Change::new(AuditEntity::CannedResponse, id, AuditAction::Created, &view.title).after(&view), view.team)
        .await;
    Ok((StatusCode::CREATED, Json(view)))
}

/// The team library is administrative and audited; an agent's own responses are theirs.
async fn team_change(state: &AppState, staff: &Staff, change: Change, team: bool) {
    if team {
        record(state, staff, change).await;
    }
}

/// The response if the caller may change it: their own, or a team one for admins. Someone
/// else's personal response is "not found", so ids do not tell what exists.
async fn editable(state: &AppState, staff: &Staff, id: i64) -> ApiResult<CannedRow> {
    let row = state.store.canned_response(id).await.map_err(|_| ApiError::not_found("canned response"))?;
    match row.owner_user_id {
        None => {
            staff.require_scope(Scope::Admin)?;
        }
        Some(owner) if staff.is_user() && owner == staff.id => {}
        Some(_) => return Err(ApiError::not_found("canned response")),
    }
    Ok(row)
}

#[utoipa::path(patch, path = "/api/v1/canned-responses/{id}", tag = "canned", params(("id" = i64, Path, description = "id")), request_body = CannedBody, responses((status = 200, description = "updated (own personal ones; team ones by admins)", body = CannedResponseView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CannedBody>,
) -> ApiResult<Json<CannedResponseView>> {
    let row = editable(&state, &staff, id).await?;
    let f = checked(
        b.shortcut.as_deref().unwrap_or(&row.shortcut),
        b.title.as_deref().unwrap_or(&row.title),
        b.body.as_deref().unwrap_or(&row.body),
        b.category.as_deref().unwrap_or(&row.category),
    )?;
    let fields = CannedFields { category: &f.category, shortcut: &f.shortcut, title: &f.title, body: &f.body };
    state.store.update_canned_response(id, &fields, now_ms()).await.map_err(|e| taken(e, &f.shortcut))?;
    let view = CannedResponseView::from(&state.store.canned_response(id).await?);
    let change = Change::new(AuditEntity::CannedResponse, id, AuditAction::Updated, &view.title)
        .before(&CannedResponseView::from(&row))
        .after(&view);
    team_change(&state, &staff, change, view.team).await;
    Ok(Json(view))
}

#[utoipa::path(delete, path = "/api/v1/canned-responses/{id}", tag = "canned", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (own personal ones; team ones by admins)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn remove(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let before = CannedResponseView::from(&editable(&state, &staff, id).await?);
    state.store.delete_canned_response(id).await.map_err(|_| ApiError::not_found("canned response"))?;
    let change = Change::new(AuditEntity::CannedResponse, id, AuditAction::Deleted, &before.title).before(&before);
    team_change(&state, &staff, change, before.team).await;
    Ok(StatusCode::NO_CONTENT)
}
