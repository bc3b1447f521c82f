//! `GET /api/v1/ws?token=…`: one socket per client. Client frames: `resume` with per-conversation
//! cursors (the server replays stored events after each cursor, then streams live ones) and `ping`.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::auth::{resolve, Caller, Role};
use crate::clock::{now_ms, rfc3339};
use crate::conversations::access::can_see;
use crate::conversations::redact_for_visitor;
use crate::error::ApiError;
use crate::realtime::{frame, Who};
use crate::routing::Op;
use crate::state::AppState;
use crate::views::Hello;

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
    /// Acknowledged but unused yet.
    #[serde(other)]
    Unknown,
}

/// Upgrade after checking the token.
pub async fn upgrade(State(state): State<AppState>, Query(q): Query<WsQuery>, ws: WebSocketUpgrade) -> Result<Response, ApiError> {
    let token = q.token.ok_or_else(|| ApiError::Unauthorized("missing ?token=".into()))?;
    let caller = resolve(&state, &token).await?;
    let who = match &caller {
        Caller::Visitor(id) => Who::Visitor(*id),
        Caller::Staff(s) if s.is_user() => Who::User { id: s.id, supervisor: s.role >= Role::Supervisor },
        Caller::Staff(_) => return Err(ApiError::Forbidden("API keys use webhooks, not the WebSocket".into())),
    };
    Ok(ws.max_message_size(64 * 1024).on_upgrade(move |socket| session(state, caller, who, socket)))
}

async fn session(state: AppState, caller: Caller, who: Who, socket: WebSocket) {
    let (conn, mut outbox) = state.hub.register(who);
    state.metrics.ws_connections.inc();
    let (mut sink, mut stream) = socket.split();
    let hello = Hello { server_time: rfc3339(now_ms()) };
    let hello = frame("hello", None, None, &serde_json::to_value(hello).unwrap_or_default());
    let writer = tokio::spawn(async move {
        if sink.send(Message::Text(hello.as_ref().into())).await.is_err() {
            return;
        }
        while let Some(f) = outbox.recv().await {
            if sink.send(Message::Text(f.as_ref().into())).await.is_err() {
                break;
            }
        }
        let _ = sink.close().await;
    });
    while let Some(Ok(msg)) = stream.next().await {
        let Message::Text(text) = msg else { continue };
        match serde_json::from_str::<ClientFrame>(&text) {
            Ok(ClientFrame::Resume { cursors }) => resume(&state, &caller, conn, cursors).await,
            Ok(ClientFrame::Ping) => state.hub.to_conn(conn, &frame("pong", None, None, &Value::Null)),
            Ok(ClientFrame::Unknown) => {}
            Err(e) => state.hub.to_conn(conn, &frame("error", None, None, &json!({"code": "bad_frame", "message": e.to_string()}))),
        }
    }
    state.hub.unregister(conn);
    state.metrics.ws_connections.dec();
    writer.abort();
    if let Who::User { id, .. } = who {
        // An agent whose workspace is gone (tab closed, laptop asleep) must not keep getting
        // offers: after a grace period for reloads and flaky networks, a ready agent goes away.
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(state.config.agent_disconnect_grace_secs.into())).await;
            if !state.hub.user_online(id) {
                if let Err(e) = state.routing.run(Op::AgentDisconnected { agent: id }).await {
                    tracing::warn!(agent = id, error = ?e, "could not mark a disconnected agent away");
                }
            }
        });
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
    }
}
