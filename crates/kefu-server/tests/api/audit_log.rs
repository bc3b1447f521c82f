//! The audit log of administrative changes (操作日志): who changed what, when, before and after;
//! no secret in it; searchable and paged; admins only.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with};

async fn entries(app: &crate::helpers::TestApp, admin: &str, query: &str) -> Vec<Value> {
    let (s, page) = app.call("GET", &format!("/api/v1/audit-log{query}"), Some(admin), None).await;
    assert_eq!(s, 200, "{page}");
    page["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn admin_changes_are_logged_with_who_before_and_after_and_no_secret() {
    // The webhook target is on loopback, which only the operator's allowance opens (nothing is
    // delivered: no conversation event happens here).
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    let (s, g) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "信用卡分期" }))).await;
    assert_eq!(s, 201, "{g}");
    let group = g["id"].as_i64().unwrap();
    let (s, _) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&admin), Some(json!({ "name": "信用卡分期服务" }))).await;
    assert_eq!(s, 200);
    let (s, hook) =
        app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["*"] }))).await;
    assert_eq!(s, 201, "{hook}");
    let (s, key) = app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "crm", "scopes": ["stats:read"] }))).await;
    assert_eq!(s, 201, "{key}");
    let (s, secret) = app.call("POST", "/api/v1/widgets/identity-secret/rotate", Some(&admin), None).await;
    assert_eq!(s, 200);
    let (_, agents) = app.call("GET", "/api/v1/agents", Some(&admin), None).await;
    let agent = agents["agents"].as_array().unwrap().iter().find(|a| a["email"] == "agent1@demo.kefu").unwrap()["id"].as_i64().unwrap();
    let (s, _) = app.call("PATCH", &format!("/api/v1/agents/{agent}"), Some(&admin), Some(json!({ "password": "a-new-secret-1" }))).await;
    assert_eq!(s, 200);

    let all = entries(&app, &admin, "").await;
    let kinds: Vec<(&str, &str)> = all.iter().map(|e| (e["entity"].as_str().unwrap(), e["action"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [
            ("agent", "updated"),
            ("identity_secret", "rotated"),
            ("api_key", "created"),
            ("webhook", "created"),
            ("group", "updated"),
            ("group", "created")
        ],
        "newest first"
    );
    let renamed = &all[4];
    assert_eq!((renamed["before"]["name"].as_str(), renamed["after"]["name"].as_str()), (Some("信用卡分期"), Some("信用卡分期服务")));
    assert_eq!(renamed["entity_id"], group.to_string());
    assert!(renamed["actor_name"].as_str().is_some_and(|n| !n.is_empty()));
    assert!(renamed["actor_id"].as_i64().is_some() && renamed["api_key_id"].is_null());
    assert!(all[0]["summary"].as_str().unwrap().contains("password reset"));

    let text = serde_json::to_string(&all).unwrap();
    for secret in [hook["secret"].as_str().unwrap(), key["key"].as_str().unwrap(), secret["secret"].as_str().unwrap(), "a-new-secret-1"] {
        assert!(!text.contains(secret), "a secret reached the audit log");
    }

    // Search by a Chinese word inside the name, by kind of object, by one object's history.
    assert_eq!(entries(&app, &admin, "?q=%E5%88%86%E6%9C%9F").await.len(), 2);
    assert_eq!(entries(&app, &admin, "?entity=webhook").await.len(), 1);
    assert_eq!(entries(&app, &admin, &format!("?entity=group&entity_id={group}")).await.len(), 2);
    assert_eq!(entries(&app, &admin, "?from=2999-01-01T00:00:00Z").await.len(), 0);

    // Paged by a cursor: a change made between pages does not shift the next one.
    let (_, first) = app.call("GET", "/api/v1/audit-log?limit=4", Some(&admin), None).await;
    let cursor = first["next_before"].as_str().unwrap().to_string();
    let (s, _) = app.call("DELETE", &format!("/api/v1/webhooks/{}", hook["webhook"]["id"]), Some(&admin), None).await;
    assert_eq!(s, 204);
    let (_, second) = app.call("GET", &format!("/api/v1/audit-log?limit=4&before={cursor}"), Some(&admin), None).await;
    let rest: Vec<&str> = second["entries"].as_array().unwrap().iter().map(|e| e["entity"].as_str().unwrap()).collect();
    assert_eq!(rest, ["group", "group"]);
    assert!(second["next_before"].is_null());
}

#[tokio::test]
async fn only_admins_read_the_audit_log_and_bad_filters_are_named() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    for (who, pass) in [("supervisor@demo.kefu", "demo-supervisor"), ("agent1@demo.kefu", "demo-agent")] {
        let token = app.login(who, pass).await;
        let (s, _) = app.call("GET", "/api/v1/audit-log", Some(&token), None).await;
        assert_eq!(s, 403);
    }
    let (s, _) = app.call("GET", "/api/v1/audit-log", None, None).await;
    assert_eq!(s, 401);
    for (query, field) in [("limit=0", "limit"), ("before=x", "before"), ("from=yesterday", "from"), ("entity=planet", "entity")] {
        let (s, e) = app.call("GET", &format!("/api/v1/audit-log?{query}"), Some(&admin), None).await;
        assert!((400..500).contains(&s), "{query}: {s}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field), "{query}: {e}");
    }
}

#[tokio::test]
async fn alert_thresholds_and_planning_settings_changes_are_logged_with_before_and_after() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let levels = json!({
        "waiting_warning": 3, "waiting_critical": 6,
        "longest_wait_warning_secs": 60, "longest_wait_critical_secs": 120,
        "service_level_warning_pct": 80, "service_level_critical_pct": 60
    });
    let (s, v) = app.call("PUT", "/api/v1/groups/1/alert-thresholds", Some(&admin), Some(levels)).await;
    assert_eq!(s, 200, "{v}");
    let (s, _) = app.call("DELETE", "/api/v1/groups/1/alert-thresholds", Some(&admin), None).await;
    assert_eq!(s, 204);
    // Back on the defaults already: nothing changed, nothing logged.
    let (s, _) = app.call("DELETE", "/api/v1/groups/1/alert-thresholds", Some(&admin), None).await;
    assert_eq!(s, 204);
    let settings = json!({ "shrinkage": 0.35, "concurrency": 3, "service_level": 0.9, "within_secs": 15 });
    let (s, v) = app.call("PUT", "/api/v1/planning/groups/2/settings", Some(&admin), Some(settings)).await;
    assert_eq!(s, 200, "{v}");

    let all = entries(&app, &admin, "").await;
    let kinds: Vec<(&str, &str, &str)> =
        all.iter().map(|e| (e["entity"].as_str().unwrap(), e["action"].as_str().unwrap(), e["entity_id"].as_str().unwrap())).collect();
    assert_eq!(
        kinds,
        [("planning_settings", "updated", "2"), ("alert_thresholds", "deleted", "1"), ("alert_thresholds", "updated", "1")],
        "newest first: {all:?}"
    );
    let set = &all[2];
    assert_eq!((set["before"]["custom"].as_bool(), set["after"]["custom"].as_bool()), (Some(false), Some(true)), "{set}");
    assert_eq!(set["after"]["waiting_warning"], 3, "{set}");
    assert!(set["summary"].as_str().unwrap().contains("Card services"), "{set}");
    assert_eq!(all[1]["before"]["waiting_warning"], 3);
    assert_eq!(all[1]["after"]["custom"], false);
    let plan = &all[0];
    assert_eq!(plan["after"]["concurrency"], 3, "{plan}");
    assert_eq!(plan["before"]["concurrency"], 1, "the default before: {plan}");
    assert!(plan["summary"].as_str().unwrap().contains("Loans"), "{plan}");

    // The log can be filtered by the new kinds.
    let only = entries(&app, &admin, "?entity=alert_thresholds").await;
    assert_eq!(only.len(), 2, "{only:?}");
}
