//! A supervisor oversees the skill groups they are a member of, and only those: another group's
//! conversations (by id and in the list), agents (their day, their status) and QA (reviews,
//! appeals) are refused with a 403 that says why. A supervisor in no group oversees nothing,
//! on the live pages as in the reports. The demo supervisor is in card services only.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::notes::user_id;

/// A conversation of the loans group (business type 2) that agent3 served and closed.
async fn loans_conversation(app: &TestApp) -> i64 {
    let agent = app.ready_agent(3).await;
    let visitor = app.visitor("贷款客户").await;
    let (s, c) =
        app.call("POST", "/api/v1/conversations", Some(&visitor), Some(json!({ "business_type_id": 2, "message": "想问贷款" }))).await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{e}");
    let close = json!({ "wrap_up_code": "resolved" });
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(close)).await;
    assert_eq!(s, 200, "{e}");
    id
}

fn refused(s: u16, e: &Value, says: &str) {
    assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains(says), "{e}");
}

#[tokio::test]
async fn a_supervisor_is_refused_another_groups_conversations_agents_and_qa() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let loans = loans_conversation(&app).await;
    let liu = user_id(&app, &admin, "agent3@demo.kefu").await;
    let zhang = user_id(&app, &admin, "agent1@demo.kefu").await;

    // The conversation by id, and the list.
    let (s, e) = app.call("GET", &format!("/api/v1/conversations/{loans}"), Some(&sup), None).await;
    refused(s, &e, "skill group");
    let (s, e) = app.call("GET", &format!("/api/v1/conversations/{loans}/messages"), Some(&sup), None).await;
    refused(s, &e, "skill group");
    let (_, list) = app.call("GET", "/api/v1/conversations?status=closed", Some(&sup), None).await;
    assert!(!list["conversations"].as_array().unwrap().iter().any(|c| c["id"] == loans), "{list}");
    assert_eq!(app.call("GET", &format!("/api/v1/conversations/{loans}"), Some(&admin), None).await.0, 200);

    // An agent of loans only: their day and their status.
    let (s, e) = app.call("GET", &format!("/api/v1/stats/agents/{liu}"), Some(&sup), None).await;
    refused(s, &e, &format!("agent {liu}"));
    assert_eq!(app.call("GET", &format!("/api/v1/stats/agents/{zhang}"), Some(&sup), None).await.0, 200, "card services is theirs");
    let away = json!({ "status": "away", "reason": "training", "note": "辅导" });
    let (s, e) = app.call("PUT", &format!("/api/v1/agents/{liu}/status"), Some(&sup), Some(away.clone())).await;
    refused(s, &e, "skill groups you supervise");
    let (s, e) = app.call("PUT", &format!("/api/v1/agents/{zhang}/status"), Some(&sup), Some(away)).await;
    assert_eq!(s, 200, "{e}");

    // QA: the review page, the appeals list and the decision.
    let (_, forms) = app.call("POST", "/api/v1/qa/starter", Some(&admin), None).await;
    assert!(forms["rules"].is_array(), "{forms}");
    let (_, forms) = app.call("GET", "/api/v1/qa/forms", Some(&admin), None).await;
    let form_id = forms["forms"][0]["id"].as_i64().unwrap();
    let review = json!({ "form_id": form_id, "items": [{ "score": 10 }, { "score": 20 }, { "score": 30 }, { "failed": false }] });
    let (s, r) = app.call("POST", &format!("/api/v1/qa/conversations/{loans}/review"), Some(&admin), Some(review)).await;
    assert_eq!(s, 201, "{r}");
    let liu_token = app.login("agent3@demo.kefu", "demo-agent").await;
    let (s, appeal) =
        app.call("POST", &format!("/api/v1/qa/reviews/{}/appeal", r["id"]), Some(&liu_token), Some(json!({ "reason": "不同意" }))).await;
    assert_eq!(s, 201, "{appeal}");
    let (s, e) = app.call("GET", &format!("/api/v1/qa/conversations/{loans}"), Some(&sup), None).await;
    refused(s, &e, "skill group");
    let (_, appeals) = app.call("GET", "/api/v1/qa/appeals", Some(&sup), None).await;
    assert_eq!(appeals["appeals"].as_array().unwrap().len(), 0, "{appeals}");
    let (_, all) = app.call("GET", "/api/v1/qa/appeals", Some(&admin), None).await;
    assert_eq!(all["appeals"].as_array().unwrap().len(), 1, "{all}");
    let decide = format!("/api/v1/qa/appeals/{}/decision", appeal["id"]);
    let (s, e) = app.call("POST", &decide, Some(&sup), Some(json!({ "outcome": "upheld" }))).await;
    refused(s, &e, "skill group");
    assert_eq!(app.call("POST", &decide, Some(&admin), Some(json!({ "outcome": "upheld" }))).await.0, 200);
    // The QA report's agent lines: card services' agents only.
    let now = jiff::Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    let span = format!("from={}&to={}", now - day, now + day);
    for (who, sees_liu) in [(&admin, true), (&sup, false)] {
        let (s, report) = app.call("GET", &format!("/api/v1/qa/report?{span}"), Some(who), None).await;
        assert_eq!(s, 200, "{report}");
        let has = report["agents"].as_array().unwrap().iter().any(|a| a["agent_id"] == liu);
        assert_eq!(has, sees_liu, "{report}");
    }
}

