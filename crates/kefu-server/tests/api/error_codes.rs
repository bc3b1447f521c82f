//! The specific error codes and their params, which the UIs translate: each named failure answers
//! its own code (not a generic `unauthorized`/`conflict`/`validation`) with the figures a
//! translation needs, and the HTTP status it had before.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

fn code(e: &Value) -> Option<&str> {
    e["error"]["code"].as_str()
}

async fn served(app: &TestApp) -> (String, String, i64) {
    let agent = app.ready_agent(1).await;
    let visitor = app.visitor("错误码").await;
    let id = app.start(&visitor, "你好").await["id"].as_i64().unwrap();
    let (s, c) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{c}");
    (agent, visitor, id)
}

#[tokio::test]
async fn a_wrong_password_is_invalid_credentials() {
    let app = spawn_app().await;
    let body = json!({ "email": "agent1@demo.kefu", "password": "not-the-password" });
    let (s, e) = app.call("POST", "/api/v1/auth/login", None, Some(body)).await;
    assert_eq!((s, code(&e)), (401, Some("invalid_credentials")), "{e}");
    assert!(e["error"].get("params").is_none(), "no params to translate: {e}");
    // An unknown email answers the same (nothing tells who has an account).
    let (s, e2) = app.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": "nobody@demo.kefu", "password": "x" }))).await;
    assert_eq!((s, &e2), (401, &e));
    // A missing or forged token is still plain `unauthorized`.
    let (s, e) = app.call("GET", "/api/v1/agents", Some("s_forged"), None).await;
    assert_eq!((s, code(&e)), (401, Some("unauthorized")), "{e}");
}

#[tokio::test]
async fn an_over_long_message_is_message_too_long_with_its_max() {
    let app = spawn_app().await;
    let (agent, visitor, id) = served(&app).await;
    let path = format!("/api/v1/conversations/{id}/messages");
    for token in [&visitor, &agent] {
        let (s, e) = app.call("POST", &path, Some(token), Some(json!({ "body": "长".repeat(5001) }))).await;
        assert_eq!((s, code(&e)), (422, Some("message_too_long")), "{e}");
        assert_eq!(e["error"]["params"]["max"], 5000, "{e}");
    }
    // Exactly the limit is fine.
    let (s, e) = app.call("POST", &path, Some(&visitor), Some(json!({ "body": "长".repeat(5000) }))).await;
    assert_eq!(s, 201, "{e}");
    // A note has its own limit.
    let notes = format!("/api/v1/conversations/{id}/notes");
    let (s, e) = app.call("POST", &notes, Some(&agent), Some(json!({ "body": "n".repeat(2001) }))).await;
    assert_eq!((s, code(&e), e["error"]["params"]["max"].as_u64()), (422, Some("message_too_long"), Some(2000)), "{e}");
}

#[tokio::test]
async fn the_widget_config_tells_the_message_limit_the_server_enforces() {
    let app = spawn_app().await;
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    let max = cfg["max_message_chars"].as_u64().unwrap_or_else(|| panic!("no max_message_chars: {cfg}")) as usize;
    let (_, visitor, id) = served(&app).await;
    let path = format!("/api/v1/conversations/{id}/messages");
    // The composer counts against this figure: one more is refused with it, exactly it is sent.
    let (s, e) = app.call("POST", &path, Some(&visitor), Some(json!({ "body": "字".repeat(max + 1) }))).await;
    assert_eq!((s, code(&e), e["error"]["params"]["max"].as_u64()), (422, Some("message_too_long"), Some(max as u64)), "{e}");
    let (s, e) = app.call("POST", &path, Some(&visitor), Some(json!({ "body": "字".repeat(max) }))).await;
    assert_eq!(s, 201, "{e}");
}

