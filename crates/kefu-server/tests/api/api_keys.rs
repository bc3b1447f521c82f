//! API keys hold fine-grained scopes and every staff route checks one; the last enabled admin
//! stays; tokens in the URL are taken only by the WebSocket upgrade.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn key(app: &TestApp, admin: &str, scopes: Value) -> String {
    let (s, k) = app.call("POST", "/api/v1/api-keys", Some(admin), Some(json!({ "name": "integration", "scopes": scopes }))).await;
    assert_eq!(s, 201, "{k}");
    k["key"].as_str().unwrap().to_string()
}

async fn status(app: &TestApp, method: &str, path: &str, token: &str) -> u16 {
    app.call(method, path, Some(token), None).await.0
}

#[tokio::test]
async fn each_key_reaches_only_what_its_scopes_name() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let start = json!({ "customer": { "external_id": "C-1" }, "message": "hi" });

    let read = key(&app, &admin, json!(["conversations:read"])).await;
    assert_eq!(status(&app, "GET", "/api/v1/conversations", &read).await, 200);
    assert_eq!(status(&app, "GET", "/api/v1/business-types", &read).await, 200);
    assert_eq!(status(&app, "GET", "/api/v1/agents", &read).await, 403, "no staff emails");
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &read).await, 403, "no live stats");
    assert_eq!(
        app.call("POST", "/api/v1/conversations", Some(&read), Some(start.clone())).await.0,
        403,
        "writing needs conversations:write"
    );
    assert_eq!(status(&app, "GET", "/api/v1/api-keys", &read).await, 403);

    let write = key(&app, &admin, json!(["conversations:write"])).await;
    let (s, c) = app.call("POST", "/api/v1/conversations", Some(&write), Some(start)).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    assert_eq!(status(&app, "GET", &format!("/api/v1/conversations/{id}/messages"), &write).await, 200, "write implies read");
    assert_eq!(status(&app, "GET", "/api/v1/agents", &write).await, 403);
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &write).await, 403);

    let stats = key(&app, &admin, json!(["stats:read"])).await;
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &stats).await, 200);
    assert_eq!(status(&app, "GET", "/api/v1/conversations", &stats).await, 403);
    assert_eq!(status(&app, "GET", &format!("/api/v1/conversations/{id}"), &stats).await, 403);
    assert_eq!(status(&app, "GET", "/api/v1/agents", &stats).await, 403);

    let agents = key(&app, &admin, json!(["agents:read"])).await;
    let (s, list) = app.call("GET", "/api/v1/agents", Some(&agents), None).await;
    assert_eq!(s, 200, "{list}");
    assert!(list["agents"][0]["email"].is_string());
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &agents).await, 403);
    assert_eq!(status(&app, "GET", "/api/v1/conversations", &agents).await, 403);

    let all = key(&app, &admin, json!(["admin"])).await;
    for path in ["/api/v1/agents", "/api/v1/stats/live", "/api/v1/conversations", "/api/v1/api-keys", "/api/v1/widgets"] {
        assert_eq!(status(&app, "GET", path, &all).await, 200, "{path}");
    }
    for path in ["/api/v1/api-keys", "/api/v1/webhooks", "/api/v1/widgets", "/api/v1/widgets/identity-secret"] {
        assert_eq!(status(&app, "GET", path, &write).await, 403, "admin routes need admin: {path}");
    }

    let (s, e) = app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "x", "scopes": ["stats:write"] }))).await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn staff_keep_what_their_role_allowed() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(status(&app, "GET", "/api/v1/agents", &agent).await, 200, "agents pick transfer targets");
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &agent).await, 403);
    assert_eq!(status(&app, "GET", "/api/v1/api-keys", &agent).await, 403);
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    assert_eq!(status(&app, "GET", "/api/v1/stats/live", &supervisor).await, 200);
    assert_eq!(status(&app, "GET", "/api/v1/api-keys", &supervisor).await, 403);
}

async fn admin_ids(app: &TestApp, token: &str) -> Vec<i64> {
    let (_, list) = app.call("GET", "/api/v1/agents", Some(token), None).await;
    list["agents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["role"] == "admin" && a["enabled"] == true)
        .map(|a| a["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn nobody_removes_the_last_enabled_admin() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let key = key(&app, &admin, json!(["admin"])).await;
    let ids = admin_ids(&app, &admin).await;
    assert_eq!(ids.len(), 1);
    let first = ids[0];
    let patch = |id: i64, token: String, body: Value| {
        let app = &app;
        async move { app.call("PATCH", &format!("/api/v1/agents/{id}"), Some(&token), Some(body)).await }
    };
    // An admin key cannot demote or disable the only admin.
    let (s, e) = patch(first, key.clone(), json!({ "role": "supervisor" })).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("conflict")), "{e}");
    assert_eq!(patch(first, key.clone(), json!({ "enabled": false })).await.0, 409);
    assert_eq!(patch(first, key.clone(), json!({ "name": "Still admin" })).await.0, 200, "other changes go through");

    // With a second admin, one of them may go, but not both.
    let (s, second) = app
        .call(
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({ "email": "admin2@demo.kefu", "name": "Admin 2", "password": "password2", "role": "admin" })),
        )
        .await;
    assert_eq!(s, 201, "{second}");
    let second_id = second["id"].as_i64().unwrap();
    let admin2 = app.login("admin2@demo.kefu", "password2").await;
    // Both admins demote each other at once: at most one succeeds.
    let (a, b) =
        tokio::join!(patch(second_id, admin.clone(), json!({ "role": "agent" })), patch(first, admin2.clone(), json!({ "role": "agent" })));
    assert!(a.0 != 200 || b.0 != 200, "both admins demoted: {a:?} {b:?}");
    // The loser is refused (409), or finds its session ended already: a role change signs the
    // demoted user out everywhere (401).
    assert!([a.0, b.0].iter().all(|s| [200, 401, 403, 409].contains(s)), "{a:?} {b:?}");
    let left = admin_ids(&app, &key).await;
    assert_eq!(left.len(), 1, "exactly one enabled admin remains");
    let (s, _) = patch(left[0], key.clone(), json!({ "enabled": false })).await;
    assert_eq!(s, 409);
}

#[tokio::test]
async fn a_token_in_the_url_is_taken_only_by_the_websocket() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let visitor = app.visitor("V").await;
    for (path, token) in [("/api/v1/auth/me", &agent), ("/api/v1/agents/me", &agent), ("/api/v1/visitors/me", &visitor)] {
        let (s, e) = app.call("GET", &format!("{path}?token={token}"), None, None).await;
        assert_eq!(s, 401, "{path}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("WebSocket"), "{e}");
    }
    let mut ws = app.ws(&agent).await;
    ws.send(json!({ "type": "ping" })).await;
    assert_eq!(ws.wait_for("pong").await["type"], "pong");
}
