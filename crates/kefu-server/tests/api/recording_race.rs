//! Two recording commands at once on one call (a double click, two tabs): the state they act on
//! is checked inside the write, so exactly one starts (or pauses) the recording and the other
//! gets a clear 409; the timeline says it once.

use serde_json::{json, Value};

use crate::calls::{active_call, served_chat};
use crate::helpers::{spawn_app, TestApp};

async fn command(app: &TestApp, token: &str, call: i64, action: &str) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/calls/{call}/recording"), Some(token), Some(json!({ "action": action }))).await
}

/// How many of the conversation's lines are `code`.
async fn lines(app: &TestApp, token: &str, conv: i64, code: &str) -> usize {
    let (_, v) = app.call("GET", &format!("/api/v1/conversations/{conv}/messages"), Some(token), None).await;
    v["messages"].as_array().unwrap().iter().filter(|m| m["body"] == code).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_recording_commands_at_once_one_wins_and_the_other_gets_409() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, _) = app.call("PUT", "/api/v1/groups/1/recording-policy", Some(&admin), Some(json!({ "policy": "on_demand" }))).await;
    assert_eq!(s, 200);
    let agent = app.ready_agent(1).await;
    let (visitor, conv) = served_chat(&app, &agent, "Race").await;
    let call = active_call(&app, &visitor, &agent, conv).await;

    for (action, state, line) in [("start", "recording", "recording_started"), ("pause", "paused", "recording_paused")] {
        let (a, b) = tokio::join!(command(&app, &agent, call, action), command(&app, &agent, call, action));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{action}: exactly one wins: {} / {}", a.1, b.1);
        let (ok, refused) = if a.0 == 200 { (a.1, b.1) } else { (b.1, a.1) };
        assert_eq!(ok["recording"], state, "{ok}");
        assert_eq!(refused["error"]["code"], "conflict", "{refused}");
        assert!(refused["error"]["message"].as_str().unwrap().starts_with("recording:"), "{refused}");
        assert_eq!(lines(&app, &agent, conv, line).await, 1, "{action}: one line in the timeline");
    }
    let (_, v) = app.call("GET", &format!("/api/v1/calls/{call}"), Some(&agent), None).await;
    assert_eq!(v["recording"], "paused", "{v}");
}
