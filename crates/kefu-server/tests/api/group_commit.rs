//! Messages sent at once are stored many to a transaction (group commit), each still stored
//! before it is answered or delivered: every one lands with its own sequence number, a retried
//! client id still stores one message, and a killed server has every acknowledged message.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{metric, spawn_app_with, tempdir, TestApp};
use crate::restart::{app_at, database_url, free_port, start};

/// A visitor in a conversation accepted by agent 1: (visitor token, agent token, conversation).
async fn chatting(app: &TestApp, agent: &str, name: &str) -> (String, i64) {
    let visitor = app.visitor(name).await;
    let id = app.start(&visitor, "hi").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200);
    (visitor, id)
}

/// Post a message (the path owned by the future, so many can wait at once).
async fn post(app: &TestApp, id: i64, token: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
    app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(token), Some(body)).await
}

#[tokio::test]
async fn messages_sent_at_once_share_transactions_and_keep_gap_free_seqs() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    let agent = app.ready_agent(1).await;
    let (tom, a) = chatting(&app, &agent, "Tom").await;
    let (ann, b) = chatting(&app, &agent, "Ann").await;
    let mut agent_ws = app.ws(&agent).await;
    let mut sends = vec![];
    for i in 0..30 {
        for (who, id) in [(&tom, a), (&ann, b), (&agent, a), (&agent, b)] {
            sends.push(post(&app, id, who, json!({ "body": format!("m{i}") })));
        }
    }
    let answers = join_all(sends).await;
    assert!(answers.iter().all(|(s, _)| *s == 201), "{:?}", answers.iter().find(|(s, _)| *s != 201));
    let store = app.store().await;
    for id in [a, b] {
        let events = store.events_after(id, 0).await.unwrap();
        let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "gap-free, in order");
        let messages: Vec<_> = store.messages_after(id, 0).await.unwrap().into_iter().filter(|m| m.sender != "system").collect();
        assert_eq!(messages.len(), 1 + 60, "the opening message and every one sent");
        let mut texts: Vec<String> = messages.iter().filter(|m| m.sender == "agent").map(|m| m.body.clone()).collect();
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), 30);
        // Each REST answer carries the stored seq of its own message.
        for (_, v) in &answers {
            if v["conversation_id"] == id {
                assert!(messages.iter().any(|m| m.seq == v["seq"].as_i64().unwrap() && m.body == v["body"]), "{v}");
            }
        }
    }
    // Delivered to the agent: each message once.
    let mut seen = std::collections::HashSet::new();
    while seen.len() < 120 {
        let e = agent_ws.wait_for("message.created").await;
        assert!(seen.insert((e["conversation_id"].as_i64().unwrap(), e["seq"].as_i64().unwrap())), "delivered twice: {e}");
    }
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    let (messages, transactions) = (metric(&metrics, "kefu_messages_total"), metric(&metrics, "kefu_message_transactions_total"));
    assert!(messages >= 120, "{messages}");
    assert!(transactions < messages, "concurrent messages share transactions: {transactions} for {messages}");
}

#[tokio::test]
async fn a_client_id_retried_at_once_stores_one_message() {
    let app = spawn_app_with(|_| {}).await;
    let agent = app.ready_agent(1).await;
    let (tom, id) = chatting(&app, &agent, "Tom").await;
    let path = format!("/api/v1/conversations/{id}/messages");
    let body = json!({ "body": "once", "client_id": "c-1" });
    let answers = join_all((0..20).map(|_| app.call("POST", &path, Some(&tom), Some(body.clone())))).await;
    assert_eq!(answers.iter().filter(|(s, _)| *s == 201).count(), 1, "{answers:?}");
    assert!(answers.iter().all(|(s, v)| (*s == 201 || *s == 200) && v["id"] == answers[0].1["id"] && v["seq"] == answers[0].1["seq"]));
    let messages = app.store().await.messages_after(id, 0).await.unwrap();
    assert_eq!(messages.iter().filter(|m| m.body == "once").count(), 1);
}

