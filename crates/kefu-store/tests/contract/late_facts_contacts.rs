//! Conversation facts written late (stamped before facts already written for the same
//! conversation, customer or agent: clock skew between nodes, a retried write) leave the
//! conversation report's model (`report_contacts`) as `kefu rebuild-reports` leaves it.

use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_store::{ReportContactRow, Store};

use crate::support::{each_backend, group_and_visitor};

const MIN: i64 = 60_000;

fn queued(c: i64, customer: i64, group: i64) -> Fact {
    Fact::Queued {
        conversation: ConversationId(c),
        customer,
        group: GroupId(group),
        business_type: None,
        channel: "web".into(),
        vip: false,
        left_message: false,
    }
}

fn offered(c: i64, agent: i64, group: i64) -> Fact {
    Fact::Offered { conversation: ConversationId(c), agent: AgentId(agent), group: GroupId(group) }
}

fn answered(c: i64, agent: i64, group: i64) -> Fact {
    Fact::Answered { conversation: ConversationId(c), agent: AgentId(agent), group: GroupId(group) }
}

fn transferred(c: i64, from: i64, to: i64) -> Fact {
    Fact::Transferred { conversation: ConversationId(c), from_agent: AgentId(from), to_group: None, to_agent: Some(AgentId(to)) }
}

fn abandoned(c: i64, group: i64, waited_ms: i64) -> Fact {
    Fact::Abandoned { conversation: ConversationId(c), group: GroupId(group), waited_ms }
}

fn closed(c: i64, agent: i64, group: i64, messages: u32) -> Fact {
    Fact::Closed {
        conversation: ConversationId(c),
        group: GroupId(group),
        agent: Some(AgentId(agent)),
        by: ClosedBy::Agent,
        wrap_up_code: None,
        visitor_messages: messages,
        agent_messages: messages,
    }
}

fn csat(c: i64, score: u8) -> Fact {
    Fact::Csat { conversation: ConversationId(c), score }
}

fn status(agent: i64, from: AgentStatusKind, to: AgentStatusKind) -> Fact {
    Fact::AgentStatus {
        agent: AgentId(agent),
        from: StatusFact { status: from, reason: None },
        to: StatusFact { status: to, reason: None },
    }
}

