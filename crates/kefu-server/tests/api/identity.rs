//! Known customers through an identity token signed by the business system (HMAC JWT).

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use crate::helpers::spawn_app;

fn sign(secret: &str, claims: serde_json::Value) -> String {
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn in_an_hour() -> i64 {
    (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600) as i64
}

#[tokio::test]
async fn a_signed_customer_is_recognised_on_any_device_and_vip_goes_first() {
    let app = spawn_app().await;
    let token = sign(
        &app.widget_secret,
        json!({ "sub": "C-1001", "name": "王先生", "vip": 3, "attrs": { "tier": "钻石卡" }, "exp": in_an_hour(), "agent": "agent2@demo.kefu" }),
    );
    let (s, v) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": token }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["visitor"]["external_id"], "C-1001");
    assert_eq!(v["visitor"]["vip_level"], 3);
    // What the business system said is for staff: the visitor's own copy leaves it out.
    assert_eq!(v["visitor"]["attributes"], json!({}));
    assert_eq!(v["visitor"]["designated_agent_id"], serde_json::Value::Null);
    // Same customer from another device: same visitor.
    let (_, again) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": token }))).await;
    assert_eq!(again["visitor"]["id"], v["visitor"]["id"]);

    let normal = app.visitor("普通").await;
    app.start(&normal, "先来的").await;
    let vip = v["token"].as_str().unwrap();
    let c = app.start(vip, "VIP 后来的").await;
    assert_eq!(c["priority"], 3);
    assert_eq!(c["queue"]["position"], 1, "VIP goes before the earlier normal customer");
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, staff_view) = app.call("GET", &format!("/api/v1/conversations/{}", c["id"]), Some(&sup), None).await;
    assert_eq!(staff_view["visitor"]["attributes"]["tier"], "钻石卡");
    assert_eq!(staff_view["visitor"]["designated_agent_id"], 4);
}

#[tokio::test]
async fn bad_identity_tokens_are_refused_clearly() {
    let app = spawn_app().await;
    let forged = sign("not-the-secret", json!({ "sub": "C-1", "exp": in_an_hour() }));
    let (s, e) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": forged }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_identity_token")), "{e}");
    let expired = sign(&app.widget_secret, json!({ "sub": "C-1", "exp": 1_000_000 }));
    let (s, e) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": expired }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("identity_token_expired")), "{e}");
    let (s, e) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": "garbage" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_identity_token")), "{e}");
}

#[tokio::test]
async fn an_integrator_starts_a_conversation_for_a_known_customer() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, k) =
        app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "app", "scopes": ["conversations:write"] }))).await;
    let key = k["key"].as_str().unwrap();
    let (s, e) = app.call("POST", "/api/v1/conversations", Some(key), Some(json!({ "message": "hi" }))).await;
    assert_eq!(s, 422, "{e}");
    let body = json!({ "customer": { "external_id": "C-77", "name": "李女士", "vip_level": 1 }, "business_type_id": 2, "message": "来自 App 的咨询" });
    let (s, c) = app.call("POST", "/api/v1/conversations", Some(key), Some(body)).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!((c["channel"].as_str(), c["visitor"]["external_id"].as_str(), c["priority"].as_i64()), (Some("api"), Some("C-77"), Some(1)));
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("POST", "/api/v1/conversations", Some(&agent), Some(json!({ "customer": { "external_id": "C-1" } }))).await;
    assert_eq!(s, 403, "agents do not start conversations");
}

#[tokio::test]
async fn rotating_the_secret_refuses_tokens_signed_with_the_old_one() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, old) = app.call("GET", "/api/v1/widgets/identity-secret", Some(&admin), None).await;
    assert_eq!(s, 200);
    let old = old["secret"].as_str().unwrap().to_string();
    assert_eq!(old, app.widget_secret);
    let (s, new) = app.call("POST", "/api/v1/widgets/identity-secret/rotate", Some(&admin), None).await;
    assert_eq!(s, 200, "{new}");
    let new = new["secret"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    let claims = json!({ "sub": "C-9", "exp": in_an_hour() });
    let (s, e) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": sign(&old, claims.clone()) }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (400, Some("invalid_identity_token")));
    let (s, _) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": sign(&new, claims) }))).await;
    assert_eq!(s, 200);
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(app.call("POST", "/api/v1/widgets/identity-secret/rotate", Some(&agent), None).await.0, 403);
}
