//! The spine over the API: queue, offer, accept, chat with sequence numbers, resume, transfer,
//! close with wrap-up, CSAT, and what each side may see.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn visitor_and_agent_chat_end_to_end() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let mut agent_ws = app.ws(&agent).await;
    let visitor = app.visitor("Tom").await;
    let mut visitor_ws = app.ws(&visitor).await;

    let conv = app.start(&visitor, "我的信用卡被锁了").await;
    let id = conv["id"].as_i64().unwrap();
    let offer = agent_ws.wait_for("offer.created").await;
    assert_eq!(offer["conversation_id"], id);
    assert_eq!(offer["data"]["conversation"]["visitor"]["name"], "Tom");
    assert_eq!(offer["data"]["reason"]["kind"], "strategy");

    let (s, c) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["status"], "assigned");
    assert_eq!(c["agent_name"], "李娜 Li Na");

    // The visitor resumes from 0 and gets every stored event, in order, without gaps.
    visitor_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
    let events = visitor_ws.drain(400).await;
    let seqs: Vec<i64> = events.iter().filter(|e| e["conversation_id"] == id).filter_map(|e| e["seq"].as_i64()).collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, (1..=*sorted.last().unwrap()).collect::<Vec<_>>(), "every seq from 1, no gap: {seqs:?}");

    // Agent replies; the visitor sees it live with the next sequence number.
    let (s, m) = app
        .call(
            "POST",
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&agent),
            Some(json!({ "body": "您好，我来帮您", "client_id": "a-1" })),
        )
        .await;
    assert_eq!(s, 201, "{m}");
    let live = visitor_ws.wait_for("message.created").await;
    assert_eq!(live["data"]["body"], "您好，我来帮您");
    assert_eq!(live["seq"], m["seq"]);

    // A retried send with the same client_id does not double the message.
    let (s, again) = app
        .call(
            "POST",
            &format!("/api/v1/conversations/{id}/messages"),
            Some(&agent),
            Some(json!({ "body": "您好，我来帮您", "client_id": "a-1" })),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(again["id"], m["id"]);

    // Typing reaches the other side.
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/typing"), Some(&visitor), Some(json!({ "typing": true }))).await;
    assert_eq!(s, 204);
    let typing = agent_ws.wait_for("typing").await;
    assert_eq!(typing["data"]["who"], "visitor");

    // The visitor drops; two messages are sent meanwhile; on reconnect exactly those arrive.
    let last_seen = live["seq"].as_i64().unwrap();
    drop(visitor_ws);
    for text in ["第一条", "第二条"] {
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": text }))).await;
        assert_eq!(s, 201);
    }
    let mut visitor_ws = app.ws(&visitor).await;
    visitor_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): last_seen } })).await;
    let missed: Vec<_> = visitor_ws.drain(400).await.into_iter().filter(|e| e["seq"].is_i64()).collect();
    let bodies: Vec<_> =
        missed.iter().filter(|e| e["type"] == "message.created").map(|e| e["data"]["body"].as_str().unwrap().to_string()).collect();
    assert_eq!(bodies, vec!["第一条", "第二条"]);
    assert!(missed.iter().all(|e| e["seq"].as_i64().unwrap() > last_seen));

    // Read receipt from the visitor reaches the agent.
    let (_, msgs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages?after_seq=0"), Some(&visitor), None).await;
    let last_seq = msgs["last_seq"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/read"), Some(&visitor), Some(json!({ "seq": last_seq }))).await;
    assert_eq!(s, 204);
    let read = agent_ws.wait_until("message.read", |e| e["data"]["reader"] == "visitor").await;
    assert_eq!(read["data"]["seq"], last_seq);

    // Transfer to the loans group with a note; agent 3 gets it with the history.
    let agent3 = app.ready_agent(3).await;
    let mut agent3_ws = app.ws(&agent3).await;
    let (s, t) = app
        .call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&agent), Some(json!({ "group_id": 2, "note": "客户想办贷款" })))
        .await;
    assert_eq!(s, 200, "{t}");
    let offer = agent3_ws.wait_for("offer.created").await;
    assert_eq!(offer["conversation_id"], id);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent3), None).await;
    assert_eq!(s, 200);
    let (_, history) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&agent3), None).await;
    let texts: Vec<_> = history["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_string()).collect();
    assert!(texts.contains(&"我的信用卡被锁了".to_string()) && texts.contains(&"transferred".to_string()), "{texts:?}");
    // The note travels to the next agent, never to the visitor.
    let note_of =
        |v: &serde_json::Value| v["messages"].as_array().unwrap().iter().find(|m| m["body"] == "transferred").unwrap()["data"].clone();
    assert_eq!(note_of(&history)["note"], "客户想办贷款");
    let (_, visitor_view) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), None).await;
    assert_eq!(note_of(&visitor_view), json!({ "to_group_name": "贷款咨询 Loans" }));
    // The first agent may no longer write into it.
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "还在吗" }))).await;
    assert_eq!(s, 403);

    // Close needs a configured wrap-up code.
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent3), Some(json!({ "wrap_up_code": "nope" }))).await;
    assert_eq!(s, 422, "{e}");
    let (s, closed) = app
        .call(
            "POST",
            &format!("/api/v1/conversations/{id}/close"),
            Some(&agent3),
            Some(json!({ "wrap_up_code": "resolved", "note": "已办理" })),
        )
        .await;
    assert_eq!(s, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let update = visitor_ws.wait_until("conversation.updated", |e| e["data"]["status"] == "closed").await;
    assert_eq!(update["data"]["wrap_up_code"], serde_json::Value::Null, "the wrap-up is staff-only");

    // CSAT: once, 1..5, only by the visitor.
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 6 }))).await;
    assert_eq!(s, 422);
    let (s, c) =
        app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 5, "comment": "很好" }))).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!(c["csat"]["score"], 5);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 1 }))).await;
    assert_eq!(s, 409);

    // The returning visitor sees the earlier conversation; a new one is a new conversation.
    let (_, list) = app.call("GET", "/api/v1/conversations", Some(&visitor), None).await;
    assert_eq!(list["conversations"][0]["id"], id);
    let again = app.start(&visitor, "还有一个问题").await;
    assert_ne!(again["id"], id);

    // The day's figures count it, in the loans line it moved to: the admin sees it, the cards
    // supervisor does not (a supervisor sees their own groups).
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, stats) = app.call("GET", "/api/v1/stats/live", Some(&admin), None).await;
    assert_eq!(s, 200, "{stats}");
    assert!(stats["today"]["answered"].as_i64().unwrap() >= 1);
    assert_eq!(stats["today"]["csat_average"], 5.0);
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, theirs) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert_eq!(theirs["today"]["csat_average"], serde_json::Value::Null, "{theirs}");
}

