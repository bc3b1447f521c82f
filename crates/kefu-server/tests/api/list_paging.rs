//! The remaining lists page by cursor: conversations, a customer's conversations, a webhook's
//! deliveries and the export log newest first by id in the store; alert thresholds, recording
//! policies (by group) and a conversation's notes in their own order, as the catalogs. Walking
//! the pages returns every row once; rows created meanwhile never make a later page repeat a
//! row; a bad limit is a 422.

use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};

/// Walks `path` two rows at a time; `during` runs after the first page (inserts meanwhile).
async fn walk(app: &TestApp, token: &str, path: &str, key: &str, during: impl AsyncFnOnce()) -> Vec<i64> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let (mut ids, mut after, mut during) = (vec![], None::<i64>, Some(during));
    loop {
        let url = match after {
            Some(a) => format!("{path}{sep}limit=2&after={a}"),
            None => format!("{path}{sep}limit=2"),
        };
        let (s, page) = app.call("GET", &url, Some(token), None).await;
        assert_eq!(s, 200, "{url}: {page}");
        let rows = page[key].as_array().unwrap();
        assert!(rows.len() <= 2, "{url}: {page}");
        ids.extend(rows.iter().map(|r| r["id"].as_i64().unwrap()));
        if let Some(f) = during.take() {
            f().await;
        }
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => return ids,
        }
    }
}

fn newest_first(ids: &[i64]) -> bool {
    ids.windows(2).all(|w| w[0] > w[1])
}

