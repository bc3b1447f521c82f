//! A supervisor sets an agent's status (with a reason, audited); the agent hears of it live.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_supervisor_sets_an_agents_status_with_a_reason_and_the_agent_hears_of_it() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    let id = me["id"].as_i64().unwrap();
    let mut agent_ws = app.ws(&agent).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;

    let body = json!({ "status": "away", "reason": "training", "note": "参加下午的产品培训" });
    let (s, v) = app.call("PUT", &format!("/api/v1/agents/{id}/status"), Some(&sup), Some(body.clone())).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["status"].as_str(), v["away_reason"].as_str()), (Some("away"), Some("training")), "{v}");
    let live = agent_ws.wait_for("agent.status").await;
    assert_eq!(live["data"]["status"], "away", "{live}");
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    assert_eq!(me["status"], "away");

    // Back to ready: a waiting customer is offered to them at once.
    let visitor = app.visitor("排队客户").await;
    app.start(&visitor, "在吗").await;
    let (s, v) =
        app.call("PUT", &format!("/api/v1/agents/{id}/status"), Some(&sup), Some(json!({ "status": "ready", "note": "培训取消" }))).await;
    assert_eq!(s, 200, "{v}");
    agent_ws.wait_for("offer.created").await;

    // Only supervisors and admins, with a note; agents and API keys may not.
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("PUT", &format!("/api/v1/agents/{id}/status"), Some(&other), Some(body.clone())).await;
    assert_eq!(s, 403);
    let (s, e) = app.call("PUT", &format!("/api/v1/agents/{id}/status"), Some(&sup), Some(json!({ "status": "away", "note": " " }))).await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = app.call("PUT", "/api/v1/agents/99999/status", Some(&sup), Some(body)).await;
    assert_eq!(s, 404);
}
