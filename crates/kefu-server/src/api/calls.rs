//! Calls over REST: start one from a chat, accept or decline it, hang up, read it, and the ICE
//! servers for the browser's `RTCPeerConnection`. Media signalling is on the WebSocket.

use kefu_core::CallStatus;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};

use crate::auth::Caller;
use crate::calls::turn;
use crate::clock::now_ms;
use crate::conversations::access::load_visible;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routing::{Op, Routing};
use crate::state::AppState;
use crate::views::ApiKeyScope as Scope;
use crate::views::{CallQuality, CallView, CaptureSize, IceServers, LocalRecordingBody, QualitySample, SnapshotRequested, StartCall};
use kefu_store::{CallRow, ConversationRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/calls", post(start))
        .route("/api/v1/calls/{id}", get(one))
        .route("/api/v1/calls/{id}/accept", post(accept))
        .route("/api/v1/calls/{id}/decline", post(decline))
        .route("/api/v1/calls/{id}/hangup", post(hangup))
        .route("/api/v1/calls/{id}/ice-servers", get(ice_servers))
        .route("/api/v1/calls/{id}/snapshots", post(snapshot))
        .route("/api/v1/calls/{id}/quality", get(quality))
        .route("/api/v1/calls/{id}/local-recording", post(local_recording))
}

/// The caller's side of the conversation: its visitor, or the agent serving it.
fn side(caller: &Caller, c: &ConversationRow) -> ApiResult<&'static str> {
    match caller {
        Caller::Visitor(v) if c.visitor_id == *v => Ok("visitor"),
        Caller::Staff(s) if s.is_user() && c.agent_id == Some(s.id) => Ok("agent"),
        _ => Err(ApiError::Forbidden("only the conversation's visitor and the agent serving it take part in its calls".into())),
    }
}

/// A call and its conversation, if the caller may see the conversation.
async fn load(state: &AppState, caller: &Caller, id: i64) -> ApiResult<(CallRow, ConversationRow)> {
    caller.require_scope(Scope::ConversationsRead)?;
    let call = state.store.call(id).await.map_err(|_| ApiError::not_found("call"))?;
    let c = load_visible(&state.store, caller, call.conversation_id).await.map_err(|_| ApiError::not_found("call"))?;
    Ok((call, c))
}

async fn view(state: &AppState, id: i64) -> ApiResult<Json<CallView>> {
    Ok(Json(CallView::from(&state.store.call(id).await?)))
}

/// End the call as `missed` if it is still ringing when the time is up.
fn ring_timeout(routing: Routing, call: i64, secs: u32) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(secs.into())).await;
        let _ = routing.run(Op::EndCall { call, reason: "missed".into(), only_if: Some(CallStatus::Ringing) }).await;
    });
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/calls", tag = "calls", params(("id" = i64, Path, description = "conversation id")), request_body = StartCall, responses((status = 201, description = "ringing until the other side accepts (45 s, then `missed`)", body = CallView), (status = "4XX", description = "JSON error naming the problem; 409 when a call is open or the agent is already in a call", body = crate::error::ErrorBody)), security(("bearer" = [])))]
pub async fn start(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StartCall>,
) -> ApiResult<(StatusCode, Json<CallView>)> {
    caller.require_scope(Scope::ConversationsRead)?;
    let c = load_visible(&state.store, &caller, id).await?;
    let started_by = side(&caller, &c)?;
    state.routing.run(Op::StartCall { conversation: id, media: body.media.as_str().into(), started_by: started_by.into() }).await?;
    let call = state.store.calls_of(id).await?.pop().ok_or_else(|| ApiError::not_found("call"))?;
    ring_timeout(state.routing.clone(), call.id, state.config.call_ring_secs);
    Ok((StatusCode::CREATED, Json(CallView::from(&call))))
}

#[utoipa::path(get, path = "/api/v1/calls/{id}", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "the call", body = CallView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn one(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    let (call, _) = load(&state, &caller, id).await?;
    Ok(Json(CallView::from(&call)))
}

#[utoipa::path(get, path = "/api/v1/calls/{id}/quality", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "The call's quality timeline: every 5 s per participant (visitor, agent) the bitrates, packet loss and round-trip time the media server measured, and the video layer forwarded to that participant (rid, size, frame rate). For staff who may see the conversation (its agent, supervisors); 404 for visitors", body = CallQuality), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn quality(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<CallQuality>> {
    // A visitor sees the call, not the operator's figures about it.
    if matches!(caller, Caller::Visitor(_)) {
        return Err(ApiError::not_found("call"));
    }
    let (call, _) = load(&state, &caller, id).await?;
    let rows = state.store.call_quality(call.id).await?;
    Ok(Json(CallQuality { call_id: call.id, samples: rows.iter().map(QualitySample::from).collect() }))
}

