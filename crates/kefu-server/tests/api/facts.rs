//! The fact log: a conversation's life (and its agents' statuses) yields exactly the expected
//! facts, written with the changes they record, so a killed server loses none.

use kefu_core::{AgentStatusKind, ClosedBy, Fact, FactKind};
use serde_json::json;

use crate::helpers::{spawn_app, tempdir};
use crate::restart::{app_at, database_url, free_port, start};

fn kinds(rows: &[kefu_store::FactRow]) -> Vec<FactKind> {
    rows.iter().map(|r| r.fact.kind()).collect()
}

#[tokio::test]
async fn a_conversations_life_yields_exactly_its_facts() {
    let app = spawn_app().await;
    let store = app.store().await;

    // Nobody is ready: the first visitor gives up in the line.
    let quitter = app.visitor("Quitter").await;
    let gone = app.start(&quitter, "anyone?").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{gone}/leave"), Some(&quitter), None).await;
    assert_eq!(s, 200);
    let facts = store.facts_of_conversation(gone).await.unwrap();
    assert_eq!(kinds(&facts), vec![FactKind::Queued, FactKind::Abandoned]);
    assert!(matches!(&facts[0].fact, Fact::Queued { channel, vip: false, left_message: false, .. } if channel == "web"));
    assert!(matches!(facts[1].fact, Fact::Abandoned { waited_ms, .. } if (0..10_000).contains(&waited_ms)));

    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let visitor = app.visitor("Tom").await;
    let id = app.start(&visitor, "我的信用卡被锁了").await["id"].as_i64().unwrap();
    agent_ws.wait_for("offer.created").await;
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200);
    for text in ["您好", "请稍等"] {
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": text }))).await;
        assert_eq!(s, 201);
    }
    let agent3 = app.ready_agent(3).await;
    let mut agent3_ws = app.ws(&agent3).await;
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&agent), Some(json!({ "group_id": 2 }))).await;
    assert_eq!(s, 200);
    agent3_ws.wait_for("offer.created").await;
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent3), None).await;
    assert_eq!(s, 200);
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent3), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 4 }))).await;
    assert_eq!(s, 200);

    let facts = store.facts_of_conversation(id).await.unwrap();
    use FactKind::*;
    assert_eq!(kinds(&facts), vec![Queued, Offered, Answered, Transferred, Offered, Answered, Closed, Csat], "{facts:#?}");
    assert!(matches!(facts[2].fact, Fact::Answered { agent, group, .. } if agent.0 == 3 && group.0 == 1), "{:?}", facts[2]);
    assert!(
        matches!(facts[3].fact, Fact::Transferred { from_agent, to_group: Some(g), to_agent: None, .. } if from_agent.0 == 3 && g.0 == 2)
    );
    match &facts[6].fact {
        Fact::Closed { agent, group, by, wrap_up_code, visitor_messages, agent_messages, .. } => {
            assert_eq!((agent.map(|a| a.0), group.0, *by), (Some(5), 2, ClosedBy::Agent));
            assert_eq!(wrap_up_code.as_deref(), Some("resolved"));
            assert_eq!((*visitor_messages, *agent_messages), (1, 2));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(facts[7].fact, Fact::Csat { score: 4, .. }));
    assert!(facts.windows(2).all(|w| w[0].at <= w[1].at), "in time order");

    // The agent's status changes: logged in ready, each from what it was.
    let statuses: Vec<_> = store
        .facts_of_agent(3)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| match r.fact {
            Fact::AgentStatus { from, to, .. } => Some((from.status, to.status)),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, vec![(AgentStatusKind::Offline, AgentStatusKind::Ready)]);
    let (s, _) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "away", "reason": "lunch" }))).await;
    assert_eq!(s, 200);
    let last = store.facts_of_agent(3).await.unwrap().pop().unwrap();
    match last.fact {
        Fact::AgentStatus { from, to, .. } => {
            assert_eq!(from.status, AgentStatusKind::Ready);
            assert_eq!((to.status, to.reason.as_deref()), (AgentStatusKind::Away, Some("lunch")));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_killed_server_loses_no_fact() {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut child = start(&dir.0, port).await;
    let app = app_at(port, None);
    let agent = app.ready_agent(1).await;
    let mut ids = vec![];
    for name in ["a", "b", "c"] {
        let visitor = app.visitor(name).await;
        let id = app.start(&visitor, "hi").await["id"].as_i64().unwrap();
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
        assert_eq!(s, 200);
        let (s, _) =
            app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
        assert_eq!(s, 200);
        ids.push(id);
    }
    // SIGKILL right after the last answer: whatever was answered is committed.
    child.kill().unwrap();
    child.wait().unwrap();
    let store = match database_url(&dir.0).await {
        Some(url) => kefu_store::Store::connect(&url).await.unwrap(),
        None => kefu_store::Store::open(&dir.0.join("kefu.db")).await.unwrap(),
    };
    for id in ids {
        let facts = store.facts_of_conversation(id).await.unwrap();
        assert_eq!(kinds(&facts), vec![FactKind::Queued, FactKind::Offered, FactKind::Answered, FactKind::Closed], "{id}");
    }
    let statuses = store.facts_of_agent(3).await.unwrap().into_iter().filter(|r| r.fact.kind() == FactKind::AgentStatus).count();
    assert_eq!(statuses, 1, "logged in ready");
    drop(store);
    let mut child = start(&dir.0, port).await;
    child.kill().unwrap();
    child.wait().unwrap();
}

/// The report's read model (kept by each fact's write) says what kefu-insight's fold of the same
/// facts says: waits, talk, wrap-up, transfers, abandons, CSAT, messages, the customer's return.
#[tokio::test]
async fn the_report_read_model_agrees_with_the_fold_of_the_facts() {
    let app = spawn_app().await;
    let store = app.store().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, _) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(json!({ "wrap_up_secs": 1 }))).await;
    assert_eq!(s, 200);
    let agent = app.ready_agent(1).await;
    let tom = app.visitor("Tom").await;
    let first = app.start(&tom, "hi").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200);
    app.call("POST", &format!("/api/v1/conversations/{first}/messages"), Some(&agent), Some(json!({ "body": "您好" }))).await;
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{first}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200);
    app.call("POST", &format!("/api/v1/conversations/{first}/csat"), Some(&tom), Some(json!({ "score": 2 }))).await;
    // Wrap-up ends by itself after a second; then Tom is back, is transferred, and gives up.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    let again = app.start(&tom, "me again").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{again}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{again}/transfer"), Some(&agent), Some(json!({ "group_id": 2 }))).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{again}/leave"), Some(&tom), None).await;
    assert_eq!(s, 200);

    let facts: Vec<kefu_insight::Timed> =
        store.facts_between(0, i64::MAX, &[]).await.unwrap().into_iter().map(|r| kefu_insight::Timed { at: r.at, fact: r.fact }).collect();
    let window = 7 * 86_400_000;
    let folded = kefu_insight::contacts(&facts, window);
    let kept = store.contacts_queued_between(0, i64::MAX).await.unwrap();
    assert_eq!(kept.len(), 2);
    for (k, f) in kept.iter().zip(&folded) {
        assert_eq!(k.conversation_id, f.conversation);
        let resolved = k.closed_by_agent.then(|| k.returned_at.is_none_or(|back| back > k.ended_at.unwrap() + window));
        let kept = (
            (k.customer_id, k.group_id, k.agent_id, k.answered_at, k.ended_at, k.abandoned_after_ms, k.closed_by_agent),
            (k.talk_ms, k.wrap_ms, k.transfers as u32, k.csat.map(|c| c as u8), k.messages.map(|m| m as u32), resolved),
        );
        let fold = (
            (f.customer, f.group, f.agent, f.answered_at, f.ended_at, f.abandoned_after, f.closed_by_agent),
            (f.talk_ms, f.wrap_ms, f.transfers, f.csat, f.messages, f.first_contact_resolved),
        );
        assert_eq!(kept, fold, "conversation {}", k.conversation_id);
    }
    // And the report the API serves (summed by the database from the read model) adds up to
    // the fold's figures.
    let mut fold = kefu_insight::ConversationFigures::default();
    for c in &folded {
        fold.count(c, 20_000, 5_000);
    }
    let day = jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date();
    let (s, r) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&interval=15m&by=agent"), Some(&admin), None).await;
    assert_eq!(s, 200, "{r}");
    let served: kefu_insight::ConversationFigures = serde_json::from_value(r["overall"].clone()).unwrap();
    let sums = |f: &kefu_insight::ConversationFigures| {
        [f.offered, f.answered, f.abandoned, f.abandoned_short, f.answered_in_target, f.wait_ms as u64, f.handled, f.talk_ms as u64]
            .into_iter()
            .chain([f.wrap_ms as u64, f.transfers, f.resolved_first_contact, f.csat_count, f.csat_sum, f.csat_good, f.messages])
            .collect::<Vec<_>>()
    };
    assert_eq!(sums(&served), sums(&fold), "{r}");
    assert!(folded[0].wrap_ms >= 900, "a second of wrap-up: {:?}", folded[0]);
    assert_eq!(folded[0].first_contact_resolved, Some(false), "Tom came back");
    assert_eq!((folded[1].transfers, folded[1].abandoned_after.is_some()), (1, true));
}
