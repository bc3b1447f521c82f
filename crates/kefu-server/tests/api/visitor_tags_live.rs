//! A customer's tags changed by one staff user reach the others viewing that customer's open
//! conversation live (`visitor.tags`), so their customer panel follows without a reload.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::notes::served;

#[tokio::test]
async fn tagging_a_customer_reaches_the_serving_agent_live() {
    let app = spawn_app().await;
    let (_visitor, agent, id) = served(&app).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, tag) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "老客户", "color": "#409eff" }))).await;
    assert_eq!(s, 201, "{tag}");
    let tag = tag["id"].as_i64().unwrap();
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&agent), None).await;
    let vid = c["visitor"]["id"].as_i64().unwrap();
    let mut agent_ws = app.ws(&agent).await;

    // A supervisor tags the customer: the serving agent hears of it.
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, vt) = app.call("PUT", &format!("/api/v1/visitors/{vid}/tags/{tag}"), Some(&sup), None).await;
    assert_eq!(s, 200, "{vt}");
    let live = agent_ws.wait_until("visitor.tags", |e| e["data"]["visitor_id"] == vid).await;
    assert_eq!(live["conversation_id"].as_i64(), Some(id));
    assert_eq!(live["data"]["tags"][0]["id"].as_i64(), Some(tag), "{live}");
    assert!(live.get("seq").is_none(), "{live}");

    // And of the removal.
    let (s, _) = app.call("DELETE", &format!("/api/v1/visitors/{vid}/tags/{tag}"), Some(&sup), None).await;
    assert_eq!(s, 200);
    let live = agent_ws.wait_until("visitor.tags", |e| e["data"]["tags"] == json!([])).await;
    assert_eq!(live["data"]["visitor_id"].as_i64(), Some(vid));
}
