//! Tags (标签): the list admins manage, tags on a conversation (with a staff-only timeline line
//! each time one is put on or taken off) and tags on a customer. Staff only; visitors see none
//! (a conversation's `tags` is emptied for them by the redaction rule).

use crate::api::list_filters::StatusFilter;
use crate::api::paging::ListQuery;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::audit::{record, Change};
use crate::auth::{Caller, Role, Staff};
use crate::clock::now_ms;
use crate::conversations::access::{can_write, load_visible};
use crate::conversations::notes::{self, Note};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::text::clean_line;
use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity, NoteKind, TagList, TagView, VisitorTags};
use kefu_store::{StoreError, TagRow};

const MAX_NAME: usize = 32;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tags", get(list).post(create))
        .route("/api/v1/tags/{id}", patch(update).delete(remove))
        .route("/api/v1/conversations/{id}/tags", get(conversation_tags))
        .route("/api/v1/conversations/{id}/tags/{tag_id}", put(tag_conversation).delete(untag_conversation))
        .route("/api/v1/visitors/{id}/tags", get(visitor_tags))
        .route("/api/v1/visitors/{id}/tags/{tag_id}", put(tag_visitor).delete(untag_visitor))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TagQuery {
    /// Include disabled tags (for the admin page).
    #[serde(default)]
    include_disabled: bool,
    /// Text inside the tag's name, any case.
    q: Option<String>,
    /// `next_after` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 200; without it, every matching tag at once.
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/tags", tag = "tags", params(TagQuery, StatusFilter), responses((status = 200, description = "the tag list, by name (`status` with `include_disabled`: enabled or disabled ones only)", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<TagQuery>,
    Query(f): Query<StatusFilter>,
) -> ApiResult<Json<TagList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let wanted = f.wanted()?;
    let TagList { mut tags, .. } = TagList::of(&state.store.tags(q.include_disabled).await?);
    tags.retain(|t| wanted(!t.disabled));
    let page = ListQuery { q: q.q, after: q.after, limit: q.limit }.page(tags, |t| t.id, |t| vec![t.name.as_str()])?;
    Ok(Json(TagList { tags: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TagBody {
    /// 1 to 32 characters, unique. Required to create.
    name: Option<String>,
    /// `#rrggbb`. Required to create.
    color: Option<String>,
    /// Stop offering it for new tagging (it stays where it is used).
    disabled: Option<bool>,
}

fn checked(name: &str, color: &str) -> ApiResult<(String, String)> {
    let name = clean_line(name);
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!("name: 1 to {MAX_NAME} characters")));
    }
    let color = color.trim().to_ascii_lowercase();
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
    if hex.is_none() {
        return Err(ApiError::invalid("color: a colour as #rrggbb"));
    }
    Ok((name, color))
}

fn taken(e: StoreError, name: &str) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::Conflict(format!("name: a tag named {name:?} already exists")),
        e => e.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/tags", tag = "tags", request_body = TagBody, responses((status = 201, description = "created (admin)", body = TagView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<TagBody>) -> ApiResult<(StatusCode, Json<TagView>)> {
    staff.require_scope(Scope::Admin)?;
    let need = |v: Option<String>, name: &str| v.ok_or_else(|| ApiError::invalid(format!("{name}: required")));
    let (name, color) = checked(&need(b.name, "name")?, &need(b.color, "color")?)?;
    let id = state.store.create_tag(&name, &color, b.disabled.unwrap_or(false), now_ms()).await.map_err(|e| taken(e, &name))?;
    let view = TagView::from(&state.store.tag(id).await?);
    record(&state, &staff, Change::new(AuditEntity::Tag, id, AuditAction::Created, &view.name).after(&view)).await;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn existing(state: &AppState, id: i64) -> ApiResult<TagRow> {
    state.store.tag(id).await.map_err(|_| ApiError::not_found("tag"))
}

#[utoipa::path(patch, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = i64, Path, description = "tag id")), request_body = TagBody, responses((status = 200, description = "updated (admin)", body = TagView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TagBody>,
) -> ApiResult<Json<TagView>> {
    staff.require_scope(Scope::Admin)?;
    let t = existing(&state, id).await?;
    let (name, color) = checked(b.name.as_deref().unwrap_or(&t.name), b.color.as_deref().unwrap_or(&t.color))?;
    state.store.update_tag(id, &name, &color, b.disabled.unwrap_or(t.disabled), now_ms()).await.map_err(|e| taken(e, &name))?;
    let view = TagView::from(&state.store.tag(id).await?);
    record(&state, &staff, Change::new(AuditEntity::Tag, id, AuditAction::Updated, &view.name).before(&TagView::from(&t)).after(&view))
        .await;
    Ok(Json(view))
}

#[utoipa::path(delete, path = "/api/v1/tags/{id}", tag = "tags", params(("id" = i64, Path, description = "tag id")), responses((status = 204, description = "deleted everywhere it was used (admin); disabling keeps it on past conversations"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn remove(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let before = TagView::from(&existing(&state, id).await?);
    state.store.delete_tag(id).await.map_err(|_| ApiError::not_found("tag"))?;
    record(&state, &staff, Change::new(AuditEntity::Tag, id, AuditAction::Deleted, &before.name).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/tags", tag = "tags", params(("id" = i64, Path, description = "conversation id")), responses((status = 200, description = "the conversation's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn conversation_tags(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<TagList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    load_visible(&state.store, &Caller::Staff(staff), id).await?;
    Ok(Json(TagList::of(&state.store.conversation_tags(id).await?)))
}