/// Write each fact in its own transaction, in the order given (not necessarily time order).
async fn write(store: &Store, facts: &[(i64, Fact)]) {
    for (at, f) in facts {
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(f, *at).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn rows(store: &Store) -> Vec<ReportContactRow> {
    let mut rows = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
    rows.sort_by_key(|r| r.conversation_id);
    rows
}

/// The rows as written, then as `kefu rebuild-reports` makes them: equal. Returns them.
async fn assert_as_rebuilt(store: &Store, what: &str) -> Vec<ReportContactRow> {
    let written = rows(store).await;
    store.rebuild_report_contacts().await.unwrap();
    let rebuilt = rows(store).await;
    assert_eq!(written, rebuilt, "{what}: the rows as written differ from the full rebuild");
    assert!(!rebuilt.is_empty(), "{what}: something was counted");
    rebuilt
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn late_conversation_facts_give_the_rows_a_rebuild_gives() {
    each_backend(|store| async move {
        let (g, _) = group_and_visitor(&store).await;
        let (a, b) = (31, 32);
        // Customer 7's conversation 1 (queued at 1 min) and conversation 2 (queued at 30 min,
        // abandoned at 45) are written before conversation 1's close at 20 min: the customer
        // came back after it. Its answer (10 min) lands after its close, and A's wrap-up after
        // the close (20 to 25 min) before the answer.
        write(&store, &[(MIN, queued(1, 7, g)), (2 * MIN, offered(1, a, g))]).await;
        write(&store, &[(30 * MIN, queued(2, 7, g)), (45 * MIN, abandoned(2, g, 15 * MIN))]).await;
        write(&store, &[(20 * MIN, closed(1, a, g, 3))]).await;
        write(&store, &[(20 * MIN, status(a, AgentStatusKind::Ready, AgentStatusKind::WrapUp))]).await;
        write(&store, &[(25 * MIN, status(a, AgentStatusKind::WrapUp, AgentStatusKind::Ready))]).await;
        write(&store, &[(10 * MIN, answered(1, a, g)), (21 * MIN, csat(1, 5))]).await;
        // Conversation 3: answered, transferred to B and closed by B; its queueing written last.
        write(&store, &[(52 * MIN, answered(3, a, g)), (55 * MIN, transferred(3, a, b)), (56 * MIN, answered(3, b, g))]).await;
        write(&store, &[(70 * MIN, closed(3, b, g, 2)), (71 * MIN, status(b, AgentStatusKind::Ready, AgentStatusKind::WrapUp))]).await;
        write(&store, &[(50 * MIN, queued(3, 8, g))]).await;
        let rows = assert_as_rebuilt(&store, "scripted").await;

        // The figures themselves.
        let one = &rows[0];
        assert_eq!((one.answered_at, one.ended_at, one.talk_ms), (Some(10 * MIN), Some(20 * MIN), 10 * MIN), "{one:?}");
        assert!(one.closed_by_agent, "{one:?}");
        assert_eq!((one.wrap_ms, one.csat, one.returned_at), (5 * MIN, Some(5), Some(30 * MIN)), "{one:?}");
        let three = &rows[2];
        assert_eq!((three.agent_id, three.transfers, three.answered_at, three.talk_ms), (Some(b), 1, Some(52 * MIN), 18 * MIN));
    })
    .await;
}

/// A little deterministic generator (no dependency for one test).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Conversations `first..first + n` of four customers handled by three agents, from `at`, in
/// time order: queued, offered, then abandoned, or answered (some transferred and answered
/// again), closed, wrap-up and a CSAT.
fn traffic(r: &mut Lcg, group: i64, first: i64, n: i64, at: i64) -> Vec<(i64, Fact)> {
    let mut facts = vec![];
    for c in first..first + n {
        let customer = 100 + r.below(4) as i64;
        let agent = 41 + r.below(3) as i64;
        let mut t = at + (c - first) * 6 * MIN + r.below(5 * MIN as u64) as i64;
        let queued_at = t;
        facts.push((t, queued(c, customer, group)));
        t += 1 + r.below(MIN as u64) as i64;
        facts.push((t, offered(c, agent, group)));
        t += 1 + r.below(MIN as u64) as i64;
        if r.below(5) == 0 {
            facts.push((t, abandoned(c, group, t - queued_at)));
            continue;
        }
        facts.push((t, answered(c, agent, group)));
        let mut last = agent;
        if r.below(3) == 0 {
            t += 1 + r.below(4 * MIN as u64) as i64;
            let other = 41 + (agent - 41 + 1 + r.below(2) as i64) % 3;
            facts.push((t, transferred(c, agent, other)));
            t += 1 + r.below(MIN as u64) as i64;
            facts.push((t, answered(c, other, group)));
            last = other;
        }
        t += 1 + r.below(10 * MIN as u64) as i64;
        facts.push((t, closed(c, last, group, 1 + r.below(9) as u32)));
        facts.push((t + 1, status(last, AgentStatusKind::Ready, AgentStatusKind::WrapUp)));
        facts.push((t + 2 + r.below(3 * MIN as u64) as i64, status(last, AgentStatusKind::WrapUp, AgentStatusKind::Ready)));
        if r.below(2) == 0 {
            facts.push((t + r.below(2 * MIN as u64) as i64, csat(c, 1 + r.below(5) as u8)));
        }
    }
    facts.sort_by_key(|(at, _)| *at);
    facts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conversation_facts_written_in_any_nearby_order_give_the_rows_a_rebuild_gives() {
    each_backend(|store| async move {
        let (g, _) = group_and_visitor(&store).await;
        for seed in 1..=6u64 {
            let mut r = Lcg(seed);
            let facts = traffic(&mut r, g, seed as i64 * 100, 24, seed as i64 * 86_400_000);
            // Written with each fact up to five places late.
            let mut order: Vec<(u64, usize)> = (0..facts.len()).map(|i| (i as u64 + r.below(6), i)).collect();
            order.sort();
            let shuffled: Vec<(i64, Fact)> = order.iter().map(|(_, i)| facts[*i].clone()).collect();
            assert!(order.iter().enumerate().any(|(k, (_, i))| k != *i), "seed {seed}: some fact is written late");
            write(&store, &shuffled).await;
            assert_as_rebuilt(&store, &format!("seed {seed}")).await;
        }
    })
    .await;
}

/// Two related facts written side by side: the later one's transaction is still open when the
/// earlier one (its answer) is written. A transaction's facts are written and checked at its
/// commit, under the locks (`contacts_lock`): here the answer commits first and the close folds
/// on top of it in time order; had the close's commit been under way, the answer's check would
/// have waited for it on PostgreSQL, found it late and re-folded. On SQLite the gate serialises.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_late_fact_written_beside_a_later_one_is_found_late() {
    each_backend(|store| async move {
        let (g, _) = group_and_visitor(&store).await;
        let a = 31;
        write(&store, &[(MIN, queued(1, 7, g))]).await;
        let mut later = store.begin().await.unwrap();
        later.record_fact(&closed(1, a, g, 2), 30 * MIN).await.unwrap();
        let beside = store.clone();
        let earlier = tokio::spawn(async move { write(&beside, &[(10 * MIN, answered(1, a, g))]).await });
        // Let the answer's transaction reach its check while the close is uncommitted.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        later.commit().await.unwrap();
        earlier.await.unwrap();
        let rows = assert_as_rebuilt(&store, "side by side").await;
        let one = &rows[0];
        assert_eq!((one.answered_at, one.talk_ms, one.closed_by_agent), (Some(10 * MIN), 20 * MIN, true), "{one:?}");
    })
    .await;
}
