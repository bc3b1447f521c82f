//! Conversations, their sequenced events and messages with client-id dedupe.

use kefu_core::ConversationStatus;
use kefu_store::{NewConversation, NewMessage, StoreError};
use serde_json::json;

use crate::support::{conversation, each_backend, group_and_visitor};

fn text<'a>(conversation_id: i64, client_id: Option<&'a str>, body: &'a str) -> NewMessage<'a> {
    NewMessage {
        conversation_id,
        sender: "visitor",
        sender_id: None,
        sender_name: Some("v"),
        kind: "text",
        body,
        attachment_id: None,
        client_id,
        data: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_open_conversation_per_visitor_and_its_life() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let c = store.conversation(id).await.unwrap();
        assert_eq!((c.status, c.visitor_id, c.queued_at, c.left_message), (ConversationStatus::Queued, visitor, 10, false));
        assert_eq!(store.open_conversation(visitor).await.unwrap().map(|c| c.id), Some(id));

        // A second open conversation of the same visitor breaks the unique rule: Conflict.
        let mut tx = store.begin().await.unwrap();
        let again = NewConversation {
            visitor_id: visitor,
            group_id: group,
            business_type_id: None,
            channel: "web",
            priority: 0,
            min_skill_level: 1,
            topic: None,
            left_message: false,
            media: "chat",
        };
        assert!(matches!(tx.insert_conversation(&again, 11).await, Err(StoreError::Conflict(_))));
        drop(tx);

        let agent = store
            .create_user(
                kefu_store::NewUser {
                    email: "a@x",
                    name: "A",
                    role: kefu_core::Role::Agent,
                    password_hash: "h",
                    capacity_chat: 5,
                    capacity_call: 1,
                },
                1,
            )
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.set_offered(id, agent, 99).await.unwrap();
        tx.set_assigned(id, agent, 20).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.agent_served(id, agent).await.unwrap());
        assert!(store.agent_serves_visitor(agent, visitor).await.unwrap());
        let held = store.conversations_by_status(Some(ConversationStatus::Assigned), Some(agent)).await.unwrap();
        assert_eq!(held.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
        let mut tx = store.begin().await.unwrap();
        tx.set_closed(id, 30, false, Some("done"), None).await.unwrap();
        assert!(tx.set_csat(id, 5, Some("good")).await.unwrap());
        assert!(!tx.set_csat(id, 4, None).await.unwrap(), "the survey is given once");
        tx.commit().await.unwrap();
        let c = store.conversation(id).await.unwrap();
        assert_eq!((c.status, c.assigned_at, c.closed_at, c.csat_score), (ConversationStatus::Closed, Some(20), Some(30), Some(5)));
        assert_eq!(store.last_agent(visitor, group).await.unwrap(), Some(agent));
        assert_eq!(store.most_served_agent(visitor, group).await.unwrap(), Some(agent));
        assert_eq!(store.contacts_since(0).await.unwrap().len(), 1);

        // Closed: the visitor may start another.
        let next = conversation(&store, group, visitor).await;
        assert!(next > id);
        assert_eq!(store.routable_conversations().await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), [next]);
        assert!(matches!(store.conversation(next + 100).await, Err(StoreError::NotFound)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_get_gapless_sequence_numbers_even_when_written_at_once() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let writers = (0..16).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let seq = tx.append_event(id, "note", &json!({ "i": i }), 100 + i).await.unwrap();
                tx.commit().await.unwrap();
                seq
            })
        });
        let mut seqs: Vec<i64> = futures_join(writers).await;
        seqs.sort();
        assert_eq!(seqs, (1..=16).collect::<Vec<_>>());
        assert_eq!(store.conversation(id).await.unwrap().last_seq, 16);
        let missed = store.events_after(id, 10).await.unwrap();
        assert_eq!(missed.iter().map(|e| e.seq).collect::<Vec<_>>(), (11..=16).collect::<Vec<_>>());
        assert!(missed.iter().all(|e| e.r#type == "note" && e.data.contains("\"i\"")));

        // Read markers move forward only, and never past the last event.
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.mark_read(id, true, 5).await.unwrap(), Some(5));
        assert_eq!(tx.mark_read(id, true, 3).await.unwrap(), None);
        assert_eq!(tx.mark_read(id, true, 99).await.unwrap(), Some(16));
        tx.commit().await.unwrap();
        assert_eq!(store.conversation(id).await.unwrap().visitor_read_seq, 16);
    })
    .await;
}

