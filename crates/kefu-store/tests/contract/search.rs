//! Message search (migration 0016): terms written with each message, the backfill of older
//! messages, and the conversation query with its filters, viewer rule and cursor.

use kefu_core::Role;
use kefu_store::search::Query;
use kefu_store::{NewMessage, NewNote, NewUser, SearchFilter, SearchSource, Store};

use crate::support::{conversation, each_backend, group_and_visitor};

async fn say(store: &Store, conversation_id: i64, kind: &str, body: &str) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let seq = tx.next_seq(conversation_id).await.unwrap();
    let m = NewMessage {
        conversation_id,
        sender: "visitor",
        sender_id: None,
        sender_name: Some("v"),
        kind,
        body,
        attachment_id: None,
        client_id: None,
        data: None,
    };
    let id = tx.insert_message(&m, seq, 20).await.unwrap().id;
    tx.commit().await.unwrap();
    id
}

async fn find(store: &Store, q: &str) -> Vec<i64> {
    let f = SearchFilter { query: Query::parse(q), limit: 50, ..Default::default() };
    store.search_conversations(&f).await.unwrap().into_iter().map(|h| h.conversation_id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_message_is_found_by_a_chinese_word_inside_it_and_by_english_in_any_case() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let a = conversation(&store, group, visitor).await;
        let m = say(&store, a, "text", "我想办理信用卡分期业务").await;
        say(&store, a, "event", "assigned").await;
        for q in ["分期", "信用卡", "卡", "信用卡分期", "办理 业务"] {
            assert_eq!(find(&store, q).await, vec![a], "{q}");
        }
        assert!(find(&store, "贷款").await.is_empty());
        assert!(find(&store, "assigned").await.is_empty(), "system lines are not searched");
        let mut tx = store.begin().await.unwrap();
        tx.set_closed(a, 30, false, None, None).await.unwrap();
        tx.commit().await.unwrap();

        let (_, other) = group_and_visitor_again(&store, group).await;
        let b = conversation(&store, group, other).await;
        say(&store, b, "text", "Where is my REFUND?").await;
        assert_eq!(find(&store, "refund").await, vec![b]);
        assert_eq!(find(&store, "Refund where").await, vec![b]);
        assert!(find(&store, "refund 分期").await.is_empty(), "all words must be in one message");

        let hits = store.search_conversations(&SearchFilter { query: Query::parse("分期"), limit: 5, ..Default::default() }).await.unwrap();
        assert_eq!((hits[0].hit_id, hits[0].matches), (Some(m), 1));
    })
    .await;
}