#[tokio::test]
async fn waiting_visitors_see_their_place_and_nobody_else_sees_their_chat() {
    let app = spawn_app().await;
    let (a, b) = (app.visitor("A").await, app.visitor("B").await);
    let first = app.start(&a, "first").await;
    let mut b_ws = app.ws(&b).await;
    let second = app.start(&b, "second").await;
    assert_eq!(first["queue"]["position"], 1);
    assert_eq!(second["queue"]["position"], 2);
    assert_eq!(second["queue"]["estimated_wait_secs"], serde_json::Value::Null, "nobody logged in: unknown wait");
    // B is told their place once; a customer joining behind moves nobody ahead, so B is not told
    // again (a long line would otherwise cost every waiting customer a frame per arrival).
    b_ws.wait_until("queue.position", |e| e["data"]["position"] == 2).await;
    let c = app.visitor("C").await;
    let third = app.start(&c, "third").await;
    assert_eq!(third["queue"]["position"], 3);
    let heard = b_ws.drain(300).await;
    assert!(heard.iter().all(|e| e["type"] != "queue.position"), "{heard:?}");
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{}/leave", third["id"]), Some(&c), None).await;
    assert_eq!(s, 200);

    // Visitor A cannot read B's conversation: 404, not 403.
    let id_b = second["id"].as_i64().unwrap();
    let (s, e) = app.call("GET", &format!("/api/v1/conversations/{id_b}"), Some(&a), None).await;
    assert_eq!(s, 404, "{e}");
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id_b}/messages"), Some(&a), None).await;
    assert_eq!(s, 404);
    // Nor can an agent who has nothing to do with it.
    let agent4 = app.login("agent4@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id_b}"), Some(&agent4), None).await;
    assert_eq!(s, 404);

    // A gives up: B moves up to 1, live.
    let id_a = first["id"].as_i64().unwrap();
    let (s, left) = app.call("POST", &format!("/api/v1/conversations/{id_a}/leave"), Some(&a), None).await;
    assert_eq!(s, 200, "{left}");
    assert_eq!(left["abandoned"], true);
    let pos = b_ws.wait_until("queue.position", |e| e["data"]["position"] == 1).await;
    assert_eq!(pos["conversation_id"], id_b);

    // An agent going ready gets B first.
    let agent = app.ready_agent(1).await;
    let (_, offered) = app.call("GET", "/api/v1/conversations?status=offered&mine=true", Some(&agent), None).await;
    assert_eq!(offered["conversations"][0]["id"], id_b);
}

