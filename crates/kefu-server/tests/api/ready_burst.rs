//! A hundred agents going ready at once in front of a long line: each gets exactly one offer
//! (their capacity), the first hundred in line are offered, each once, in no other order than
//! the line's, and those behind keep their places. Their statuses are stored with their facts,
//! and the offers share transactions (`routing/batch.rs`).

use futures::future::join_all;
use kefu_core::{ConversationStatus, FactKind, Role};
use kefu_store::{NewUser, TokenOwner};
use serde_json::{json, Value};

use crate::helpers::{metric, spawn_app_with};

const AGENTS: usize = 100;
const LINE: usize = 130;

#[tokio::test]
async fn a_hundred_agents_going_ready_at_once_get_one_offer_each_and_nobody_in_line_is_skipped() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    let store = app.store().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    // The line first, one customer after the other.
    let mut line: Vec<(String, i64)> = vec![];
    for i in 0..LINE {
        let visitor = app.visitor(&format!("v{i}")).await;
        let started = app.start(&visitor, &format!("question {i}")).await;
        line.push((visitor, started["id"].as_i64().unwrap()));
    }
    let group = store.conversation(line[0].1).await.unwrap().group_id;

    // A hundred agents of one chat each, signed in (sessions written directly: a hundred
    // password hashes would be most of the test's time), members of the line's group.
    let now = kefu_server::clock::now_ms();
    let mut agents: Vec<(i64, String)> = vec![];
    for i in 0..AGENTS {
        let user = NewUser {
            email: &format!("burst{i}@load.kefu"),
            name: &format!("burst {i}"),
            role: Role::Agent,
            password_hash: "!",
            capacity_chat: 1,
            capacity_call: 1,
        };
        let id = store.create_user(user, now).await.unwrap();
        let token = kefu_server::auth::new_token("");
        store.create_session(&kefu_server::auth::token_hash(&token), TokenOwner::User(id), now, now + 3_600_000).await.unwrap();
        agents.push((id, token));
    }
    let members: Vec<Value> = agents.iter().map(|(id, _)| json!({ "agent_id": id, "skill_level": 3 })).collect();
    let (s, v) = app.call("PUT", &format!("/api/v1/groups/{group}/members"), Some(&admin), Some(Value::Array(members))).await;
    assert!(s < 300, "{s} {v}");
    let mut sockets = join_all(agents.iter().map(|(_, t)| app.ws(t))).await;

    // All at once.
    let ready = agents.iter().map(|(_, t)| app.call("PUT", "/api/v1/agents/me/status", Some(t), Some(json!({ "status": "ready" }))));
    for (s, v) in join_all(ready).await {
        assert_eq!(s, 200, "{v}");
        assert!(v["load"]["chat"].as_i64().unwrap() <= 1, "within capacity: {v}");
    }

    // Each agent is told of exactly one offer.
    let heard = join_all(sockets.iter_mut().map(|ws| async move {
        let first = ws.wait_for("offer.created").await;
        let more = ws.drain(500).await.into_iter().filter(|e| e["type"] == "offer.created").count();
        (first["data"]["conversation"]["id"].as_i64().unwrap(), more)
    }))
    .await;
    let mut offered: Vec<i64> = vec![];
    for ((agent, _), (conversation, more)) in agents.iter().zip(&heard) {
        assert_eq!(*more, 0, "agent {agent} was offered a second conversation");
        let row = store.conversation(*conversation).await.unwrap();
        assert_eq!((row.status, row.offered_agent_id), (ConversationStatus::Offered, Some(*agent)), "stored as told");
        offered.push(*conversation);
    }
    offered.sort_unstable();
    let first: Vec<i64> = line[..AGENTS].iter().map(|l| l.1).collect();
    assert_eq!(offered, first, "the first hundred in line, each offered once: nobody skipped");

    // Those behind keep their places, in line order.
    for (place, (visitor, id)) in line[AGENTS..].iter().enumerate() {
        assert_eq!(store.conversation(*id).await.unwrap().status, ConversationStatus::Queued);
        let (_, v) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(visitor), None).await;
        assert_eq!(v["queue"]["position"], place as i64 + 1, "{v}");
    }

    // Every status is stored, with one fact each.
    let ids: Vec<i64> = agents.iter().map(|a| a.0).collect();
    for user in store.users_in(&ids).await.unwrap() {
        assert_eq!(user.status, kefu_core::AgentStatusKind::Ready, "agent {}", user.id);
    }
    let facts = store.facts_between(0, i64::MAX, &[FactKind::AgentStatus]).await.unwrap();
    let mut told: Vec<i64> = facts.iter().filter_map(|f| f.fact.agent().map(|a| a.0)).filter(|a| ids.contains(a)).collect();
    told.sort_unstable();
    assert_eq!(told, ids, "one status fact per agent");

    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    assert_eq!(metric(&metrics, "kefu_offers_total"), AGENTS as i64);
    let transactions = metric(&metrics, "kefu_offer_transactions_total");
    assert!(transactions < AGENTS as i64, "agents going ready together share offer transactions ({transactions})");
}
