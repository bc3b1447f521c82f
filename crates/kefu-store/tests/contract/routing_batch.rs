//! Routing's batched store calls: many offers recorded at once land as the single calls would
//! write them, and the view parts of many conversations read at once are what the single reads
//! give, in the order asked.

use kefu_core::{ConversationStatus, Fact};
use kefu_store::{NewAssignment, NewCall, NewMessage, NewOffer, NewUser, RoutingLine, Store};
use serde_json::json;

use crate::support::{conversation, each_backend, group_and_visitor};

fn agent(email: &str) -> NewUser<'_> {
    NewUser { email, name: "Agent A", role: kefu_core::Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 }
}

fn line(conversation_id: i64, body: &str) -> NewMessage<'_> {
    NewMessage {
        conversation_id,
        sender: "visitor",
        sender_id: None,
        sender_name: Some("v"),
        kind: "text",
        body,
        attachment_id: None,
        client_id: None,
        data: None,
    }
}

async fn another_visitor(store: &Store, name: &str) -> i64 {
    store.create_visitor(name, Some("zh-CN"), 1).await.unwrap().id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn offers_recorded_at_once_are_stored_each_as_one_offer_and_a_closed_one_is_left_alone() {
    each_backend(|store: Store| async move {
        let (group, v1) = group_and_visitor(&store).await;
        let (v2, v3) = (another_visitor(&store, "b").await, another_visitor(&store, "c").await);
        let (a, b) = (store.create_user(agent("a@x"), 1).await.unwrap(), store.create_user(agent("b@x"), 1).await.unwrap());
        let ids = [conversation(&store, group, v1).await, conversation(&store, group, v2).await, conversation(&store, group, v3).await];
        let mut tx = store.begin().await.unwrap();
        tx.set_closed(ids[2], 20, true, None, None).await.unwrap();
        tx.commit().await.unwrap();
        let offer = |id: i64, agent: i64, expires_at: i64| NewOffer {
            conversation_id: id,
            agent_id: agent,
            group_id: group,
            expires_at,
            detail: json!({ "reason": "load_balance" }),
        };
        let mut tx = store.begin().await.unwrap();
        tx.record_offers(&[offer(ids[0], a, 1_000), offer(ids[1], b, 2_000), offer(ids[2], a, 3_000)], 30).await.unwrap();
        tx.record_offers(&[], 30).await.unwrap();
        tx.commit().await.unwrap();
        for (id, agent, expires) in [(ids[0], a, 1_000), (ids[1], b, 2_000)] {
            let c = store.conversation(id).await.unwrap();
            assert_eq!(
                (c.status, c.offered_agent_id, c.offer_expires_at, c.agent_id),
                (ConversationStatus::Offered, Some(agent), Some(expires), None)
            );
            let facts = store.facts_of_conversation(id).await.unwrap();
            assert!(facts.iter().any(|f| f.at == 30 && matches!(f.fact, Fact::Offered { agent: g, .. } if g.0 == agent)), "{facts:?}");
        }
        let closed = store.conversation(ids[2]).await.unwrap();
        assert_eq!((closed.status, closed.offered_agent_id), (ConversationStatus::Closed, None), "a closed conversation is not offered");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn view_parts_of_many_conversations_match_the_single_reads_in_the_order_asked() {
    each_backend(|store: Store| async move {
        let (group, v1) = group_and_visitor(&store).await;
        let v2 = another_visitor(&store, "b").await;
        let a = store.create_user(agent("a@x"), 1).await.unwrap();
        let (quiet, busy) = (conversation(&store, group, v1).await, conversation(&store, group, v2).await);
        let (t1, t2) =
            (store.create_tag("zeta", "#000000", false, 1).await.unwrap(), store.create_tag("alpha", "#111111", false, 1).await.unwrap());
        let mut tx = store.begin().await.unwrap();
        for (body, at) in [("first", 40), ("second", 41)] {
            let seq = tx.next_seq(busy).await.unwrap();
            tx.insert_message(&line(busy, body), seq, at).await.unwrap();
        }
        tx.add_conversation_tag(busy, t1, None, 42).await.unwrap();
        tx.add_conversation_tag(busy, t2, None, 42).await.unwrap();
        tx.set_assigned(busy, a, 43).await.unwrap();
        tx.insert_call(&NewCall { conversation_id: busy, media: "video", started_by: "visitor", answered: true }, 44).await.unwrap();
        tx.commit().await.unwrap();
        let parts = store.view_parts(&[busy, 999_999, quiet]).await.unwrap();
        assert_eq!(parts.iter().map(|p| p.conversation.id).collect::<Vec<_>>(), vec![busy, quiet], "asked order; unknown ids left out");
        let (b, q) = (&parts[0], &parts[1]);
        assert_eq!((b.visitor.id, q.visitor.id), (v2, v1));
        assert_eq!(b.agent_name.as_deref(), Some("Agent A"));
        assert_eq!(q.agent_name, None);
        assert_eq!(b.call, store.open_call(busy).await.unwrap());
        assert!(b.call.is_some() && q.call.is_none());
        assert_eq!(b.tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(), vec!["alpha", "zeta"], "by name");
        assert!(q.tags.is_empty());
        assert_eq!(b.awaiting_reply_since, store.awaiting_reply_since(busy).await.unwrap());
        assert_eq!(b.awaiting_reply_since, Some(40));
        assert_eq!(q.awaiting_reply_since, None);
        assert_eq!(
            (b.reply_target_secs, q.reply_target_secs),
            (store.reply_target(busy).await.unwrap(), store.reply_target(quiet).await.unwrap())
        );
        assert_eq!(b.first_visitor_message.as_ref().map(|m| m.body.as_str()), Some("first"));
        assert!(q.first_visitor_message.is_none());
        assert!(store.view_parts(&[]).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepts_stored_at_once_leave_what_set_assigned_leaves_and_a_missing_conversation_fails_the_whole_run() {
    each_backend(|store: Store| async move {
        let (group, v1) = group_and_visitor(&store).await;
        let (v2, v3) = (another_visitor(&store, "b").await, another_visitor(&store, "c").await);
        let (a, b) = (store.create_user(agent("a@x"), 1).await.unwrap(), store.create_user(agent("b@x"), 1).await.unwrap());
        let ids = [conversation(&store, group, v1).await, conversation(&store, group, v2).await, conversation(&store, group, v3).await];
        let tag = store.create_tag("vip", "#000000", false, 1).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        let seq = tx.next_seq(ids[1]).await.unwrap();
        tx.insert_message(&line(ids[1], "hello"), seq, 40).await.unwrap();
        tx.add_conversation_tag(ids[1], tag, None, 41).await.unwrap();
        tx.commit().await.unwrap();
        // The twin, one at a time, on the third conversation.
        let mut tx = store.begin().await.unwrap();
        tx.set_assigned(ids[2], a, 50).await.unwrap();
        tx.commit().await.unwrap();
        let single = store.conversation(ids[2]).await.unwrap();

        let before: Vec<i64> =
            [store.conversation(ids[0]).await.unwrap(), store.conversation(ids[1]).await.unwrap()].iter().map(|c| c.last_seq).collect();
        let run = [NewAssignment { conversation_id: ids[1], agent_id: b }, NewAssignment { conversation_id: ids[0], agent_id: a }];
        let mut tx = store.begin().await.unwrap();
        let stored = tx.set_assigned_many(&run, 2, 50).await.unwrap();
        assert_eq!(stored.iter().map(|s| s.0.id).collect::<Vec<_>>(), vec![ids[1], ids[0]], "in the order given");
        assert_eq!(stored[0].1, before[1] + 1, "the first of the two numbers taken");
        assert_eq!(stored[1].1, before[0] + 1);
        let names = tx.user_names(&[a, b, 999_999]).await.unwrap();
        assert_eq!((names.len(), names[&b].as_str()), (2, "Agent A"));
        let parts = tx.view_parts_of(stored.iter().map(|s| s.0.clone()).collect(), &names).await.unwrap();
        let lines: Vec<RoutingLine> = run
            .iter()
            .map(|r| RoutingLine {
                conversation_id: Some(r.conversation_id),
                agent_id: Some(r.agent_id),
                group_id: Some(group),
                detail: json!({}),
            })
            .collect();
        tx.log_routing_many("assigned", &lines, 50).await.unwrap();
        tx.commit().await.unwrap();
        for ((row, _), r) in stored.iter().zip(&run) {
            let now = store.conversation(r.conversation_id).await.unwrap();
            assert_eq!(format!("{row:?}"), format!("{now:?}"), "the row returned is the row stored");
            assert_eq!(
                (now.status, now.agent_id, now.offered_agent_id, now.assigned_at, now.agent_read_seq, now.returned_to_queue),
                (
                    single.status,
                    Some(r.agent_id),
                    single.offered_agent_id,
                    single.assigned_at,
                    single.agent_read_seq,
                    single.returned_to_queue
                )
            );
            assert!(store.agent_served(r.conversation_id, r.agent_id).await.unwrap());
        }
        // The parts read inside the transaction are those read through the pool after it.
        let after = store.view_parts(&[ids[1], ids[0]]).await.unwrap();
        for (inside, outside) in parts.iter().zip(&after) {
            assert_eq!(inside.conversation.id, outside.conversation.id);
            assert_eq!(inside.visitor.id, outside.visitor.id);
            assert_eq!(inside.agent_name, outside.agent_name);
            assert_eq!(inside.tags.iter().map(|t| t.id).collect::<Vec<_>>(), outside.tags.iter().map(|t| t.id).collect::<Vec<_>>());
            assert_eq!(inside.awaiting_reply_since, outside.awaiting_reply_since);
            assert_eq!(inside.reply_target_secs, outside.reply_target_secs);
        }
        assert_eq!(parts[0].awaiting_reply_since, Some(40));

        // One conversation that does not exist fails the run, and the transaction writes nothing.
        let fresh = conversation(&store, group, another_visitor(&store, "d").await).await;
        let mut tx = store.begin().await.unwrap();
        let bad = [NewAssignment { conversation_id: fresh, agent_id: a }, NewAssignment { conversation_id: 999_999, agent_id: a }];
        let failed = tx.set_assigned_many(&bad, 2, 60).await;
        assert!(matches!(failed, Err(kefu_store::StoreError::NotFound)), "{failed:?}");
        drop(tx);
        assert_eq!(store.conversation(fresh).await.unwrap().status, ConversationStatus::Queued);
        assert!(!store.agent_served(fresh, a).await.unwrap());
    })
    .await;
}
