//! The agent's lists: "my closed conversations" (newest first, cursor-paged, read-only) and the
//! reply wait each conversation shows against its group's reply target.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::notes::served;

#[tokio::test]
async fn my_closed_conversations_are_paged_newest_first() {
    let app = spawn_app().await;
    let mut ids = vec![];
    let mut agent = String::new();
    for _ in 0..3 {
        let (_visitor, a, id) = served(&app).await;
        let (s, e) =
            app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&a), Some(json!({ "wrap_up_code": "resolved" }))).await;
        assert_eq!(s, 200, "{e}");
        ids.push(id);
        agent = a;
        // Distinct closing times, so the order is the closing order.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (s, page) = app.call("GET", "/api/v1/agents/me/closed-conversations?limit=2", Some(&agent), None).await;
    assert_eq!(s, 200, "{page}");
    let got: Vec<i64> = page["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(got, vec![ids[2], ids[1]]);
    assert_eq!(page["conversations"][0]["status"], "closed");
    let cursor = page["next_before"].as_str().unwrap().to_string();
    let (_, page) = app.call("GET", &format!("/api/v1/agents/me/closed-conversations?limit=2&before={cursor}"), Some(&agent), None).await;
    let got: Vec<i64> = page["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!((got, page["next_before"].clone()), (vec![ids[0]], json!(null)));
    // The transcript opens for them (read-only: it is closed).
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{}/messages", ids[0]), Some(&agent), None).await;
    assert_eq!(s, 200);

    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (_, page) = app.call("GET", "/api/v1/agents/me/closed-conversations", Some(&other), None).await;
    assert_eq!(page["conversations"], json!([]), "only one's own");
    let (s, _) = app.call("GET", "/api/v1/agents/me/closed-conversations?before=nonsense", Some(&agent), None).await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn the_reply_wait_runs_from_the_unanswered_message_against_the_group_target() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    let path = format!("/api/v1/conversations/{id}");
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert!(c["awaiting_reply_since"].is_string(), "the opening message waits: {c}");
    assert_eq!(c["reply_target_secs"], 60);
    let (s, _) = app.call("POST", &format!("{path}/messages"), Some(&agent), Some(json!({ "body": "您好" }))).await;
    assert_eq!(s, 201);
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert!(c["awaiting_reply_since"].is_null(), "answered: {c}");
    let (_, m) = app.call("POST", &format!("{path}/messages"), Some(&visitor), Some(json!({ "body": "在吗" }))).await;
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert_eq!(c["awaiting_reply_since"], m["created_at"]);

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let group = c["group_id"].as_i64().unwrap();
    let (s, e) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&admin), Some(json!({ "reply_target_secs": 5 }))).await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&agent), Some(json!({ "reply_target_secs": 30 }))).await;
    assert_eq!(s, 403);
    let (s, g) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&admin), Some(json!({ "reply_target_secs": 30 }))).await;
    assert_eq!((s, g["reply_target_secs"].as_i64()), (200, Some(30)), "{g}");
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert_eq!(c["reply_target_secs"], 30);
}
