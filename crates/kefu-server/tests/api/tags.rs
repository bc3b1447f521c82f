//! Tags (标签): admins manage the list; agents tag the conversations they serve (with a staff-only
//! timeline line) and their customers; visitors never see tags; the closing webhook carries them.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::routing::post;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with};
use crate::notes::served;

#[tokio::test]
async fn admins_manage_the_tag_list_and_others_only_read_it() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;

    let (s, t) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "投诉", "color": "#F56C6C" }))).await;
    assert_eq!(s, 201, "{t}");
    assert_eq!((t["name"].as_str(), t["color"].as_str(), t["disabled"].as_bool()), (Some("投诉"), Some("#f56c6c"), Some(false)));
    let id = t["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "投诉", "color": "#000000" }))).await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "VIP", "color": "red" }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("color"), "{e}");
    for who in [&sup, &agent] {
        let (s, _) = app.call("POST", "/api/v1/tags", Some(who), Some(json!({ "name": "x", "color": "#000000" }))).await;
        assert_eq!(s, 403);
        let (s, _) = app.call("PATCH", &format!("/api/v1/tags/{id}"), Some(who), Some(json!({ "disabled": true }))).await;
        assert_eq!(s, 403);
        let (s, _) = app.call("DELETE", &format!("/api/v1/tags/{id}"), Some(who), None).await;
        assert_eq!(s, 403);
    }
    let (s, list) = app.call("GET", "/api/v1/tags", Some(&agent), None).await;
    assert_eq!((s, list["tags"].as_array().unwrap().len()), (200, 1), "{list}");

    let (s, t) = app.call("PATCH", &format!("/api/v1/tags/{id}"), Some(&admin), Some(json!({ "disabled": true, "name": "投诉单" }))).await;
    assert_eq!(s, 200, "{t}");
    assert_eq!((t["name"].as_str(), t["disabled"].as_bool(), t["color"].as_str()), (Some("投诉单"), Some(true), Some("#f56c6c")));
    let (_, list) = app.call("GET", "/api/v1/tags", Some(&agent), None).await;
    assert_eq!(list["tags"], json!([]), "disabled tags are not offered");
    let (_, list) = app.call("GET", "/api/v1/tags?include_disabled=true", Some(&admin), None).await;
    assert_eq!(list["tags"].as_array().unwrap().len(), 1);

    let (s, _) = app.call("DELETE", &format!("/api/v1/tags/{id}"), Some(&admin), None).await;
    assert_eq!(s, 204);
    let (s, _) = app.call("DELETE", &format!("/api/v1/tags/{id}"), Some(&admin), None).await;
    assert_eq!(s, 404);
    let (s, _) = app.call("GET", "/api/v1/tags", None, None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn agents_tag_their_conversations_and_customers_and_visitors_see_no_tag() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (visitor, agent, id) = served(&app).await;
    let mut agent_ws = app.ws(&agent).await;
    let (_, t) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "TAG-SECRET-9", "color": "#409eff" }))).await;
    let tag = t["id"].as_i64().unwrap();
    let (_, off) =
        app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "停用", "color": "#909399", "disabled": true }))).await;

    let (s, tags) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{tag}"), Some(&agent), None).await;
    assert_eq!(s, 200, "{tags}");
    assert_eq!(tags["tags"][0]["name"], "TAG-SECRET-9");
    let (s, _) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{tag}"), Some(&agent), None).await;
    assert_eq!(s, 200, "idempotent");
    let (s, e) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{}", off["id"]), Some(&agent), None).await;
    assert_eq!(s, 422, "{e}");
    let live = agent_ws.wait_until("conversation.tags", |e| e["conversation_id"] == id).await;
    assert_eq!(live["data"]["tags"][0]["id"], tag);
    // The timeline line: one, however often the same tag is put on.
    let (_, notes) = app.call("GET", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), None).await;
    let lines: Vec<&Value> = notes["notes"].as_array().unwrap().iter().filter(|n| n["kind"] == "tag_added").collect();
    assert_eq!(lines.len(), 1, "{notes}");
    assert_eq!((lines[0]["body"].as_str(), lines[0]["author_name"].as_str()), (Some("TAG-SECRET-9"), Some("李娜 Li Na")));

    // Staff see the tags on the conversation; the visitor sees none.
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&agent), None).await;
    assert_eq!(c["tags"][0]["id"], tag);
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&visitor), None).await;
    assert_eq!(c["tags"], json!([]), "{c}");
    assert!(!c.to_string().contains("TAG-SECRET-9"));
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}/tags"), Some(&visitor), None).await;
    assert!(s == 401 || s == 403);

    // Another agent who never served it: not found.
    let other = app.login("agent4@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{tag}"), Some(&other), None).await;
    assert_eq!(s, 404);

    // The customer's tags, on the customer panel.
    let vid = c["visitor"]["id"].as_i64().unwrap();
    let (s, vt) = app.call("PUT", &format!("/api/v1/visitors/{vid}/tags/{tag}"), Some(&agent), None).await;
    assert_eq!(s, 200, "{vt}");
    let (_, vt) = app.call("GET", &format!("/api/v1/visitors/{vid}/tags"), Some(&agent), None).await;
    assert_eq!(vt["tags"][0]["id"], tag);
    let (s, _) = app.call("GET", &format!("/api/v1/visitors/{vid}/tags"), Some(&other), None).await;
    assert_eq!(s, 404, "only who serves the customer (or supervisors) reads their tags");
    let (s, vt) = app.call("DELETE", &format!("/api/v1/visitors/{vid}/tags/{tag}"), Some(&agent), None).await;
    assert_eq!((s, vt["tags"].clone()), (200, json!([])));

    // Untagging writes its line too.
    let (s, tags) = app.call("DELETE", &format!("/api/v1/conversations/{id}/tags/{tag}"), Some(&agent), None).await;
    assert_eq!((s, tags["tags"].clone()), (200, json!([])));
    let (_, notes) = app.call("GET", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), None).await;
    assert!(notes["notes"].as_array().unwrap().iter().any(|n| n["kind"] == "tag_removed"), "{notes}");
}

#[tokio::test]
async fn the_closing_webhook_carries_the_tags() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let seen: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let s2 = seen.clone();
    let hook = axum::Router::new().route(
        "/hook",
        post(move |body: Bytes| {
            let s = s2.clone();
            async move {
                s.lock().unwrap().push(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, hook).await.unwrap() });

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, w) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["conversation.closed"] }))).await;
    assert_eq!(s, 201, "{w}");
    let (_, t) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "已办结", "color": "#67c23a" }))).await;
    let (_visitor, agent, id) = served(&app).await;
    let (s, _) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{}", t["id"]), Some(&agent), None).await;
    assert_eq!(s, 200);
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{e}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while seen.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let body = seen.lock().unwrap().first().cloned().expect("conversation.closed delivered");
    let payload: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["conversation"]["tags"][0]["name"], "已办结", "{payload}");
}
