//! Writing a call change: the `call.updated` event, the system line in the chat and the webhook
//! rows, inside the caller's transaction so they commit with the change itself.

use kefu_core::{CallMedia, CallStatus, ConversationId, Fact};
use serde_json::json;

use crate::conversations::{event, system_message, Pending};
use crate::error::{ApiError, ApiResult};
use crate::views::CallView;
use kefu_store::{CallRow, Tx};

/// Record `call` as it now is: always `call.updated`; when it becomes active the line
/// `call_started` and the webhook `call.started`; when it ends `call_ended` and `call.ended`.
pub async fn record(tx: &mut Tx, call: &CallRow, now: i64) -> ApiResult<Vec<Pending>> {
    // Becoming active fixes the recording policy (and under `always` starts recording).
    let (activated, recording_line) = match call.status {
        CallStatus::Active => {
            let (row, line) = crate::calls::recording::on_active(tx, call, now).await?;
            (Some(row), line)
        }
        _ => (None, None),
    };
    let call = activated.as_ref().unwrap_or(call);
    let view = CallView::from(call);
    let data = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
    let mut events = vec![event(tx, call.conversation_id, "call.updated", data.clone(), now).await?];
    match call.status {
        CallStatus::Active => {
            // The call's id lets staff open its record (quality timeline) from the line.
            let line = json!({ "media": call.media, "call_id": call.id });
            events.push(system_message(tx, call.conversation_id, "call_started", None, Some(&line), now).await?);
            events.extend(recording_line);
            if let Some(media) = CallMedia::parse(&call.media) {
                tx.record_fact(&Fact::CallStarted { conversation: ConversationId(call.conversation_id), call: call.id, media }, now)
                    .await?;
            }
            tx.enqueue_webhooks("call.started", &json!({ "event": "call.started", "call": data }), now).await?;
        }
        CallStatus::Ended => {
            let duration = call.answered_at.map(|at| (call.ended_at.unwrap_or(now) - at).max(0) / 1000);
            let line = json!({ "media": call.media, "duration_secs": duration, "end_reason": call.end_reason, "call_id": call.id });
            events.push(system_message(tx, call.conversation_id, "call_ended", None, Some(&line), now).await?);
            if let Some(media) = CallMedia::parse(&call.media) {
                let talk_ms = call.answered_at.map_or(0, |at| (call.ended_at.unwrap_or(now) - at).max(0));
                let fact = Fact::CallEnded { conversation: ConversationId(call.conversation_id), call: call.id, media, talk_ms };
                tx.record_fact(&fact, now).await?;
            }
            tx.enqueue_webhooks("call.ended", &json!({ "event": "call.ended", "call": data }), now).await?;
        }
        CallStatus::Ringing => {}
    }
    Ok(events)
}

/// End the conversation's open call (if any) inside `tx`, with its events.
pub async fn end_open_call(tx: &mut Tx, conversation: i64, reason: &str, now: i64) -> ApiResult<Option<(CallRow, Vec<Pending>)>> {
    let Some(open) = tx.open_call(conversation).await? else { return Ok(None) };
    end(tx, open.id, reason, None, now).await
}

/// End a call inside `tx` (`only_if`: only from that status), with its events; `None` if it had
/// already ended (or is no longer in `only_if`). Every end of a call comes here: a client-side
/// recording running then ends with it, and says so as the agent's stop would have.
pub async fn end(tx: &mut Tx, id: i64, reason: &str, only_if: Option<CallStatus>, now: i64) -> ApiResult<Option<(CallRow, Vec<Pending>)>> {
    // Read (and locked on PostgreSQL) first: the end clears `local_recording`.
    let recorded_locally = match tx.call(id).await {
        Ok(call) => call.local_recording,
        Err(kefu_store::StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Some(ended) = tx.end_call(id, reason, only_if, now).await? else { return Ok(None) };
    let mut events = Vec::new();
    if recorded_locally {
        // Before the call's own end line, so the timeline reads in order.
        events.push(crate::calls::local_recording::ended_with_call(tx, &ended, now).await?);
    }
    events.extend(record(tx, &ended, now).await?);
    Ok(Some((ended, events)))
}