async fn group_and_visitor_again(store: &Store, group: i64) -> (i64, i64) {
    (group, store.create_visitor("Alice Chen", Some("en"), 1).await.unwrap().id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn filters_viewer_and_cursor_narrow_the_result_newest_first() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let other_visitor = store.create_visitor("Alice Chen", Some("en"), 1).await.unwrap().id;
        let agent = store
            .create_user(
                NewUser { email: "a@x", name: "张三", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 },
                1,
            )
            .await
            .unwrap();
        let mut ids = Vec::new();
        for (i, v) in [visitor, other_visitor, visitor].into_iter().enumerate() {
            let c = conversation(&store, group, v).await;
            say(&store, c, "text", "退款进度怎么样").await;
            let mut tx = store.begin().await.unwrap();
            if i == 1 {
                tx.set_assigned(c, agent, 11).await.unwrap();
            }
            tx.set_closed(c, 30, false, None, None).await.unwrap();
            tx.commit().await.unwrap();
            ids.push(c);
        }
        let base = SearchFilter { query: Query::parse("退款"), limit: 10, ..Default::default() };
        let all = |f: SearchFilter| {
            let store = store.clone();
            async move { store.search_conversations(&f).await.unwrap().into_iter().map(|h| h.conversation_id).collect::<Vec<_>>() }
        };
        assert_eq!(all(base.clone()).await, vec![ids[2], ids[1], ids[0]]);
        assert_eq!(all(SearchFilter { limit: 2, ..base.clone() }).await, vec![ids[2], ids[1]]);
        assert_eq!(all(SearchFilter { before: Some(ids[1]), ..base.clone() }).await, vec![ids[0]]);
        assert_eq!(all(SearchFilter { viewer: Some(agent), ..base.clone() }).await, vec![ids[1]]);
        assert_eq!(all(SearchFilter { agent_id: Some(agent), ..base.clone() }).await, vec![ids[1]]);
        assert_eq!(all(SearchFilter { customer: Some("alice".into()), ..base.clone() }).await, vec![ids[1]]);
        assert_eq!(all(SearchFilter { customer: Some(other_visitor.to_string()), ..base.clone() }).await, vec![ids[1]]);
        assert_eq!(all(SearchFilter { group_id: Some(group + 1), ..base.clone() }).await, Vec::<i64>::new());
        assert_eq!(all(SearchFilter { status: Some("queued".into()), ..base.clone() }).await, Vec::<i64>::new());
        assert_eq!(all(SearchFilter { from: Some(11), ..base.clone() }).await, Vec::<i64>::new(), "created at 10");
        assert_eq!(all(SearchFilter { to: Some(11), status: Some("closed".into()), ..base.clone() }).await.len(), 3);
        let tag = store.create_tag("投诉", "#ff0000", false, 1).await.unwrap();
        let mut tx = store.begin().await.unwrap();
        tx.add_conversation_tag(ids[0], tag, None, 2).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(all(SearchFilter { tag_id: Some(tag), ..base.clone() }).await, vec![ids[0]]);
        let by_filters = SearchFilter { query: Query::default(), customer: Some("alice".into()), limit: 10, ..Default::default() };
        let hits = store.search_conversations(&by_filters).await.unwrap();
        assert_eq!((hits.len(), hits[0].hit_id), (1, None));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_exact_form_checks_the_chinese_run_as_written() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;
        say(&store, c, "text", "期待分享").await;
        let q = Query::parse("分期").fallback().unwrap();
        let f = SearchFilter { query: q, exact: true, limit: 5, ..Default::default() };
        assert!(store.search_conversations(&f).await.unwrap().is_empty(), "分 and 期 are there, 分期 is not");
        say(&store, c, "text", "能分期吗").await;
        assert_eq!(store.search_conversations(&f).await.unwrap().len(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn messages_from_before_the_index_are_backfilled_once() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;
        for i in 0..7 {
            say(&store, c, "text", &format!("第{i}个问题：发票开错了")).await;
        }
        kefu_store::testing::forget_search_index(&store).await.unwrap();
        assert!(find(&store, "发票").await.is_empty());
        assert_eq!(store.backfill_search_batch(SearchSource::Messages, 3).await.unwrap(), 3);
        assert_eq!(store.backfill_search().await.unwrap(), 4);
        assert_eq!(store.backfill_search().await.unwrap(), 0, "done: nothing twice");
        let hits = store.search_conversations(&SearchFilter { query: Query::parse("发票"), limit: 5, ..Default::default() }).await.unwrap();
        assert_eq!(hits[0].matches, 7);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn staff_notes_are_searched_apart_from_messages_and_backfilled() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let c = conversation(&store, group, visitor).await;
        say(&store, c, "text", "我要投诉").await;
        let mut tx = store.begin().await.unwrap();
        let note =
            |kind, body| NewNote { conversation_id: c, kind, author_id: None, author_name: "张三", body, mentions: &[], tag_id: None };
        let n = tx.insert_note(&note("note", "客户情绪激动，先安抚"), 40).await.unwrap().id;
        tx.insert_note(&note("tag_added", "情绪"), 41).await.unwrap();
        tx.commit().await.unwrap();
        let notes = |q: &str| SearchFilter { query: Query::parse(q), source: SearchSource::Notes, limit: 5, ..Default::default() };
        let hits = store.search_conversations(&notes("安抚")).await.unwrap();
        assert_eq!((hits.len(), hits[0].hit_id, hits[0].matches), (1, Some(n), 1));
        assert_eq!(store.search_conversations(&notes("情绪")).await.unwrap()[0].matches, 1, "tag lines are not searched");
        assert!(store.search_conversations(&notes("投诉")).await.unwrap().is_empty(), "messages are not notes");
        assert!(find(&store, "安抚").await.is_empty(), "notes are not messages");

        kefu_store::testing::forget_search_index(&store).await.unwrap();
        assert!(store.search_conversations(&notes("安抚")).await.unwrap().is_empty());
        assert_eq!(store.backfill_search().await.unwrap(), 3, "one message, two notes read");
        assert_eq!(store.search_conversations(&notes("安抚")).await.unwrap().len(), 1);
        assert_eq!(find(&store, "投诉").await, vec![c]);
    })
    .await;
}
