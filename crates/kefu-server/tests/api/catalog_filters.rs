//! The admin tables' filters beside search, applied on the server before the page is cut (so
//! `total` and the cursor count only matching rows): tags, wrap-up codes and webhooks by status,
//! skill groups by routing strategy, business types by group, API keys by scope. A bad status is
//! a 422 naming the field.

use crate::helpers::spawn_app_with;
use serde_json::{json, Value};

fn names(v: &Value, key: &str, field: &str) -> Vec<String> {
    v[key].as_array().unwrap_or_else(|| panic!("no {key}: {v}")).iter().map(|r| r[field].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn each_catalog_filters_on_the_server_and_pages_within_the_filter() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let call = |m: &'static str, p: String, b: Option<Value>| {
        let (app, admin) = (&app, admin.clone());
        async move { app.call(m, &p, Some(&admin), b).await }
    };

    // Tags: one disabled among enabled ones.
    let (_, off) = call("POST", "/api/v1/tags".into(), Some(json!({ "name": "停用标签", "color": "#999999" }))).await;
    let (s, _) = call("PATCH", format!("/api/v1/tags/{}", off["id"]), Some(json!({ "disabled": true }))).await;
    assert_eq!(s, 200);
    call("POST", "/api/v1/tags".into(), Some(json!({ "name": "启用标签", "color": "#336699" }))).await;
    let (_, d) = call("GET", "/api/v1/tags?include_disabled=true&status=disabled".into(), None).await;
    assert_eq!((names(&d, "tags", "name"), d["total"].as_i64()), (vec!["停用标签".to_string()], Some(1)), "{d}");
    let (_, e) = call("GET", "/api/v1/tags?include_disabled=true&status=enabled&limit=200".into(), None).await;
    assert!(
        names(&e, "tags", "name").contains(&"启用标签".to_string()) && !names(&e, "tags", "name").contains(&"停用标签".to_string()),
        "{e}"
    );
    let (s, bad) = call("GET", "/api/v1/tags?status=off".into(), None).await;
    assert_eq!((s, bad["error"]["params"]["field"].as_str()), (422, Some("status")), "{bad}");

    // Wrap-up codes: disable one.
    let (_, codes) = call("GET", "/api/v1/wrap-up-codes".into(), None).await;
    let first = codes["codes"][0]["id"].as_i64().unwrap();
    let (s, _) = call("PATCH", format!("/api/v1/wrap-up-codes/{first}"), Some(json!({ "disabled": true }))).await;
    assert_eq!(s, 200);
    let (_, d) = call("GET", "/api/v1/wrap-up-codes?status=disabled".into(), None).await;
    assert_eq!((d["total"].as_i64(), d["codes"][0]["id"].as_i64()), (Some(1), Some(first)), "{d}");
    let (_, e) = call("GET", "/api/v1/wrap-up-codes?status=enabled".into(), None).await;
    assert_eq!(e["total"].as_i64(), Some(codes["total"].as_i64().unwrap() - 1), "{e}");

    // Skill groups by strategy, paged within the filter.
    for i in 0..3 {
        let (s, g) = call("POST", "/api/v1/groups".into(), Some(json!({ "name": format!("随机组{i}"), "strategy": "random" }))).await;
        assert_eq!(s, 201, "{g}");
    }
    let (_, r) = call("GET", "/api/v1/groups?strategy=random&limit=2".into(), None).await;
    assert_eq!((r["total"].as_i64(), r["groups"].as_array().unwrap().len()), (Some(3), 2), "{r}");
    let (_, r2) = call("GET", format!("/api/v1/groups?strategy=random&limit=2&after={}", r["next_after"]), None).await;
    assert_eq!((names(&r2, "groups", "name"), r2["next_after"].clone()), (vec!["随机组2".to_string()], Value::Null), "{r2}");
    let (s, _) = call("GET", "/api/v1/groups?strategy=teleport".into(), None).await;
    assert!((400..500).contains(&s), "{s}");

    // Business types by group.
    let gid = r["groups"][0]["id"].as_i64().unwrap();
    let (s, bt) = call("POST", "/api/v1/business-types".into(), Some(json!({ "name": "随机业务", "group_id": gid }))).await;
    assert_eq!(s, 201, "{bt}");
    let (_, of) = call("GET", format!("/api/v1/business-types?group_id={gid}"), None).await;
    assert_eq!((names(&of, "business_types", "name"), of["total"].as_i64()), (vec!["随机业务".to_string()], Some(1)), "{of}");

    // API keys by scope.
    call("POST", "/api/v1/api-keys".into(), Some(json!({ "name": "报表钥匙", "scopes": ["stats:read"] }))).await;
    call("POST", "/api/v1/api-keys".into(), Some(json!({ "name": "读会话钥匙", "scopes": ["conversations:read"] }))).await;
    let (_, k) = call("GET", "/api/v1/api-keys?scope=stats:read".into(), None).await;
    assert_eq!(names(&k, "api_keys", "name"), vec!["报表钥匙".to_string()], "{k}");

    // Webhooks: active or paused.
    let (s, h) = call("POST", "/api/v1/webhooks".into(), Some(json!({ "url": "http://127.0.0.1:9/paused", "events": ["*"] }))).await;
    assert_eq!(s, 201, "{h}");
    let (s, _) = call("PATCH", format!("/api/v1/webhooks/{}", h["webhook"]["id"]), Some(json!({ "active": false }))).await;
    assert_eq!(s, 200);
    call("POST", "/api/v1/webhooks".into(), Some(json!({ "url": "http://127.0.0.1:9/live", "events": ["*"] }))).await;
    let (_, p) = call("GET", "/api/v1/webhooks?status=disabled".into(), None).await;
    assert_eq!(names(&p, "webhooks", "url"), vec!["http://127.0.0.1:9/paused".to_string()], "{p}");
    let (_, a) = call("GET", "/api/v1/webhooks?status=enabled".into(), None).await;
    assert_eq!(names(&a, "webhooks", "url"), vec!["http://127.0.0.1:9/live".to_string()], "{a}");

    // The filters add no reader: an agent still cannot list webhooks or keys.
    let agent = app.ready_agent(1).await;
    for path in ["/api/v1/webhooks?status=enabled", "/api/v1/api-keys?scope=admin"] {
        let (s, _) = app.call("GET", path, Some(&agent), None).await;
        assert_eq!(s, 403, "{path}");
    }
}
