//! `GET /api/v1/ws?token=…`: one socket per client. Client frames: `resume` with per-conversation
//! cursors (the server replays stored events after each cursor, then streams live ones), `ping`,
//! and the call signalling frames (`call.join` ...), handed to `calls::signal`.
//! A socket lives no longer than its session: when the token is revoked, its owner disabled or
//! blocked, or its lifetime is over, the last frame is `session.ended` and the socket closes
//! with code 4401. API keys cannot open sockets at all (they use webhooks).

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use kefu_core::ConversationStatus;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::Duration;

use crate::auth::{resolve, token_hash, Caller, Role};
use crate::calls::signal::{self, AnswerFrame, CallFrame, LeaveFrame, OfferFrame};
use crate::clock::{now_ms, rfc3339};
use crate::conversations::access::can_see;
use crate::conversations::redact_for_visitor;
use crate::error::{too_many, ApiError, ErrorCode};
use crate::realtime::{frame, Registration, Who};
use crate::routing::Op;
use crate::state::AppState;
use crate::views::{Hello, NoteView, SessionEndReason, SessionEnded};

/// Close code of a socket whose session ended (4000-4999 are the application's; 4401 echoes 401).
pub const SESSION_ENDED_CLOSE_CODE: u16 = 4401;

/// How long a client told "too many connections" should wait before trying again.
const RETRY_AFTER_SECS: u64 = 5;

#[derive(Deserialize)]
pub struct WsQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Resume {
        cursors: HashMap<String, i64>,
    },
    Ping,
    /// Call signalling, handed to `calls::signal` (this handler never touches a room).
    #[serde(rename = "call.join")]
    CallJoin(OfferFrame),
    #[serde(rename = "call.renegotiate")]
    CallRenegotiate(OfferFrame),
    #[serde(rename = "call.answer")]
    CallAnswer(AnswerFrame),
    #[serde(rename = "call.leave")]
    CallLeave(LeaveFrame),
    /// Acknowledged but unused yet.
    #[serde(other)]
    Unknown,
}

/// Upgrade after checking the token, and unless it already has its share of open sockets.
pub async fn upgrade(State(state): State<AppState>, Query(q): Query<WsQuery>, ws: WebSocketUpgrade) -> Result<Response, ApiError> {
    let token = q.token.ok_or_else(|| ApiError::Unauthorized("missing ?token=".into()))?;
    let caller = resolve(&state, &token).await?;
    let who = match &caller {
        Caller::Visitor(id) => Who::Visitor(*id),
        Caller::Staff(s) if s.is_user() => Who::User { id: s.id, supervisor: s.role >= Role::Supervisor },
        Caller::Staff(_) => return Err(ApiError::Forbidden("API keys use webhooks, not the WebSocket".into())),
    };
    let hash = token_hash(&token);
    let expires_at = state.store.session_expires_at(&hash).await?.unwrap_or(0);
    let limit = state.config.ws_connections_per_token as usize;
    // Registered before the upgrade so the cap holds under concurrent upgrades; the guard inside
    // unregisters if the handshake never completes.
    let Ok(reg) = state.hub.register(who, &hash, limit) else {
        return Ok(too_many_connections(limit));
    };
    // Clients send small JSON frames: a 4 KiB read buffer instead of tungstenite's 128 KiB default
    // takes an idle socket from ~135 KiB to ~11 KiB of server memory (measured with
    // tools/limits-probe); larger frames still grow it up to the message limit.
    Ok(ws
        .max_message_size(64 * 1024)
        .read_buffer_size(4096)
        .on_upgrade(move |socket| session(state, caller, who, hash, expires_at, reg, socket)))
}

/// 429 with the usual error body, plus when to try again.
fn too_many_connections(limit: usize) -> Response {
    let message = format!("this token already has {limit} open WebSockets; close one first");
    too_many(ErrorCode::TooManyConnections, message, None, RETRY_AFTER_SECS)
}

