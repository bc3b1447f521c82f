//! Sessions end everywhere at once: logout, disabling, password and role changes, visitor
//! logout and blocking close the open sockets within a second; a disabled agent's conversations
//! go back to the front of the line; sockets per token are capped.

use std::time::Duration;

use futures::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{spawn_app, Socket, TestApp};

/// The socket's last frames: `session.ended` with a reason, then a close with code 4401, all
/// within a second. Returns the reason.
async fn ended_within_a_second(s: &mut Socket) -> String {
    let mut reason = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let next = tokio::time::timeout_at(deadline, s.ws.next()).await.expect("the socket ends within a second");
        match next {
            Some(Ok(Message::Text(t))) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                assert!(reason.is_none(), "nothing after session.ended, got {v}");
                if v["type"] == "session.ended" {
                    reason = Some(v["data"]["reason"].as_str().unwrap().to_string());
                }
            }
            Some(Ok(Message::Close(Some(frame)))) => {
                assert_eq!(frame.code, CloseCode::from(4401));
                let reason = reason.expect("session.ended before the close");
                assert_eq!(frame.reason.as_str(), reason);
                return reason;
            }
            Some(Ok(_)) => {}
            other => panic!("expected session.ended then a close frame, got {other:?}"),
        }
    }
}

/// The socket stays open: a ping is answered.
async fn still_open(s: &mut Socket) {
    s.send(json!({ "type": "ping" })).await;
    s.wait_for("pong").await;
}

async fn ws_refused(app: &TestApp, token: &str) -> u16 {
    let url = format!("{}/api/v1/ws?token={}", app.base.replace("http://", "ws://"), token);
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => resp.status().as_u16(),
        other => panic!("the upgrade should be refused, got {:?}", other.map(|(_, r)| r.status())),
    }
}

async fn user_id(app: &TestApp, token: &str) -> i64 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.1["id"].as_i64().unwrap()
}

/// A visitor's conversation, offered to and accepted by `agent` (whose socket is `agent_ws`).
async fn served(app: &TestApp, visitor: &str, agent: &str, agent_ws: &mut Socket) -> i64 {
    let conv = app.start(visitor, "你好").await["id"].as_i64().unwrap();
    agent_ws.wait_until("offer.created", |e| e["conversation_id"] == conv).await;
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{conv}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{v}");
    conv
}

#[tokio::test]
async fn a_logged_out_agents_socket_closes_at_once_and_cannot_come_back() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut ws = app.ws(&agent).await;
    let visitor = app.visitor("小王").await;
    let conv = served(&app, &visitor, &agent, &mut ws).await;

    let (s, _) = app.call("POST", "/api/v1/auth/logout", Some(&agent), None).await;
    assert_eq!(s, 204);
    assert_eq!(ended_within_a_second(&mut ws).await, "logged_out");
    // The customer's next words reach no one through the old token.
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{conv}/messages"), Some(&visitor), Some(json!({ "body": "还在吗" }))).await;
    assert_eq!(s, 201);
    assert_eq!(ws_refused(&app, &agent).await, 401, "no new socket, so no resume");
    // Signed out everywhere: offline at once, so no new offer waits for them.
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, agents) = app.call("GET", "/api/v1/agents", Some(&sup), None).await;
    let me = agents["agents"].as_array().unwrap().iter().find(|a| a["email"] == "agent1@demo.kefu").unwrap().clone();
    assert_eq!(me["status"], "offline", "{me}");
}

