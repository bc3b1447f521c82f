//! What an offer tells the agent before they take it: the customer's first message travels in
//! `offer.created` and in the REST copy of the offered conversation, never to the visitor.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_offer_carries_the_customers_first_message() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let visitor = app.visitor("王芳").await;

    let conv = app.start(&visitor, "我的信用卡被锁了").await;
    let id = conv["id"].as_i64().unwrap();
    let offer = agent_ws.wait_for("offer.created").await;
    let first = &offer["data"]["conversation"]["first_message"];
    assert_eq!(first["body"], "我的信用卡被锁了", "{offer}");
    assert_eq!(first["sender"], "visitor");

    // A later message does not replace it; the page-load list of offers has it too.
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), Some(json!({ "body": "还在吗" }))).await;
    assert_eq!(s, 201);
    let (s, list) = app.call("GET", "/api/v1/conversations?status=offered&mine=true", Some(&agent), None).await;
    assert_eq!(s, 200, "{list}");
    let mine = list["conversations"].as_array().unwrap().iter().find(|c| c["id"] == id).cloned().expect("offered to me");
    assert_eq!(mine["first_message"]["body"], "我的信用卡被锁了");

    // The visitor's own copy does not carry it (staff only).
    let (_, own) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&visitor), None).await;
    assert!(own["first_message"].is_null(), "{own}");
}

#[tokio::test]
async fn an_offer_without_a_message_yet_says_so_with_null() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let visitor = app.visitor("Tom").await;
    let (s, v) = app.call("POST", "/api/v1/conversations", Some(&visitor), Some(json!({ "business_type_id": 1 }))).await;
    assert_eq!(s, 201, "{v}");
    let offer = agent_ws.wait_for("offer.created").await;
    assert!(offer["data"]["conversation"]["first_message"].is_null(), "{offer}");
}
