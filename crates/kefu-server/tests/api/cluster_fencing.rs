//! Fencing of routing writes (a step of the cluster test in `cluster.rs`): once the lease epoch
//! in PostgreSQL has moved past the owner's — another node took routing over while this owner
//! stalled — the owner's routing writes are refused in their own transaction, it steps down,
//! and routing goes on under a newer epoch.

use std::time::{Duration, Instant};

use kefu_core::ConversationStatus;
use serde_json::json;

use crate::helpers::TestApp;

/// `conversation` is assigned to the holder of `agent`; `via` is a node that does not own
/// routing. The epoch is taken from under the owner, then the agent closes the conversation.
pub async fn a_stale_owner_writes_nothing(via: &TestApp, db: &str, agent: &str, conversation: i64) {
    let store = kefu_store::Store::connect(db).await.unwrap();
    // As if another node had taken the lease: the owner, holding its lock, has not noticed.
    let taken = store.take_routing_epoch().await.unwrap();
    let path = format!("/api/v1/conversations/{conversation}/close");
    let body = json!({ "wrap_up_code": "resolved" });
    let (s, v) = via.call("POST", &path, Some(agent), Some(body.clone())).await;
    assert_eq!(s, 500, "the stale owner's close must be refused: {v}");
    let c = store.conversation(conversation).await.unwrap();
    assert_eq!(c.status, ConversationStatus::Assigned, "the stale owner wrote nothing");

    // It stepped down at the refusal; the next owner (a newer epoch) closes it.
    let fenced_at = Instant::now();
    loop {
        let (s, v) = via.call("POST", &path, Some(agent), Some(body.clone())).await;
        if s == 200 {
            break;
        }
        assert!(fenced_at.elapsed() < Duration::from_secs(10), "routing did not come back: {s} {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("stale owner fenced -> a write through a new owner after {} ms", fenced_at.elapsed().as_millis());
    assert_eq!(store.conversation(conversation).await.unwrap().status, ConversationStatus::Closed);
    let mut tx = store.begin().await.unwrap();
    assert!(tx.check_routing_epoch(taken).await.is_err(), "the new owner took a newer epoch than {taken}");
}
