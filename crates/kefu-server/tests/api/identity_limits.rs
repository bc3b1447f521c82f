//! Identity tokens are short-lived and their claims are capped: a few seconds of clock leeway,
//! `nbf` honoured, a maximum lifetime, and the same size limits as every other input.

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

async fn present(app: &TestApp, claims: Value) -> (u16, Value) {
    let token = encode(&Header::default(), &claims, &EncodingKey::from_secret(app.widget_secret.as_bytes())).unwrap();
    app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": token }))).await
}

fn refused(got: &(u16, Value), code: &str, mentions: &str) {
    let (s, e) = got;
    assert_eq!((*s, e["error"]["code"].as_str()), (400, Some(code)), "{e}");
    let message = e["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(mentions), "the message names {mentions}: {message}");
}

#[tokio::test]
async fn expiry_and_not_before_allow_only_seconds_of_clock_difference() {
    let app = spawn_app().await;
    let t = now();
    refused(&present(&app, json!({ "sub": "C-1", "exp": t - 10 })).await, "identity_token_expired", "expired");
    refused(&present(&app, json!({ "sub": "C-1", "exp": t + 600, "nbf": t + 60 })).await, "invalid_identity_token", "nbf");
    // Within the leeway, both ways.
    let (s, v) = present(&app, json!({ "sub": "C-1", "exp": t - 2, "nbf": t + 2 })).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test]
async fn a_token_may_not_live_longer_than_the_maximum() {
    let app = spawn_app().await;
    let t = now();
    let day = 86_400;
    refused(&present(&app, json!({ "sub": "C-2", "exp": t + 2 * day })).await, "invalid_identity_token", "exp");
    refused(
        &present(&app, json!({ "sub": "C-2", "iat": t - 2 * 3600, "exp": t + day - 3600 })).await,
        "invalid_identity_token",
        "exp - iat",
    );
    let (s, v) = present(&app, json!({ "sub": "C-2", "iat": t, "exp": t + day })).await;
    assert_eq!(s, 200, "a day is allowed by default: {v}");

    let strict = spawn_app_with(|c| c.identity_token_max_hours = 1).await;
    refused(&present(&strict, json!({ "sub": "C-2", "exp": t + 2 * 3600 })).await, "invalid_identity_token", "3600 s");
    assert_eq!(present(&strict, json!({ "sub": "C-2", "exp": t + 1800 })).await.0, 200);
}

#[tokio::test]
async fn over_long_names_and_oversized_attributes_are_refused_naming_the_claim() {
    let app = spawn_app().await;
    let exp = now() + 600;
    refused(&present(&app, json!({ "sub": "C-3", "exp": exp, "name": "名".repeat(65) })).await, "invalid_identity_token", "name");
    let many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!(i))).collect();
    refused(&present(&app, json!({ "sub": "C-3", "exp": exp, "attrs": many })).await, "invalid_identity_token", "attrs");
    refused(
        &present(&app, json!({ "sub": "C-3", "exp": exp, "attrs": { "note": "x".repeat(1025) } })).await,
        "invalid_identity_token",
        "attrs.note",
    );
    refused(&present(&app, json!({ "sub": "C-3", "exp": exp, "attrs": { "k".repeat(65): 1 } })).await, "invalid_identity_token", "attrs");
    let (s, v) = present(&app, json!({ "sub": "C-3", "exp": exp, "name": "名".repeat(64), "attrs": { "tier": "金卡" } })).await;
    assert_eq!(s, 200, "{v}");

    // An integrator's customer has the same caps (422, naming the field).
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, k) =
        app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "crm", "scopes": ["conversations:write"] }))).await;
    let key = k["key"].as_str().unwrap();
    let start = |customer: Value| app.call("POST", "/api/v1/conversations", Some(key), Some(json!({ "customer": customer })));
    let (s, e) = start(json!({ "external_id": "C-4", "name": "x".repeat(65) })).await;
    assert_eq!((s, e["error"]["message"].as_str().is_some_and(|m| m.starts_with("customer.name"))), (422, true), "{e}");
    let (s, e) = start(json!({ "external_id": "C-4", "attributes": { "note": "x".repeat(1025) } })).await;
    assert_eq!((s, e["error"]["message"].as_str().is_some_and(|m| m.starts_with("customer.attributes.note"))), (422, true), "{e}");
}
