//! Client-side recording (本地录制): the agent records a call in their own browser and keeps the
//! file. The server never sees the file; it owns the rules around it — whether the deployment
//! allows it (`client_recording`), that only the agent serving an active call does it, and that
//! it is never secret: each start and stop is a `call.updated` event (the visitor's widget shows
//! the same "this call is being recorded" notice as for the server's recording), a line in the
//! conversation's timeline, a `routing_log` row and an audit-log entry (who, when, which call).
//! A call that ends while recorded so ends that recording too, with the same line, row and entry
//! (by the serving agent, whose browser stops recording with the call; why: the call ended).

use serde_json::json;

use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::conversations::Pending;
use crate::conversations::{announce_with, event, system_message};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{AuditAction, AuditEntity, CallStatus, CallView, LocalRecordingAction};
use kefu_store::{CallRow, NewAuditEntry, Tx};

/// The agent's browser starts or stops recording the call; returns the call as it now is.
pub async fn command(state: &AppState, staff: &Staff, call_id: i64, action: LocalRecordingAction) -> ApiResult<CallView> {
    let call = state.store.call(call_id).await.map_err(|_| ApiError::not_found("call"))?;
    let c = state.store.conversation(call.conversation_id).await.map_err(|_| ApiError::not_found("call"))?;
    if !(staff.is_user() && c.agent_id == Some(staff.id)) {
        return Err(ApiError::Forbidden("local recording: only the agent serving the call records it in their browser".into()));
    }
    let on = action == LocalRecordingAction::Start;
    // Stopping is always allowed: a deployment that turned the setting off meanwhile must still
    // hear that a recording begun before has ended.
    if on && !state.config.client_recording {
        return Err(ApiError::Forbidden(
            "local recording: this deployment does not allow recording calls in the browser (client_recording = false)".into(),
        ));
    }
    if call.status != CallStatus::Active {
        return Err(ApiError::Conflict(format!("local recording: the call is {}, not active", call.status.as_str())));
    }
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let Some(row) = tx.set_call_local_recording(call_id, on).await? else {
        let is = if call.local_recording { "already recording" } else { "not recording" };
        return Err(ApiError::Conflict(format!("local recording: the call is {is} locally (or it ended meanwhile); read the call again")));
    };
    let code = if on { "local_recording_started" } else { "local_recording_stopped" };
    let view = CallView::from(&row);
    let data = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
    let mut events = vec![event(&mut tx, row.conversation_id, "call.updated", data, now).await?];
    let line = json!({ "call_id": row.id, "media": row.media });
    events.push(system_message(&mut tx, row.conversation_id, code, None, Some(&line), now).await?);
    tx.log_routing(code, Some(c.id), c.agent_id, Some(c.group_id), &json!({ "call": row.id, "by": staff.id }), now).await?;
    tx.commit().await?;
    announce_with(&state.store, &state.hub, &state.links, events, &[]).await;
    let audit_action = if on { AuditAction::Started } else { AuditAction::Stopped };
    let summary = format!("call #{} of conversation #{}", row.id, row.conversation_id);
    record(state, staff, Change::new(AuditEntity::LocalRecording, row.id, audit_action, summary).after(&view)).await;
    Ok(view)
}

/// The call (`ended`, as it now is) ended while the agent recorded it in their browser: the
/// recording's stop, written in the call's end transaction as the agent's own stop would be — the
/// timeline line, the `routing_log` row and the audit entry, by the serving agent, saying why.
pub async fn ended_with_call(tx: &mut Tx, ended: &CallRow, now: i64) -> ApiResult<Pending> {
    let c = tx.conversation(ended.conversation_id).await?;
    let line = json!({ "call_id": ended.id, "media": ended.media, "reason": "call_ended" });
    let pending = system_message(tx, ended.conversation_id, "local_recording_stopped", None, Some(&line), now).await?;
    let detail = json!({ "call": ended.id, "by": c.agent_id, "reason": "call_ended" });
    tx.log_routing("local_recording_stopped", Some(c.id), c.agent_id, Some(c.group_id), &detail, now).await?;
    let actor_name = match c.agent_id {
        Some(id) => tx.user_name(id).await.unwrap_or_else(|_| format!("#{id}")),
        None => "-".into(),
    };
    let after = serde_json::to_string(&CallView::from(ended)).map_err(|e| ApiError::Internal(e.into()))?;
    let why = ended.end_reason.as_deref().unwrap_or("ended");
    let summary = format!("call #{} of conversation #{} (stopped as the call ended: {why})", ended.id, ended.conversation_id);
    let entry = NewAuditEntry {
        actor_id: c.agent_id,
        api_key_id: None,
        actor_name: &actor_name,
        entity: AuditEntity::LocalRecording.as_str(),
        entity_id: &ended.id.to_string(),
        action: AuditAction::Stopped.as_str(),
        summary: &summary,
        before: None,
        after: Some(&after),
    };
    tx.append_audit(&entry, now).await?;
    Ok(pending)
}
