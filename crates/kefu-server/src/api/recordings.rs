//! Call recordings over REST: the agent's start/stop/pause/resume, the list of a call's or a
//! conversation's files, their download (authorised by role and logged), and the recording
//! policy of groups and business types (admins).

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use tokio_util::io::ReaderStream;

use crate::api::paging::{IdOrder, ListQuery};
use crate::api::ranged;
use crate::audit::{record, Change};
use crate::auth::{bearer, resolve, Caller, Staff};
use crate::calls::recording::{command, may_fetch, may_fetch_of};
use crate::clock::{now_ms, rfc3339};
use crate::conversations::access::load_visible;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::state::AppState;
use crate::views::{
    is_screen_file, parse_policy, recording_mime, BusinessTypeRecordingPolicy, CallView, CompositionView, GroupRecordingPolicy,
    RecordingCommand, RecordingList, RecordingPolicies, RecordingView, SetBusinessTypeRecordingPolicy, SetGroupRecordingPolicy,
};

use crate::views::{ApiKeyScope as Scope, AuditAction, AuditEntity};
use kefu_store::{CompositionRow, Download, RecordingRow};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/calls/{id}/recording", post(control))
        .route("/api/v1/calls/{id}/recordings", get(of_call))
        .route("/api/v1/conversations/{id}/recordings", get(of_conversation))
        .route("/api/v1/recordings/{id}/file", get(download))
        .route("/api/v1/calls/{id}/composition", get(composition))
        .route("/api/v1/calls/{id}/composition/file", get(composition_file))
        .route("/api/v1/recording-policies", get(policies))
        .route("/api/v1/groups/{id}/recording-policy", put(set_group_policy))
        .route("/api/v1/business-types/{id}/recording-policy", put(set_type_policy))
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/recording", tag = "calls", params(("id" = i64, Path, description = "call id")), request_body = RecordingCommand, responses((status = 200, description = "the call with its new recording state (the agent serving it; 409 when the policy or the state does not allow the action)", body = CallView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn control(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RecordingCommand>,
) -> ApiResult<Json<CallView>> {
    staff.require_scope(Scope::ConversationsWrite)?;
    Ok(Json(command(&state, &staff, id, body.action).await?))
}

/// The page `q` asks for of the files the caller may fetch, oldest first (`q` finds the role).
fn visible(staff: &Staff, rows: Vec<RecordingRow>, q: &ListQuery) -> ApiResult<RecordingList> {
    let views: Vec<RecordingView> = rows.iter().filter(|r| may_fetch(staff, r)).map(RecordingView::from).collect();
    let page = q.page_by_id(views, IdOrder::Oldest, |r| r.id, |r| vec![r.role.as_str()])?;
    Ok(RecordingList { recordings: page.rows, total: page.total, next_after: page.next_after })
}

#[utoipa::path(get, path = "/api/v1/calls/{id}/recordings", tag = "calls", params(("id" = i64, Path, description = "call id"), ListQuery), responses((status = 200, description = "the call's recording files the caller may fetch (the agent who served it, supervisors, admins; never visitors), oldest first, paged by id (200 a page without `limit`)", body = RecordingList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn of_call(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<RecordingList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let call = state.store.call(id).await.map_err(|_| ApiError::not_found("call"))?;
    let caller = crate::auth::Caller::Staff(staff.clone());
    load_visible(&state.store, &caller, call.conversation_id).await.map_err(|_| ApiError::not_found("call"))?;
    Ok(Json(visible(&staff, state.store.recordings_of_call(id).await?, &q)?))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/recordings", tag = "conversations", params(("id" = i64, Path, description = "conversation id"), ListQuery), responses((status = 200, description = "the recording files of the conversation's calls the caller may fetch, oldest first, paged by id (200 a page without `limit`)", body = RecordingList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn of_conversation(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<RecordingList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let caller = crate::auth::Caller::Staff(staff.clone());
    load_visible(&state.store, &caller, id).await?;
    Ok(Json(visible(&staff, state.store.recordings_of_conversation(id).await?, &q)?))
}

#[utoipa::path(get, path = "/api/v1/recordings/{id}/file", tag = "calls", params(("id" = i64, Path, description = "recording id")), responses((status = 200, description = "the WebM file (Matroska when the participant sent H.264; see `mime`); each download is logged: who, when", content_type = "video/webm"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn download(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Response> {
    staff.require_scope(Scope::ConversationsRead)?;
    let r = state.store.recording(id).await.map_err(|_| ApiError::not_found("recording"))?;
    if !may_fetch(&staff, &r) {
        return Err(ApiError::not_found("recording"));
    }
    if matches!(r.status.as_str(), "recording" | "paused") {
        return Err(ApiError::Conflict("recording: the file is still being written; fetch it once the call has ended".into()));
    }
    let file = tokio::fs::File::open(state.config.recordings_dir.join(&r.path)).await.map_err(|_| ApiError::not_found("recording file"))?;
    let len = file.metadata().await.map_err(|e| ApiError::Internal(e.into()))?.len();
    let user = staff.is_user().then_some(staff.id);
    state.store.log_download(Download::Recording(r.id), user, staff.api_key, now_ms()).await?;
    tracing::info!(recording = r.id, user = ?user, api_key = ?staff.api_key, "recording downloaded");
    let mime = recording_mime(&r.path);
    let ext = if mime == "video/webm" { "webm" } else { "mkv" };
    Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::CONTENT_LENGTH, len)
        .header(header::CONTENT_DISPOSITION, format!("attachment; filename=\"recording-{}-{}.{ext}\"", r.call_id, r.role))
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "private, no-store")
        .body(Body::from_stream(ReaderStream::new(file)))
        .map_err(|e| ApiError::Internal(e.into()))
}

