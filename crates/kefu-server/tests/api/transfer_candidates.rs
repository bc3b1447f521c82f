//! The transfer list: each agent with status, load and the router's verdict (and why not), each
//! group with its line and ready members; only the serving agent may ask.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

fn agent(list: &Value, id: i64) -> Value {
    list["agents"].as_array().unwrap().iter().find(|a| a["id"] == id).unwrap_or_else(|| panic!("agent {id} in {list}")).clone()
}

fn group(list: &Value, id: i64) -> Value {
    list["groups"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap().clone()
}

#[tokio::test]
async fn the_list_gives_each_agent_the_routers_verdict_and_each_group_its_line() {
    let app = spawn_app().await;
    // Demo ids: admin 1, supervisor 2, agent1..4 = 3..6; groups: cards 1, loans 2.
    let a1 = app.ready_agent(1).await;
    let a3 = app.ready_agent(3).await;
    app.call("PUT", "/api/v1/agents/me/status", Some(&a3), Some(json!({ "status": "away", "reason": "用餐" }))).await;
    let v = app.visitor("转接客户").await;
    let id = app.start(&v, "请帮我转接").await["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
    assert_eq!(s, 200, "{e}");
    // Someone waits in the loans line: nobody there is ready.
    let v2 = app.visitor("贷款客户").await;
    let (s, e) = app.call("POST", "/api/v1/conversations", Some(&v2), Some(json!({ "business_type_id": 2, "message": "想办贷款" }))).await;
    assert_eq!(s, 201, "{e}");

    let path = format!("/api/v1/conversations/{id}/transfer-candidates");
    let (s, list) = app.call("GET", &path, Some(&a1), None).await;
    assert_eq!(s, 200, "{list}");
    let me = agent(&list, 3);
    assert_eq!((me["available"].as_bool(), me["reason"].as_str(), me["status"].as_str()), (Some(false), Some("current"), Some("ready")));
    assert_eq!(me["load"]["chat"], 1);
    assert_eq!(me["capacity"]["chat"], 5);
    let away = agent(&list, 5);
    assert_eq!((away["available"].as_bool(), away["reason"].as_str(), away["status"].as_str()), (Some(false), Some("away"), Some("away")));
    let offline = agent(&list, 4);
    assert_eq!((offline["available"].as_bool(), offline["reason"].as_str()), (Some(false), Some("offline")));
    let loans = group(&list, 2);
    assert_eq!((loans["waiting"].as_i64(), loans["ready"].as_i64(), loans["available"].as_bool()), (Some(1), Some(0), Some(true)));
    let cards = group(&list, 1);
    assert_eq!((cards["waiting"].as_i64(), cards["ready"].as_i64()), (Some(0), Some(1)));

    // The list and the transfer agree: greyed is refused, available is taken.
    let transfer = format!("/api/v1/conversations/{id}/transfer");
    let (s, e) = app.call("POST", &transfer, Some(&a1), Some(json!({ "agent_id": 5 }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("agent_unavailable")), "{e}");
    let _a2 = app.ready_agent(2).await;
    let (_, list) = app.call("GET", &path, Some(&a1), None).await;
    let a2 = agent(&list, 4);
    assert_eq!((a2["available"].as_bool(), a2["reason"].clone()), (Some(true), Value::Null), "{a2}");
    let (s, e) = app.call("POST", &transfer, Some(&a1), Some(json!({ "agent_id": 4 }))).await;
    assert_eq!(s, 200, "{e}");
}

#[tokio::test]
async fn a_full_agent_is_greyed_as_full() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, e) = app.call("PATCH", "/api/v1/agents/4", Some(&admin), Some(json!({ "capacity": { "chat": 1, "call": 1 } }))).await;
    assert_eq!(s, 200, "{e}");
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("第一位").await;
    let first = app.start(&v, "你好").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&a1), None).await;
    // Agent 2 fills their one slot with a conversation of their own.
    let a2 = app.ready_agent(2).await;
    app.call("PUT", "/api/v1/agents/me/status", Some(&a1), Some(json!({ "status": "away" }))).await;
    let v2 = app.visitor("第二位").await;
    let second = app.start(&v2, "在吗").await["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{second}/accept"), Some(&a2), None).await;
    assert_eq!(s, 200, "{e}");
    let (_, list) = app.call("GET", &format!("/api/v1/conversations/{first}/transfer-candidates"), Some(&a1), None).await;
    let full = agent(&list, 4);
    assert_eq!((full["available"].as_bool(), full["reason"].as_str(), full["load"]["chat"].as_i64()), (Some(false), Some("full"), Some(1)));
}

#[tokio::test]
async fn only_the_serving_agent_may_list_transfer_targets() {
    let app = spawn_app().await;
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("客户").await;
    let id = app.start(&v, "你好").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/transfer-candidates");
    // Offered, not yet accepted: not theirs to transfer.
    let (s, _) = app.call("GET", &path, Some(&a1), None).await;
    assert_eq!(s, 403);
    app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
    let a2 = app.ready_agent(2).await;
    let (s, e) = app.call("GET", &path, Some(&a2), None).await;
    assert!(s == 403 || s == 404, "another agent: {s} {e}");
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, _) = app.call("GET", &path, Some(&admin), None).await;
    assert_eq!(s, 403, "an admin is not the serving agent");
    let (s, _) = app.call("GET", &path, Some(&v), None).await;
    assert!(s == 401 || s == 403, "a visitor: {s}");
    let (s, _) = app.call("GET", &path, None, None).await;
    assert_eq!(s, 401);
    let (s, _) = app.call("GET", "/api/v1/conversations/999999/transfer-candidates", Some(&a1), None).await;
    assert_eq!(s, 404);
}
