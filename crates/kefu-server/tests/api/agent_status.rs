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

#[tokio::test]
async fn a_supervisor_opens_an_agents_row_their_conversations_now_and_their_day() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    let id = me["id"].as_i64().unwrap();
    let mut ws = app.ws(&agent).await;
    // One conversation served and closed with a rating, one served now.
    for (name, close) in [("已结束的客户", true), ("正在接待的客户", false)] {
        let v = app.visitor(name).await;
        let c = app.start(&v, "你好").await;
        let cid = c["id"].as_i64().unwrap();
        ws.wait_until("offer.created", |f| f["conversation_id"] == cid).await;
        let (s, a) = app.call("POST", &format!("/api/v1/conversations/{cid}/accept"), Some(&agent), None).await;
        assert_eq!(s, 200, "{a}");
        if close {
            let (s, e) = app
                .call("POST", &format!("/api/v1/conversations/{cid}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" })))
                .await;
            assert_eq!(s, 200, "{e}");
            let (s, e) = app.call("POST", &format!("/api/v1/conversations/{cid}/csat"), Some(&v), Some(json!({ "score": 4 }))).await;
            assert_eq!(s, 200, "{e}");
        }
    }
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, day) = app.call("GET", &format!("/api/v1/stats/agents/{id}"), Some(&sup), None).await;
    assert_eq!(s, 200, "{day}");
    assert_eq!(day["agent"]["id"], id);
    assert_eq!(day["today"]["answered"], 2, "{day}");
    assert_eq!(day["today"]["csat_average"], 4.0, "{day}");
    let now: Vec<_> = day["conversations"].as_array().unwrap().iter().map(|c| c["visitor"]["name"].clone()).collect();
    assert_eq!(now, vec![json!("正在接待的客户")], "{day}");
    // Another agent's figures do not count theirs; agents may not open a colleague's row.
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (_, me2) = app.call("GET", "/api/v1/agents/me", Some(&other), None).await;
    let (_, day2) = app.call("GET", &format!("/api/v1/stats/agents/{}", me2["id"]), Some(&sup), None).await;
    assert_eq!(day2["today"]["answered"], 0, "{day2}");
    let (s, _) = app.call("GET", &format!("/api/v1/stats/agents/{id}"), Some(&other), None).await;
    assert_eq!(s, 403);
    let (s, _) = app.call("GET", "/api/v1/stats/agents/99999", Some(&sup), None).await;
    assert_eq!(s, 404);
}
