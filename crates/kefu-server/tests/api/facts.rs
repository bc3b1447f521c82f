//! The fact log: a conversation's life (and its agents' statuses) yields exactly the expected
//! facts, written with the changes they record, so a killed server loses none.

use kefu_core::{AgentStatusKind, ClosedBy, Fact, FactKind};
use serde_json::json;

use crate::helpers::{spawn_app, tempdir, TestApp};
use crate::restart::{database_url, free_port, start};

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
    let app = TestApp {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        widget_secret: String::new(),
        data_dir: tempdir::Dir::new(),
        database_url: None,
    };
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