async fn session(state: AppState, caller: Caller, who: Who, hash: String, expires_at: i64, reg: Registration, socket: WebSocket) {
    let Registration { id: conn, mut outbox, mut ended, guard } = reg;
    state.metrics.ws_connections.inc();
    let (mut sink, mut stream) = socket.split();
    let hello = Hello { server_time: rfc3339(now_ms()) };
    let hello = frame("hello", None, None, &serde_json::to_value(hello).unwrap_or_default());
    let mut writer = tokio::spawn(async move {
        if sink.send(Message::Text(hello.as_ref().into())).await.is_err() {
            return;
        }
        let reason = loop {
            tokio::select! {
                // The end comes before anything still queued: a closed session gets no more.
                biased;
                _ = ended.changed() => break *ended.borrow(),
                f = outbox.recv() => match f {
                    Some(f) => {
                        if sink.send(Message::Text(f.as_ref().into())).await.is_err() {
                            return;
                        }
                    }
                    None => break *ended.borrow(),
                },
            }
        };
        if let Some(reason) = reason {
            let last = frame("session.ended", None, None, &serde_json::to_value(SessionEnded { reason }).unwrap_or_default());
            let _ = sink.send(Message::Text(last.as_ref().into())).await;
            let close = CloseFrame { code: SESSION_ENDED_CLOSE_CODE, reason: reason.as_str().into() };
            let _ = sink.send(Message::Close(Some(close))).await;
        }
        let _ = sink.close().await;
    });
    // The token may have been revoked between the check before the upgrade and the registration.
    if let Ok(Some(word)) = state.store.session_end_reason(&hash, now_ms()).await {
        state.hub.close_conn(conn, SessionEndReason::parse(word));
    }
    let expiry = tokio::time::sleep(Duration::from_millis(u64::try_from(expires_at - now_ms()).unwrap_or(0)));
    tokio::pin!(expiry);
    loop {
        tokio::select! {
            msg = stream.next() => {
                let Some(Ok(msg)) = msg else { break };
                let Message::Text(text) = msg else { continue };
                match serde_json::from_str::<ClientFrame>(&text) {
                    Ok(ClientFrame::Resume { cursors }) => {
                        // History is replayed only to a session that still works.
                        match state.store.session_end_reason(&hash, now_ms()).await {
                            Ok(None) => resume(&state, &caller, conn, cursors).await,
                            Ok(Some(word)) => {
                                state.hub.close_conn(conn, SessionEndReason::parse(word));
                            }
                            Err(e) => tracing::error!(error = ?e, "could not check a session before resuming"),
                        }
                    }
                    Ok(ClientFrame::Ping) => state.hub.to_conn(conn, &frame("pong", None, None, &Value::Null)),
                    Ok(ClientFrame::CallJoin(f)) => signal::handle(&state, &caller, conn, CallFrame::Join(f)).await,
                    Ok(ClientFrame::CallRenegotiate(f)) => signal::handle(&state, &caller, conn, CallFrame::Renegotiate(f)).await,
                    Ok(ClientFrame::CallAnswer(f)) => signal::handle(&state, &caller, conn, CallFrame::Answer(f)).await,
                    Ok(ClientFrame::CallLeave(f)) => signal::handle(&state, &caller, conn, CallFrame::Leave(f)).await,
                    Ok(ClientFrame::Unknown) => {}
                    Err(e) => state.hub.to_conn(conn, &frame("error", None, None, &json!({"code": "bad_frame", "message": e.to_string()}))),
                }
            }
            () = &mut expiry => {
                state.hub.close_conn(conn, SessionEndReason::Expired);
                // Sleep forever: the writer ends now and so does this loop.
                expiry.as_mut().reset(tokio::time::Instant::now() + Duration::from_secs(86_400 * 365));
            }
            // The writer is done: the session ended, the client was too slow, or the line broke.
            _ = &mut writer => break,
        }
    }
    drop(guard);
    state.metrics.ws_connections.dec();
    writer.abort();
    signal::socket_closed(&state, conn).await;
    match who {
        // An agent whose workspace is gone (tab closed, laptop asleep) must not keep getting
        // offers: after a grace period for reloads and flaky networks, a ready agent goes away.
        Who::User { id, .. } => {
            // A status set after this moment (over REST, from another device) stands.
            let closed_at = now_ms();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(state.config.agent_disconnect_grace_secs.into())).await;
                // Connected to any node counts (cluster-wide presence).
                if !state.hub.user_present(id).await {
                    if let Err(e) = state.routing.run(Op::AgentDisconnected { agent: id, closed_at }).await {
                        tracing::warn!(agent = id, error = ?e, "could not mark a disconnected agent away");
                    }
                }
            });
        }
        Who::Visitor(visitor) => {
            tokio::spawn(abandon_if_not_back(state, visitor));
        }
    }
}