#[tokio::test]
async fn declined_offers_go_to_the_next_agent() {
    let app = spawn_app().await;
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("V").await;
    let id = app.start(&v, "hi").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/decline"), Some(&a1), None).await;
    assert_eq!(s, 204);
    // Agent 1 no longer sees it, but was shown it: the answer says the offer is gone.
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
    assert_eq!((s, v["error"]["code"].as_str()), (409, Some("not_offered")), "{v}");
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&a1), None).await;
    assert_eq!(s, 404, "reading it is still refused");
    let a2 = app.ready_agent(2).await;
    let (_, offered) = app.call("GET", "/api/v1/conversations?status=offered&mine=true", Some(&a2), None).await;
    assert_eq!(offered["conversations"][0]["id"], id);
}

#[tokio::test]
async fn attachments_are_checked_from_their_bytes() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let v = app.visitor("V").await;
    let id = app.start(&v, "看图").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    // A 1x1 PNG.
    let png: Vec<u8> = vec![
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F,
        0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0,
        0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let upload = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name(name));
        app.http.post(app.url(&format!("/api/v1/conversations/{id}/attachments"))).bearer_auth(&v).multipart(form).send()
    };
    let r = upload(png.clone(), "card.png").await.unwrap();
    assert_eq!(r.status(), 201);
    let m: serde_json::Value = r.json().await.unwrap();
    assert_eq!(m["kind"], "image");
    let url = m["attachment"]["url"].as_str().unwrap().to_string();
    let got = app.http.get(app.url(&url)).bearer_auth(&agent).send().await.unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), png);
    // Another visitor cannot fetch it.
    let other = app.visitor("W").await;
    assert_eq!(app.http.get(app.url(&url)).bearer_auth(&other).send().await.unwrap().status(), 404);
    // A program renamed to .png is refused.
    let r = upload(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec(), "evil.png").await.unwrap();
    assert_eq!(r.status(), 415);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "unsupported_media_type");
}

#[tokio::test]
async fn an_agent_whose_workspace_is_gone_stops_getting_offers() {
    let app = crate::helpers::spawn_app_with(|c| c.agent_disconnect_grace_secs = 1).await;
    let agent = app.ready_agent(1).await;
    let ws = app.ws(&agent).await;
    drop(ws);
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    assert_eq!((me["status"].as_str(), me["away_reason"].as_str()), (Some("away"), Some("disconnected")), "{me}");
}

/// The presence trap: an agent set ready over REST with no socket is not set away by the grace
/// timer of an older socket that closed before.
#[tokio::test]
async fn an_agent_set_ready_over_rest_after_their_socket_closed_stays_ready() {
    let app = crate::helpers::spawn_app_with(|c| c.agent_disconnect_grace_secs = 1).await;
    let agent = app.ready_agent(1).await;
    let ws = app.ws(&agent).await;
    drop(ws);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let body = serde_json::json!({ "status": "ready" });
    let (s, v) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(body)).await;
    assert_eq!(s, 200, "{v}");
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    assert_eq!(me["status"], "ready", "the older socket's timer undid a later choice: {me}");
}

#[tokio::test]
async fn the_serving_agent_reads_the_customers_earlier_conversations() {
    let app = spawn_app().await;
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("回头客").await;
    let first = app.start(&v, "第一次来").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&a1), None).await;
    app.call("POST", &format!("/api/v1/conversations/{first}/close"), Some(&a1), Some(json!({ "wrap_up_code": "resolved" }))).await;
    app.call("PUT", "/api/v1/agents/me/status", Some(&a1), Some(json!({ "status": "offline" }))).await;

    let a2 = app.ready_agent(2).await;
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{first}/messages"), Some(&a2), None).await;
    assert_eq!(s, 404, "not before serving this customer");
    let second = app.start(&v, "又来了").await["id"].as_i64().unwrap();
    let (s, acc) = app.call("POST", &format!("/api/v1/conversations/{second}/accept"), Some(&a2), None).await;
    assert_eq!(s, 200, "{acc}");
    let visitor_id =
        app.call("GET", &format!("/api/v1/conversations/{second}"), Some(&a2), None).await.1["visitor"]["id"].as_i64().unwrap();
    let (_, history) = app.call("GET", &format!("/api/v1/visitors/{visitor_id}/conversations"), Some(&a2), None).await;
    assert_eq!(history["conversations"].as_array().unwrap().len(), 2);
    let (s, msgs) = app.call("GET", &format!("/api/v1/conversations/{first}/messages"), Some(&a2), None).await;
    assert_eq!(s, 200, "{msgs}");
    assert!(msgs["messages"].as_array().unwrap().iter().any(|m| m["body"] == "第一次来"));
}

