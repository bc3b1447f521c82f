//! What the nodes of a cluster hand each other through the database: open snapshot requests,
//! and the routing lease's fencing token.

use std::time::Duration;

use kefu_store::{NewCall, SnapshotRequestRow, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_request_is_taken_once_and_forgotten_with_its_call() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;
        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&NewCall { conversation_id: c, media: "video", started_by: "agent", answered: true }, 5).await.unwrap();
        tx.commit().await.unwrap();
        let row = SnapshotRequestRow { call_id: call.id, conversation_id: c, expires_at: 61_000 };
        store.open_snapshot_request("r1", row, 1_000).await.unwrap();
        assert_eq!(store.snapshot_request("r1").await.unwrap(), Some(row), "any node reads it");
        assert_eq!(store.snapshot_request("nope").await.unwrap(), None);

        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.take_snapshot_request("r1").await.unwrap(), Some(row));
        assert_eq!(tx.take_snapshot_request("r1").await.unwrap(), None, "answered once");
        tx.commit().await.unwrap();

        // A later request prunes the expired ones; an ended call's requests go with it.
        store.open_snapshot_request("old", SnapshotRequestRow { expires_at: 2_000, ..row }, 1_000).await.unwrap();
        store.open_snapshot_request("r2", row, 3_000).await.unwrap();
        assert_eq!(store.snapshot_request("old").await.unwrap(), None, "expired, pruned");
        store.forget_snapshot_requests(call.id).await.unwrap();
        assert_eq!(store.snapshot_request("r2").await.unwrap(), None, "the call ended");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stale_routing_owner_cannot_write_and_a_takeover_waits_for_its_write_in_flight() {
    each_backend(|store| async move {
        assert_eq!(store.routing_epoch().await.unwrap(), 0, "nobody owned routing yet");
        let first = store.take_routing_epoch().await.unwrap();
        assert_eq!(first, 1, "the first owner makes the row");
        assert_eq!(store.routing_epoch().await.unwrap(), first, "what a node asking the owner reads");
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;

        // The first owner's write is in flight when another node takes over: the takeover
        // waits for it, so the new owner's rebuild reads it.
        let mut tx = store.begin().await.unwrap();
        tx.check_routing_epoch(first).await.unwrap();
        tx.set_queued(c, group).await.unwrap();
        let taker = store.clone();
        let takeover = tokio::spawn(async move { taker.take_routing_epoch().await.unwrap() });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!takeover.is_finished(), "the new epoch waits for the old owner's transaction");
        tx.commit().await.unwrap();
        let second = takeover.await.unwrap();
        assert_eq!(second, first + 1);
        assert_eq!(store.routing_epoch().await.unwrap(), second);

        // From then on the old owner's writes are refused, the new owner's go through.
        let mut tx = store.begin().await.unwrap();
        match tx.check_routing_epoch(first).await {
            Err(StoreError::Fenced { held, current }) => assert_eq!((held, current), (first, second)),
            other => panic!("a stale owner must be fenced off: {other:?}"),
        }
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        tx.check_routing_epoch(second).await.unwrap();
        tx.commit().await.unwrap();
    })
    .await;
}
