//! The agent's lists: "my closed conversations" (newest first, cursor-paged, read-only) and the
//! reply wait each conversation shows against its group's reply target.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::notes::served;

#[tokio::test]
async fn my_closed_conversations_are_paged_newest_first() {
    let app = spawn_app().await;
    let mut ids = vec![];
    let mut agent = String::new();
    for _ in 0..3 {
        let (_visitor, a, id) = served(&app).await;
        let (s, e) =
            app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&a), Some(json!({ "wrap_up_code": "resolved" }))).await;
        assert_eq!(s, 200, "{e}");
        ids.push(id);
        agent = a;
        // Distinct closing times, so the order is the closing order.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (s, page) = app.call("GET", "/api/v1/agents/me/closed-conversations?limit=2", Some(&agent), None).await;
    assert_eq!(s, 200, "{page}");
    let got: Vec<i64> = page["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(got, vec![ids[2], ids[1]]);
    assert_eq!(page["conversations"][0]["status"], "closed");
    let cursor = page["next_before"].as_str().unwrap().to_string();
    let (_, page) = app.call("GET", &format!("/api/v1/agents/me/closed-conversations?limit=2&before={cursor}"), Some(&agent), None).await;
    let got: Vec<i64> = page["conversations"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!((got, page["next_before"].clone()), (vec![ids[0]], json!(null)));
    // The transcript opens for them (read-only: it is closed).
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{}/messages", ids[0]), Some(&agent), None).await;
    assert_eq!(s, 200);

    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (_, page) = app.call("GET", "/api/v1/agents/me/closed-conversations", Some(&other), None).await;
    assert_eq!(page["conversations"], json!([]), "only one's own");
    let (s, _) = app.call("GET", "/api/v1/agents/me/closed-conversations?before=nonsense", Some(&agent), None).await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn the_reply_wait_runs_from_the_unanswered_message_against_the_group_target() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    let path = format!("/api/v1/conversations/{id}");
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert!(c["awaiting_reply_since"].is_string(), "the opening message waits: {c}");
    assert_eq!(c["reply_target_secs"], 60);
    let (s, _) = app.call("POST", &format!("{path}/messages"), Some(&agent), Some(json!({ "body": "您好" }))).await;
    assert_eq!(s, 201);
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert!(c["awaiting_reply_since"].is_null(), "answered: {c}");
    let (_, m) = app.call("POST", &format!("{path}/messages"), Some(&visitor), Some(json!({ "body": "在吗" }))).await;
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert_eq!(c["awaiting_reply_since"], m["created_at"]);

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let group = c["group_id"].as_i64().unwrap();
    let (s, e) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&admin), Some(json!({ "reply_target_secs": 5 }))).await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&agent), Some(json!({ "reply_target_secs": 30 }))).await;
    assert_eq!(s, 403);
    let (s, g) = app.call("PATCH", &format!("/api/v1/groups/{group}"), Some(&admin), Some(json!({ "reply_target_secs": 30 }))).await;
    assert_eq!((s, g["reply_target_secs"].as_i64()), (200, Some(30)), "{g}");
    let (_, c) = app.call("GET", &path, Some(&agent), None).await;
    assert_eq!(c["reply_target_secs"], 30);
}

#[tokio::test]
async fn admins_page_through_agents_with_filters_and_pages_stay_put_under_inserts() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let create = |i: usize| {
        let (app, admin) = (&app, admin.clone());
        async move {
            let name = if i.is_multiple_of(2) { format!("客服小王{i}") } else { format!("Agent {i}") };
            let body = json!({ "email": format!("bulk{i}@demo.kefu"), "name": name, "password": "bulk-agent-1", "role": "agent" });
            let (s, a) = app.call("POST", "/api/v1/agents", Some(&admin), Some(body)).await;
            assert_eq!(s, 201, "{a}");
            a["id"].as_i64().unwrap()
        }
    };
    let mut created = vec![];
    for i in 0..24 {
        created.push(create(i).await);
    }
    let (_, all) = app.call("GET", "/api/v1/agents", Some(&admin), None).await;
    let everyone = all["total"].as_i64().unwrap();
    assert_eq!(all["agents"].as_array().unwrap().len() as i64, everyone, "without limit: every agent");
    assert!(all["next_after"].is_null());

    // Page by 10; an agent created between pages lands at the end, no row repeats or goes missing.
    let mut seen: Vec<i64> = vec![];
    let mut after: Option<i64> = None;
    let mut pages = 0;
    loop {
        let path = match after {
            Some(a) => format!("/api/v1/agents?limit=10&after={a}"),
            None => "/api/v1/agents?limit=10".to_string(),
        };
        let (s, page) = app.call("GET", &path, Some(&admin), None).await;
        assert_eq!(s, 200, "{page}");
        seen.extend(page["agents"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()));
        pages += 1;
        if pages == 1 {
            created.push(create(99).await);
        }
        match page["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, seen, "ascending, no repeats");
    assert_eq!(seen.len() as i64, everyone + 1, "the one created meanwhile too");
    assert!(created.iter().all(|id| seen.contains(id)));

    // Filters: a Chinese word inside the name, role, enabled, group; total counts every page.
    let (_, wang) = app.call("GET", "/api/v1/agents?q=%E5%B0%8F%E7%8E%8B&limit=5", Some(&admin), None).await;
    assert_eq!((wang["total"].as_i64(), wang["agents"].as_array().unwrap().len()), (Some(12), 5), "{wang}");
    let (_, admins) = app.call("GET", "/api/v1/agents?role=admin", Some(&admin), None).await;
    assert!(admins["agents"].as_array().unwrap().iter().all(|a| a["role"] == "admin"));
    let (s, _) = app.call("PATCH", &format!("/api/v1/agents/{}", created[0]), Some(&admin), Some(json!({ "enabled": false }))).await;
    assert_eq!(s, 200);
    let (_, off) = app.call("GET", "/api/v1/agents?enabled=false", Some(&admin), None).await;
    assert_eq!(off["agents"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect::<Vec<_>>(), [created[0]]);
    let (_, group1) = app.call("GET", "/api/v1/agents?group_id=1", Some(&admin), None).await;
    assert!(group1["agents"].as_array().unwrap().iter().all(|a| a["groups"].as_array().unwrap().iter().any(|m| m["group_id"] == 1)));
    assert!(group1["total"].as_i64().unwrap() >= 1);
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, seen_by_sup) = app.call("GET", "/api/v1/agents?enabled=false", Some(&sup), None).await;
    assert_eq!(seen_by_sup["total"], 0, "only admins see disabled accounts");

    for (query, field) in [("limit=0", "limit"), ("limit=201", "limit"), ("after=x", "after"), ("role=boss", "role")] {
        let (s, e) = app.call("GET", &format!("/api/v1/agents?{query}"), Some(&admin), None).await;
        assert!((400..500).contains(&s), "{query}: {s}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field), "{query}: {e}");
    }
}
