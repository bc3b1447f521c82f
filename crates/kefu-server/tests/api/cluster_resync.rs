//! Frames lost while NATS is down (a step of the cluster test in `cluster.rs`): NATS keeps no
//! history, so what a node published during the outage may never reach a socket. When the
//! connection is back every socket gets a `resync` frame, re-sends `resume`, and gets the
//! conversation events it missed from the database, in order.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::{Socket, TestApp};

/// A visitor's socket on `app` following `conversation`, and the last seq it has seen.
pub async fn following(app: &TestApp, visitor: &str, conversation: i64) -> (Socket, i64) {
    let mut ws = app.ws(visitor).await;
    ws.send(json!({ "type": "resume", "cursors": { conversation.to_string(): 0 } })).await;
    let seen = ws.drain(500).await.iter().filter(|e| e["conversation_id"] == conversation).filter_map(|e| e["seq"].as_i64()).max();
    (ws, seen.expect("the history is replayed"))
}

/// NATS is down: the visitor sends a message (stored: the database is up), whose frame may be
/// lost. Returns when NATS is back (`restart`, whose output it hands back) and the socket was
/// told to resync and got the message by resuming from `seen`.
pub async fn resumes_after_resync<T>(
    app: &TestApp,
    visitor: &str,
    conversation: i64,
    (mut ws, seen): (Socket, i64),
    restart: impl std::future::Future<Output = T>,
) -> T {
    let path = format!("/api/v1/conversations/{conversation}/messages");
    let (s, v) = app.call("POST", &path, Some(visitor), Some(json!({ "body": "sent while NATS was down" }))).await;
    assert_eq!(s, 201, "stored while NATS is down: {v}");
    let nats = restart.await;
    let back = Instant::now();
    let mut told = false;
    while !told && back.elapsed() < Duration::from_secs(30) {
        told = ws.drain(500).await.iter().any(|e| e["type"] == "resync" && e["data"]["reason"] == "bus_reconnected");
    }
    assert!(told, "no resync frame within 30 s of NATS coming back");
    eprintln!("NATS back -> resync frame on the socket after {} ms", back.elapsed().as_millis());
    ws.send(json!({ "type": "resume", "cursors": { conversation.to_string(): seen } })).await;
    let replay = ws.drain(700).await;
    let seqs: Vec<i64> = replay.iter().filter(|e| e["conversation_id"] == conversation).filter_map(|e| e["seq"].as_i64()).collect();
    assert!(seqs.first() == Some(&(seen + 1)) && seqs.windows(2).all(|w| w[1] > w[0]), "resumed in order from {seen}: {seqs:?}");
    assert!(
        replay.iter().any(|e| e["type"] == "message.created" && e["data"]["body"] == "sent while NATS was down"),
        "the message sent during the outage comes back with resume: {replay:?}"
    );
    nats
}