/// A call's composition, if the caller may fetch it.
async fn visible_composition(state: &AppState, staff: &Staff, call: i64) -> ApiResult<CompositionRow> {
    staff.require_scope(Scope::ConversationsRead)?;
    match state.store.composition(call).await? {
        Some(c) if may_fetch_of(staff, c.agent_id) => Ok(c),
        _ => Err(ApiError::not_found("composition")),
    }
}

/// Who a playback link was signed for: `u<id>` a user, `k<id>` an API key.
fn signer(staff: &Staff) -> String {
    match staff.api_key {
        Some(key) => format!("k{key}"),
        None => format!("u{}", staff.id),
    }
}

/// What a playback link signs: the call and who it was handed to (so its use is logged as theirs).
fn play_subject(call: i64, by: &str) -> String {
    format!("composition:{call}:{by}")
}

#[utoipa::path(get, path = "/api/v1/calls/{id}/composition", tag = "calls", params(("id" = i64, Path, description = "call id")), responses((status = 200, description = "the side-by-side MP4 made after the call (same readers as its recordings); 404 until the job starts", body = CompositionView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn composition(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<CompositionView>> {
    let c = visible_composition(&state, &staff, id).await?;
    // The MP4's first frame is the earliest file's time zero (files start on the call's timeline).
    let files = state.store.recordings_of_call(id).await?;
    let composed = |r: &&RecordingRow| matches!(r.status.as_str(), "finished" | "interrupted") && !is_screen_file(&r.path);
    let starts_at = files.iter().filter(composed).map(|r| r.started_at).min();
    let mut view = CompositionView::from(&c);
    view.starts_at = starts_at.map(rfc3339);
    if c.status == "finished" {
        let by = signer(&staff);
        let query = state.links.signed_query(&play_subject(id, &by), now_ms());
        view.play_url = Some(format!("{}?by={by}&{query}", view.url));
    }
    Ok(Json(view))
}

/// The query of a composition's playback link (`play_url`): for a `<video src>`, which cannot
/// send the Bearer token.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct PlayLink {
    /// Who the link was handed to (`u<id>`, `k<id>`).
    by: Option<String>,
    /// Unix seconds after which the link no longer works.
    exp: Option<i64>,
    /// Hex HMAC-SHA256 of the call, `by` and `exp`, made by the server.
    sig: Option<String>,
}

/// Who fetches a composition's file: a user, or an API key.
type Fetcher = (Option<i64>, Option<i64>);

/// A composition file request's composition and who asks: by Bearer token (checked by role, as
/// the composition route), or by a playback link (checked by signature: it was handed to staff
/// who could fetch it, and names them).
async fn authorised_file(state: &AppState, headers: &HeaderMap, call: i64, link: &PlayLink) -> ApiResult<(CompositionRow, Fetcher)> {
    if let Some(token) = bearer(headers) {
        let Caller::Staff(staff) = resolve(state, &token).await? else {
            return Err(ApiError::Forbidden("this needs a staff account".into()));
        };
        let c = visible_composition(state, &staff, call).await?;
        return Ok((c, (staff.is_user().then_some(staff.id), staff.api_key)));
    }
    let (Some(by), Some(exp), Some(sig)) = (link.by.as_deref(), link.exp, link.sig.as_deref()) else {
        return Err(ApiError::Unauthorized("send Authorization: Bearer <token>, or use the composition's play_url".into()));
    };
    state.links.verify_subject(&play_subject(call, by), exp, sig, now_ms())?;
    // Signed here, so well formed; a malformed one would not have verified.
    let id = by.get(1..).and_then(|n| n.parse::<i64>().ok());
    let fetcher = if by.starts_with('k') { (None, id) } else { (id, None) };
    let c = state.store.composition(call).await?.ok_or_else(|| ApiError::not_found("composition"))?;
    Ok((c, fetcher))
}

