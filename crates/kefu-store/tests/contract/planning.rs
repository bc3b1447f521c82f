//! Planning storage of migration 0014: imported history (a re-import replaces an interval),
//! per-group settings, saved schedules, and the conversations read as Kefu's own history (with
//! their wrap-up time from the conversation report's model).

use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_store::{HistoryRow, PlanningSettingsRow};

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn history_settings_and_schedules_round_trip() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let row =
            |start: i64, offered: i64, aht: Option<f64>| HistoryRow { group_id: group, interval_start: start, offered, aht_secs: aht };
        store.import_history(&[row(1_800_000, 5, Some(180.5)), row(0, 3, None)]).await.unwrap();
        store.import_history(&[row(1_800_000, 7, None)]).await.unwrap();
        assert_eq!(store.history(group, 0).await.unwrap(), vec![row(0, 3, None), row(1_800_000, 7, None)]);
        assert_eq!(store.history(group, 1).await.unwrap().len(), 1);
        assert_eq!(store.latest_history(group).await.unwrap(), Some(1_800_000));
        assert_eq!(store.latest_history(group + 1).await.unwrap(), None);

        assert_eq!(store.planning_settings(group).await.unwrap(), None);
        let s = PlanningSettingsRow { group_id: group, shrinkage: 0.25, concurrency: 3, service_level: 0.9, within_secs: 30 };
        store.save_planning_settings(&s, 1).await.unwrap();
        store.save_planning_settings(&PlanningSettingsRow { shrinkage: 0.3, ..s.clone() }, 2).await.unwrap();
        assert_eq!(store.planning_settings(group).await.unwrap(), Some(PlanningSettingsRow { shrinkage: 0.3, ..s }));

        assert!(store.latest_schedule(group).await.unwrap().is_none());
        store.save_schedule(group, 0, "{\"a\":1}", None, 3).await.unwrap();
        let id = store.save_schedule(group, 0, "{\"a\":2}", None, 4).await.unwrap();
        let latest = store.latest_schedule(group).await.unwrap().unwrap();
        assert_eq!((latest.id, latest.body.as_str()), (id, "{\"a\":2}"));

        // Its wrap-up time comes from the conversation report's model: 60 s after its close.
        let c = conversation(&store, group, visitor).await;
        let (agent, g) = (AgentId(5), GroupId(group));
        let status = |from, to| Fact::AgentStatus {
            agent,
            from: StatusFact { status: from, reason: None },
            to: StatusFact { status: to, reason: None },
        };
        let facts = [
            (
                10,
                Fact::Queued {
                    conversation: ConversationId(c),
                    customer: visitor,
                    group: g,
                    business_type: None,
                    channel: "web".into(),
                    vip: false,
                    left_message: false,
                },
            ),
            (20_000, Fact::Answered { conversation: ConversationId(c), agent, group: g }),
            (
                100_000,
                Fact::Closed {
                    conversation: ConversationId(c),
                    group: g,
                    agent: Some(agent),
                    by: ClosedBy::Agent,
                    wrap_up_code: None,
                    visitor_messages: 1,
                    agent_messages: 1,
                },
            ),
            (100_000, status(AgentStatusKind::Ready, AgentStatusKind::WrapUp)),
            (160_000, status(AgentStatusKind::WrapUp, AgentStatusKind::Ready)),
        ];
        for (at, f) in &facts {
            let mut tx = store.begin().await.unwrap();
            tx.record_fact(f, *at).await.unwrap();
            tx.commit().await.unwrap();
        }
        let contacts = store.group_contacts_since(group, 0).await.unwrap();
        assert_eq!(contacts.len(), 1);
        assert_eq!(contacts[0].3, 60_000, "{contacts:?}");
    })
    .await;
}
