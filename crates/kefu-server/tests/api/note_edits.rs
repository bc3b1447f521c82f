//! Editing an internal note: only its author, only kind `note`; the text is checked as on
//! create, `edited_at` is set, staff following the conversation get `note.updated`, and only
//! colleagues newly @mentioned are notified.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::notes::{served, user_id};

#[tokio::test]
async fn the_author_edits_a_note_others_are_refused_and_new_mentions_are_told_once() {
    let app = spawn_app().await;
    let (_visitor, agent, id) = served(&app).await;
    let liu = app.login("agent3@demo.kefu", "demo-agent").await;
    let liu_id = user_id(&app, &agent, "agent3@demo.kefu").await;
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let other_id = user_id(&app, &agent, "agent2@demo.kefu").await;
    let mut liu_ws = app.ws(&liu).await;
    let mut other_ws = app.ws(&other).await;

    let notes = format!("/api/v1/conversations/{id}/notes");
    let (s, note) = app.call("POST", &notes, Some(&agent), Some(json!({ "body": "@刘洋 请看", "mentions": [liu_id] }))).await;
    assert_eq!(s, 201, "{note}");
    assert_eq!(note["edited_at"], json!(null));
    liu_ws.wait_for("notification.created").await;
    let path = format!("{notes}/{}", note["id"]);

    // The author edits: Liu (already told) is not told again, the newly mentioned colleague is.
    let edit = json!({ "body": "@刘洋 @王芳 客户要退款，请看", "mentions": [liu_id, other_id] });
    let (s, edited) = app.call("PATCH", &path, Some(&agent), Some(edit.clone())).await;
    assert_eq!(s, 200, "{edited}");
    assert_eq!(edited["body"], "@刘洋 @王芳 客户要退款，请看");
    assert_eq!(edited["mentions"], json!([liu_id.min(other_id), liu_id.max(other_id)]));
    assert!(edited["edited_at"].is_string(), "{edited}");
    assert_eq!((edited["id"].clone(), edited["after_seq"].clone()), (note["id"].clone(), note["after_seq"].clone()), "it keeps its place");
    let live = liu_ws.wait_until("note.updated", |e| e["conversation_id"] == id).await;
    assert_eq!(live["data"]["body"], edited["body"]);
    assert!(live.get("seq").is_none(), "{live}");
    let told = other_ws.wait_for("notification.created").await;
    assert_eq!((told["data"]["kind"].as_str(), told["data"]["note_id"].clone()), (Some("mention"), note["id"].clone()), "{told}");
    for f in liu_ws.drain(300).await {
        assert_ne!(f["type"], "notification.created", "Liu was already told: {f}");
    }

    // The same edit again tells nobody new.
    let (s, _) = app.call("PATCH", &path, Some(&agent), Some(edit)).await;
    assert_eq!(s, 200);
    for (token, who) in [(&liu, "Liu"), (&other, "the colleague")] {
        let (_, list) = app.call("GET", "/api/v1/notifications", Some(token), None).await;
        assert_eq!(list["notifications"].as_array().unwrap().len(), 1, "{who} notified once: {list}");
    }

    // The listing shows the edit.
    let (_, list) = app.call("GET", &notes, Some(&agent), None).await;
    let listed = list["notes"].as_array().unwrap().iter().find(|n| n["id"] == note["id"]).unwrap().clone();
    assert_eq!((listed["body"].clone(), listed["edited_at"].is_string()), (edited["body"].clone(), true));

    // Others are refused; unknown notes are not found; bad bodies name the field.
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    for token in [&liu, &sup] {
        let (s, e) = app.call("PATCH", &path, Some(token), Some(json!({ "body": "改掉" }))).await;
        assert_eq!(s, 403, "{e}");
    }
    let (s, e) = app.call("PATCH", &format!("{notes}/999999"), Some(&agent), Some(json!({ "body": "x" }))).await;
    assert_eq!(s, 404, "{e}");
    let (s, e) = app.call("PATCH", &path, Some(&agent), Some(json!({ "body": "  " }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("body"), "{e}");
    let (s, e) = app.call("PATCH", &path, Some(&agent), Some(json!({ "body": "x", "mentions": [9999] }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("mentions"), "{e}");
    let (s, _) = app.call("PATCH", &path, Some(&agent), Some(json!({ "body": "x".repeat(2001) }))).await;
    assert_eq!(s, 422);

    // A whisper is not editable, even by its author.
    let (s, w) = app.call("POST", &notes, Some(&sup), Some(json!({ "body": "先安抚客户", "whisper": true }))).await;
    assert_eq!(s, 201, "{w}");
    let (s, e) = app.call("PATCH", &format!("{notes}/{}", w["id"]), Some(&sup), Some(json!({ "body": "改" }))).await;
    assert_eq!(s, 403, "{e}");
}

#[tokio::test]
async fn an_edit_made_while_a_staff_client_was_away_comes_back_on_resume() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    let notes = format!("/api/v1/conversations/{id}/notes");
    let (s, note) = app.call("POST", &notes, Some(&agent), Some(json!({ "body": "客户要求退款" }))).await;
    assert_eq!(s, 201, "{note}");
    // A message after the note: a client that saw it resumes from a cursor past the note's place.
    let (s, m) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "请稍等" }))).await;
    assert_eq!(s, 201, "{m}");
    let cursor = m["seq"].as_i64().unwrap();
    assert!(note["after_seq"].as_i64().unwrap() < cursor);

    // The supervisor's client is away while the author edits.
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, e) =
        app.call("PATCH", &format!("{notes}/{}", note["id"]), Some(&agent), Some(json!({ "body": "客户要求退款，已转财务" }))).await;
    assert_eq!(s, 200, "{e}");

    let mut sup_ws = app.ws(&sup).await;
    sup_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): cursor } })).await;
    let replayed = sup_ws.wait_until("note.updated", |e| e["conversation_id"] == id).await;
    assert_eq!((replayed["data"]["id"].clone(), replayed["data"]["body"].as_str()), (note["id"].clone(), Some("客户要求退款，已转财务")));
    assert!(replayed["data"]["edited_at"].is_string() && replayed.get("seq").is_none(), "{replayed}");

    // The visitor's resume still carries nothing of it.
    let mut visitor_ws = app.ws(&visitor).await;
    visitor_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
    for f in visitor_ws.drain(400).await {
        assert!(!f.to_string().contains("财务") && f["type"] != "note.updated", "the visitor sees the note: {f}");
    }
}
