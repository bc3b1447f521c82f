//! The read models built once from the fact log at start-up (the conversation report's and the
//! agent state model) are built once when two nodes start together: the check, the build and
//! its mark are one transaction, so the second finds the model built and leaves it.

use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_store::testing::{count, execute};
use kefu_store::Store;

use crate::support::each_backend;

fn status(agent: i64, from: AgentStatusKind, to: AgentStatusKind) -> Fact {
    Fact::AgentStatus {
        agent: AgentId(agent),
        from: StatusFact { status: from, reason: None },
        to: StatusFact { status: to, reason: None },
    }
}

/// A few conversations answered, closed and wrapped up by two agents, written in time order.
async fn log(store: &Store) {
    let mut facts = vec![
        (0, status(1, AgentStatusKind::Offline, AgentStatusKind::Ready)),
        (0, status(2, AgentStatusKind::Offline, AgentStatusKind::Ready)),
    ];
    for c in 1..=12i64 {
        let (t, agent, group) = (c * 600_000, 1 + c % 2, GroupId(1));
        let conversation = ConversationId(c);
        facts.push((
            t,
            Fact::Queued {
                conversation,
                customer: 100 + c % 5,
                group,
                business_type: None,
                channel: "web".into(),
                vip: false,
                left_message: false,
            },
        ));
        facts.push((t + 5_000, Fact::Answered { conversation, agent: AgentId(agent), group }));
        let close = Fact::Closed {
            conversation,
            group,
            agent: Some(AgentId(agent)),
            by: ClosedBy::Agent,
            wrap_up_code: None,
            visitor_messages: 2,
            agent_messages: 3,
        };
        facts.push((t + 200_000, close));
        facts.push((t + 200_001, status(agent, AgentStatusKind::Ready, AgentStatusKind::WrapUp)));
        facts.push((t + 230_000, status(agent, AgentStatusKind::WrapUp, AgentStatusKind::Ready)));
    }
    for (at, f) in facts {
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(&f, at).await.unwrap();
        tx.commit().await.unwrap();
    }
}

/// The agent state model's sums (in one order) and open states.
async fn agent_states(store: &Store) -> (Vec<kefu_store::AgentStateSum>, Vec<kefu_store::AgentStateOpen>) {
    let mut sums = store.agent_state_sums(0, 1 << 40, 900_000).await.unwrap();
    sums.sort_by(|a, b| (a.slot, a.agent_id, &a.state, &a.reason).cmp(&(b.slot, b.agent_id, &b.state, &b.reason)));
    (sums, store.agent_states_open().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_starting_together_build_the_models_once() {
    each_backend(|store| async move {
        log(&store).await;
        let mut kept = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
        kept.sort_by_key(|r| r.conversation_id);
        assert_eq!(kept.len(), 12);
        assert!(kept.iter().all(|r| r.wrap_ms > 0), "{kept:?}");
        let states = agent_states(&store).await;
        // As if the log predated both models: their tables empty, never built.
        let forget = [
            "read_model_builds",
            "report_contacts",
            "report_wraps",
            "report_reason_tags",
            "report_reasons",
            "agent_state_intervals",
            "agent_state_now",
            "agent_state_serving",
            "agent_state_steps",
        ];
        for round in 0..3 {
            execute(&store, &forget.iter().map(|t| format!("DELETE FROM {t}")).collect::<Vec<_>>()).await.unwrap();
            // Two nodes: on PostgreSQL each build has a connection of its own.
            let other = store.clone();
            let (a, b, c, d) = tokio::join!(
                store.build_report_contacts(1),
                other.build_report_contacts(2),
                store.build_agent_states(1),
                other.build_agent_states(2)
            );
            let (a, b, c, d) = (a.unwrap(), b.unwrap(), c.unwrap(), d.unwrap());
            assert!(a ^ b, "round {round}: the conversation report built once ({a}, {b})");
            assert!(c ^ d, "round {round}: the agent state model built once ({c}, {d})");
            // The conversation report's build fills and marks the contact reasons model too.
            assert_eq!(count(&store, "SELECT COUNT(*) FROM read_model_builds").await.unwrap(), 3);
            assert!(!store.build_report_reasons(3).await.unwrap(), "round {round}: the contact reasons model built with it");
            let mut built = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
            built.sort_by_key(|r| r.conversation_id);
            assert_eq!(built, kept, "round {round}: the conversation report as the facts made it");
            assert_eq!(agent_states(&store).await, states, "round {round}: the agent state model as the facts made it");
            assert!(!store.build_report_contacts(3).await.unwrap() && !store.build_agent_states(3).await.unwrap(), "built: nothing to do");
        }
    })
    .await;
}
