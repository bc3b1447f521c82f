//! Internal notes (内部备注) of a conversation, @mentions, a supervisor's whisper, and each
//! user's notifications. Staff only: a visitor's token is refused by the `Staff` extractor, and
//! nothing here is announced to a visitor (see `conversations::notes` for the sequence rule).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::{Caller, Role, Staff};
use crate::clock::now_ms;
use crate::conversations::access::load_visible;
use crate::conversations::notes::{self, checked_body, checked_mentions, Note, Notify};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, NoteKind, NoteList, NoteView, NotificationKind, NotificationList, NotificationView};
use kefu_core::ConversationStatus;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/notes", get(list).post(create))
        .route("/api/v1/conversations/{id}/notes/{note_id}", patch(edit))
        .route("/api/v1/notifications", get(notifications))
        .route("/api/v1/notifications/{id}/read", post(read))
        .route("/api/v1/notifications/read-all", post(read_all))
}

/// Notes are people's words: API keys neither read nor write them here.
fn person(staff: &Staff) -> ApiResult<()> {
    if staff.is_user() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("internal notes and notifications are for staff users, not API keys".into()))
    }
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/notes", tag = "notes", params(("id" = i64, Path, description = "conversation id"), crate::api::paging::ListQuery), responses((status = 200, description = "the conversation's staff-only lines (notes, whispers, tag lines), oldest first, paged like the catalogs (`after` = a note id; `q` finds text)", body = NoteList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<crate::api::paging::ListQuery>,
) -> ApiResult<Json<NoteList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    person(&staff)?;
    load_visible(&state.store, &Caller::Staff(staff), id).await?;
    // A conversation's notes are few (the store reads at most 2000): paged in their own order.
    let page = q.page(state.store.notes_from(id, 0).await?, |n| n.id, |n| vec![n.body.as_str()])?;
    Ok(Json(NoteList { notes: page.rows.iter().map(NoteView::from).collect(), total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteBody {
    /// 1 to 2000 characters. `@name` in the text is for people; who is told is `mentions`.
    body: String,
    /// Ids of colleagues to notify (at most 20 enabled staff users; the writer is skipped).
    #[serde(default)]
    mentions: Vec<i64>,
    /// A supervisor's whisper (耳语) to the agent serving the conversation, who is notified.
    #[serde(default)]
    whisper: bool,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/notes", tag = "notes", params(("id" = i64, Path, description = "conversation id")), request_body = NoteBody, responses((status = 201, description = "written, delivered to staff following the conversation, mentioned colleagues notified", body = NoteView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<NoteBody>,
) -> ApiResult<(StatusCode, Json<NoteView>)> {
    staff.require_scope(Scope::ConversationsWrite)?;
    person(&staff)?;
    let c = load_visible(&state.store, &Caller::Staff(staff.clone()), id).await?;
    let body = checked_body(&b.body)?;
    let mentions = checked_mentions(&state, staff.id, b.mentions).await?;
    let mut notify: Notify = mentions.iter().map(|u| (*u, NotificationKind::Mention)).collect();
    let kind = if b.whisper {
        if staff.role < Role::Supervisor {
            return Err(ApiError::Forbidden("a whisper needs the supervisor role".into()));
        }
        let agent = c.agent_id.filter(|_| c.status == ConversationStatus::Assigned);
        let Some(agent) = agent else {
            return Err(ApiError::Conflict("nobody is serving this conversation to whisper to".into()));
        };
        // The serving agent is told once, as a whisper, even if also @mentioned.
        notify.retain(|(u, _)| *u != agent);
        if agent != staff.id {
            notify.push((agent, NotificationKind::Whisper));
        }
        NoteKind::Whisper
    } else {
        NoteKind::Note
    };
    let name = state.store.user(staff.id).await?.name;
    let mut tx = state.store.begin().await?;
    let note = Note { conversation: id, kind, author: (Some(staff.id), &name), body: &body, mentions: &mentions, tag_id: None };
    let (row, told) = notes::insert(&mut tx, &note, &notify).await?;
    tx.commit().await?;
    notes::deliver(&state, &row, &told).await;
    Ok((StatusCode::CREATED, Json(NoteView::from(&row))))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NoteEdit {
    /// The new text, 1 to 2000 characters.
    body: String,
    /// Colleagues the text now @mentions (at most 20 enabled staff users; the writer is
    /// skipped). Only those not yet notified about this note are notified.
    #[serde(default)]
    mentions: Vec<i64>,
}

/// Only internal notes are edited, by their author. A whisper stays as the agent was told it
/// (they were notified of that text), and tag lines are the timeline's record.
#[utoipa::path(patch, path = "/api/v1/conversations/{id}/notes/{note_id}", tag = "notes", params(("id" = i64, Path, description = "conversation id"), ("note_id" = i64, Path, description = "note id")), request_body = NoteEdit, responses((status = 200, description = "edited (`edited_at` set), sent to staff following the conversation as `note.updated`, newly mentioned colleagues notified", body = NoteView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    staff: Staff,
    Path((id, note_id)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<NoteEdit>,
) -> ApiResult<Json<NoteView>> {
    staff.require_scope(Scope::ConversationsWrite)?;
    person(&staff)?;
    load_visible(&state.store, &Caller::Staff(staff.clone()), id).await?;
    let old = match state.store.note(note_id).await {
        Ok(n) if n.conversation_id == id => n,
        _ => return Err(ApiError::not_found("note")),
    };
    if old.author_id != Some(staff.id) {
        return Err(ApiError::Forbidden("only its author may edit a note".into()));
    }
    if old.kind != NoteKind::Note.as_str() {
        return Err(ApiError::Forbidden("only internal notes can be edited (not whispers or tag lines)".into()));
    }
    let body = checked_body(&b.body)?;
    let mentions = checked_mentions(&state, staff.id, b.mentions).await?;
    let already = state.store.note_notified(note_id).await?;
    let fresh: Vec<i64> = mentions.iter().copied().filter(|u| !already.contains(u)).collect();
    let mut tx = state.store.begin().await?;
    let row = tx.update_note(note_id, &body, &mentions, now_ms()).await?;
    let told = notes::notify_mentions(&mut tx, &row, &fresh).await?;
    tx.commit().await?;
    notes::deliver_update(&state, &row, &told).await;
    Ok(Json(NoteView::from(&row)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct NotificationQuery {
    /// Only unread ones.
    #[serde(default)]
    unread: bool,
    /// The cursor: only notifications with a smaller id (`next_before` of the previous page).
    before: Option<i64>,
    /// Page size, 1 to 100 (default 30).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/notifications", tag = "notes", params(NotificationQuery), responses((status = 200, description = "the caller's notifications, newest first, with the unread count", body = NotificationList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn notifications(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<NotificationQuery>,
) -> ApiResult<Json<NotificationList>> {
    person(&staff)?;
    let limit = q.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit: 1 to 100"));
    }
    let rows = state.store.notifications(staff.id, q.unread, q.before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let page: Vec<NotificationView> = rows.iter().take(limit as usize).map(NotificationView::from).collect();
    let next_before = if more { page.last().map(|n| n.id) } else { None };
    let unread = state.store.unread_notifications(staff.id).await?;
    Ok(Json(NotificationList { notifications: page, unread, next_before }))
}

#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notes", params(("id" = i64, Path, description = "notification id")), responses((status = 204, description = "marked read"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn read(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    person(&staff)?;
    state.store.read_notification(staff.id, id, now_ms()).await.map_err(|_| ApiError::not_found("notification"))?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "notes", responses((status = 204, description = "every notification of the caller marked read"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn read_all(State(state): State<AppState>, staff: Staff) -> ApiResult<StatusCode> {
    person(&staff)?;
    state.store.read_all_notifications(staff.id, now_ms()).await?;
    Ok(StatusCode::NO_CONTENT)
}
