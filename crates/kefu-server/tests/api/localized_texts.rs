//! Per-language texts for customers: a business type's name in the widget's language, and the
//! skill group's welcome message at the top of the chat. Unknown languages and long texts are
//! refused with the field named; blank entries fall back.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

fn card_type(cfg: &Value) -> Value {
    cfg["business_types"].as_array().unwrap().iter().find(|b| b["id"] == 1).unwrap().clone()
}

#[tokio::test]
async fn business_type_names_and_group_welcomes_reach_the_widget_per_language() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    let names = json!({ "names": { "zh-CN": "信用卡业务", "en": " Credit cards ", } });
    let (s, t) = app.call("PATCH", "/api/v1/business-types/1", Some(&admin), Some(names)).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!(t["names"], json!({ "zh-CN": "信用卡业务", "en": "Credit cards" }));
    assert_eq!(t["name"], "信用卡业务 Credit cards", "the plain name stays for languages without one");
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(card_type(&cfg)["names"]["en"], "Credit cards");

    // A blank entry is dropped: that language falls back to the plain name.
    let (_, t) = app.call("PATCH", "/api/v1/business-types/1", Some(&admin), Some(json!({ "names": { "en": "  " } }))).await;
    assert_eq!(t["names"], json!({}));

    // The demo's card group has a welcome in both languages; a changed one reaches the widget.
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    let card_group = |cfg: &Value| cfg["group_welcomes"].as_array().unwrap().iter().find(|g| g["group_id"] == 1).cloned();
    assert!(card_group(&cfg).unwrap()["welcome"]["zh-CN"].as_str().unwrap().contains("信用卡服务"));
    let welcome = json!({ "welcome": { "zh-CN": "您好！", "en": "Hello!\nHow can we help?" } });
    let (s, g) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(welcome)).await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["welcome"]["en"], "Hello!\nHow can we help?");
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(card_group(&cfg).unwrap()["welcome"], json!({ "zh-CN": "您好！", "en": "Hello!\nHow can we help?" }));

    // A group without a welcome is not listed.
    let (_, g) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(json!({ "welcome": {} }))).await;
    assert_eq!(g["welcome"], json!({}));
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert!(card_group(&cfg).is_none(), "{cfg}");
}

#[tokio::test]
async fn unknown_languages_and_long_texts_are_refused_by_name() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let refused = |body: &Value| (body["error"]["code"].clone(), body["error"]["message"].as_str().unwrap_or("").to_string());

    let (s, e) = app.call("PATCH", "/api/v1/business-types/1", Some(&admin), Some(json!({ "names": { "fr": "Cartes" } }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(refused(&e).1.contains("names") && refused(&e).1.contains("fr"), "{e}");
    let long = "名".repeat(65);
    let (s, e) = app.call("PATCH", "/api/v1/business-types/1", Some(&admin), Some(json!({ "names": { "zh-CN": long } }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(refused(&e).1.contains("names.zh-CN"), "{e}");
    let (s, e) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(json!({ "welcome": { "en": "a".repeat(501) } }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(refused(&e).1.contains("welcome.en"), "{e}");
    let (s, e) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(json!({ "welcome": "hello" }))).await;
    assert!((400..500).contains(&s) && e["error"]["message"].as_str().unwrap().contains("welcome"), "{s} {e}");

    // An agent may not change them.
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("PATCH", "/api/v1/groups/1", Some(&agent), Some(json!({ "welcome": { "en": "hi" } }))).await;
    assert_eq!(s, 403);
}
