//! Routing decisions made together are stored together: an agent going ready in front of a line
//! gets every offer the router makes at once from one transaction, in line order (no one
//! skipped), each told once and stored first; accepts sent at once are all stored and announced.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{metric, spawn_app_with, Socket, TestApp};

/// `n` visitors start conversations one after the other (visitor token, conversation id, in line
/// order); then agent1 logs in, opens the workspace socket and goes ready (token and socket).
async fn line_then_agent1_ready(app: &TestApp, n: usize) -> (Vec<(String, i64)>, String, Socket) {
    let mut line = vec![];
    for i in 0..n {
        let visitor = app.visitor(&format!("v{i}")).await;
        let id = app.start(&visitor, &format!("question {i}")).await["id"].as_i64().unwrap();
        line.push((visitor, id));
    }
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let agent_ws = app.ws(&agent).await;
    let (s, v) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "ready" }))).await;
    assert_eq!(s, 200, "{v}");
    (line, agent, agent_ws)
}

#[tokio::test]
async fn an_agent_going_ready_in_front_of_a_line_gets_the_first_in_line_from_one_transaction() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    // Seven wait (agent1's chat capacity is five).
    let (line, agent, mut agent_ws) = line_then_agent1_ready(&app, 7).await;
    let mut offered = vec![];
    for _ in 0..5 {
        let offer = agent_ws.wait_for("offer.created").await;
        let c = &offer["data"]["conversation"];
        assert_eq!(c["status"], "offered", "{offer}");
        let id = c["id"].as_i64().unwrap();
        assert_eq!(c["first_message"]["body"], format!("question {}", line.iter().position(|l| l.1 == id).unwrap()));
        offered.push(id);
    }
    let first_five: Vec<i64> = line[..5].iter().map(|l| l.1).collect();
    let mut sorted = offered.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, first_five, "the first five in line, each offered once");
    assert!(agent_ws.drain(300).await.iter().all(|e| e["type"] != "offer.created"), "no sixth offer, none twice");
    let store = app.store().await;
    for id in &first_five {
        assert_eq!(store.conversation(*id).await.unwrap().status, kefu_core::ConversationStatus::Offered);
    }
    for (place, (visitor, id)) in line[5..].iter().enumerate() {
        let (_, v) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(visitor), None).await;
        assert_eq!(v["queue"]["position"], place as i64 + 1, "{v}");
    }
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&metrics, "kefu_offers_total"), 5);
    assert_eq!(metric(&metrics, "kefu_offer_transactions_total"), 1, "the five offers of one decision share a transaction");

    // All five accepted at once: each assigned once, its events gap-free.
    let paths: Vec<String> = offered.iter().map(|id| format!("/api/v1/conversations/{id}/accept")).collect();
    let accepts = paths.iter().map(|p| app.call("POST", p, Some(&agent), None));
    for (s, v) in join_all(accepts).await {
        assert_eq!((s, &v["status"]), (200, &json!("assigned")), "{v}");
    }
    for id in &first_five {
        let events = store.events_after(*id, 0).await.unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gap-free");
        let assigned =
            store.messages_after(*id, 0).await.unwrap().into_iter().filter(|m| m.sender == "system" && m.body == "assigned").count();
        assert_eq!(assigned, 1);
    }
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&metrics, "kefu_assignments_total"), 5);
    // Each visitor heard they were assigned.
    for (visitor, id) in &line[..5] {
        let mut ws = app.ws(visitor).await;
        ws.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
        ws.wait_until("conversation.updated", |e| e["data"]["status"] == "assigned").await;
    }
}

