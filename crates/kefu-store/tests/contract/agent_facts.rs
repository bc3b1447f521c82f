//! The agent state report's narrow read of the fact log: typed columns, and only the new status
//! of a status change decoded; the same facts, in the same order, as the whole-fact read.

use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, FactKind, GroupId, StatusFact};
use kefu_store::AgentFactRow;

use crate::support::{conversation, each_backend, group_and_visitor};

fn status(status: AgentStatusKind, reason: Option<&str>) -> StatusFact {
    StatusFact { status, reason: reason.map(str::to_string) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn agent_facts_are_read_as_columns_and_new_statuses() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let (c, g, agent) = (ConversationId(id), GroupId(group), AgentId(7));
        let offline = status(AgentStatusKind::Offline, None);
        let ready = status(AgentStatusKind::Ready, None);
        let lunch = status(AgentStatusKind::Away, Some("午饭"));
        let facts = [
            (5, Fact::AgentStatus { agent, from: offline.clone(), to: ready.clone() }),
            (
                10,
                Fact::Queued {
                    conversation: c,
                    customer: visitor,
                    group: g,
                    business_type: None,
                    channel: "web".into(),
                    vip: false,
                    left_message: false,
                },
            ),
            (20, Fact::Answered { conversation: c, agent, group: g }),
            (
                30,
                Fact::Closed {
                    conversation: c,
                    group: g,
                    agent: Some(agent),
                    by: ClosedBy::Agent,
                    wrap_up_code: Some("done".into()),
                    visitor_messages: 1,
                    agent_messages: 2,
                },
            ),
            (40, Fact::AgentStatus { agent, from: ready.clone(), to: lunch.clone() }),
        ];
        let mut tx = store.begin().await.unwrap();
        for (at, f) in &facts {
            tx.record_fact(f, *at).await.unwrap();
        }
        tx.commit().await.unwrap();

        let row = |at, kind, conversation_id, to: Option<&StatusFact>| AgentFactRow {
            at,
            kind,
            conversation_id,
            agent_id: Some(7),
            to: to.cloned(),
        };
        let kinds = [FactKind::AgentStatus, FactKind::Answered, FactKind::Closed];
        let read = store.agent_facts_between(0, 1000, &kinds).await.unwrap();
        assert_eq!(
            read,
            vec![
                row(5, FactKind::AgentStatus, None, Some(&ready)),
                row(20, FactKind::Answered, Some(id), None),
                row(30, FactKind::Closed, Some(id), None),
                row(40, FactKind::AgentStatus, None, Some(&lunch)),
            ],
            "the kinds asked, in time order, each status change's new status decoded"
        );
        assert_eq!(store.agent_facts_between(0, 1000, &[]).await.unwrap().len(), 5, "no kinds: all of them");
        assert_eq!(store.agent_facts_between(20, 40, &kinds).await.unwrap().len(), 2, "from inclusive, to exclusive");
        assert_eq!(store.last_agent_statuses_before(40).await.unwrap(), vec![row(5, FactKind::AgentStatus, None, Some(&ready))]);
        assert_eq!(store.last_agent_statuses_before(41).await.unwrap(), vec![row(40, FactKind::AgentStatus, None, Some(&lunch))]);
    })
    .await;
}
