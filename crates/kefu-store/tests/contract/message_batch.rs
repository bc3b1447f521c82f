//! A batch of messages written with a few statements: the same rows as writing each alone
//! (sequence numbers in order, terms searchable, scores, events, webhook rows in message order),
//! the batch's conversations and senders' names read once.

use kefu_core::Role;
use kefu_store::search::Query;
use kefu_store::{MessageSentimentRow, NewEvent, NewMessage, NewUser, SearchFilter, StoreError};
use serde_json::json;

use crate::support::{conversation, each_backend, group_and_visitor};

fn msg<'a>(conversation_id: i64, sender: &'a str, sender_id: i64, body: &'a str) -> NewMessage<'a> {
    NewMessage {
        conversation_id,
        sender,
        sender_id: Some(sender_id),
        sender_name: Some("n"),
        kind: "text",
        body,
        attachment_id: None,
        client_id: None,
        data: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_stores_what_one_message_at_a_time_would() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let agent = store
            .create_user(
                NewUser { email: "a@x", name: "张三", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 },
                1,
            )
            .await
            .unwrap();
        let hook = store.create_webhook("http://127.0.0.1:9/h", "[\"message.created\"]", "s", 1).await.unwrap();
        let other_hook = store.create_webhook("http://127.0.0.1:9/o", "[\"conversation.created\"]", "s", 1).await.unwrap();
        let other = store.create_visitor("w", Some("zh-CN"), 1).await.unwrap().id;
        let (a, b) = (conversation(&store, group, visitor).await, conversation(&store, group, other).await);
        let mut tx = store.begin().await.unwrap();
        assert!(matches!(tx.take_seqs(&[(a, 3, None), (999_999, 1, None)]).await, Err(StoreError::NotFound)));
        drop(tx); // rolled back
        let mut tx = store.begin().await.unwrap();
        // One message already there: the batch's numbers follow it.
        let first = tx.next_seq(a).await.unwrap();
        assert_eq!(first, 1);

        let convs = tx.conversations_for_write(&[b, a, a, 999_999]).await.unwrap();
        assert_eq!(convs.len(), 2, "each existing conversation once, a missing one absent");
        assert_eq!((convs[&a].conversation.last_seq, convs[&b].conversation.visitor_id), (1, other));
        assert_eq!((convs[&a].visitor_name.as_str(), convs[&b].visitor_name.as_str(), convs[&a].agent_name.as_deref()), ("v", "w", None));
        tx.set_assigned(a, agent, 40).await.unwrap();
        assert_eq!(tx.conversations_for_write(&[a]).await.unwrap()[&a].agent_name.as_deref(), Some("张三"));

        let seqs = tx.take_seqs(&[(a, 3, Some(3)), (b, 1, None)]).await.unwrap();
        assert_eq!((seqs[&a], seqs[&b]), (2, 1));
        let batch = [
            (msg(a, "visitor", visitor, "退款进度怎么样"), 2, 50),
            (msg(b, "visitor", other, "hello refund"), 1, 51),
            (msg(a, "agent", agent, "马上处理"), 3, 52),
        ];
        let rows = tx.insert_messages(&batch).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.created_at).collect::<Vec<_>>(), vec![50, 51, 52]);
        assert_eq!(
            rows.iter().map(|r| (r.conversation_id, r.seq, r.sender.as_str())).collect::<Vec<_>>(),
            vec![(a, 2, "visitor"), (b, 1, "visitor"), (a, 3, "agent")]
        );
        tx.insert_message_sentiments(&[MessageSentimentRow { message_id: rows[0].id, conversation_id: a, lang: "zh".into(), score: -0.5 }])
            .await
            .unwrap();
        let data: Vec<serde_json::Value> = rows.iter().map(|r| json!({ "id": r.id })).collect();
        let read = json!({ "reader": "agent", "seq": 3 });
        let events = [
            NewEvent { conversation_id: a, seq: 2, kind: "message.created", data: &data[0], at: 50 },
            NewEvent { conversation_id: b, seq: 1, kind: "message.created", data: &data[1], at: 51 },
            NewEvent { conversation_id: a, seq: 3, kind: "message.created", data: &data[2], at: 52 },
            NewEvent { conversation_id: a, seq: 4, kind: "message.read", data: &read, at: 52 },
        ];
        tx.insert_events(&events).await.unwrap();
        let payloads: Vec<(serde_json::Value, i64)> = data.iter().cloned().zip([50, 51, 52]).collect();
        assert_eq!(tx.enqueue_webhooks_each("message.created", &payloads).await.unwrap(), 3);
        assert_eq!(tx.enqueue_webhooks_each("message.created", &[]).await.unwrap(), 0);
        tx.commit().await.unwrap();

        assert_eq!(
            store.messages_after(a, 0).await.unwrap().iter().map(|m| (m.id, m.body.as_str())).collect::<Vec<_>>(),
            vec![(rows[0].id, "退款进度怎么样"), (rows[2].id, "马上处理")]
        );
        let logged = store.events_after(a, 0).await.unwrap();
        assert_eq!(
            logged.iter().map(|e| (e.seq, e.r#type.as_str())).collect::<Vec<_>>(),
            vec![(2, "message.created"), (3, "message.created"), (4, "message.read")]
        );
        let c = store.conversation(a).await.unwrap();
        assert_eq!((c.last_seq, c.agent_read_seq), (4, 3));
        assert_eq!(store.message_sentiments(a).await.unwrap().iter().map(|s| s.score).collect::<Vec<_>>(), vec![-0.5]);
        let found = |q: &'static str| {
            let store = store.clone();
            async move {
                let f = SearchFilter { query: Query::parse(q), limit: 10, ..Default::default() };
                store.search_conversations(&f).await.unwrap().into_iter().map(|h| h.conversation_id).collect::<Vec<_>>()
            }
        };
        assert_eq!(found("退款").await, vec![a]);
        assert_eq!(found("REFUND").await, vec![b]);
        let mut deliveries = store.deliveries(hook).await.unwrap();
        deliveries.reverse();
        assert_eq!(
            deliveries.iter().map(|d| d.payload.clone()).collect::<Vec<_>>(),
            data.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            "in message order"
        );
        assert_eq!(deliveries.iter().map(|d| d.created_at).collect::<Vec<_>>(), vec![50, 51, 52]);
        assert!(store.deliveries(other_hook).await.unwrap().is_empty());
    })
    .await;
}