async fn futures_join<T>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_is_stored_once_per_client_id_even_when_retried_at_once() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        // The send path: find the earlier message by client id, else take a number and insert.
        let send = |client_id: String, body: &'static str| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                if let Some(m) = tx.message_by_client_id(id, "visitor", &client_id).await.unwrap() {
                    return m.id;
                }
                let seq = tx.next_seq(id).await.unwrap();
                let m = tx.insert_message(&text(id, Some(&client_id), body), seq, 50).await.unwrap();
                tx.insert_event(id, seq, "message.created", &json!({ "id": m.id }), 50).await.unwrap();
                tx.commit().await.unwrap();
                m.id
            })
        };
        let ids = futures_join((0..8).map(|_| send("c-1".into(), "hi"))).await;
        assert!(ids.iter().all(|&m| m == ids[0]), "every retry answers the first message: {ids:?}");
        let other = futures_join([send("c-2".into(), "second")].into_iter()).await[0];
        assert_ne!(other, ids[0]);
        let msgs = store.messages_after(id, 0).await.unwrap();
        assert_eq!(msgs.iter().map(|m| (m.seq, m.body.as_str())).collect::<Vec<_>>(), [(1, "hi"), (2, "second")]);
        assert_eq!(store.unread_for_agent(id, 1).await.unwrap(), 1);
        // More rounds of retries racing each other, each stored once.
        for round in 3..8 {
            let ids = futures_join((0..8).map(|_| send(format!("c-{round}"), "again"))).await;
            assert!(ids.iter().all(|&m| m == ids[0]), "round {round}: {ids:?}");
        }
        assert_eq!(store.messages_after(id, 0).await.unwrap().len(), 7);
        assert_eq!(store.first_visitor_message(id).await.unwrap().map(|m| m.body), Some("hi".into()));
        assert_eq!(store.last_message(id).await.unwrap().map(|m| m.seq), Some(7));

        // The unique rule itself: the same client id inserted again is a Conflict.
        let mut tx = store.begin().await.unwrap();
        let seq = tx.next_seq(id).await.unwrap();
        assert!(matches!(tx.insert_message(&text(id, Some("c-1"), "dup"), seq, 60).await, Err(StoreError::Conflict(_))));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn attachments_count_per_conversation_and_on_disk() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let file = kefu_store::AttachmentRow {
            id: 0,
            conversation_id: id,
            name: "a.png".into(),
            mime: "image/png".into(),
            size: 1000,
            sha256: "ab".into(),
            path: format!("{id}/ab"),
            snapshot_call_id: None,
            width: Some(2),
            height: Some(3),
        };
        let mut tx = store.begin().await.unwrap();
        let mut ids = vec![];
        for _ in 0..2 {
            let a = tx.insert_attachment(&file, 5).await.unwrap();
            let seq = tx.next_seq(id).await.unwrap();
            let mut m = text(id, None, "a.png");
            m.attachment_id = Some(a);
            tx.insert_message(&m, seq, 5).await.unwrap();
            ids.push(a);
        }
        tx.commit().await.unwrap();
        assert_eq!(store.visitor_uploads(id).await.unwrap(), (2, 2000));
        assert_eq!(store.upload_bytes().await.unwrap(), 1000, "one file on disk for the same content");
        assert_eq!(store.attachment(ids[1]).await.unwrap().width, Some(2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_decision_on_what_a_transaction_read_is_made_once() {
    each_backend(|store| async move {
        let (group, _) = group_and_visitor(&store).await;
        for round in 0..5 {
            let visitor = store.create_visitor("v", None, 1).await.unwrap().id;
            let id = conversation(&store, group, visitor).await;
            // Two closers (an agent and the visitor leaving) read the conversation, and close it
            // only if it is still open: exactly one of them closes and announces it.
            let close = || {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut tx = store.begin().await.unwrap();
                    if !tx.conversation(id).await.unwrap().status.is_open() {
                        return false;
                    }
                    tx.set_closed(id, 40, false, None, None).await.unwrap();
                    tx.append_event(id, "conversation.closed", &json!({}), 40).await.unwrap();
                    tx.commit().await.unwrap();
                    true
                })
            };
            let closed = futures_join([close(), close(), close()].into_iter()).await;
            assert_eq!(closed.iter().filter(|c| **c).count(), 1, "round {round}: {closed:?}");
            assert_eq!(store.events_after(id, 0).await.unwrap().len(), 1, "round {round}");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn starts_in_one_insert_skip_a_visitor_with_an_open_conversation() {
    each_backend(|store| async move {
        let (group, open) = group_and_visitor(&store).await;
        let first = conversation(&store, group, open).await;
        let b = store.create_visitor("b", None, 1).await.unwrap().id;
        let c = store.create_visitor("c", None, 1).await.unwrap().id;
        let start = |visitor_id| NewConversation {
            visitor_id,
            group_id: group,
            business_type_id: None,
            channel: "web",
            priority: 0,
            min_skill_level: 1,
            topic: None,
            left_message: false,
            media: "chat",
        };
        let mut tx = store.begin().await.unwrap();
        let rows = tx.insert_conversations(&[start(b), start(open), start(c)], 50).await.unwrap();
        tx.commit().await.unwrap();
        let (rb, ro, rc) = (rows[0].clone().unwrap(), &rows[1], rows[2].clone().unwrap());
        assert!(ro.is_none(), "the visitor with an open conversation is skipped");
        assert!(first < rb.id && rb.id < rc.id, "ids in the order given");
        assert_eq!((rb.visitor_id, rb.status, rb.queued_at, rb.last_seq), (b, ConversationStatus::Queued, 50, 0));
        assert_eq!(store.open_conversation(open).await.unwrap().map(|c| c.id), Some(first));
        assert_eq!(store.open_conversation(c).await.unwrap().map(|c| c.id), Some(rc.id));

        // Any other failure fails the statement: nothing of it is written.
        let d = store.create_visitor("d", None, 1).await.unwrap().id;
        let e = store.create_visitor("e", None, 1).await.unwrap().id;
        let mut tx = store.begin().await.unwrap();
        let no_group = NewConversation { group_id: group + 1000, ..start(e) };
        assert!(tx.insert_conversations(&[start(d), no_group], 60).await.is_err());
        drop(tx);
        assert_eq!(store.open_conversation(d).await.unwrap().map(|c| c.id), None);
    })
    .await;
}
