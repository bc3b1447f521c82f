//! Conversations started at once are stored many to a transaction (group commit), each still
//! stored before it is answered or announced: every visitor gets exactly one conversation (two
//! tabs starting together get the same one), every one is in line in its arrival order, and
//! none is lost.

use std::collections::{HashMap, HashSet};

use futures::future::join_all;
use serde_json::{json, Value};

use crate::helpers::{metric, spawn_app_with, TestApp};

/// Start a conversation with an opening message (the path owned by the future, so many can
/// wait at once).
async fn start(app: &TestApp, i: usize, token: &str) -> (usize, u16, Value) {
    let body = json!({ "business_type_id": 1, "message": format!("hello {i}") });
    let (s, v) = app.call("POST", "/api/v1/conversations", Some(token), Some(body)).await;
    (i, s, v)
}

#[tokio::test]
async fn visitors_starting_at_once_each_get_one_conversation_in_line_in_order() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    let n = 60;
    let visitors: Vec<String> = join_all((0..n).map(|i| {
        let app = &app;
        async move { app.visitor(&format!("v{i}")).await }
    }))
    .await;
    // No agent is ready: everyone waits. Every third visitor starts twice at once (two tabs).
    let mut starts = vec![];
    for (i, v) in visitors.iter().enumerate() {
        starts.push(start(&app, i, v));
        if i % 3 == 0 {
            starts.push(start(&app, i, v));
        }
    }
    let answers = join_all(starts).await;
    let mut ids: HashMap<usize, HashSet<i64>> = HashMap::new();
    let mut created = HashMap::new();
    for (i, s, v) in &answers {
        assert!(*s == 201 || *s == 200, "visitor {i}: {s} {v}");
        ids.entry(*i).or_default().insert(v["id"].as_i64().unwrap());
        if *s == 201 {
            assert!(created.insert(*i, v.clone()).is_none(), "visitor {i} started two conversations");
            assert_eq!(v["status"], "queued", "{v}");
            assert!(v["queue"]["position"].as_i64().is_some(), "a waiting start says its place: {v}");
            assert_eq!(v["last_message"]["body"], format!("hello {i}"), "{v}");
        }
    }
    assert_eq!(created.len(), n, "each visitor started one");
    assert!(ids.values().all(|s| s.len() == 1), "both tabs of a visitor got the same conversation: {ids:?}");
    let all: HashSet<i64> = ids.values().flatten().copied().collect();
    assert_eq!(all.len(), n, "one conversation per visitor");

    // None lost: each is stored with its first event, its opening message, and its place in line.
    let store = app.store().await;
    let mut line = vec![];
    for (i, v) in &created {
        let id = v["id"].as_i64().unwrap();
        let events = store.events_after(id, 0).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.r#type.as_str()).collect();
        assert_eq!(kinds[..2], ["conversation.updated", "message.created"], "conversation {id}");
        assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=events.len() as i64).collect::<Vec<_>>());
        let row = store.conversation(id).await.unwrap();
        assert_eq!(row.visitor_id, store.open_conversation(row.visitor_id).await.unwrap().unwrap().visitor_id);
        let (s, now) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&visitors[*i]), None).await;
        assert_eq!(s, 200, "{now}");
        line.push((now["queue"]["position"].as_i64().expect("still waiting"), row.queued_at, id));
    }
    // The line is 1..=n, in arrival order (arrival time, then id).
    line.sort();
    assert_eq!(line.iter().map(|l| l.0).collect::<Vec<_>>(), (1..=n as i64).collect::<Vec<_>>());
    let mut by_arrival = line.clone();
    by_arrival.sort_by_key(|l| (l.1, l.2));
    assert_eq!(by_arrival, line, "the line keeps the order of arrival");

    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    let (started, transactions) = (metric(&metrics, "kefu_conversations_created_total"), metric(&metrics, "kefu_start_transactions_total"));
    assert_eq!(started, n as i64);
    assert!(transactions < started, "starts at once share transactions: {transactions} for {started}");

    // Served in that order once an agent is ready.
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let mut ws = app.ws(&agent).await;
    let (s, v) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "ready" }))).await;
    assert_eq!(s, 200, "{v}");
    let offer = ws.wait_for("offer.created").await;
    assert_eq!(offer["conversation_id"].as_i64(), Some(line[0].2), "the first in line is offered first: {offer}");
}
