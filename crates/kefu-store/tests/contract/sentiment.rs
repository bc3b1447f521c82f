//! Message sentiment (migration 0018): a score stored with its message, read back per
//! conversation in message order; alert episodes raised, listed while active, cleared once.

use kefu_store::{MessageSentimentRow, NewMessage, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scores_are_stored_with_their_message_and_alerts_clear_once() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;
        let mut ids = vec![];
        for (body, score) in [("还行", 0.1), ("太差了", -0.8)] {
            let mut tx = store.begin().await.unwrap();
            let seq = tx.next_seq(c).await.unwrap();
            let m = NewMessage {
                conversation_id: c,
                sender: "visitor",
                sender_id: Some(visitor),
                sender_name: Some("v"),
                kind: "text",
                body,
                attachment_id: None,
                client_id: None,
                data: None,
            };
            let id = tx.insert_message(&m, seq, 20).await.unwrap().id;
            tx.insert_message_sentiment(&MessageSentimentRow { message_id: id, conversation_id: c, lang: "zh".into(), score })
                .await
                .unwrap();
            tx.commit().await.unwrap();
            ids.push(id);
        }
        let scores = store.message_sentiments(c).await.unwrap();
        assert_eq!(scores.iter().map(|s| (s.message_id, s.score)).collect::<Vec<_>>(), vec![(ids[0], 0.1), (ids[1], -0.8)]);
        assert_eq!(scores[1].lang, "zh");

        let alert = store.insert_sentiment_alert(c, ids[1], -0.8, -0.44, 30).await.unwrap();
        assert_eq!(store.active_sentiment_alerts().await.unwrap().iter().map(|a| a.id).collect::<Vec<_>>(), vec![alert]);
        store.clear_sentiment_alert(alert, 40).await.unwrap();
        assert!(matches!(store.clear_sentiment_alert(alert, 50).await, Err(StoreError::NotFound)));
        assert!(store.active_sentiment_alerts().await.unwrap().is_empty());
        let row = store.sentiment_alert(alert).await.unwrap();
        assert_eq!((row.cleared_at, row.trend, row.message_id), (Some(40), -0.44, ids[1]));
    })
    .await;
}