#[tokio::test]
async fn a_disabled_agents_sockets_close_and_their_conversation_goes_back_to_the_front() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let id = user_id(&app, &agent).await;
    let mut ws = app.ws(&agent).await;
    let mut second_tab = app.ws(&agent).await;
    let first = app.visitor("先来").await;
    let conv = served(&app, &first, &agent, &mut ws).await;
    // Two more customers wait behind an agent who stepped away.
    let (s, _) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "away" }))).await;
    assert_eq!(s, 200);
    let later: Vec<String> = vec![app.visitor("后来一").await, app.visitor("后来二").await];
    let mut waiting = vec![];
    for v in &later {
        waiting.push(app.start(v, "排队").await["id"].as_i64().unwrap());
    }

    let (s, v) = app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&admin), Some(json!({ "enabled": false }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(ended_within_a_second(&mut ws).await, "disabled");
    assert_eq!(ended_within_a_second(&mut second_tab).await, "disabled");
    assert_eq!(ws_refused(&app, &agent).await, 401);

    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{conv}"), Some(&first), None).await;
    assert_eq!(c["status"], "queued", "{c}");
    assert_eq!(c["queue"]["position"], 1, "back at the front: {c}");
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{}", waiting[0]), Some(&later[0]), None).await;
    assert_eq!(c["queue"]["position"], 2, "{c}");
    let (_, m) = app.call("GET", &format!("/api/v1/conversations/{conv}/messages"), Some(&first), None).await;
    assert!(m["messages"].as_array().unwrap().iter().any(|m| m["kind"] == "event" && m["body"] == "requeued"), "{m}");

    // The next agent to become ready is offered it first.
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let mut other_ws = app.ws(&other).await;
    app.call("PUT", "/api/v1/agents/me/status", Some(&other), Some(json!({ "status": "ready" }))).await;
    let offer = other_ws.wait_for("offer.created").await;
    assert_eq!(offer["conversation_id"], conv);
}

#[tokio::test]
async fn a_password_change_closes_the_other_sessions_and_keeps_this_one() {
    let app = spawn_app().await;
    let here = app.login("agent1@demo.kefu", "demo-agent").await;
    let there = app.login("agent1@demo.kefu", "demo-agent").await;
    let mut here_ws = app.ws(&here).await;
    let mut there_ws = app.ws(&there).await;
    let body = json!({ "current_password": "demo-agent", "new_password": "a-new-secret" });
    let (s, v) = app.call("PUT", "/api/v1/auth/password", Some(&here), Some(body)).await;
    assert_eq!(s, 204, "{v}");
    assert_eq!(ended_within_a_second(&mut there_ws).await, "password_changed");
    still_open(&mut here_ws).await;

    // An admin setting a new password ends every session, this one too.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let id = user_id(&app, &here).await;
    let (s, _) = app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&admin), Some(json!({ "password": "another-secret" }))).await;
    assert_eq!(s, 200);
    assert_eq!(ended_within_a_second(&mut here_ws).await, "password_changed");
}

#[tokio::test]
async fn a_role_change_ends_the_users_sessions() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let id = user_id(&app, &agent).await;
    let mut ws = app.ws(&agent).await;
    // Renaming is not a role change: the socket stays.
    app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&admin), Some(json!({ "name": "李娜", "role": "agent" }))).await;
    still_open(&mut ws).await;
    let (s, _) = app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&admin), Some(json!({ "role": "supervisor" }))).await;
    assert_eq!(s, 200);
    assert_eq!(ended_within_a_second(&mut ws).await, "role_changed");
    assert_eq!(app.call("GET", "/api/v1/auth/me", Some(&agent), None).await.0, 401, "signs in again to get the new role");
}

#[tokio::test]
async fn a_socket_cannot_outlive_its_session() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    // Shorten the session's life in the database, as if it had been opened 12 hours ago.
    let soon = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64 + 700;
    let sql = "UPDATE sessions SET expires_at = $1";
    match &app.database_url {
        Some(url) => {
            let db = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).bind(soon).execute(&db).await.unwrap();
        }
        None => {
            let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.data_dir.0.join("kefu.db").display())).await.unwrap();
            sqlx::query(sql).bind(soon).execute(&db).await.unwrap();
        }
    }
    let mut ws = app.ws(&agent).await;
    assert_eq!(ended_within_a_second(&mut ws).await, "expired");
}

#[tokio::test]
async fn a_visitor_can_end_their_session() {
    let app = spawn_app().await;
    let visitor = app.visitor("访客").await;
    let conv = app.start(&visitor, "请问").await["id"].as_i64().unwrap();
    let mut ws = app.ws(&visitor).await;
    let (s, _) = app.call("POST", "/api/v1/visitors/me/logout", Some(&visitor), None).await;
    assert_eq!(s, 204);
    assert_eq!(ended_within_a_second(&mut ws).await, "logged_out");
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await.0, 401);
    assert_eq!(ws_refused(&app, &visitor).await, 401);
    // Nobody is left to answer: the place in line is given up.
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{conv}"), Some(&supervisor), None).await;
    assert_eq!(c["status"], "closed", "{c}");
}

