//! Callers are remembered for a few seconds (`session_cache`), and yet every revocation holds
//! from the very next request: each test uses a token first, so that it is remembered, then ends
//! or changes its session and tries again at once.

use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

async fn me(app: &TestApp, token: &str) -> u16 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.0
}

async fn agent_id(app: &TestApp, token: &str) -> i64 {
    app.call("GET", "/api/v1/auth/me", Some(token), None).await.1["id"].as_i64().unwrap()
}

async fn patch(app: &TestApp, admin: &str, id: i64, body: serde_json::Value) -> (u16, serde_json::Value) {
    app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(admin), Some(body)).await
}

#[tokio::test]
async fn a_used_token_is_refused_right_after_its_logout() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(me(&app, &agent).await, 200);
    assert_eq!(me(&app, &agent).await, 200, "remembered");
    assert_eq!(app.call("POST", "/api/v1/auth/logout", Some(&agent), None).await.0, 204);
    assert_eq!(me(&app, &agent).await, 401);

    let visitor = app.visitor("访客").await;
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await.0, 200);
    assert_eq!(app.call("POST", "/api/v1/visitors/me/logout", Some(&visitor), None).await.0, 204);
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await.0, 401);
}

#[tokio::test]
async fn role_changes_disabling_and_resets_hold_from_the_next_request() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let id = agent_id(&app, &agent).await;
    assert_eq!(app.call("GET", "/api/v1/stats/live", Some(&agent), None).await.0, 403, "an agent does not watch the floor");
    assert_eq!(patch(&app, &admin, id, json!({ "role": "supervisor" })).await.0, 200);
    assert_eq!(me(&app, &agent).await, 401, "a new role: sign in again");
    let supervisor = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(app.call("GET", "/api/v1/stats/live", Some(&supervisor), None).await.0, 200, "the new role from the first request");

    assert_eq!(patch(&app, &admin, id, json!({ "password": "a-reset-password" })).await.0, 200);
    assert_eq!(me(&app, &supervisor).await, 401, "a password reset");
    let again = app.login("agent1@demo.kefu", "a-reset-password").await;
    assert_eq!(me(&app, &again).await, 200);
    assert_eq!(patch(&app, &admin, id, json!({ "enabled": false })).await.0, 200);
    assert_eq!(me(&app, &again).await, 401, "disabled");
}

#[tokio::test]
async fn a_password_change_refuses_the_other_session_at_once() {
    let app = spawn_app().await;
    let here = app.login("agent1@demo.kefu", "demo-agent").await;
    let there = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(me(&app, &here).await, 200);
    assert_eq!(me(&app, &there).await, 200);
    let body = json!({ "current_password": "demo-agent", "new_password": "a-new-password" });
    assert_eq!(app.call("PUT", "/api/v1/auth/password", Some(&here), Some(body)).await.0, 204);
    assert_eq!(me(&app, &there).await, 401);
    assert_eq!(me(&app, &here).await, 200, "the session that changed it goes on");
}

#[tokio::test]
async fn a_revoked_api_key_and_a_blocked_visitor_are_refused_at_once() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, k) = app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "crm", "scopes": ["conversations:read"] }))).await;
    assert_eq!(s, 201, "{k}");
    let (key, key_id) = (k["key"].as_str().unwrap().to_string(), k["api_key"]["id"].as_i64().unwrap());
    assert_eq!(app.call("GET", "/api/v1/conversations", Some(&key), None).await.0, 200);
    assert_eq!(app.call("DELETE", &format!("/api/v1/api-keys/{key_id}"), Some(&admin), None).await.0, 204);
    assert_eq!(app.call("GET", "/api/v1/conversations", Some(&key), None).await.0, 401);

    let visitor = app.visitor("捣乱").await;
    let (s, v) = app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await;
    assert_eq!(s, 200, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (s, b) = app.call("POST", &format!("/api/v1/visitors/{id}/block"), Some(&admin), Some(json!({ "reason": "abuse" }))).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(app.call("GET", "/api/v1/visitors/me", Some(&visitor), None).await.0, 401);
}