#[tokio::test]
async fn a_start_answers_the_conversation_as_reading_it_back_gives_it() {
    let app = spawn_app_with(|_| {}).await;
    for (name, text) in [("Ann", Some("我的卡被锁了")), ("Bob", None)] {
        let visitor = app.visitor(name).await;
        let body = match text {
            Some(t) => json!({ "business_type_id": 1, "message": t }),
            None => json!({ "business_type_id": 1 }),
        };
        let (s, started) = app.call("POST", "/api/v1/conversations", Some(&visitor), Some(body)).await;
        assert_eq!(s, 201, "{started}");
        let id = started["id"].as_i64().unwrap();
        let (_, read) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&visitor), None).await;
        assert_eq!(started, read, "the answer to a start is what a read gives");
        assert_eq!(started["status"], "queued");
        assert!(started["queue"]["position"].as_i64().unwrap() >= 1, "{started}");
    }
    // With an agent free it is offered at once, and the answer says so.
    let _agent = app.ready_agent(1).await;
    let visitor = app.visitor("Cai").await;
    let started = app.start(&visitor, "hello").await;
    let (_, read) = app.call("GET", &format!("/api/v1/conversations/{}", started["id"]), Some(&visitor), None).await;
    assert_eq!(started, read);
}

#[tokio::test]
async fn accepts_sent_at_once_share_a_run_a_repeat_answers_as_the_first_and_a_bad_one_fails_alone() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    let (_line, agent, mut agent_ws) = line_then_agent1_ready(&app, 5).await;
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let mut offered = vec![];
    for _ in 0..5 {
        offered.push(agent_ws.wait_for("offer.created").await["data"]["conversation"]["id"].as_i64().unwrap());
    }
    // The five accepts, a second accept of the first (a retry) and the supervisor's accept of the
    // first (offered to agent1, not to them), all at once: the repeat answers as the first (the
    // conversation is agent1's, whichever the router takes first), the supervisor's is refused.
    let mut asks: Vec<(String, &str)> = offered.iter().map(|id| (format!("/api/v1/conversations/{id}/accept"), agent.as_str())).collect();
    asks.push(asks[0].clone());
    asks.push((asks[0].0.clone(), supervisor.as_str()));
    let answers = join_all(asks.iter().map(|(p, t)| app.call("POST", p, Some(t), None))).await;
    let (done, refused) = answers.split_at(asks.len() - 1);
    assert!(done.iter().all(|(s, v)| *s == 200 && v["status"] == "assigned"), "{answers:?}");
    assert_eq!(done[0].1["id"], done[5].1["id"]);
    // The refusal is the one a lone accept of the supervisor's gets.
    let alone = app.call("POST", &asks[0].0, Some(&supervisor), None).await;
    assert_eq!((refused[0].0, &refused[0].1), (alone.0, &alone.1));
    assert_eq!((alone.0, alone.1["error"]["code"].as_str()), (409, Some("not_offered")), "{alone:?}");
    // A retry long after answers as the first too; nothing below is stored twice.
    let again = app.call("POST", &asks[0].0, Some(&agent), None).await;
    assert_eq!((again.0, &again.1["status"]), (200, &json!("assigned")), "{again:?}");
    let store = app.store().await;
    for id in &offered {
        let c = store.conversation(*id).await.unwrap();
        assert_eq!((c.status, c.agent_id), (kefu_core::ConversationStatus::Assigned, Some(agent_id(&app, &agent).await)));
        let events = store.events_after(*id, 0).await.unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gap-free");
        let assigned =
            store.messages_after(*id, 0).await.unwrap().into_iter().filter(|m| m.sender == "system" && m.body == "assigned").count();
        assert_eq!(assigned, 1, "assigned once");
        let facts = store.facts_of_conversation(*id).await.unwrap();
        assert_eq!(facts.iter().filter(|f| matches!(f.fact, kefu_core::Fact::Answered { .. })).count(), 1);
    }
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&metrics, "kefu_assignments_total"), 5);
    // The agent heard each assignment once, with its view.
    let mut heard = std::collections::BTreeSet::new();
    for e in agent_ws.drain(500).await {
        if e["type"] == "conversation.updated" && e["data"]["status"] == "assigned" {
            assert_eq!(e["data"]["agent_name"], "李娜 Li Na", "{e}");
            heard.insert(e["conversation_id"].as_i64().unwrap());
        }
    }
    assert_eq!(heard.into_iter().collect::<Vec<_>>(), {
        let mut o = offered.clone();
        o.sort_unstable();
        o
    });
}

async fn agent_id(app: &crate::helpers::TestApp, token: &str) -> i64 {
    app.call("GET", "/api/v1/agents/me", Some(token), None).await.1["id"].as_i64().unwrap()
}
