//! 接管: a supervisor takes a served chat over and serves it at once; the agent loses it, the
//! customer reads who serves them now; only supervisors (people, not keys) with a free slot may.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::notes::served;

#[tokio::test]
async fn a_supervisor_takes_over_a_served_chat_and_the_customer_sees_who_serves_them() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let mut visitor_ws = app.ws(&visitor).await;
    let mut agent_ws = app.ws(&agent).await;

    // Agents cannot, and an offline supervisor serves nobody.
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/take-over"), Some(&agent), None).await;
    assert_eq!(s, 403);
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/take-over"), Some(&sup), None).await;
    assert_eq!(s, 409, "{e}");

    let (s, _) = app.call("PUT", "/api/v1/agents/me/status", Some(&sup), Some(json!({ "status": "away", "reason": "监听" }))).await;
    assert_eq!(s, 200);
    let (s, c) = app.call("POST", &format!("/api/v1/conversations/{id}/take-over"), Some(&sup), None).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["status"], "assigned");
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&sup), None).await;
    assert_eq!(c["agent_id"], me["id"], "served by the supervisor at once, no offer");
    assert_eq!(me["load"]["chat"], 1);

    // The customer reads it as a hand-over to the supervisor by name; the agent's load is free.
    let line = visitor_ws.wait_until("message.created", |e| e["data"]["body"] == "transferred").await;
    assert_eq!(line["data"]["data"]["to_agent_name"], me["name"]);
    // The agent's workspace hears it is no longer theirs.
    let taken = agent_ws.wait_until("message.created", |e| e["data"]["body"] == "transferred").await;
    assert_eq!(taken["data"]["data"]["taken_over"], true);
    agent_ws.wait_until("conversation.updated", |e| e["conversation_id"] == id && e["data"]["agent_id"].is_null()).await;
    let (_, a) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    assert_eq!(a["load"]["chat"], 0);
    // The supervisor now serves it: they write and close it like any agent.
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&sup), Some(json!({ "body": "您好，我是班长" }))).await;
    assert_eq!(s, 201);
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/take-over"), Some(&sup), None).await;
    assert_eq!(s, 409, "already theirs: {e}");
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&sup), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/take-over"), Some(&sup), None).await;
    assert_eq!(s, 409, "closed");
}