#[tokio::test]
async fn the_message_limit_is_one_organisation_setting_the_widget_the_workspace_and_the_server_share() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (agent, visitor, id) = served(&app).await;
    // Only admins change it, within its range, and the refusal names the field.
    let (s, e) = app.call("PUT", "/api/v1/settings", Some(&agent), Some(json!({ "max_message_chars": 300 }))).await;
    assert_eq!(s, 403, "{e}");
    let (s, e) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "max_message_chars": 5 }))).await;
    assert_eq!((s, e["error"]["params"]["field"].as_str()), (422, Some("max_message_chars")), "{e}");
    let (s, v) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "max_message_chars": 300 }))).await;
    assert_eq!((s, v["max_message_chars"].as_u64()), (200, Some(300)), "{v}");
    // The widget and every staff member's workspace read the same figure.
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(cfg["max_message_chars"], 300, "{cfg}");
    let (s, ws) = app.call("GET", "/api/v1/settings/workspace", Some(&agent), None).await;
    assert_eq!((s, ws["max_message_chars"].as_u64()), (200, Some(300)), "{ws}");
    // And the organisation's time zone, in which the report pages count "today".
    let (_, org) = app.call("GET", "/api/v1/settings", Some(&admin), None).await;
    assert_eq!(ws["time_zone"], org["time_zone"], "{ws}");
    let (s, _) = app.call("GET", "/api/v1/settings/workspace", None, None).await;
    assert_eq!(s, 401);
    // The server refuses one character more from either side, naming the new limit.
    let path = format!("/api/v1/conversations/{id}/messages");
    for token in [&visitor, &agent] {
        let (s, e) = app.call("POST", &path, Some(token), Some(json!({ "body": "长".repeat(301) }))).await;
        assert_eq!((s, code(&e), e["error"]["params"]["max"].as_u64()), (422, Some("message_too_long"), Some(300)), "{e}");
    }
    let (s, e) = app.call("POST", &path, Some(&visitor), Some(json!({ "body": "长".repeat(300) }))).await;
    assert_eq!(s, 201, "{e}");
    // A first message with the new conversation too.
    let other = app.visitor("另一位").await;
    let (s, e) =
        app.call("POST", "/api/v1/conversations", Some(&other), Some(json!({ "business_type_id": 1, "message": "长".repeat(301) }))).await;
    assert_eq!((s, code(&e), e["error"]["params"]["max"].as_u64()), (422, Some("message_too_long"), Some(300)), "{e}");
}

#[tokio::test]
async fn a_transfer_to_an_agent_who_cannot_take_it_is_agent_unavailable() {
    let app = spawn_app().await;
    let (agent, _visitor, id) = served(&app).await;
    let transfer = format!("/api/v1/conversations/{id}/transfer");
    // Agent 2 (id 4) is logged out: not ready.
    let (s, e) = app.call("POST", &transfer, Some(&agent), Some(json!({ "agent_id": 4 }))).await;
    assert_eq!((s, code(&e)), (409, Some("agent_unavailable")), "{e}");
}

#[tokio::test]
async fn closing_twice_or_leaving_a_closed_conversation_is_already_closed() {
    let app = spawn_app().await;
    let (agent, visitor, id) = served(&app).await;
    let close = format!("/api/v1/conversations/{id}/close");
    let (s, e) = app.call("POST", &close, Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = app.call("POST", &close, Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!((s, code(&e)), (409, Some("already_closed")), "{e}");
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/leave"), Some(&visitor), None).await;
    assert_eq!((s, code(&e)), (409, Some("already_closed")), "{e}");
    // Someone else's open conversation is still refused as before, not as "closed".
    let (_, other_visitor, other) = served(&app).await;
    let other_agent = app.ready_agent(2).await;
    let (s, e) = app
        .call("POST", &format!("/api/v1/conversations/{other}/close"), Some(&other_agent), Some(json!({ "wrap_up_code": "resolved" })))
        .await;
    assert!(s >= 400 && code(&e) != Some("already_closed"), "{s} {e}");
    drop(other_visitor);
}

#[tokio::test]
async fn a_file_over_the_limit_is_payload_too_large_with_max_mib() {
    let app = spawn_app().await;
    let (_agent, visitor, id) = served(&app).await;
    let big = vec![b'a'; 10 * 1024 * 1024 + 10];
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(big).file_name("big.txt"));
    let r = app
        .http
        .post(app.url(&format!("/api/v1/conversations/{id}/attachments")))
        .bearer_auth(&visitor)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let e: Value = r.json().await.unwrap();
    assert_eq!((code(&e), e["error"]["params"]["max_mib"].as_u64()), (Some("payload_too_large"), Some(10)), "{e}");
}

#[tokio::test]
async fn a_rate_limit_names_what_and_when() {
    let app = spawn_app_with(|c| c.login_attempts_per_minute = 2).await;
    let mut last = Value::Null;
    for _ in 0..4 {
        last = app.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": "agent1@demo.kefu", "password": "guess" }))).await.1;
    }
    assert_eq!(code(&last), Some("rate_limited"), "{last}");
    assert_eq!(last["error"]["params"]["what"], "failed_logins", "{last}");
    assert!(last["error"]["params"]["retry_after"].as_u64().is_some_and(|s| s >= 1), "{last}");
    assert_eq!(last["error"]["params"]["retry_after"], last["error"]["retry_after"], "{last}");
}

#[tokio::test]
async fn an_admin_form_error_names_its_field() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, e) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "" }))).await;
    assert_eq!((s, code(&e), e["error"]["params"]["field"].as_str()), (422, Some("validation"), Some("name")), "{e}");
    // A duplicate name: still 409 `conflict`, naming the field that is taken.
    let (s, g) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "重名组" }))).await;
    assert_eq!(s, 201, "{g}");
    let (s, e) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "重名组" }))).await;
    assert_eq!((s, code(&e), e["error"]["params"]["field"].as_str()), (409, Some("conflict"), Some("name")), "{e}");
}
