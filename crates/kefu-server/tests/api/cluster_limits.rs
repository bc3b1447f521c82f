//! Rate limits of a cluster (steps of the cluster test in `cluster.rs`): what one address or one
//! visitor may do is counted across all nodes, so the cluster lets the configured total
//! through, not the total once per node.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Wait, if need be, until early in a window of `period_ms`, so a burst counts in one window.
async fn early_in_window(period_ms: u128, margin_ms: u128) {
    let into = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() % period_ms;
    if into > period_ms - margin_ms {
        tokio::time::sleep(Duration::from_millis((period_ms + 100 - into) as u64)).await;
    }
}

/// New visitors from one address (forwarded by the trusted proxy), round robin over the nodes
/// until every node refuses: the cluster lets the configured total through, not one per node.
/// Right after, another address gets its own allowance on every node.
pub async fn visitors_limited_across_nodes(nodes: &[&TestApp], limit: usize, db: &str) {
    // Counters are per minute: start early in one, so the whole burst counts in a single window.
    early_in_window(60_000, 10_000).await;
    let (mut accepted, mut refused_by) = (0, std::collections::BTreeSet::new());
    let started = Instant::now();
    for i in 0..limit * 3 {
        let app = nodes[i % nodes.len()];
        let r = app
            .http
            .post(app.url("/api/v1/visitors"))
            .header("x-forwarded-for", "203.0.113.9")
            .json(&json!({ "name": format!("burst {i}") }))
            .send()
            .await
            .unwrap();
        match r.status().as_u16() {
            200 => accepted += 1,
            429 => {
                refused_by.insert(i % nodes.len());
                let body: Value = r.json().await.unwrap();
                assert_eq!(body["error"]["code"], "rate_limited", "{body}");
            }
            s => panic!("visitor creation answered {s}"),
        }
    }
    eprintln!(
        "shared limit: {accepted} of {} new visitors accepted over {} nodes in {} ms",
        limit * 3,
        nodes.len(),
        started.elapsed().as_millis()
    );
    assert_eq!(accepted, limit, "the cluster's total, not {limit} per node");
    assert_eq!(refused_by.len(), nodes.len(), "every node refuses once the total is reached");
    for (i, app) in nodes.iter().enumerate() {
        let r = app.http.post(app.url("/api/v1/visitors")).header("x-forwarded-for", "198.51.100.20").json(&json!({ "name": "next" }));
        let r = r.send().await.unwrap();
        if r.status() != 200 {
            // What every node counted, to tell a leak between addresses from anything else.
            let counters = rate_windows(db).await;
            panic!("node {i} refused another address after the burst: {} {}; counters {counters:?}", r.status(), r.text().await.unwrap());
        }
    }
}

/// The shared counters (bucket, key, window start, count).
async fn rate_windows(db: &str) -> Vec<(String, String, i64, i64)> {
    use sqlx::Connection;
    let mut pg = sqlx::PgConnection::connect(db).await.unwrap();
    sqlx::query_as("SELECT bucket, key, window_start, n FROM rate_windows ORDER BY 1, 2, 3").fetch_all(&mut pg).await.unwrap()
}

/// One visitor's messages, round robin over the nodes until every node refuses: the cluster
/// stores `limit` in the window (the first came with the conversation), then answers 429. The
/// cluster's quota is taken before the message batch's transaction (conversations/batch.rs).
pub async fn messages_limited_across_nodes(nodes: &[&TestApp], limit: usize) {
    let visitor = nodes[0].visitor("Chatty").await;
    early_in_window(10_000, 6_000).await;
    let id = nodes[1].start(&visitor, "第一条").await["id"].as_i64().unwrap();
    let (mut stored, mut refused_by) = (1, std::collections::BTreeSet::new());
    for i in 0..limit * 3 {
        let app = nodes[i % nodes.len()];
        let body = json!({ "body": format!("message {i}") });
        let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), Some(body)).await;
        match s {
            201 => stored += 1,
            429 => {
                refused_by.insert(i % nodes.len());
                assert_eq!(v["error"]["code"], "rate_limited", "{v}");
            }
            s => panic!("a visitor message answered {s}: {v}"),
        }
    }
    assert_eq!(stored, limit, "the cluster's total of a visitor's messages, not {limit} per node");
    assert_eq!(refused_by.len(), nodes.len(), "every node refuses once the total is reached");
    // Out of the line, so the rest of the test routes only its own conversations.
    let (s, v) = nodes[2].call("POST", &format!("/api/v1/conversations/{id}/leave"), Some(&visitor), None).await;
    assert_eq!(s, 200, "{v}");
}