/// The side that did not start a ringing call answers it.
async fn answering_side(state: &AppState, caller: &Caller, id: i64) -> ApiResult<()> {
    let (call, c) = load(state, caller, id).await?;
    if side(caller, &c)? == call.started_by {
        return Err(ApiError::Conflict("the other side answers the call".into()));
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/accept", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "active: both sides join media with `call.join`", body = CallView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn accept(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    answering_side(&state, &caller, id).await?;
    state.routing.run(Op::AnswerCall { call: id }).await?;
    view(&state, id).await
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/decline", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "ended (declined)", body = CallView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn decline(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    answering_side(&state, &caller, id).await?;
    state.routing.run(Op::EndCall { call: id, reason: "declined".into(), only_if: Some(CallStatus::Ringing) }).await?;
    view(&state, id).await
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/hangup", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "ended (hangup) for both sides", body = CallView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn hangup(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<CallView>> {
    let (_, c) = load(&state, &caller, id).await?;
    side(&caller, &c)?;
    state.routing.run(Op::EndCall { call: id, reason: "hangup".into(), only_if: None }).await?;
    view(&state, id).await
}

#[utoipa::path(get, path = "/api/v1/calls/{id}/ice-servers", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "TURN servers with a credential of this caller valid for at most an hour (TURN REST scheme: username `<expiry>:user-<id>` or `<expiry>:visitor-<id>`, credential base64(HMAC-SHA1(secret, username))); empty without TURN configured. 404 for anyone but the call's visitor and agent", body = IceServers), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn ice_servers(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<IceServers>> {
    let (_, c) = load(&state, &caller, id).await?;
    // A relay credential is for the call's two parties only: a supervisor who may read the
    // conversation learns nothing here, not even that the call exists.
    let side = side(&caller, &c).map_err(|_| ApiError::not_found("call"))?;
    let who = match &caller {
        Caller::Visitor(v) => format!("visitor-{v}"),
        Caller::Staff(s) => format!("user-{}", s.id),
    };
    let config = &state.config;
    let now_secs = now_ms() / 1000;
    Ok(Json(IceServers {
        ice_servers: turn::ice_servers(&config.turn_urls, config.turn_secret.as_ref(), config.turn_ttl_secs, &who, now_secs),
        capture: if config.video_1080p { CaptureSize { width: 1920, height: 1080 } } else { CaptureSize { width: 1280, height: 720 } },
        client_recording: config.client_recording && side == "agent",
    }))
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/local-recording", tag = "calls", params(("id" = i64, Path, description = "id")), request_body = LocalRecordingBody,
    responses((status = 200, description = "The agent serving the active call tells the server that their browser starts or stops recording it (client-side recording; the file stays with the agent). The call's `local_recording` changes (`call.updated`: the visitor sees the recording notice), the timeline gets `local_recording_started`/`_stopped` and the audit log an entry. 403 when the deployment does not allow it (`client_recording = false`) or for anyone but the serving agent; 409 when the call is not active or already in that state", body = CallView), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn local_recording(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LocalRecordingBody>,
) -> ApiResult<Json<CallView>> {
    caller.require_scope(Scope::ConversationsWrite)?;
    let Caller::Staff(staff) = &caller else {
        return Err(ApiError::Forbidden("local recording: only the agent serving the call records it in their browser".into()));
    };
    Ok(Json(crate::calls::local_recording::command(&state, staff, id, body.action).await?))
}

#[utoipa::path(post, path = "/api/v1/calls/{id}/snapshots", tag = "calls", params(("id" = i64, Path, description = "id")), responses((status = 202, description = "asked: the visitor's device gets `call.snapshot_requested` and uploads a full-resolution still of its own camera to the conversation's attachments with `?snapshot=<request_id>` within 60 s; it arrives as an image message whose attachment has `snapshot` (call, width, height) and `sha256`", body = SnapshotRequested), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn snapshot(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<(StatusCode, Json<SnapshotRequested>)> {
    let (call, c) = load(&state, &caller, id).await?;
    if side(&caller, &c)? != "agent" {
        return Err(ApiError::Forbidden("only the agent serving the conversation asks for a snapshot".into()));
    }
    if call.status != CallStatus::Active || call.media != "video" {
        return Err(ApiError::Conflict("a snapshot needs an active video call".into()));
    }
    let ttl = i64::from(state.config.snapshot_request_secs) * 1000;
    let request_id = crate::calls::snapshots::request(&state.store, call.id, c.id, now_ms(), ttl).await?;
    let data = serde_json::json!({ "request_id": request_id });
    // Ephemeral, like the signalling frames: a device that is not connected now cannot answer.
    let frame: std::sync::Arc<str> =
        serde_json::json!({ "type": "call.snapshot_requested", "call_id": call.id, "data": data }).to_string().into();
    state.hub.to_visitor(c.visitor_id, &frame);
    Ok((StatusCode::ACCEPTED, Json(SnapshotRequested { request_id })))
}
