//! QA set-up changes in the audit log (操作日志): rules, forms, reviewer grants and the weekly
//! sample's setting, each with who, before and after.

use serde_json::{json, Value};

use crate::helpers::spawn_app;

#[tokio::test]
async fn qa_rules_forms_reviewers_and_sampling_are_audited() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let call = |method: &'static str, path: String, body: Option<Value>| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let (s, v) = app.call(method, &path, Some(&admin), body).await;
            assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
            v
        }
    };
    let rule = call(
        "POST",
        "/api/v1/qa/rules".into(),
        Some(json!({ "name": "禁用语", "check": { "kind": "forbidden_words", "words": ["笨"] }, "weight": 20 })),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    call("PATCH", format!("/api/v1/qa/rules/{rule}"), Some(json!({ "weight": 30 }))).await;
    call("DELETE", format!("/api/v1/qa/rules/{rule}"), None).await;
    let items = json!([{ "label": "态度", "weight": 100, "fatal": false }]);
    let form = call("POST", "/api/v1/qa/forms".into(), Some(json!({ "name": "评分表", "items": items }))).await["id"].as_i64().unwrap();
    call("PATCH", format!("/api/v1/qa/forms/{form}"), Some(json!({ "enabled": false }))).await;
    let (_, agents) = app.call("GET", "/api/v1/agents", Some(&admin), None).await;
    let agent = agents["agents"].as_array().unwrap().iter().find(|a| a["email"] == "agent3@demo.kefu").unwrap()["id"].as_i64().unwrap();
    call("PUT", format!("/api/v1/qa/reviewers/{agent}"), None).await;
    call("PUT", format!("/api/v1/qa/reviewers/{agent}"), None).await;
    call("DELETE", format!("/api/v1/qa/reviewers/{agent}"), None).await;
    call("PUT", "/api/v1/qa/sampling".into(), Some(json!({ "enabled": true, "percent": 20, "flag_below": 70 }))).await;

    let (s, page) = app.call("GET", "/api/v1/audit-log", Some(&admin), None).await;
    assert_eq!(s, 200, "{page}");
    let entries = page["entries"].as_array().unwrap();
    let mut kinds: Vec<(&str, &str, &str)> = entries
        .iter()
        .filter(|e| e["entity"].as_str().unwrap().starts_with("qa_"))
        .map(|e| (e["entity"].as_str().unwrap(), e["action"].as_str().unwrap(), e["entity_id"].as_str().unwrap()))
        .collect();
    kinds.reverse();
    let (rule, form, agent) = (rule.to_string(), form.to_string(), agent.to_string());
    assert_eq!(
        kinds,
        [
            ("qa_rule", "created", rule.as_str()),
            ("qa_rule", "updated", rule.as_str()),
            ("qa_rule", "deleted", rule.as_str()),
            ("qa_form", "created", form.as_str()),
            ("qa_form", "updated", form.as_str()),
            ("qa_reviewer", "created", agent.as_str()),
            ("qa_reviewer", "deleted", agent.as_str()),
            ("qa_sampling", "updated", "weekly"),
        ],
        "oldest first here; the second grant changed nothing: {page}"
    );
    let find = |entity: &str, action: &str| {
        entries.iter().find(|e| e["entity"] == entity && e["action"] == action).unwrap_or_else(|| panic!("{entity} {action}: {page}"))
    };
    let updated = find("qa_rule", "updated");
    assert_eq!((updated["before"]["weight"].as_i64(), updated["after"]["weight"].as_i64()), (Some(20), Some(30)), "{updated}");
    assert_eq!(updated["actor_name"].as_str().map(|n| !n.is_empty()), Some(true));
    let form = find("qa_form", "updated");
    assert_eq!((form["before"]["enabled"].as_bool(), form["after"]["enabled"].as_bool()), (Some(true), Some(false)), "{form}");
    assert_eq!(find("qa_reviewer", "created")["after"]["email"], "agent3@demo.kefu");
    assert!(find("qa_rule", "deleted")["after"].is_null());
    let sampling = find("qa_sampling", "updated");
    assert_eq!((sampling["before"]["enabled"].as_bool(), sampling["after"]["percent"].as_i64()), (Some(false), Some(20)), "{sampling}");

    // The starter set is logged rule by rule, with its form.
    call("POST", "/api/v1/qa/starter".into(), None).await;
    let (_, page) = app.call("GET", "/api/v1/audit-log?entity=qa_rule", Some(&admin), None).await;
    let created = page["entries"].as_array().unwrap().iter().filter(|e| e["action"] == "created").count();
    assert_eq!(created, 1 + 10, "{page}");
}