/// Who may tag a conversation: the agent serving it, an agent who served it, supervisors and
/// admins (and API keys with the write scope). A colleague who only reads it (mentioned) may not.
async fn may_tag(state: &AppState, staff: &Staff, id: i64) -> ApiResult<()> {
    staff.require_scope(Scope::ConversationsWrite)?;
    let caller = Caller::Staff(staff.clone());
    let c = load_visible(&state.store, &caller, id).await?;
    if can_write(&caller, &c) || staff.role >= Role::Supervisor || state.store.agent_served(id, staff.id).await? {
        return Ok(());
    }
    Err(ApiError::Forbidden("only the agents who served the conversation and supervisors can tag it".into()))
}

/// Put a tag on or take it off a conversation, with its timeline line; answers the new list.
async fn retag(state: &AppState, staff: &Staff, id: i64, tag_id: i64, add: bool) -> ApiResult<Json<TagList>> {
    may_tag(state, staff, id).await?;
    let tag = existing(state, tag_id).await?;
    if add && tag.disabled {
        return Err(ApiError::invalid("tag: disabled tags cannot be added"));
    }
    let name = if staff.is_user() { state.store.user(staff.id).await?.name } else { "API".to_string() };
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let changed = if add {
        tx.add_conversation_tag(id, tag_id, staff.is_user().then_some(staff.id), now).await?
    } else {
        tx.remove_conversation_tag(id, tag_id).await?
    };
    let line = if changed {
        let kind = if add { NoteKind::TagAdded } else { NoteKind::TagRemoved };
        let note = Note {
            conversation: id,
            kind,
            author: (staff.is_user().then_some(staff.id), &name),
            body: &tag.name,
            mentions: &[],
            tag_id: Some(tag_id),
        };
        Some(notes::insert(&mut tx, &note, &vec![]).await?)
    } else {
        None
    };
    let tags = TagList::of(&tx.conversation_tags(id).await?);
    tx.commit().await?;
    if let Some((row, told)) = line {
        notes::deliver(state, &row, &told).await;
        notes::tags_changed(state, id, &tags).await;
    }
    Ok(Json(tags))
}

#[utoipa::path(put, path = "/api/v1/conversations/{id}/tags/{tag_id}", tag = "tags", params(("id" = i64, Path, description = "conversation id"), ("tag_id" = i64, Path, description = "tag id")), responses((status = 200, description = "tagged (idempotent); the conversation's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn tag_conversation(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, tag_id)): Path<(i64, i64)>,
) -> ApiResult<Json<TagList>> {
    retag(&state, &staff, id, tag_id, true).await
}

#[utoipa::path(delete, path = "/api/v1/conversations/{id}/tags/{tag_id}", tag = "tags", params(("id" = i64, Path, description = "conversation id"), ("tag_id" = i64, Path, description = "tag id")), responses((status = 200, description = "untagged (idempotent); the conversation's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn untag_conversation(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, tag_id)): Path<(i64, i64)>,
) -> ApiResult<Json<TagList>> {
    retag(&state, &staff, id, tag_id, false).await
}

/// The customer, if the caller may read and tag them: supervisors and admins, and an agent
/// serving (or offered) one of their conversations now.
async fn customer(state: &AppState, staff: &Staff, visitor: i64) -> ApiResult<()> {
    state.store.visitor(visitor).await.map_err(|_| ApiError::not_found("visitor"))?;
    if staff.role >= Role::Supervisor || state.store.agent_serves_visitor(staff.id, visitor).await? {
        return Ok(());
    }
    Err(ApiError::not_found("visitor"))
}

#[utoipa::path(get, path = "/api/v1/visitors/{id}/tags", tag = "tags", params(("id" = i64, Path, description = "visitor id")), responses((status = 200, description = "the customer's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn visitor_tags(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<TagList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    customer(&state, &staff, id).await?;
    Ok(Json(TagList::of(&state.store.visitor_tags(id).await?)))
}

async fn retag_visitor(state: &AppState, staff: &Staff, id: i64, tag_id: i64, add: bool) -> ApiResult<Json<TagList>> {
    staff.require_scope(Scope::ConversationsWrite)?;
    customer(state, staff, id).await?;
    let tag = existing(state, tag_id).await?;
    if add {
        if tag.disabled {
            return Err(ApiError::invalid("tag: disabled tags cannot be added"));
        }
        state.store.add_visitor_tag(id, tag_id, staff.is_user().then_some(staff.id), now_ms()).await?;
    } else {
        state.store.remove_visitor_tag(id, tag_id).await?;
    }
    let list = TagList::of(&state.store.visitor_tags(id).await?);
    let live = VisitorTags { visitor_id: id, tags: list.tags.clone() };
    notes::visitor_tags_changed(state, &live).await;
    Ok(Json(list))
}

#[utoipa::path(put, path = "/api/v1/visitors/{id}/tags/{tag_id}", tag = "tags", params(("id" = i64, Path, description = "visitor id"), ("tag_id" = i64, Path, description = "tag id")), responses((status = 200, description = "tagged (idempotent); the customer's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn tag_visitor(State(state): State<AppState>, staff: Staff, Path((id, tag_id)): Path<(i64, i64)>) -> ApiResult<Json<TagList>> {
    retag_visitor(&state, &staff, id, tag_id, true).await
}

#[utoipa::path(delete, path = "/api/v1/visitors/{id}/tags/{tag_id}", tag = "tags", params(("id" = i64, Path, description = "visitor id"), ("tag_id" = i64, Path, description = "tag id")), responses((status = 200, description = "untagged (idempotent); the customer's tags", body = TagList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn untag_visitor(State(state): State<AppState>, staff: Staff, Path((id, tag_id)): Path<(i64, i64)>) -> ApiResult<Json<TagList>> {
    retag_visitor(&state, &staff, id, tag_id, false).await
}
