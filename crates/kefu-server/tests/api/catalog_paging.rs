//! Every admin catalog list pages by cursor and finds text: groups, business types, tags, canned
//! responses, wrap-up codes, API keys and webhooks. Walking the pages returns every row once, in
//! the list's own order; a row created meanwhile does not make a page repeat; `q` narrows the
//! total; a bad limit or a vanished cursor is a 422 naming the parameter.

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

/// Walks `path` two rows at a time; returns the ids in order and the `total` of the first page.
async fn walk(app: &TestApp, token: &str, path: &str, key: &str) -> (Vec<i64>, i64) {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (mut ids, mut after, mut total) = (vec![], None::<i64>, None);
    loop {
        let url = match after {
            Some(a) => format!("{path}{sep}limit=2&after={a}"),
            None => format!("{path}{sep}limit=2"),
        };
        let (s, page) = app.call("GET", &url, Some(token), None).await;
        assert_eq!(s, 200, "{url}: {page}");
        let rows = page[key].as_array().unwrap();
        assert!(rows.len() <= 2, "{url}: {page}");
        total.get_or_insert(page["total"].as_i64().unwrap());
        ids.extend(rows.iter().map(|r| r["id"].as_i64().unwrap()));
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => return (ids, total.unwrap()),
        }
    }
}

async fn all_ids(app: &TestApp, token: &str, path: &str, key: &str) -> Vec<i64> {
    let (_, list) = app.call("GET", path, Some(token), None).await;
    list[key].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn every_catalog_pages_by_cursor_in_its_own_order() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    // Enough rows for several pages in each list.
    for i in 0..3 {
        let (s, _) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": format!("标签{i}"), "color": "#336699" }))).await;
        assert_eq!(s, 201);
        let body = json!({ "shortcut": format!("p{i}"), "title": format!("Paged {i}"), "body": "hello", "team": true });
        let (s, c) = app.call("POST", "/api/v1/canned-responses", Some(&admin), Some(body)).await;
        assert_eq!(s, 201, "{c}");
        let (s, _) = app
            .call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": format!("key {i}"), "scopes": ["conversations:read"] })))
            .await;
        assert_eq!(s, 201);
        let (s, _) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": format!("Group {i}") }))).await;
        assert_eq!(s, 201);
    }
    for (path, key) in [
        ("/api/v1/groups", "groups"),
        ("/api/v1/business-types", "business_types"),
        ("/api/v1/tags?include_disabled=true", "tags"),
        ("/api/v1/canned-responses", "canned_responses"),
        ("/api/v1/wrap-up-codes", "codes"),
        ("/api/v1/api-keys", "api_keys"),
        ("/api/v1/webhooks", "webhooks"),
    ] {
        let whole = all_ids(&app, &admin, path, key).await;
        let (paged, total) = walk(&app, &admin, path, key).await;
        assert_eq!(paged, whole, "{path}: the pages hold every row once, in the list's order");
        assert_eq!(total, whole.len() as i64, "{path}");
    }

    // A row created between two pages does not make the next page repeat one.
    let (_, first) = app.call("GET", "/api/v1/groups?limit=2", Some(&admin), None).await;
    app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "Group late" }))).await;
    let after = first["next_after"].as_i64().unwrap();
    let (_, second) = app.call("GET", &format!("/api/v1/groups?limit=2&after={after}"), Some(&admin), None).await;
    let seen: Vec<&Value> = first["groups"].as_array().unwrap().iter().chain(second["groups"].as_array().unwrap()).collect();
    let mut ids: Vec<i64> = seen.iter().map(|g| g["id"].as_i64().unwrap()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 4);
}

#[tokio::test]
async fn text_narrows_the_lists_and_bad_parameters_are_named() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, hit) = app.call("GET", "/api/v1/groups?q=LOANS", Some(&admin), None).await;
    assert_eq!(hit["total"], 1, "{hit}");
    assert_eq!(hit["groups"][0]["name"], "贷款咨询 Loans");
    let (_, hit) = app.call("GET", "/api/v1/wrap-up-codes?q=%E6%8A%95%E8%AF%89", Some(&admin), None).await; // 投诉
    assert_eq!((hit["total"].as_i64(), hit["codes"][0]["code"].as_str()), (Some(1), Some("complaint")), "{hit}");
    let (_, none) = app.call("GET", "/api/v1/business-types?q=nothing-like-this", Some(&admin), None).await;
    assert_eq!((none["total"].as_i64(), none["business_types"].as_array().unwrap().len()), (Some(0), 0));

    for url in ["/api/v1/groups?limit=0", "/api/v1/tags?limit=500", "/api/v1/api-keys?after=999999"] {
        let (s, e) = app.call("GET", url, Some(&admin), None).await;
        assert_eq!(s, 422, "{url}: {e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("limit") || message.starts_with("after"), "{url}: {e}");
    }
    let (s, _) = app.call("GET", "/api/v1/groups?limit=abc", Some(&admin), None).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn widgets_page_by_name_default_first_and_text_finds_them() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, default) = app.call("GET", "/api/v1/widgets/default", Some(&admin), None).await;
    for name in ["shop", "app", "partner-b", "partner-a"] {
        let mut w = default.clone();
        w["welcome"] = json!({ "zh-CN": format!("欢迎光临 {name}") });
        let (s, v) = app.call("PUT", &format!("/api/v1/widgets/{name}"), Some(&admin), Some(w)).await;
        assert_eq!(s, 200, "{v}");
    }
    let (mut names, mut after, mut total) = (vec![], None::<String>, None);
    loop {
        let url = match &after {
            Some(a) => format!("/api/v1/widgets?limit=2&after={a}"),
            None => "/api/v1/widgets?limit=2".to_string(),
        };
        let (s, page) = app.call("GET", &url, Some(&admin), None).await;
        assert_eq!(s, 200, "{url}: {page}");
        assert!(page["widgets"].as_array().unwrap().len() <= 2, "{page}");
        total.get_or_insert(page["total"].as_i64().unwrap());
        names.extend(page["widgets"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_string()));
        match page["next_after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(names, ["default", "app", "partner-a", "partner-b", "shop"]);
    assert_eq!(total, Some(5));
    let (_, hit) = app.call("GET", "/api/v1/widgets?q=PARTNER", Some(&admin), None).await;
    assert_eq!(hit["total"], 2, "{hit}");
    assert_eq!(hit["widgets"][1]["settings"]["welcome"]["zh-CN"], "欢迎光临 partner-b");
    let (s, e) = app.call("GET", "/api/v1/widgets?after=gone", Some(&admin), None).await;
    assert_eq!(s, 422, "{e}");
    assert_eq!(app.call("GET", "/api/v1/widgets/nope", Some(&admin), None).await.0, 404);
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(app.call("GET", "/api/v1/widgets", Some(&agent), None).await.0, 403);
    assert_eq!(app.call("GET", "/api/v1/widgets/shop", Some(&agent), None).await.0, 403);
}
