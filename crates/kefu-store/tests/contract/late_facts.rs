//! Facts written late (stamped before facts already written for the same agent or conversation:
//! clock skew between nodes, a retried write) leave the agent state model as a full rebuild from
//! the fact log leaves it: the same quarter-hour sums and the same current states.

use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_store::{AgentStateOpen, AgentStateSum, Store};

use crate::support::{conversation, each_backend, group_and_visitor};

fn status(agent: i64, to: AgentStatusKind, reason: Option<&str>) -> Fact {
    let offline = StatusFact { status: AgentStatusKind::Offline, reason: None };
    Fact::AgentStatus { agent: AgentId(agent), from: offline, to: StatusFact { status: to, reason: reason.map(str::to_string) } }
}

fn queued(c: i64, group: i64, visitor: i64) -> Fact {
    Fact::Queued {
        conversation: ConversationId(c),
        customer: visitor,
        group: GroupId(group),
        business_type: None,
        channel: "web".into(),
        vip: false,
        left_message: false,
    }
}

fn answered(c: i64, agent: i64, group: i64) -> Fact {
    Fact::Answered { conversation: ConversationId(c), agent: AgentId(agent), group: GroupId(group) }
}

fn closed(c: i64, agent: i64, group: i64) -> Fact {
    Fact::Closed {
        conversation: ConversationId(c),
        group: GroupId(group),
        agent: Some(AgentId(agent)),
        by: ClosedBy::Agent,
        wrap_up_code: None,
        visitor_messages: 1,
        agent_messages: 1,
    }
}

/// A conversation of a visitor of its own (a visitor has one open conversation at a time).
async fn fresh_conversation(store: &Store, group: i64, n: usize) -> i64 {
    let visitor = store.create_visitor(&format!("v{n}"), Some("zh-CN"), 1).await.unwrap().id;
    conversation(store, group, visitor).await
}

/// Everything the model holds, in one order.
async fn model(store: &Store) -> (Vec<AgentStateSum>, Vec<AgentStateOpen>) {
    let mut sums = store.agent_state_sums(0, 1 << 40, 900_000).await.unwrap();
    sums.sort_by(|a, b| (a.slot, a.agent_id, &a.state, &a.reason).cmp(&(b.slot, b.agent_id, &b.state, &b.reason)));
    (sums, store.agent_states_open().await.unwrap())
}

/// Write each fact in its own transaction, in the order given (not necessarily time order).
async fn write(store: &Store, facts: &[(i64, Fact)]) {
    for (at, f) in facts {
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(f, *at).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// The model as written, then as a full rebuild (`kefu rebuild-reports`) makes it: equal.
async fn assert_as_rebuilt(store: &Store, what: &str) {
    let written = model(store).await;
    store.rebuild_agent_states(1).await.unwrap();
    let rebuilt = model(store).await;
    assert_eq!(written, rebuilt, "{what}: the model as written differs from the full rebuild");
    assert!(!rebuilt.0.is_empty(), "{what}: something was counted");
}

const MIN: i64 = 60_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn late_status_changes_and_conversation_facts_fold_as_a_rebuild_does() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let (c1, c2) = (conversation(&store, group, visitor).await, fresh_conversation(&store, group, 2).await);
        let (a, b) = (11, 12);
        // In write order. A status written late between two statuses that change nothing (ready,
        // then ready again): by time, A was away from 20 to 30 min.
        write(&store, &[(MIN, queued(c1, group, visitor)), (MIN, queued(c2, group, visitor))]).await;
        write(&store, &[(10 * MIN, status(a, AgentStatusKind::Ready, None)), (30 * MIN, status(a, AgentStatusKind::Ready, None))]).await;
        write(&store, &[(20 * MIN, status(a, AgentStatusKind::Away, Some("午饭")))]).await;
        // A conversation closed by one node before another node's answer, stamped earlier, lands.
        write(&store, &[(12 * MIN, status(b, AgentStatusKind::Ready, None)), (50 * MIN, closed(c1, b, group))]).await;
        write(&store, &[(40 * MIN, answered(c1, b, group))]).await;
        // A transfer from A to B written before A's answer of it (a retried write).
        write(
            &store,
            &[(
                60 * MIN,
                Fact::Transferred { conversation: ConversationId(c2), from_agent: AgentId(a), to_group: None, to_agent: Some(AgentId(b)) },
            )],
        )
        .await;
        write(&store, &[(70 * MIN, answered(c2, b, group)), (45 * MIN, answered(c2, a, group))]).await;
        // A status change stamped before the agent's last state change (clock skew).
        write(&store, &[(80 * MIN, status(b, AgentStatusKind::WrapUp, None)), (75 * MIN, status(b, AgentStatusKind::Away, Some("培训")))])
            .await;
        assert_as_rebuilt(&store, "scripted").await;

        // The figures themselves: A away 20-30 min, although the away status came last.
        let (sums, _) = model(&store).await;
        let away_a: i64 = sums.iter().filter(|s| s.agent_id == a && s.state == "away").map(|s| s.ms).sum();
        assert_eq!(away_a, 10 * MIN, "{sums:?}");
        // B busy with c1 from 40 to 50 min.
        let busy_b_c1: i64 = sums.iter().filter(|s| s.agent_id == b && s.state == "busy" && s.slot < 60 * MIN).map(|s| s.ms).sum();
        assert_eq!(busy_b_c1, 10 * MIN, "{sums:?}");
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn facts_written_in_any_nearby_order_fold_as_a_rebuild_does() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let mut conversations = vec![];
        for n in 0..6 {
            conversations.push(fresh_conversation(&store, group, n).await);
        }
        write(&store, &conversations.iter().map(|c| (1, queued(*c, group, visitor))).collect::<Vec<_>>()).await;
        for seed in 1..=4u64 {
            let mut r = Lcg(seed);
            // A day of moves by three agents over six conversations, in time order.
            let mut at = seed as i64 * 86_400_000;
            let mut facts: Vec<(i64, Fact)> = vec![];
            for _ in 0..120 {
                at += 1 + r.below(20 * MIN as u64) as i64;
                let agent = 21 + r.below(3) as i64;
                let c = conversations[r.below(conversations.len() as u64) as usize];
                let fact = match r.below(9) {
                    0 | 1 => status(agent, AgentStatusKind::Ready, None),
                    2 => status(agent, AgentStatusKind::Away, Some(["午饭", "培训"][r.below(2) as usize])),
                    3 => status(agent, AgentStatusKind::WrapUp, None),
                    4 => status(agent, AgentStatusKind::Offline, None),
                    5 | 6 => answered(c, agent, group),
                    7 => closed(c, agent, group),
                    _ => Fact::Requeued { conversation: ConversationId(c), agent: AgentId(agent) },
                };
                facts.push((at, fact));
            }
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