/// A customer who closed the page while waiting leaves the line when no socket of theirs comes
/// back within the grace period (a reload or a flaky network comes back in time): the
/// conversation is abandoned and those behind move up, instead of an agent being offered an
/// empty chat. Only a waiting (queued or offered) conversation is touched — one being served is
/// the agent's to close — and only after a socket closed, so API visitors without one are never
/// affected.
async fn abandon_if_not_back(state: AppState, visitor: i64) {
    tokio::time::sleep(Duration::from_secs(state.config.visitor_abandon_grace_secs.into())).await;
    if state.hub.visitor_present(visitor).await {
        return;
    }
    let conversation = match state.store.open_conversation(visitor).await {
        Ok(Some(c)) if matches!(c.status, ConversationStatus::Queued | ConversationStatus::Offered) => c.id,
        Ok(_) => return,
        Err(e) => return tracing::warn!(visitor, error = ?e, "could not look up a departed visitor's conversation"),
    };
    match state.routing.run(Op::Abandon { conversation }).await {
        // Answered meanwhile (the agent closes it) or already over: nothing to do.
        Ok(()) | Err(ApiError::Conflict(_)) | Err(ApiError::NotFound(_)) => {}
        Err(e) => tracing::warn!(visitor, conversation, error = ?e, "could not abandon a departed visitor's conversation"),
    }
}

/// Send stored notes to one staff connection as unsequenced `kind` frames.
fn replay_notes(state: &AppState, conn: u64, id: i64, kind: &str, notes: Result<Vec<kefu_store::NoteRow>, kefu_store::StoreError>) {
    match notes {
        Ok(notes) => {
            for n in &notes {
                let data = serde_json::to_value(NoteView::from(n)).unwrap_or_default();
                state.hub.to_conn(conn, &frame(kind, Some(id), None, &data));
            }
        }
        Err(e) => tracing::error!(error = ?e, kind, "resume of notes failed"),
    }
}

/// Replay every stored event after each cursor, in order.
async fn resume(state: &AppState, caller: &Caller, conn: u64, cursors: HashMap<String, i64>) {
    for (id, after) in cursors.into_iter().take(500) {
        let Ok(id) = id.parse::<i64>() else { continue };
        let Ok(conv) = state.store.conversation(id).await else { continue };
        if !can_see(&state.store, caller, &conv).await.unwrap_or(false) {
            continue;
        }
        match state.store.events_after(id, after.max(0)).await {
            Ok(events) => {
                for e in events {
                    let mut data: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
                    if matches!(caller, Caller::Visitor(_)) {
                        redact_for_visitor(&e.r#type, &mut data);
                    }
                    state.links.sign_in(&mut data, now_ms());
                    state.hub.to_conn(conn, &frame(&e.r#type, Some(id), Some(e.seq), &data));
                }
            }
            Err(e) => tracing::error!(error = ?e, "resume failed"),
        }
        if matches!(caller, Caller::Staff(_)) {
            // Staff-only lines take no seq (conversations::notes): replay those placed at or after
            // the cursor; the client upserts them by id, so an overlap costs nothing. An edit does
            // not move its note: one placed before the cursor but edited while the client was away
            // comes as `note.updated` (an edit seen already costs nothing either).
            replay_notes(state, conn, id, "note.created", state.store.notes_from(id, after.max(0)).await);
            replay_notes(state, conn, id, "note.updated", state.store.edited_notes_before(id, after.max(0)).await);
        }
    }
}