#[tokio::test]
async fn a_supervisor_in_no_group_oversees_nothing_and_is_told_why() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let body = json!({ "email": "lone@demo.kefu", "name": "孤 Lone", "password": "lone-supervisor-1", "role": "supervisor" });
    let (s, v) = app.call("POST", "/api/v1/agents", Some(&admin), Some(body)).await;
    assert_eq!(s, 201, "{v}");
    let lone = app.login("lone@demo.kefu", "lone-supervisor-1").await;
    let theirs = loans_conversation(&app).await;

    // The live pages show no group (they showed every group), as the reports do.
    let (_, floor) = app.call("GET", "/api/v1/stats/floor", Some(&lone), None).await;
    assert_eq!(floor["groups"], json!([]), "{floor}");
    let (_, live) = app.call("GET", "/api/v1/stats/live", Some(&lone), None).await;
    assert_eq!((live["groups"].clone(), live["agents"].clone()), (json!([]), json!([])), "{live}");
    let (_, list) = app.call("GET", "/api/v1/conversations", Some(&lone), None).await;
    assert_eq!(list["conversations"], json!([]), "{list}");
    let (s, e) = app.call("GET", &format!("/api/v1/conversations/{theirs}"), Some(&lone), None).await;
    refused(s, &e, "no skill group");
    let liu = user_id(&app, &admin, "agent3@demo.kefu").await;
    let (s, e) = app.call("GET", &format!("/api/v1/stats/agents/{liu}"), Some(&lone), None).await;
    refused(s, &e, "no skill group");
    // Search finds nothing either (the admin finds the conversation by its first words).
    let search = "/api/v1/search/conversations?q=%E8%B4%B7%E6%AC%BE"; // 贷款
    let (s, found) = app.call("GET", search, Some(&lone), None).await;
    assert_eq!((s, found["results"].as_array().map(Vec::len)), (200, Some(0)), "{found}");
    let (_, all) = app.call("GET", search, Some(&admin), None).await;
    assert!(!all["results"].as_array().unwrap().is_empty(), "{all}");
}

/// The QA report's rule lines count the same agents' conversations as its agent lines: the
/// supervisor of card services does not see the rule hits of a loans agent's conversation.
#[tokio::test]
async fn a_supervisors_qa_report_counts_rule_hits_on_their_groups_agents_only() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, starter) = app.call("POST", "/api/v1/qa/starter", Some(&admin), None).await;
    assert!(starter["rules"].is_array(), "{starter}");
    // Neither agent greets: the greeting rule hits both conversations.
    let zhang = app.ready_agent(1).await;
    let (cards, _) = crate::qa::served(&app, &zhang, "在吗", &["嗯"]).await;
    let loans = loans_conversation(&app).await;
    for id in [cards, loans] {
        crate::qa::scored(&app, &admin, id, |_| true).await;
    }
    let now = jiff::Timestamp::now();
    let day = jiff::SignedDuration::from_hours(24);
    let span = format!("from={}&to={}", now - day, now + day);
    let greeting = |report: &Value| -> (i64, i64) {
        let line = report["rules"].as_array().unwrap().iter().find(|r| r["rule_name"] == "问候语").expect("greeting line").clone();
        (line["hits"].as_i64().unwrap(), line["conversations"].as_i64().unwrap())
    };
    let total = |report: &Value| -> i64 { report["rules"].as_array().unwrap().iter().map(|r| r["hits"].as_i64().unwrap()).sum() };
    let (s, all) = app.call("GET", &format!("/api/v1/qa/report?{span}"), Some(&admin), None).await;
    assert_eq!(s, 200, "{all}");
    let (s, mine) = app.call("GET", &format!("/api/v1/qa/report?{span}"), Some(&sup), None).await;
    assert_eq!(s, 200, "{mine}");
    assert_eq!(greeting(&all), (2, 2), "{all}");
    assert_eq!(greeting(&mine), (1, 1), "card services' conversation only: {mine}");
    assert!(total(&mine) < total(&all), "{mine} {all}");
}
