//! Internal notes (内部备注): staff-only lines that never reach the visitor (REST, live frames,
//! resume) and leave the visitor's sequence without a gap; @mentions notify a colleague, who may
//! then read the conversation but not write in it; a supervisor's whisper notifies the agent.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const SECRET: &str = "NOTE-SECRET-7";

/// A user's id by email (agents list).
pub async fn user_id(app: &TestApp, token: &str, email: &str) -> i64 {
    let (s, list) = app.call("GET", "/api/v1/agents", Some(token), None).await;
    assert_eq!(s, 200, "{list}");
    list["agents"].as_array().unwrap().iter().find(|a| a["email"] == email).unwrap()["id"].as_i64().unwrap()
}

/// A visitor's conversation, accepted by agent 1. Returns (visitor token, agent token, id).
pub async fn served(app: &TestApp) -> (String, String, i64) {
    let agent = app.ready_agent(1).await;
    let mut ws = app.ws(&agent).await;
    let visitor = app.visitor("客户甲").await;
    let id = app.start(&visitor, "你好").await["id"].as_i64().unwrap();
    ws.wait_until("offer.created", |e| e["conversation_id"] == id).await;
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    (visitor, agent, id)
}

fn contains_secret(v: &Value) -> bool {
    v.to_string().contains(SECRET)
}

#[tokio::test]
async fn a_visitor_never_sees_a_note_through_rest_live_or_resume() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let mut agent_ws = app.ws(&agent).await;
    let (_, before) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&agent), None).await;
    let seq_before = before["last_seq"].as_i64().unwrap();

    let (s, note) = app
        .call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), Some(json!({ "body": format!("客户很急 {SECRET}") })))
        .await;
    assert_eq!(s, 201, "{note}");
    assert_eq!((note["kind"].as_str(), note["after_seq"].as_i64()), (Some("note"), Some(seq_before)));
    // Staff watching get it live, without a seq (it takes no number of the conversation's log).
    let live = agent_ws.wait_until("note.created", |e| e["conversation_id"] == id).await;
    assert!(contains_secret(&live) && live.get("seq").is_none(), "{live}");

    // The note took no sequence number: the next message follows on directly.
    let (s, m) =
        app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "马上为您处理" }))).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["seq"].as_i64(), Some(seq_before + 1));
    for f in visitor_ws.drain(400).await {
        assert!(!contains_secret(&f) && f["type"] != "note.created", "live frame leaks the note: {f}");
    }

    // Resume from 0: every seq from 1 to last, no gap, nothing of the note.
    visitor_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
    let replayed = visitor_ws.drain(500).await;
    let seqs: Vec<i64> = replayed.iter().filter_map(|f| f["seq"].as_i64()).collect();
    let (_, now) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&visitor), None).await;
    assert_eq!(seqs, (1..=now["last_seq"].as_i64().unwrap()).collect::<Vec<_>>(), "the visitor's log has no gap");
    for f in &replayed {
        assert!(!contains_secret(f) && f["type"] != "note.created", "replayed frame leaks the note: {f}");
    }

    // REST: nothing in the visitor's reads; the notes route refuses visitors.
    for path in [format!("/api/v1/conversations/{id}"), format!("/api/v1/conversations/{id}/messages"), "/api/v1/conversations".into()] {
        let (s, v) = app.call("GET", &path, Some(&visitor), None).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert!(!contains_secret(&v), "{path} leaks the note: {v}");
    }
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}/notes"), Some(&visitor), None).await;
    assert!(s == 401 || s == 403, "visitors cannot list notes: {s}");
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&visitor), Some(json!({ "body": "x" }))).await;
    assert!(s == 401 || s == 403, "visitors cannot write notes: {s}");

    // Staff read it over REST, and a staff resume replays it.
    let (s, notes) = app.call("GET", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), None).await;
    assert_eq!(s, 200);
    assert!(contains_secret(&notes), "{notes}");
    agent_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): seq_before } })).await;
    let again = agent_ws.wait_until("note.created", |e| e["conversation_id"] == id).await;
    assert_eq!(again["data"]["id"], note["id"]);
}