/// Messages into a conversation closed while they wait are refused; the others, batched with
/// them, are stored.
#[tokio::test]
async fn a_refused_message_does_not_sink_the_others() {
    let app = spawn_app_with(|_| {}).await;
    let agent = app.ready_agent(1).await;
    let (tom, open) = chatting(&app, &agent, "Tom").await;
    let (ann, closing) = chatting(&app, &agent, "Ann").await;
    let mut sends = vec![];
    for i in 0..20 {
        sends.push(post(&app, open, &tom, json!({ "body": format!("t{i}") })));
        sends.push(post(&app, closing, &ann, json!({ "body": format!("a{i}") })));
    }
    let close_path = format!("/api/v1/conversations/{closing}/close");
    let close = app.call("POST", &close_path, Some(&agent), Some(json!({ "wrap_up_code": "resolved" })));
    let (answers, (closed, _)) = futures::join!(join_all(sends), close);
    assert_eq!(closed, 200);
    let store = app.store().await;
    let to_open: Vec<_> = answers.iter().step_by(2).collect();
    assert!(to_open.iter().all(|(s, _)| *s == 201), "{to_open:?}");
    assert_eq!(store.messages_after(open, 0).await.unwrap().iter().filter(|m| m.sender == "visitor").count(), 21);
    // Into the closed one: stored (before the close) or refused, nothing in between.
    let stored = store.messages_after(closing, 0).await.unwrap();
    let accepted = answers.iter().skip(1).step_by(2).filter(|(s, _)| *s == 201).count();
    assert!(answers.iter().skip(1).step_by(2).all(|(s, _)| *s == 201 || *s == 409), "{answers:?}");
    assert_eq!(stored.iter().filter(|m| m.sender == "visitor").count(), 1 + accepted);
}

/// SIGKILL while visitors and an agent send: every message that was answered 201 is there.
#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_message() {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut child = start(&dir.0, port).await;
    let app = app_at(port, None);
    let agent = app.ready_agent(1).await;
    let mut chats = vec![];
    for name in ["a", "b", "c", "d"] {
        chats.push(chatting(&app, &agent, name).await);
    }
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(vec![]));
    let mut senders = vec![];
    let writers = chats.iter().flat_map(|(visitor, id)| [(visitor.clone(), *id), (agent.clone(), *id)]).collect::<Vec<_>>();
    for (visitor, id) in writers {
        let (http, base, acknowledged) = (app.http.clone(), app.base.clone(), acknowledged.clone());
        senders.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({ "body": format!("{id}-{i}") });
                let sent = http.post(format!("{base}/api/v1/conversations/{id}/messages")).bearer_auth(&visitor).json(&body).send().await;
                // Once the server is gone, stop.
                let Ok(r) = sent else { return };
                let status = r.status().as_u16();
                let Ok(v) = r.json::<serde_json::Value>().await else { return };
                if status == 201 {
                    acknowledged.lock().unwrap().push((id, v["seq"].as_i64().unwrap(), v["body"].as_str().unwrap().to_string()));
                }
            }
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    for s in senders {
        let _ = s.await;
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() > 20, "the senders got going: {}", acknowledged.len());
    let store = match database_url(&dir.0).await {
        Some(url) => kefu_store::Store::connect(&url).await.unwrap(),
        None => kefu_store::Store::open(&dir.0.join("kefu.db")).await.unwrap(),
    };
    for (_, id) in &chats {
        let stored = store.messages_after(*id, 0).await.unwrap();
        for (_, seq, body) in acknowledged.iter().filter(|(c, _, _)| c == id) {
            assert!(stored.iter().any(|m| m.seq == *seq && &m.body == body), "acknowledged {body} (seq {seq}) was lost");
        }
    }
    drop(store);
    let mut child = start(&dir.0, port).await;
    child.kill().unwrap();
    child.wait().unwrap();
}

