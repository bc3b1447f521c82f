//! The agent tools of migration 0010: tags, staff-only notes with their notifications, reply
//! waits and an agent's closed conversations.

use std::time::Duration;

use kefu_core::Role;
use kefu_store::{NewMessage, NewNote, NewUser, Store, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

async fn agent(store: &Store, email: &str) -> i64 {
    let u = NewUser { email, name: "张三", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 };
    store.create_user(u, 1).await.unwrap()
}

fn visitor_line(conversation_id: i64) -> NewMessage<'static> {
    NewMessage {
        conversation_id,
        sender: "visitor",
        sender_id: None,
        sender_name: Some("v"),
        kind: "text",
        body: "在吗",
        attachment_id: None,
        client_id: None,
        data: None,
    }
}

fn note(conversation_id: i64, author: i64, mentions: &[i64]) -> NewNote<'_> {
    NewNote { conversation_id, kind: "note", author_id: Some(author), author_name: "张三", body: "看一下", mentions, tag_id: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tags_are_unique_by_name_and_leave_everything_they_tagged_when_deleted() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let vip = store.create_tag("vip", "#ff0000", false, 1).await.unwrap();
        assert!(matches!(store.create_tag("vip", "#00ff00", false, 2).await, Err(StoreError::Conflict(_))));
        let old = store.create_tag("old", "#000000", true, 2).await.unwrap();
        let names = |tags: Vec<kefu_store::TagRow>| tags.into_iter().map(|t| (t.name, t.disabled)).collect::<Vec<_>>();
        assert_eq!(names(store.tags(false).await.unwrap()), [("vip".to_string(), false)]);
        assert_eq!(names(store.tags(true).await.unwrap()), [("old".to_string(), true), ("vip".to_string(), false)]);
        assert!(matches!(store.update_tag(old, "vip", "#000000", false, 3).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.update_tag(old + vip + 100, "x", "#000000", false, 3).await, Err(StoreError::NotFound)));
        store.update_tag(old, "older", "#111111", false, 3).await.unwrap();
        assert!(!store.tag(old).await.unwrap().disabled);

        assert!(store.add_visitor_tag(visitor, vip, None, 4).await.unwrap());
        assert!(!store.add_visitor_tag(visitor, vip, None, 4).await.unwrap(), "already tagged");
        let mut tx = store.begin().await.unwrap();
        assert!(tx.add_conversation_tag(id, vip, None, 5).await.unwrap());
        assert!(!tx.add_conversation_tag(id, vip, None, 5).await.unwrap());
        assert!(tx.add_conversation_tag(id, old, None, 5).await.unwrap());
        assert!(tx.remove_conversation_tag(id, old).await.unwrap());
        assert_eq!(tx.conversation_tags(id).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
        assert_eq!(store.conversation_tags(id).await.unwrap()[0].name, "vip");
        assert_eq!(store.visitor_tags(visitor).await.unwrap().len(), 1);

        store.delete_tag(vip).await.unwrap();
        assert!(store.conversation_tags(id).await.unwrap().is_empty());
        assert!(store.visitor_tags(visitor).await.unwrap().is_empty());
        assert!(matches!(store.delete_tag(vip).await, Err(StoreError::NotFound)));
        assert!(!store.remove_visitor_tag(visitor, vip).await.unwrap());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn notes_sit_after_the_last_event_and_notify_who_they_mention() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let (a, b) = (agent(&store, "a@x").await, agent(&store, "b@x").await);
        let mut tx = store.begin().await.unwrap();
        tx.set_assigned(id, a, 11).await.unwrap();
        let seq = tx.next_seq(id).await.unwrap();
        tx.insert_message(&visitor_line(id), seq, 12).await.unwrap();
        let n = tx.insert_note(&note(id, a, &[b]), 13).await.unwrap();
        assert_eq!((n.after_seq, n.mentions.as_str()), (seq, format!("[{b}]").as_str()));
        let told = tx.insert_notification(b, "mention", &n, "看一下").await.unwrap();
        assert!(matches!(tx.insert_note(&note(id + 1000, a, &[]), 13).await, Err(StoreError::NotFound)));
        tx.commit().await.unwrap();

        assert_eq!(store.notes_from(id, seq).await.unwrap().len(), 1);
        assert!(store.notes_from(id, seq + 1).await.unwrap().is_empty());
        assert!(store.user_notified_in(id, b).await.unwrap());
        assert!(!store.user_notified_in(id, a).await.unwrap());
        let mut audience = store.note_audience(id).await.unwrap();
        audience.sort_unstable();
        assert_eq!(audience, [a, b]);
        assert_eq!(store.unread_notifications(b).await.unwrap(), 1);
        assert_eq!(store.notifications(b, true, None, 10).await.unwrap()[0].id, told.id);
        assert!(store.notifications(b, false, Some(told.id), 10).await.unwrap().is_empty(), "the cursor is exclusive");
        assert!(matches!(store.read_notification(a, told.id, 20).await, Err(StoreError::NotFound)), "not theirs");
        store.read_notification(b, told.id, 20).await.unwrap();
        assert!(store.notifications(b, true, None, 10).await.unwrap().is_empty());
        assert_eq!(store.notifications(b, false, None, 10).await.unwrap()[0].read_at, Some(20));
        assert_eq!(store.read_all_notifications(b, 21).await.unwrap(), 0);
    })
    .await;
}