#[tokio::test]
async fn a_mention_notifies_a_colleague_who_may_read_but_not_write() {
    let app = spawn_app().await;
    let (_visitor, agent, id) = served(&app).await;
    let colleague = app.login("agent3@demo.kefu", "demo-agent").await;
    let colleague_id = user_id(&app, &agent, "agent3@demo.kefu").await;
    let mut colleague_ws = app.ws(&colleague).await;
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&colleague), None).await;
    assert_eq!(s, 404, "not theirs before the mention");

    let body = json!({ "body": "@刘洋 Liu Yang 请看一下这个客户", "mentions": [colleague_id] });
    let (s, note) = app.call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), Some(body)).await;
    assert_eq!(s, 201, "{note}");
    assert_eq!(note["mentions"], json!([colleague_id]));
    let told = colleague_ws.wait_for("notification.created").await;
    assert_eq!((told["data"]["kind"].as_str(), told["data"]["conversation_id"].as_i64()), (Some("mention"), Some(id)));
    assert_eq!(told["data"]["actor_name"], "李娜 Li Na");

    let (s, list) = app.call("GET", "/api/v1/notifications?unread=true", Some(&colleague), None).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["unread"], 1);
    let nid = list["notifications"][0]["id"].as_i64().unwrap();
    // Read-only: they see the conversation and its notes, and cannot write in it.
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&colleague), None).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}/notes"), Some(&colleague), None).await;
    assert_eq!(s, 200);
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&colleague), Some(json!({ "body": "hi" }))).await;
    assert_eq!(s, 403);

    // Someone else's notification is not found; their own is marked read.
    let (s, _) = app.call("POST", &format!("/api/v1/notifications/{nid}/read"), Some(&agent), None).await;
    assert_eq!(s, 404);
    let (s, _) = app.call("POST", &format!("/api/v1/notifications/{nid}/read"), Some(&colleague), None).await;
    assert_eq!(s, 204);
    let (_, list) = app.call("GET", "/api/v1/notifications", Some(&colleague), None).await;
    assert_eq!((list["unread"].as_i64(), list["notifications"][0]["read"].as_bool()), (Some(0), Some(true)), "{list}");
    let (_, unread) = app.call("GET", "/api/v1/notifications?unread=true", Some(&colleague), None).await;
    assert_eq!(unread["notifications"], json!([]), "only unread ones: {unread}");
}

#[tokio::test]
async fn notes_are_checked_and_whispers_need_a_supervisor() {
    let app = spawn_app().await;
    let (_visitor, agent, id) = served(&app).await;
    let path = format!("/api/v1/conversations/{id}/notes");
    let (s, e) = app.call("POST", &path, Some(&agent), Some(json!({ "body": "   " }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
    let (s, e) = app.call("POST", &path, Some(&agent), Some(json!({ "body": "x", "mentions": [9999] }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("mentions"), "{e}");
    let (s, _) = app.call("POST", &path, Some(&agent), Some(json!({ "body": "x".repeat(2001) }))).await;
    assert_eq!(s, 422);
    let (s, _) = app.call("POST", &path, Some(&agent), Some(json!({ "body": "悄悄话", "whisper": true }))).await;
    assert_eq!(s, 403, "agents do not whisper");
    let other = app.login("agent4@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("POST", &path, Some(&other), Some(json!({ "body": "x" }))).await;
    assert_eq!(s, 404, "a stranger to the conversation gets not found");

    let mut agent_ws = app.ws(&agent).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, w) = app.call("POST", &path, Some(&sup), Some(json!({ "body": "先安抚客户情绪", "whisper": true }))).await;
    assert_eq!(s, 201, "{w}");
    assert_eq!(w["kind"], "whisper");
    let told = agent_ws.wait_for("notification.created").await;
    assert_eq!((told["data"]["kind"].as_str(), told["data"]["excerpt"].as_str()), (Some("whisper"), Some("先安抚客户情绪")));
}