#[tokio::test]
async fn conversations_customer_history_and_deliveries_page_newest_first_stably() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, hook) =
        app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": "http://127.0.0.1:9/hook", "events": ["*"] }))).await;
    assert_eq!(s, 201, "{hook}");
    // One returning customer with three conversations, and two others.
    let regular = app.visitor("常客").await;
    let mut started: Vec<i64> = vec![];
    for i in 0..3 {
        let c = app.start(&regular, &format!("第{i}次")).await;
        let id = c["id"].as_i64().unwrap();
        let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/leave"), Some(&regular), None).await;
        assert_eq!(s, 200, "{v}");
        started.push(id);
    }
    for name in ["A", "B"] {
        let v = app.visitor(name).await;
        started.push(app.start(&v, "hi").await["id"].as_i64().unwrap());
    }

    // Every conversation once, newest first, though one starts while paging.
    let late = app.visitor("late").await;
    let ids = walk(&app, &admin, "/api/v1/conversations", "conversations", async || {
        app.start(&late, "我来晚了").await;
    })
    .await;
    let mut expected = started.clone();
    expected.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, expected, "no repeat, no gap, the late one not on a later page");
    assert!(newest_first(&ids));

    // The customer's own history, as the customer panel reads it.
    let (_, me) = app.call("GET", "/api/v1/conversations", Some(&regular), None).await;
    let visitor_id = me["conversations"][0]["visitor"]["id"].as_i64().unwrap();
    let history = walk(&app, &admin, &format!("/api/v1/visitors/{visitor_id}/conversations"), "conversations", async || {}).await;
    let mut theirs = started[..3].to_vec();
    theirs.reverse();
    assert_eq!(history, theirs);
    // The visitor pages their own list too.
    let own = walk(&app, &regular, "/api/v1/conversations", "conversations", async || {}).await;
    assert_eq!(own, theirs);

    // The webhook's deliveries (one per event), with the total.
    let hook_id = hook["webhook"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/webhooks/{hook_id}/deliveries");
    let (_, first) = app.call("GET", &format!("{path}?limit=2"), Some(&admin), None).await;
    let total = first["total"].as_i64().unwrap_or_else(|| panic!("{first}"));
    assert!(total > 4, "{first}");
    let extra = app.visitor("extra").await;
    let deliveries = walk(&app, &admin, &path, "deliveries", async || {
        app.start(&extra, "more events").await;
    })
    .await;
    assert_eq!(deliveries.len() as i64, total, "every delivery once: {deliveries:?}");
    assert!(newest_first(&deliveries));

    // A bad page size is named.
    for url in ["/api/v1/conversations?limit=0", "/api/v1/conversations?limit=201", &format!("{path}?limit=500")] {
        let (s, e): (u16, Value) = app.call("GET", url, Some(&admin), None).await;
        assert_eq!(s, 422, "{url}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("limit"), "{e}");
    }
}

#[tokio::test]
async fn exports_alert_thresholds_recording_policies_and_notes_page_too() {
    let app = spawn_app_with(|_| {}).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    // The export log: newest first, by id; an export made while paging does not repeat a row.
    let day = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date().to_string();
    let export = async || {
        let url = app.url(&format!("/api/v1/reports/agents/export?from={day}&format=csv"));
        assert_eq!(app.http.get(url).bearer_auth(&admin).send().await.unwrap().status(), 200);
    };
    for _ in 0..5 {
        export().await;
    }
    let ids = walk(&app, &admin, "/api/v1/reports/exports", "exports", async || export().await).await;
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(newest_first(&ids));

    // Alert thresholds: one row per group, paged in group order, found by the group's name.
    for name in ["夜班 Night", "周末 Weekend", "外呼 Outbound"] {
        let (s, _) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": name }))).await;
        assert_eq!(s, 201);
    }
    let (_, groups) = app.call("GET", "/api/v1/groups", Some(&admin), None).await;
    let group_ids: Vec<i64> = groups["groups"].as_array().unwrap().iter().map(|g| g["id"].as_i64().unwrap()).collect();
    let rows = walk_key(&app, &admin, "/api/v1/alert-thresholds", "groups", "group_id").await;
    assert_eq!(rows, group_ids, "every group once, in the groups' order");
    let (_, found) = app.call("GET", "/api/v1/alert-thresholds?q=weekend", Some(&admin), None).await;
    assert_eq!((found["total"].as_i64(), found["groups"].as_array().map(Vec::len)), (Some(1), Some(1)), "{found}");
    assert_eq!(found["defaults"]["group_id"], 0);
    // Recording policies page by group too, each business type with its group.
    let rows = walk_key(&app, &admin, "/api/v1/recording-policies", "groups", "group_id").await;
    assert_eq!(rows, group_ids);
    let (_, first) = app.call("GET", "/api/v1/recording-policies?limit=1", Some(&admin), None).await;
    let types: Vec<i64> = first["business_types"].as_array().unwrap().iter().map(|t| t["business_type_id"].as_i64().unwrap()).collect();
    assert_eq!(types, vec![1], "the cards group's business type only: {first}");

    // A conversation's notes: oldest first, a page at a time.
    let visitor = app.visitor("备注客户").await;
    let agent = app.ready_agent(1).await;
    let c = app.start(&visitor, "你好").await;
    let id = c["id"].as_i64().unwrap();
    let mut accepted = 0;
    for _ in 0..50 {
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
        if s == 200 {
            accepted = s;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(accepted, 200);
    let mut written = vec![];
    for i in 0..5 {
        let (s, n) = app
            .call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), Some(json!({ "body": format!("备注 {i}") })))
            .await;
        assert_eq!(s, 201, "{n}");
        written.push(n["id"].as_i64().unwrap());
    }
    let notes = walk(&app, &agent, &format!("/api/v1/conversations/{id}/notes"), "notes", async || {}).await;
    assert_eq!(notes, written, "oldest first, each once");
}

/// Like `walk`, naming the rows by another key.
async fn walk_key(app: &TestApp, token: &str, path: &str, key: &str, id: &str) -> Vec<i64> {
    let (mut ids, mut after) = (vec![], None::<i64>);
    loop {
        let url = match after {
            Some(a) => format!("{path}?limit=2&after={a}"),
            None => format!("{path}?limit=2"),
        };
        let (s, page) = app.call("GET", &url, Some(token), None).await;
        assert_eq!(s, 200, "{url}: {page}");
        ids.extend(page[key].as_array().unwrap().iter().map(|r| r[id].as_i64().unwrap()));
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => return ids,
        }
    }
}