/// One message of a batch fails as it is written (its file does not exist: the insert breaks a
/// foreign key, which on PostgreSQL spoils the transaction): the batch is written again without
/// it, and the others are stored with gap-free seqs.
#[tokio::test]
async fn a_message_failing_in_a_batch_does_not_sink_the_others() {
    use kefu_server::conversations::batch::{MessageWriter, NewMessage, Writer, Written};
    let app = spawn_app_with(|_| {}).await;
    let agent = app.ready_agent(1).await;
    let (_, a) = chatting(&app, &agent, "Tom").await;
    let (_, b) = chatting(&app, &agent, "Ann").await;
    let store = app.store().await;
    // A writer of its own on the app's database: on this test's one-thread runtime every job
    // below is queued before the writer runs, so they form one batch.
    let writer = MessageWriter::start(Writer {
        store: store.clone(),
        limits: std::sync::Arc::new(kefu_server::limits::Limits::new(&app.config_again())),
        metrics: Default::default(),
    });
    // The writer checks the sender on the row it reads: each message from its conversation's visitor.
    let visitor_of = [(a, store.conversation(a).await.unwrap().visitor_id), (b, store.conversation(b).await.unwrap().visitor_id)];
    let msg = |conversation: i64, body: &str, attachment_id: Option<i64>| NewMessage {
        conversation,
        sender: "visitor",
        sender_id: visitor_of.iter().find(|(c, _)| *c == conversation).unwrap().1,
        sender_name: None,
        kind: if attachment_id.is_some() { "file".into() } else { "text".into() },
        body: body.into(),
        attachment_id,
        client_id: None,
        sentiment: None,
        now: 1,
    };
    let results =
        join_all([msg(a, "a1", None), msg(a, "broken", Some(999_999)), msg(b, "b1", None), msg(a, "a2", None)].map(|m| writer.write(m)))
            .await;
    assert!(results[1].is_err(), "the broken one fails");
    for (i, body) in [(0, "a1"), (2, "b1"), (3, "a2")] {
        match &results[i] {
            Ok(Written::New { view, .. }) => assert_eq!(view.body, body),
            Ok(Written::Retried(_)) => panic!("{body}: not a retry"),
            Ok(Written::NotWriter) => panic!("{body}: its visitor may write"),
            Err(e) => panic!("{body}: {e:?}"),
        }
    }
    for id in [a, b] {
        let seqs: Vec<i64> = store.events_after(id, 0).await.unwrap().iter().map(|e| e.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "no seq taken by the broken message");
    }
    let bodies: Vec<String> =
        store.messages_after(a, 0).await.unwrap().into_iter().filter(|m| m.sender == "visitor").map(|m| m.body).collect();
    assert_eq!(bodies, ["hi", "a1", "a2"]);
}

/// In one batch: a retry of a message sent moments before in the same batch is answered with
/// that message (stored once); a message from someone who may not write in the conversation is
/// refused (`NotWriter`) and takes no sequence number; the agent's reply moves their read marker.
#[tokio::test]
async fn a_batch_checks_its_senders_and_stores_a_retry_once() {
    use kefu_server::conversations::batch::{MessageWriter, NewMessage, Writer, Written};
    let app = spawn_app_with(|_| {}).await;
    let agent = app.ready_agent(1).await;
    let (_, a) = chatting(&app, &agent, "Tom").await;
    let store = app.store().await;
    let tom = store.conversation(a).await.unwrap().visitor_id;
    let agent_id = store.conversation(a).await.unwrap().agent_id.unwrap();
    let writer = MessageWriter::start(Writer {
        store: store.clone(),
        limits: std::sync::Arc::new(kefu_server::limits::Limits::new(&app.config_again())),
        metrics: Default::default(),
    });
    let msg = |sender: &'static str, sender_id: i64, body: &str, client_id: Option<&str>| NewMessage {
        conversation: a,
        sender,
        sender_id,
        sender_name: None,
        kind: "text".into(),
        body: body.into(),
        attachment_id: None,
        client_id: client_id.map(Into::into),
        sentiment: None,
        now: 1,
    };
    let before = store.conversation(a).await.unwrap().last_seq;
    let results = join_all(
        [
            msg("visitor", tom, "once", Some("c1")),
            msg("visitor", tom + 1000, "stranger", None),
            msg("visitor", tom, "once", Some("c1")),
            msg("agent", agent_id, "reply", None),
            msg("agent", agent_id + 1000, "not theirs", None),
        ]
        .map(|m| writer.write(m)),
    )
    .await;
    let first = match &results[0] {
        Ok(Written::New { view, .. }) => view.id,
        _ => panic!("the first is stored"),
    };
    assert!(matches!(results[1], Ok(Written::NotWriter)), "another visitor may not write in it");
    match &results[2] {
        Ok(Written::Retried(row)) => assert_eq!((row.id, row.body.as_str()), (first, "once")),
        _ => panic!("the retry is answered with the first"),
    }
    match &results[3] {
        Ok(Written::New { view, events, .. }) => {
            let name = store.user(agent_id).await.unwrap().name;
            assert_eq!(view.sender_name.as_deref(), Some(name.as_str()), "the name read by the writer");
            assert_eq!(events.len(), 2, "the reply and the agent's read marker");
        }
        _ => panic!("the agent's reply is stored"),
    }
    assert!(matches!(results[4], Ok(Written::NotWriter)), "an agent not holding it may not write in it");
    let c = store.conversation(a).await.unwrap();
    assert_eq!(c.last_seq, before + 3, "a message, a reply, a read marker");
    assert_eq!(c.agent_read_seq, before + 2);
    let bodies: Vec<String> = store.messages_after(a, before).await.unwrap().into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["once", "reply"]);
}
