//! Calls: at most one open call per conversation; answer and end happen once.

use kefu_core::CallStatus;
use kefu_store::{NewCall, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_open_call_per_conversation() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let new = NewCall { conversation_id: id, media: "video", started_by: "visitor", answered: false };
        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&new, 100).await.unwrap();
        assert_eq!((call.status, call.answered_at), (CallStatus::Ringing, None));
        assert!(matches!(tx.insert_call(&new, 101).await, Err(StoreError::Conflict(_))));
        drop(tx); // rolled back: no call at all
        assert_eq!(store.open_call(id).await.unwrap(), None);

        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&new, 100).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.open_calls().await.unwrap(), std::slice::from_ref(&call));
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.open_call(id).await.unwrap().map(|c| c.id), Some(call.id));
        let answered = tx.answer_call(call.id, 110).await.unwrap().expect("was ringing");
        assert_eq!((answered.status, answered.answered_at), (CallStatus::Active, Some(110)));
        assert_eq!(tx.answer_call(call.id, 111).await.unwrap(), None, "answered once");
        assert_eq!(tx.end_call(call.id, "hangup", Some(CallStatus::Ringing), 120).await.unwrap(), None, "not ringing");
        tx.commit().await.unwrap();
        assert_eq!(store.active_call_count().await.unwrap(), 1);
        let mut tx = store.begin().await.unwrap();
        let ended = tx.end_call(call.id, "hangup", None, 130).await.unwrap().expect("was open");
        assert_eq!((ended.status, ended.ended_at, ended.end_reason.as_deref()), (CallStatus::Ended, Some(130), Some("hangup")));
        assert_eq!(tx.call(call.id).await.unwrap(), ended);
        tx.commit().await.unwrap();
        assert_eq!(store.calls_of(id).await.unwrap(), [ended]);
        // Ended: a new call may start.
        let mut tx = store.begin().await.unwrap();
        let answered_at_once = NewCall { answered: true, ..new };
        assert_eq!(tx.insert_call(&answered_at_once, 140).await.unwrap().status, CallStatus::Active);
        tx.commit().await.unwrap();
        assert!(matches!(store.call(9999).await, Err(StoreError::NotFound)));
    })
    .await;
}