/// On PostgreSQL the note locks the conversation row: a message whose transaction took the next
/// seq first commits first, and the note sits after it (as behind SQLite's one writer).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_note_written_while_a_message_is_written_sits_after_that_message() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let a = agent(&store, "a@x").await;
        let mut first = store.begin().await.unwrap();
        let seq = first.next_seq(id).await.unwrap();
        let writer = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tx = store.begin().await.unwrap();
                let n = tx.insert_note(&note(id, a, &[]), 13).await.unwrap();
                tx.commit().await.unwrap();
                n.after_seq
            })
        };
        tokio::time::sleep(Duration::from_millis(300)).await;
        first.insert_message(&visitor_line(id), seq, 12).await.unwrap();
        first.commit().await.unwrap();
        assert_eq!(writer.await.unwrap(), seq);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reply_waits_targets_and_an_agents_closed_conversations() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let a = agent(&store, "a@x").await;
        assert_eq!(store.awaiting_reply_since(id).await.unwrap(), None);
        assert_eq!(store.reply_target(id).await.unwrap(), 60);
        store.set_reply_target(group, 30).await.unwrap();
        assert!(matches!(store.set_reply_target(group + 1000, 30).await, Err(StoreError::NotFound)));
        assert_eq!(store.reply_targets().await.unwrap(), [(group, 30)]);

        let mut tx = store.begin().await.unwrap();
        tx.set_assigned(id, a, 11).await.unwrap();
        for at in [12, 13] {
            let seq = tx.next_seq(id).await.unwrap();
            tx.insert_message(&visitor_line(id), seq, at).await.unwrap();
        }
        assert_eq!(tx.awaiting_reply_since(id).await.unwrap(), Some(12));
        assert_eq!(tx.reply_target(id).await.unwrap(), 30);
        tx.set_closed(id, 40, false, None, None).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.awaiting_reply_since(id).await.unwrap(), Some(12));

        let closed = store.agent_closed_conversations(a, None, 10).await.unwrap();
        assert_eq!(closed.iter().map(|c| c.id).collect::<Vec<_>>(), [id]);
        assert!(store.agent_closed_conversations(a, Some((40, id)), 10).await.unwrap().is_empty());
        assert_eq!(store.agent_closed_conversations(a, Some((40, id + 1)), 10).await.unwrap().len(), 1);
    })
    .await;
}
