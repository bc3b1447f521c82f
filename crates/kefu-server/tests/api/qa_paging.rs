//! Cursor paging (`q`, `after`, `limit`) on the QA lists: rules, forms, reviewers, the work
//! queue, my results and appeals; without `limit` every row comes at once, as before.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

async fn ok(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (s, v) = app.call(method, path, Some(token), body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

/// Every page of `path` (which already has a `?`) with `limit`, as the ids of `key`'s rows by
/// `id`, checking `total` on each.
async fn pages(app: &TestApp, token: &str, path: &str, key: &str, id: &str, limit: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut after: Option<i64> = None;
    loop {
        let cursor = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let page = ok(app, "GET", &format!("{path}&limit={limit}{cursor}"), token, None).await;
        let rows = page[key].as_array().unwrap();
        assert!(rows.len() as i64 <= limit, "{page}");
        out.extend(rows.iter().map(|r| r[id].as_i64().unwrap()));
        let total = page["total"].as_i64().unwrap();
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => {
                assert_eq!(out.len() as i64, total, "{page}");
                return out;
            }
        }
    }
}

#[tokio::test]
async fn every_qa_list_pages_with_a_cursor() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    ok(&app, "POST", "/api/v1/qa/starter", &admin, None).await;
    let all_rules: Vec<i64> = ok(&app, "GET", "/api/v1/qa/rules", &admin, None).await["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(pages(&app, &admin, "/api/v1/qa/rules?", "rules", "id", 3).await, all_rules);
    let found = ok(&app, "GET", "/api/v1/qa/rules?q=%E5%B7%AE%E8%AF%84", &admin, None).await; // 差评
    assert_eq!((found["total"].as_i64(), found["rules"][0]["name"].as_str()), (Some(1), Some("差评")), "{found}");
    let items = json!([{ "label": "态度", "weight": 100, "fatal": false }]);
    ok(&app, "POST", "/api/v1/qa/forms", &admin, Some(json!({ "name": "简表", "items": items }))).await;
    assert_eq!(pages(&app, &admin, "/api/v1/qa/forms?", "forms", "id", 1).await.len(), 2);
    let (_, agents) = app.call("GET", "/api/v1/agents", Some(&admin), None).await;
    for a in agents["agents"].as_array().unwrap().iter().take(3) {
        ok(&app, "PUT", &format!("/api/v1/qa/reviewers/{}", a["id"]), &admin, None).await;
    }
    assert_eq!(pages(&app, &admin, "/api/v1/qa/reviewers?", "reviewers", "user_id", 2).await.len(), 3);

    // Three served conversations, all queued; each reviewed by the admin and appealed.
    let agent = app.ready_agent(1).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let v = app.visitor("分页客户").await;
        let id = app.start(&v, "在吗").await["id"].as_i64().unwrap();
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/accept"), &agent, None).await;
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/close"), &agent, Some(json!({ "wrap_up_code": "resolved" }))).await;
        ids.push(id);
    }
    for _ in 0..100 {
        if ok(&app, "GET", "/api/v1/qa/mine", &agent, None).await["total"] == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let week_start = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    ok(&app, "POST", "/api/v1/qa/samples", &admin, Some(json!({ "week_start": week_start, "percent": 100 }))).await;
    let mut queued = pages(&app, &admin, "/api/v1/qa/queue?", "items", "conversation_id", 2).await;
    queued.sort();
    assert_eq!(queued, ids);
    let mut mine = pages(&app, &agent, "/api/v1/qa/mine?", "results", "conversation_id", 2).await;
    mine.sort();
    assert_eq!(mine, ids);

    let form = ok(&app, "GET", "/api/v1/qa/forms?q=%E7%AE%80", &admin, None).await["forms"][0]["id"].clone(); // 简
    for id in &ids {
        let review = ok(
            &app,
            "POST",
            &format!("/api/v1/qa/conversations/{id}/review"),
            &admin,
            Some(json!({ "form_id": form, "items": [{ "score": 50 }] })),
        )
        .await;
        ok(&app, "POST", &format!("/api/v1/qa/reviews/{}/appeal", review["id"]), &agent, Some(json!({ "reason": format!("不同意 {id}") })))
            .await;
    }
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    assert_eq!(pages(&app, &sup, "/api/v1/qa/appeals?status=open", "appeals", "id", 2).await.len(), 3);
    let one = ok(&app, "GET", &format!("/api/v1/qa/appeals?q={}", ids[1]), &sup, None).await;
    assert_eq!((one["total"].as_i64(), one["appeals"][0]["conversation_id"].as_i64()), (Some(1), Some(ids[1])), "{one}");
    let (s, e) = app.call("GET", "/api/v1/qa/queue?limit=0", Some(&admin), None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
}
