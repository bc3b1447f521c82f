//! Writers of related facts side by side, in opposite orders and mixed with row locks: none
//! deadlocks (PostgreSQL would fail one with 40P01), no fact is lost, and both report models end
//! as a full rebuild leaves them (`contacts_lock`).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use kefu_core::{AgentId, AgentStatusKind, ConversationId, Fact, FactKind, GroupId, StatusFact};
use kefu_store::Store;

use crate::support::{conversation, each_backend, group_and_visitor};

const WRITERS: usize = 4;
const ROUNDS: usize = 25;
const AGENTS: [i64; 2] = [31, 32];

fn status(agent: i64, from: AgentStatusKind, to: AgentStatusKind) -> Fact {
    Fact::AgentStatus {
        agent: AgentId(agent),
        from: StatusFact { status: from, reason: None },
        to: StatusFact { status: to, reason: None },
    }
}

fn transferred(c: i64, from: i64, to: i64) -> Fact {
    Fact::Transferred { conversation: ConversationId(c), from_agent: AgentId(from), to_group: None, to_agent: Some(AgentId(to)) }
}

/// One writer's transaction: a transfer on each conversation and a status change of each agent,
/// in an order of its own (`kind`); kinds 2 and 3 also lock the first conversation's row, before
/// any fact or between them.
async fn write_round(store: &Store, kind: usize, convs: [i64; 2], clock: &AtomicI64) {
    let [c1, c2] = convs;
    let [a1, a2] = AGENTS;
    let mut tx = store.begin().await.unwrap();
    async fn fact(tx: &mut kefu_store::Tx, f: Fact, clock: &AtomicI64) {
        let at = clock.fetch_add(1_000, Ordering::SeqCst);
        tx.record_fact(&f, at).await.unwrap();
    }
    let (ready, away) = (AgentStatusKind::Ready, AgentStatusKind::Away);
    match kind {
        0 => {
            fact(&mut tx, transferred(c1, a1, a2), clock).await;
            fact(&mut tx, transferred(c2, a2, a1), clock).await;
            fact(&mut tx, status(a1, ready, away), clock).await;
            fact(&mut tx, status(a2, away, ready), clock).await;
        }
        1 => {
            fact(&mut tx, status(a2, ready, away), clock).await;
            fact(&mut tx, transferred(c2, a1, a2), clock).await;
            fact(&mut tx, status(a1, away, ready), clock).await;
            fact(&mut tx, transferred(c1, a2, a1), clock).await;
        }
        2 => {
            tx.conversation(c1).await.unwrap();
            fact(&mut tx, transferred(c2, a2, a1), clock).await;
            fact(&mut tx, status(a2, ready, away), clock).await;
            fact(&mut tx, transferred(c1, a1, a2), clock).await;
            fact(&mut tx, status(a1, away, ready), clock).await;
        }
        _ => {
            fact(&mut tx, transferred(c2, a1, a2), clock).await;
            fact(&mut tx, status(a1, ready, away), clock).await;
            tx.conversation(c1).await.unwrap();
            fact(&mut tx, status(a2, away, ready), clock).await;
            fact(&mut tx, transferred(c1, a2, a1), clock).await;
        }
    }
    tx.commit().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_of_related_facts_in_opposite_orders_neither_deadlock_nor_lose_a_fact() {
    each_backend(|store| async move {
        let (g, _) = group_and_visitor(&store).await;
        let mut convs = [0; 2];
        let mut customers = [0; 2];
        for (i, c) in convs.iter_mut().enumerate() {
            customers[i] = store.create_visitor(&format!("lock{i}"), Some("zh-CN"), 1).await.unwrap().id;
            *c = conversation(&store, g, customers[i]).await;
        }
        // Both conversations queued and answered by both agents: every fact below shares keys
        // with every other.
        let mut tx = store.begin().await.unwrap();
        for (i, c) in convs.iter().enumerate() {
            let queued = Fact::Queued {
                conversation: ConversationId(*c),
                customer: customers[i],
                group: GroupId(g),
                business_type: None,
                channel: "web".into(),
                vip: false,
                left_message: false,
            };
            tx.record_fact(&queued, 1_000 + i as i64).await.unwrap();
            for (j, a) in AGENTS.iter().enumerate() {
                let answered = Fact::Answered { conversation: ConversationId(*c), agent: AgentId(*a), group: GroupId(g) };
                tx.record_fact(&answered, 2_000 + 10 * i as i64 + j as i64).await.unwrap();
            }
        }
        tx.commit().await.unwrap();

        // Times handed out in call order: a writer that waits commits facts older than ones
        // already folded, so the late paths run too.
        let clock = Arc::new(AtomicI64::new(60_000));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                let (store, clock) = (store.clone(), clock.clone());
                tokio::spawn(async move {
                    for _ in 0..ROUNDS {
                        write_round(&store, w % 4, convs, &clock).await;
                    }
                })
            })
            .collect();
        for w in writers {
            w.await.expect("a writer failed (a deadlock surfaces here as a panic)");
        }

        let rounds = (WRITERS * ROUNDS) as i64;
        for c in convs {
            let facts = store.facts_of_conversation(c).await.unwrap();
            let transfers = facts.iter().filter(|f| f.fact.kind() == FactKind::Transferred).count() as i64;
            assert_eq!(transfers, rounds, "conversation {c}: every transfer written");
        }
        for a in AGENTS {
            let statuses = store.facts_of_agent(a).await.unwrap().iter().filter(|f| f.fact.kind() == FactKind::AgentStatus).count();
            assert_eq!(statuses as i64, rounds, "agent {a}: every status change written");
        }
        // The models as written equal full rebuilds, and count every transfer.
        let mut written = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
        written.sort_by_key(|r| r.conversation_id);
        assert_eq!(written.iter().map(|r| r.transfers).collect::<Vec<_>>(), vec![rounds, rounds]);
        store.rebuild_report_contacts().await.unwrap();
        let mut rebuilt = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
        rebuilt.sort_by_key(|r| r.conversation_id);
        assert_eq!(written, rebuilt, "conversation report: as written = as rebuilt");
        let model = |store: Store| async move {
            let mut sums = store.agent_state_sums(0, 1 << 40, 900_000).await.unwrap();
            sums.sort_by(|a, b| (a.slot, a.agent_id, &a.state, &a.reason).cmp(&(b.slot, b.agent_id, &b.state, &b.reason)));
            (sums, store.agent_states_open().await.unwrap())
        };
        let as_written = model(store.clone()).await;
        store.rebuild_agent_states(1).await.unwrap();
        assert_eq!(as_written, model(store.clone()).await, "agent states: as written = as rebuilt");
    })
    .await;
}