#[tokio::test]
async fn a_supervisor_blocks_an_abusive_visitor() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let visitor = app.visitor("捣乱").await;
    let conv = served(&app, &visitor, &agent, &mut agent_ws).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let (_, v) = app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await;
    let vid = v["id"].as_i64().unwrap();

    let reason = json!({ "reason": "辱骂坐席" });
    let (s, e) = app.call("POST", &format!("/api/v1/visitors/{vid}/block"), Some(&agent), Some(reason.clone())).await;
    assert_eq!(s, 403, "agents cannot block: {e}");
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, e) = app.call("POST", &format!("/api/v1/visitors/{vid}/block"), Some(&supervisor), Some(json!({ "reason": " " }))).await;
    assert_eq!(s, 422, "a reason is needed: {e}");
    let (s, v) = app.call("POST", &format!("/api/v1/visitors/{vid}/block"), Some(&supervisor), Some(reason)).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["blocked"].as_bool(), v["blocked_reason"].as_str()), (Some(true), Some("辱骂坐席")));

    // The visitor sees the closing line with the reason, then their socket ends.
    let line = visitor_ws.wait_until("message.created", |e| e["data"]["body"] == "blocked").await;
    assert_eq!(line["data"]["data"]["reason"], "辱骂坐席");
    assert_eq!(ended_within_a_second(&mut visitor_ws).await, "blocked");
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await.0, 401);
    let closed = agent_ws.wait_until("conversation.updated", |e| e["conversation_id"] == conv && e["data"]["status"] == "closed").await;
    assert_eq!(closed["data"]["status"], "closed");
    still_open(&mut agent_ws).await;
}

#[tokio::test]
async fn a_blocked_customer_cannot_start_again_until_unblocked() {
    let app = spawn_app().await;
    let identity = |secret: &str| {
        let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600;
        jsonwebtoken::encode(
            &jsonwebtoken::Header::default(),
            &json!({ "sub": "cust-42", "name": "赵先生", "exp": exp }),
            &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let (s, v) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": identity(&app.widget_secret) }))).await;
    assert_eq!(s, 200, "{v}");
    let (first, vid) = (v["token"].as_str().unwrap().to_string(), v["visitor"]["id"].as_i64().unwrap());
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    app.call("POST", &format!("/api/v1/visitors/{vid}/block"), Some(&supervisor), Some(json!({ "reason": "spam" }))).await;

    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&first), None).await.0, 401);
    let (s, e) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": identity(&app.widget_secret) }))).await;
    assert_eq!(s, 403, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("blocked"), "{e}");

    let (s, v) = app.call("DELETE", &format!("/api/v1/visitors/{vid}/block"), Some(&supervisor), None).await;
    assert_eq!((s, v["blocked"].as_bool()), (200, Some(false)), "{v}");
    let (s, v) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": identity(&app.widget_secret) }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&first), None).await.0, 401, "old tokens stay revoked");
}

#[tokio::test]
async fn websockets_per_token_are_capped() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let mut open = vec![];
    for _ in 0..5 {
        open.push(app.ws(&agent).await);
    }
    let url = format!("{}/api/v1/ws?token={}", app.base.replace("http://", "ws://"), agent);
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 429);
            assert!(resp.headers().get("retry-after").is_some());
            let body: Value = serde_json::from_slice(resp.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body["error"]["code"], "too_many_connections", "{body}");
            assert!(body["error"]["retry_after"].as_u64().is_some(), "{body}");
        }
        other => panic!("the sixth socket should get 429, got {:?}", other.map(|(_, r)| r.status())),
    }
    // Another token of the same user has its own allowance; a closed socket frees a place.
    app.ws(&app.login("agent1@demo.kefu", "demo-agent").await).await;
    drop(open.pop());
    let mut tries = 0;
    loop {
        let url = format!("{}/api/v1/ws?token={}", app.base.replace("http://", "ws://"), agent);
        if tokio_tungstenite::connect_async(url).await.is_ok() {
            break;
        }
        tries += 1;
        assert!(tries < 20, "a closed socket gives its place back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
