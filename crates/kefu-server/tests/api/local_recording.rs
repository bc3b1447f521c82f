//! Client-side recording (本地录制): where the deployment allows it (`client_recording`), the
//! agent serving an active call tells the server their browser starts and stops recording; the
//! call's `local_recording` follows (the visitor's notice), the timeline and the audit log get
//! both ends. Where it is not allowed, the start is refused with a clear error and nothing changes.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// A visitor's chat served by agent1 with an active video call: (visitor, agent, conversation, call).
async fn in_call(app: &TestApp) -> (String, String, i64, i64) {
    crate::calls::in_call(app, "Qian").await
}

async fn local(app: &TestApp, token: &str, call: i64, action: &str) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/calls/{call}/local-recording"), Some(token), Some(json!({ "action": action }))).await
}

/// The conversation's timeline lines about local recording and the call's end, in order.
async fn call_events(app: &TestApp, visitor: &str, conv: i64) -> Vec<String> {
    let (_, list) = app.call("GET", &format!("/api/v1/conversations/{conv}/messages"), Some(visitor), None).await;
    list["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "event")
        .filter_map(|m| m["body"].as_str())
        .filter(|b| b.starts_with("local_recording") || *b == "call_ended")
        .map(str::to_string)
        .collect()
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, page) = app.call("GET", "/api/v1/audit-log?entity=local_recording", Some(&admin), None).await;
    assert_eq!(s, 200, "{page}");
    page["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn where_allowed_the_serving_agent_records_locally_the_visitor_is_told_and_both_ends_are_audited() {
    let app = spawn_app_with(|c| c.client_recording = true).await;
    let (visitor, agent, conv, call) = in_call(&app).await;
    let mut visitor_ws = app.ws(&visitor).await;

    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/ice-servers"), Some(&agent), None).await;
    assert_eq!((s, &v["client_recording"]), (200, &json!(true)), "the agent's call panel learns it may: {v}");
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/ice-servers"), Some(&visitor), None).await;
    assert_eq!(v["client_recording"], false, "never offered to the visitor: {v}");

    let (s, e) = local(&app, &visitor, call, "start").await;
    assert_eq!(s, 403, "the visitor does not: {e}");
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (s, e) = local(&app, &other, call, "start").await;
    assert_eq!(s, 403, "nor another agent: {e}");

    let (s, v) = local(&app, &agent, call, "start").await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["local_recording"], true);
    assert_eq!(v["recording"], "off", "the server's own recording is another matter");
    let seen = visitor_ws.wait_until("call.updated", |e| e["data"]["local_recording"] == true).await;
    assert_eq!(seen["data"]["id"], call, "the visitor's widget hears it (its notice)");
    let (s, e) = local(&app, &agent, call, "start").await;
    assert_eq!(s, 409, "already recording: {e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("already recording"), "{e}");

    let (s, v) = local(&app, &agent, call, "stop").await;
    assert_eq!((s, &v["local_recording"]), (200, &json!(false)), "{v}");
    visitor_ws.wait_until("call.updated", |e| e["data"]["local_recording"] == false).await;

    let lines = call_events(&app, &visitor, conv).await;
    assert_eq!(lines, ["local_recording_started", "local_recording_stopped"], "both ends in the timeline");

    let entries = audit(&app).await;
    let got: Vec<(&str, &str, &str)> = entries
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["entity_id"].as_str().unwrap(), e["actor_name"].as_str().unwrap()))
        .collect();
    let id = call.to_string();
    assert_eq!(got.len(), 2, "{entries:?}");
    assert_eq!((got[0].0, got[0].1), ("stopped", id.as_str()), "newest first: {entries:?}");
    assert_eq!((got[1].0, got[1].1), ("started", id.as_str()), "{entries:?}");
    assert!(!got[1].2.is_empty() && !got[1].2.starts_with('#'), "who: {entries:?}");

    // A call that ends while recording locally is no longer recorded, and that recording's stop
    // is written as the agent's own would be: by the serving agent, saying the call ended.
    let (s, _) = local(&app, &agent, call, "start").await;
    assert_eq!(s, 200);
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&visitor), None).await;
    assert_eq!((s, &v["local_recording"]), (200, &json!(false)), "{v}");
    let (s, e) = local(&app, &agent, call, "start").await;
    assert_eq!(s, 409, "the call is over: {e}");
    let entries = audit(&app).await;
    assert_eq!(entries.len(), 4, "{entries:?}");
    let last = &entries[0];
    assert_eq!((last["action"].as_str(), last["entity_id"].as_str()), (Some("stopped"), Some(id.as_str())), "{last}");
    assert_eq!(last["actor_name"], entries[1]["actor_name"], "by the serving agent, who started it: {entries:?}");
    assert!(last["summary"].as_str().unwrap().contains("the call ended: hangup"), "why: {last}");
    let lines = call_events(&app, &visitor, conv).await;
    assert_eq!(
        lines,
        ["local_recording_started", "local_recording_stopped", "local_recording_started", "local_recording_stopped", "call_ended"],
        "the stop, then the call's end"
    );
}

#[tokio::test]
async fn where_not_allowed_the_start_is_refused_with_the_reason_and_nothing_is_recorded() {
    let app = spawn_app().await;
    let (_visitor, agent, _conv, call) = in_call(&app).await;
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}/ice-servers"), Some(&agent), None).await;
    assert_eq!(v["client_recording"], false, "the control is not offered: {v}");

    let (s, e) = local(&app, &agent, call, "start").await;
    assert_eq!(s, 403, "{e}");
    assert_eq!(e["error"]["code"], "forbidden", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("client_recording"), "names the setting: {e}");
    let (_, c) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&agent), None).await;
    assert_eq!(c["local_recording"], false, "{c}");
    assert!(audit(&app).await.is_empty(), "nothing happened, nothing audited");

    let (s, e) = local(&app, &agent, call, "pause").await;
    assert_eq!(s, 422, "an unknown action is named: {e}");
}
