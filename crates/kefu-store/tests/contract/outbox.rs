//! The webhook outbox: written with the change it reports, claimed by one deliverer at a time.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::each_backend;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deliveries_are_queued_for_subscribers_and_concurrent_claimers_never_share_one() {
    each_backend(|store| async move {
        let hook = store.create_webhook("http://127.0.0.1:9/h", "[\"conversation.created\"]", "s", 1).await.unwrap();
        let all = store.create_webhook("http://127.0.0.1:9/all", "[\"*\"]", "s", 1).await.unwrap();
        let paused = store.create_webhook("http://127.0.0.1:9/p", "[\"*\"]", "s", 1).await.unwrap();
        store.update_webhook(paused, None, None, Some(false)).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        for i in 0..200 {
            let n = tx.enqueue_webhooks("conversation.created", &json!({ "i": i }), 100).await.unwrap();
            assert_eq!(n, 2, "the subscriber and the catch-all, not the paused one");
        }
        assert_eq!(tx.enqueue_webhooks("message.created", &json!({}), 100).await.unwrap(), 1);
        tx.commit().await.unwrap();
        assert_eq!(store.next_delivery_at().await.unwrap(), Some(100));

        // Four nodes claim at once, in small rounds: no row is handed out twice, none is left behind.
        let claimer = |store: kefu_store::Store| async move {
            let mut mine = vec![];
            loop {
                let got = store.claim_deliveries(200, 5, 10_000).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got.into_iter().map(|d| d.id));
            }
        };
        let claimers: Vec<_> = (0..4).map(|_| tokio::spawn(claimer(store.clone()))).collect();
        let mut claimed: Vec<i64> = vec![];
        for c in claimers {
            claimed.extend(c.await.unwrap());
        }
        let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
        assert_eq!(distinct.len(), claimed.len(), "a row was handed out twice");
        assert_eq!(distinct.len(), 401);
        assert!(store.claim_deliveries(9_999, 10, 20_000).await.unwrap().is_empty(), "leased until 10 000");

        let first = *distinct.first().unwrap();
        store.record_attempt(first, "delivered", Some(200), None, 300, 300).await.unwrap();
        let again = store.claim_deliveries(10_000, 500, 20_000).await.unwrap();
        assert_eq!(again.len(), 400, "the lease ended: all but the delivered one are due again");
        assert!(again.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
        let rows = store.deliveries(hook).await.unwrap();
        assert_eq!(rows.len(), 200);
        let delivered = store.deliveries(all).await.unwrap().into_iter().chain(rows).find(|d| d.id == first).unwrap();
        assert_eq!((delivered.status.as_str(), delivered.attempts, delivered.last_status_code), ("delivered", 1, Some(200)));

        store.delete_webhook(all).await.unwrap();
        assert!(store.deliveries(all).await.unwrap().is_empty());
        assert!(matches!(store.delete_webhook(all).await, Err(kefu_store::StoreError::NotFound)));
        assert_eq!(store.webhooks().await.unwrap().len(), 2);
    })
    .await;
}
