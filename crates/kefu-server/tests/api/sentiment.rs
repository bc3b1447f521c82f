//! Customer sentiment: each visitor text message is scored when stored (Chinese or English,
//! detected per message), staff read the score beside the message and visitors never do, and a
//! supervisor is alerted live, once per episode, when the customer turns strongly negative.

use serde_json::Value;

use crate::helpers::{spawn_app, Socket, TestApp};

async fn say(app: &TestApp, token: &str, conversation: i64, body: &str) -> Value {
    let (s, v) = app
        .call("POST", &format!("/api/v1/conversations/{conversation}/messages"), Some(token), Some(serde_json::json!({ "body": body })))
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// The sentiment frames among what arrives within `ms`.
pub async fn moods(ws: &mut Socket, ms: u64) -> Vec<Value> {
    ws.drain(ms).await.into_iter().filter(|e| e["type"].as_str().is_some_and(|t| t.starts_with("sentiment."))).collect()
}

#[tokio::test]
async fn an_angry_customer_is_scored_negative_and_alerts_the_supervisor_once_until_recovered() {
    let app = spawn_app().await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let mut watch = app.ws(&sup).await;
    let visitor = app.visitor("王先生").await;
    // Waiting in line (nobody is ready): a neutral question, then a pleased message.
    let c = app.start(&visitor, "你好，我想咨询一下会员的问题").await;
    let id = c["id"].as_i64().unwrap();
    let mine = say(&app, &visitor, id, "Thanks, that is great!").await;
    assert!(mine.get("sentiment").is_none_or(Value::is_null), "the customer's own answer has no score: {mine}");
    assert!(moods(&mut watch, 1500).await.is_empty(), "neither a neutral nor a positive message alerts");

    say(&app, &visitor, id, "太差劲了！等了这么久还没解决，垃圾服务，我要投诉！").await;
    let raised = watch.wait_for("sentiment.raised").await;
    let a = &raised["data"];
    assert_eq!((a["conversation_id"].as_i64(), a["visitor_name"].as_str()), (Some(id), Some("王先生")), "{raised}");
    assert!(a["score"].as_f64().unwrap() <= -0.5, "{raised}");
    assert!(a["excerpt"].as_str().unwrap().contains("垃圾服务"), "{raised}");
    assert!(a["cleared_at"].is_null());

    say(&app, &visitor, id, "This is terrible, I am furious!").await;
    assert!(moods(&mut watch, 1500).await.is_empty(), "still angry: no second alert for the same episode");

    // Staff read each customer message's score, in the language it was written in.
    let (s, page) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&sup), None).await;
    assert_eq!(s, 200, "{page}");
    let scored: Vec<(String, String, f64)> = page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"] == "visitor")
        .map(|m| {
            (
                m["body"].as_str().unwrap().to_string(),
                m["sentiment"]["lang"].as_str().unwrap().to_string(),
                m["sentiment"]["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(scored.len(), 4, "{scored:?}");
    assert_eq!((scored[0].1.as_str(), scored[0].2.abs() < 0.05), ("zh", true), "neutral question: {scored:?}");
    assert!(scored[1].1 == "en" && scored[1].2 > 0.5, "{scored:?}");
    assert!(scored[2].1 == "zh" && scored[2].2 <= -0.5, "{scored:?}");
    assert!(scored[3].1 == "en" && scored[3].2 <= -0.5, "{scored:?}");
    let agent_msgs = page["messages"].as_array().unwrap().iter().filter(|m| m["sender"] != "visitor");
    assert!(agent_msgs.into_iter().all(|m| m.get("sentiment").is_none()), "only customer text is scored");
    // The visitor never reads a score.
    let (_, theirs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), None).await;
    assert!(theirs["messages"].as_array().unwrap().iter().all(|m| m.get("sentiment").is_none()), "{theirs}");

    // The active alert over REST, for supervisors only.
    let (s, list) = app.call("GET", "/api/v1/sentiment-alerts", Some(&sup), None).await;
    assert_eq!(s, 200, "{list}");
    assert_eq!(list["alerts"].as_array().unwrap().iter().filter(|x| x["conversation_id"] == id).count(), 1, "{list}");
    assert_eq!(app.call("GET", "/api/v1/sentiment-alerts", Some(&agent), None).await.0, 403);

    // The customer recovers: the alert clears.
    say(&app, &visitor, id, "好的，非常感谢，问题解决了，很满意！").await;
    say(&app, &visitor, id, "Thanks, that is great!").await;
    let cleared = watch.wait_for("sentiment.cleared").await;
    assert_eq!(cleared["data"]["id"], a["id"], "{cleared}");
    assert!(cleared["data"]["cleared_at"].is_string());
    let (_, list) = app.call("GET", "/api/v1/sentiment-alerts", Some(&sup), None).await;
    assert!(list["alerts"].as_array().unwrap().is_empty(), "{list}");
}

#[tokio::test]
async fn an_alert_clears_when_the_conversation_ends() {
    let app = spawn_app().await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let mut watch = app.ws(&sup).await;
    let visitor = app.visitor("Ann").await;
    let c = app.start(&visitor, "I'm very angry, this is the worst service ever").await;
    let id = c["id"].as_i64().unwrap();
    let raised = watch.wait_for("sentiment.raised").await;
    assert_eq!(raised["data"]["conversation_id"].as_i64(), Some(id), "{raised}");
    assert!(raised["data"]["agent_name"].is_null(), "still waiting in line: {raised}");
    // The customer gives up and leaves the line.
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/leave"), Some(&visitor), None).await;
    assert!(s == 200 || s == 204, "{s} {v}");
    let cleared = watch.wait_for("sentiment.cleared").await;
    assert_eq!(cleared["data"]["conversation_id"].as_i64(), Some(id), "{cleared}");
}