#[utoipa::path(get, path = "/api/v1/calls/{id}/composition/file", tag = "calls", params(("id" = i64, Path, description = "call id"), PlayLink), responses((status = 200, description = "the MP4, with the Bearer token or through the composition's `play_url` (valid about 10 minutes); byte ranges are served (206) so players can seek; each download is logged", content_type = "video/mp4"), crate::error::ApiErrors), security(("bearer" = []), ()))]
pub async fn composition_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(link): Query<PlayLink>,
) -> ApiResult<Response> {
    let (c, (user, api_key)) = authorised_file(&state, &headers, id, &link).await?;
    if c.status != "finished" {
        return Err(ApiError::Conflict(format!("composition: the MP4 is {}", c.status)));
    }
    let path = state.config.recordings_dir.join(&c.path);
    let len = tokio::fs::metadata(&path).await.map_err(|_| ApiError::not_found("composition file"))?.len();
    // Logged once per download or playback: a player's seeks (ranges from later bytes) are part
    // of the playback its first request (from byte 0) already logged.
    if ranged::reads_from_start(&headers, len) {
        state.store.log_download(Download::Composition(id), user, api_key, now_ms()).await?;
        tracing::info!(call = id, user = ?user, api_key = ?api_key, "composition downloaded");
    }
    ranged::serve(&path, len, &headers, "video/mp4", &format!("attachment; filename=\"call-{id}.mp4\"")).await
}

#[utoipa::path(get, path = "/api/v1/recording-policies", tag = "groups", params(crate::api::paging::ListQuery), responses((status = 200, description = "each group's recording policy and the overrides of its business types, paged by group like the catalogs (`q` finds the group's name; without `limit`, every group)", body = RecordingPolicies), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn policies(
    State(state): State<AppState>,
    staff: Staff,
    axum::extract::Query(q): axum::extract::Query<crate::api::paging::ListQuery>,
) -> ApiResult<Json<RecordingPolicies>> {
    staff.require_scope(Scope::AgentsRead)?;
    let (policies, types) = state.store.recording_policies().await?;
    let page = q.page(state.store.groups().await?, |g| g.id, |g| vec![g.name.as_str()])?;
    let shown: Vec<i64> = page.rows.iter().map(|g| g.id).collect();
    // A business type goes with its group's page.
    let type_group: std::collections::HashMap<i64, i64> = state.store.business_types().await?.iter().map(|t| (t.id, t.group_id)).collect();
    Ok(Json(RecordingPolicies {
        groups: policies
            .into_iter()
            .filter(|(g, _)| shown.contains(g))
            .map(|(group_id, p)| GroupRecordingPolicy { group_id, policy: parse_policy(&p) })
            .collect(),
        business_types: types
            .into_iter()
            .filter(|(t, _)| type_group.get(t).is_some_and(|g| shown.contains(g)))
            .map(|(business_type_id, p)| BusinessTypeRecordingPolicy { business_type_id, policy: p.as_deref().map(parse_policy) })
            .collect(),
        total: page.total,
        next_after: page.next_after,
    }))
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/recording-policy", tag = "groups", params(("id" = i64, Path, description = "group id")), request_body = SetGroupRecordingPolicy, responses((status = 200, description = "set (admin); calls answered from now on follow it", body = GroupRecordingPolicy), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn set_group_policy(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SetGroupRecordingPolicy>,
) -> ApiResult<Json<GroupRecordingPolicy>> {
    staff.require_scope(Scope::Admin)?;
    let before = state.store.recording_policies().await?.0.into_iter().find(|g| g.0 == id).map(|g| g.1);
    let name = state.store.group(id).await.map(|g| g.name).unwrap_or_default();
    state.store.set_group_recording_policy(id, body.policy.as_str()).await.map_err(|_| ApiError::not_found("group"))?;
    let view = GroupRecordingPolicy { group_id: id, policy: body.policy };
    let change = Change::new(AuditEntity::RecordingPolicy, format!("group:{id}"), AuditAction::Updated, name);
    record(&state, &staff, change.before(&before).after(&view.policy)).await;
    Ok(Json(view))
}

#[utoipa::path(put, path = "/api/v1/business-types/{id}/recording-policy", tag = "groups", params(("id" = i64, Path, description = "business type id")), request_body = SetBusinessTypeRecordingPolicy, responses((status = 200, description = "set or cleared (admin); a business type's policy overrides its group's", body = BusinessTypeRecordingPolicy), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn set_type_policy(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SetBusinessTypeRecordingPolicy>,
) -> ApiResult<Json<BusinessTypeRecordingPolicy>> {
    staff.require_scope(Scope::Admin)?;
    let policy = body.policy.map(|p| p.as_str());
    let before = state.store.recording_policies().await?.1.into_iter().find(|t| t.0 == id).and_then(|t| t.1);
    let name = state.store.business_types().await?.into_iter().find(|t| t.id == id).map(|t| t.name).unwrap_or_default();
    state.store.set_business_type_recording_policy(id, policy).await.map_err(|_| ApiError::not_found("business type"))?;
    let change = Change::new(AuditEntity::RecordingPolicy, format!("business_type:{id}"), AuditAction::Updated, name);
    record(&state, &staff, change.before(&before).after(&body.policy)).await;
    Ok(Json(BusinessTypeRecordingPolicy { business_type_id: id, policy: body.policy }))
}
