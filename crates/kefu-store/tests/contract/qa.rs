//! Quality inspection (migration 0015): a re-run replaces a result and its hits, one review per
//! conversation, one appeal per review decided once, and the report's sums with an upheld
//! appeal's new score.

use kefu_core::Role;
use kefu_store::{NewQaReview, NewUser, QaResultRow, QaRuleFields, Store, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

async fn user(store: &Store, email: &str) -> i64 {
    let u = NewUser { email, name: "质检", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 };
    store.create_user(u, 1).await.unwrap()
}

fn result(conversation_id: i64, agent_id: i64, score: i64, heavy_hit: bool) -> QaResultRow {
    QaResultRow { conversation_id, agent_id, score, heavy_hit, closed_at: 1_000, scored_at: 1_001 }
}

fn review(conversation_id: i64, agent_id: i64, reviewer_id: i64, score: i64) -> NewQaReview<'static> {
    NewQaReview {
        conversation_id,
        agent_id,
        reviewer_id,
        form: (1, "表"),
        items: "[]",
        line_comments: "[]",
        comment: None,
        score,
        fatal: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_scorings_finishing_at_once_leave_one_result_with_one_scorings_hits() {
    // After the close and after the survey answer: the first result of a conversation, twice.
    each_backend(|store| async move {
        let (group, _) = group_and_visitor(&store).await;
        let agent = user(&store, "a@x").await;
        let rule = QaRuleFields { name: "结束语", definition: r#"{"kind":"wrap_up_missing"}"#, weight: 5, heavy: false, enabled: true };
        let rid = store.create_qa_rule(&rule, 1).await.unwrap();
        let hits = [(rid, "结束语".to_string(), 5, None, "no closing".to_string())];
        for i in 0..5 {
            let visitor = store.create_visitor(&format!("v{i}"), None, 1).await.unwrap().id;
            let scored = result(conversation(&store, group, visitor).await, agent, 95, false);
            let (a, b) = tokio::join!(store.save_qa_result(&scored, &hits), store.save_qa_result(&scored, &hits));
            a.unwrap();
            b.unwrap();
            let (_, saved) = store.qa_result(scored.conversation_id).await.unwrap().unwrap();
            assert_eq!(saved.len(), 1, "one scoring's hits, not both");
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn results_reviews_appeals_and_the_report() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let (agent, reviewer) = (user(&store, "a@x").await, user(&store, "r@x").await);
        // One open conversation per visitor: the second is another customer's.
        let other = store.create_visitor("v2", None, 1).await.unwrap().id;
        let (one, two) = (conversation(&store, group, visitor).await, conversation(&store, group, other).await);
        let rule = QaRuleFields { name: "禁用语", definition: r#"{"kind":"wrap_up_missing"}"#, weight: 5, heavy: false, enabled: true };
        let rid = store.create_qa_rule(&rule, 1).await.unwrap();
        assert!(matches!(store.create_qa_rule(&rule, 1).await, Err(StoreError::Conflict(_))));
        assert_eq!(store.qa_rules(true).await.unwrap().len(), 1);
        store.update_qa_rule(rid, &QaRuleFields { enabled: false, ..rule.clone() }, 2).await.unwrap();
        assert!(store.qa_rules(true).await.unwrap().is_empty());

        let hit = |d: &str| (rid, "禁用语".to_string(), 5, None, d.to_string());
        store.save_qa_result(&result(one, agent, 90, false), &[hit("a"), hit("b")]).await.unwrap();
        store.save_qa_result(&result(one, agent, 95, true), &[hit("c")]).await.unwrap();
        let (row, hits) = store.qa_result(one).await.unwrap().unwrap();
        assert_eq!((row.score, row.heavy_hit, hits.len(), hits[0].detail.as_str()), (95, true, 1, "c"), "a re-run replaces");
        store.save_qa_result(&result(two, agent, 70, false), &[]).await.unwrap();

        assert_eq!(store.add_qa_samples(&[(one, agent, "flagged"), (two, agent, "random")], 5).await.unwrap(), 2);
        assert_eq!(store.add_qa_samples(&[(one, agent, "random")], 5).await.unwrap(), 0, "queued once");
        let queue = store.qa_queue(10).await.unwrap();
        assert_eq!(queue.iter().map(|s| s.conversation_id).collect::<Vec<_>>(), vec![one, two], "flagged first");

        let r1 = store.create_qa_review(&review(one, agent, reviewer, 60), 6).await.unwrap();
        assert!(matches!(store.create_qa_review(&review(one, agent, reviewer, 70), 6).await, Err(StoreError::Conflict(_))));
        store.create_qa_review(&review(two, agent, reviewer, 80), 6).await.unwrap();
        assert!(store.qa_queue(10).await.unwrap().is_empty(), "reviewed ones leave the queue");

        let appeal = store.create_qa_appeal(r1, agent, "理由", 7).await.unwrap();
        assert!(matches!(store.create_qa_appeal(r1, agent, "again", 7).await, Err(StoreError::Conflict(_))));
        assert_eq!(store.qa_appeals(Some("open"), 10).await.unwrap().len(), 1);
        let reviews = store.qa_appealed_reviews(Some("open"), 10).await.unwrap();
        assert_eq!(reviews.iter().map(|r| r.review.id).collect::<Vec<_>>(), [r1], "the appealed review");
        assert_eq!(reviews[0].group_id, store.conversation(one).await.unwrap().group_id);
        assert!(store.qa_appealed_reviews(Some("upheld"), 10).await.unwrap().is_empty());
        assert!(store.decide_qa_appeal(appeal, "upheld", reviewer, Some("ok"), Some(100), 8).await.unwrap());
        assert!(!store.decide_qa_appeal(appeal, "rejected", reviewer, None, None, 9).await.unwrap(), "decided once");
        assert!(store.qa_appeals(Some("open"), 10).await.unwrap().is_empty());

        let agents = store.qa_agent_totals(0, 2_000).await.unwrap();
        assert_eq!(agents.len(), 1);
        let t = &agents[0];
        assert_eq!((t.scored, t.auto_sum, t.heavy_hit, t.reviewed, t.review_sum), (2, 165, 1, 2, 180), "100 (upheld) + 80");
        assert_eq!(store.qa_hit_counts_of(agent).await.unwrap(), vec![(one, 1)]);
        let rules = store.qa_rule_totals(0, 2_000).await.unwrap();
        assert_eq!((rules[0].hits, rules[0].conversations), (1, 1));
        assert!(store.qa_agent_totals(2_000, 3_000).await.unwrap().is_empty());

        store.set_qa_reviewer(reviewer, true, 1).await.unwrap();
        store.set_qa_reviewer(reviewer, true, 1).await.unwrap();
        assert!(store.is_qa_reviewer(reviewer).await.unwrap());
        store.set_qa_reviewer(reviewer, false, 1).await.unwrap();
        assert!(!store.is_qa_reviewer(reviewer).await.unwrap());
    })
    .await;
}