#[tokio::test]
async fn transfer_to_an_agent_is_an_offer_with_the_note() {
    let app = spawn_app().await;
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("转接客户").await;
    let id = app.start(&v, "请帮我转给专员").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
    // Agent 2 is not ready: refused with a reason, nothing changes.
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&a1), Some(json!({ "agent_id": 4 }))).await;
    assert_eq!(s, 409, "{e}");
    let a2 = app.ready_agent(2).await;
    let mut a2_ws = app.ws(&a2).await;
    let (s, _) = app
        .call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&a1), Some(json!({ "agent_id": 4, "note": "VIP 专员跟进" })))
        .await;
    assert_eq!(s, 200);
    let offer = a2_ws.wait_until("offer.created", |e| e["conversation_id"] == id).await;
    assert_eq!(offer["data"]["reason"]["kind"], "transfer");
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a2), None).await;
    assert_eq!(s, 200);
    let (_, msgs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&a2), None).await;
    let transferred = msgs["messages"].as_array().unwrap().iter().find(|m| m["body"] == "transferred").unwrap().clone();
    assert_eq!(
        (transferred["data"]["note"].as_str(), transferred["data"]["to_agent_name"].as_str()),
        (Some("VIP 专员跟进"), Some("张伟 Zhang Wei"))
    );
    assert!(msgs["messages"].as_array().unwrap().iter().any(|m| m["body"] == "请帮我转给专员"));
    // Agent 1 let go of it: their load is free again.
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&a1), None).await;
    assert_eq!(me["load"]["chat"], 0);
}

#[tokio::test]
async fn two_tabs_of_one_visitor_starting_at_once_share_one_conversation() {
    let app = spawn_app().await;
    let visitor = app.visitor("两个标签页").await;
    let starts = (0..8).map(|i| {
        app.call("POST", "/api/v1/conversations", Some(&visitor), Some(json!({ "business_type_id": 1, "message": format!("tab {i}") })))
    });
    let answers = futures::future::join_all(starts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let ids: std::collections::BTreeSet<i64> = answers
        .iter()
        .map(|(s, v)| {
            assert!(*s == 201 || *s == 200, "{s}: {v}");
            v["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!((created, ids.len()), (1, 1), "one conversation, created once: {answers:?}");
}

#[tokio::test]
async fn service_level_counts_customers_still_waiting_past_the_target_as_missed() {
    // A 3 s target: three customers start well within it even on a busy machine.
    let app = spawn_app_with(|c| c.service_level_target_secs = 3).await;
    for name in ["A", "B", "C"] {
        let v = app.visitor(name).await;
        app.start(&v, "等了很久").await;
    }
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, before) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert_eq!(before["today"]["service_level"], 1.0, "nobody past the target yet: {before}");
    tokio::time::sleep(std::time::Duration::from_millis(3300)).await;
    let (s, after) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert_eq!(s, 200, "{after}");
    assert_eq!(after["today"]["waiting_past_target"], 3, "{after}");
    assert_eq!(after["today"]["service_level"], 0.0, "three customers wait past the target: {after}");
}

#[tokio::test]
async fn a_customer_who_closed_the_page_leaves_the_line_after_the_grace_period() {
    let app = spawn_app_with(|c| c.visitor_abandon_grace_secs = 1).await;
    let (gone, reloads, api_only) = (app.visitor("gone").await, app.visitor("reloads").await, app.visitor("api").await);
    let first = app.start(&gone, "我先排队").await;
    let second = app.start(&reloads, "我刷新一下").await;
    let third = app.start(&api_only, "no socket").await;
    let (gone_ws, reload_ws) = (app.ws(&gone).await, app.ws(&reloads).await);
    drop(gone_ws);
    drop(reload_ws);
    // The reloading customer is back within the grace period.
    let _back = app.ws(&reloads).await;
    tokio::time::sleep(std::time::Duration::from_millis(1800)).await;

    let id = first["id"].as_i64().unwrap();
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&gone), None).await;
    assert_eq!(c["status"], "closed", "the closed page left the line: {c}");
    let id = second["id"].as_i64().unwrap();
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&reloads), None).await;
    assert_eq!(c["status"], "queued", "{c}");
    assert_eq!(c["queue"]["position"], 1, "moved up: {c}");
    // A visitor who never opened a socket (API channel) is never taken out of the line.
    let id = third["id"].as_i64().unwrap();
    let (_, c) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&api_only), None).await;
    assert_eq!(c["status"], "queued", "{c}");

    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, stats) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert_eq!(stats["today"]["abandoned"], 1, "{stats}");
}
