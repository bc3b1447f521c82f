//! Call snapshots: the serving agent asks during an active video call, the visitor's sockets get
//! `call.snapshot_requested`, and the visitor's upload answering it becomes an image message
//! marked as a snapshot with the bytes' SHA-256 and the size read from the image. Uploads that
//! answer no open request (none, another conversation's, expired, answered) are refused.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// A JPEG header as a camera writes it: SOI, JFIF APP0, a baseline SOF0 of 1280x720, EOI.
pub fn jpeg() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    b.extend_from_slice(&[0xFF, 0xC0, 0, 17, 8, 0x02, 0xD0, 0x05, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
    b.extend_from_slice(&[0xFF, 0xD9]);
    b
}

/// A visitor's chat served by agent1 with an active video call: (visitor, agent, conversation, call).
async fn in_call(app: &TestApp) -> (String, String, i64, i64) {
    crate::calls::in_call(app, "Zhao").await
}

async fn ask(app: &TestApp, token: &str, call: i64) -> (u16, Value) {
    app.call("POST", &format!("/api/v1/calls/{call}/snapshots"), Some(token), None).await
}

/// Upload `bytes` as the answer to `request` (client_id `snap-<request>`).
pub async fn answer(app: &TestApp, token: &str, conv: i64, request: &str, bytes: Vec<u8>) -> (u16, Value) {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("snapshot.jpg"));
    let path = format!("/api/v1/conversations/{conv}/attachments?client_id=snap-{request}&snapshot={request}");
    let r = app.http.post(app.url(&path)).bearer_auth(token).multipart(form).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn the_serving_agent_asks_and_the_visitors_still_arrives_as_a_snapshot_for_both() {
    let app = spawn_app().await;
    let (visitor, agent, conv, call) = in_call(&app).await;
    let mut visitor_ws = app.ws(&visitor).await;
    let mut agent_ws = app.ws(&agent).await;

    let (s, e) = ask(&app, &visitor, call).await;
    assert_eq!(s, 403, "the visitor does not ask: {e}");
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let (s, e) = ask(&app, &other, call).await;
    assert_eq!(s, 404, "another agent does not see the call: {e}");

    let (s, v) = ask(&app, &agent, call).await;
    assert_eq!(s, 202, "{v}");
    let request = v["request_id"].as_str().unwrap().to_string();
    let frame = visitor_ws.wait_for("call.snapshot_requested").await;
    assert_eq!(frame["call_id"], call);
    assert_eq!(frame["data"]["request_id"], request.as_str());

    let bytes = jpeg();
    let (s, m) = answer(&app, &visitor, conv, &request, bytes.clone()).await;
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["kind"], "image");
    let a = &m["attachment"];
    assert_eq!(a["sha256"], hex::encode(Sha256::digest(&bytes)), "{m}");
    assert_eq!(a["snapshot"], json!({ "call_id": call, "width": 1280, "height": 720 }), "read from the image: {m}");

    // Both sides see it in the timeline.
    for ws in [&mut visitor_ws, &mut agent_ws] {
        let seen = ws.wait_until("message.created", |e| e["data"]["id"] == m["id"]).await;
        assert_eq!(seen["data"]["attachment"]["snapshot"]["width"], 1280);
    }
    let (s, list) = app.call("GET", &format!("/api/v1/conversations/{conv}/messages"), Some(&agent), None).await;
    assert_eq!(s, 200, "{list}");
    assert!(list.to_string().contains(&hex::encode(Sha256::digest(&bytes))), "{list}");

    // A retry of the same upload stores nothing new.
    let (s, again) = answer(&app, &visitor, conv, &request, bytes.clone()).await;
    assert_eq!(s, 200, "{again}");
    assert_eq!(again["id"], m["id"]);
    let snapshots = app.call("GET", &format!("/api/v1/conversations/{conv}/messages"), Some(&agent), None).await.1.to_string();
    assert_eq!(snapshots.matches("\"snapshot\":{").count(), 1, "{snapshots}");

    // The request is answered: another upload for it (a new client id) is refused.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(bytes).file_name("x.jpg"));
    let path = format!("/api/v1/conversations/{conv}/attachments?client_id=other&snapshot={request}");
    let r = app.http.post(app.url(&path)).bearer_auth(&visitor).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 409);
}

#[tokio::test]
async fn a_snapshot_upload_without_an_open_request_is_refused() {
    let app = spawn_app().await;
    let (visitor, agent, conv, call) = in_call(&app).await;
    let (s, e) = answer(&app, &visitor, conv, "0123456789abcdef01234567", jpeg()).await;
    assert_eq!(s, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("snapshot request"), "{e}");

    // Not a still: refused, and the request stays open for the real one.
    let request = ask(&app, &agent, call).await.1["request_id"].as_str().unwrap().to_string();
    let (s, e) = answer(&app, &visitor, conv, &request, b"%PDF-1.4 not an image".to_vec()).await;
    assert!(s == 415, "{s} {e}");
    // The agent cannot upload a snapshot in the visitor's place.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(jpeg()).file_name("x.jpg"));
    let path = format!("/api/v1/conversations/{conv}/attachments?snapshot={request}");
    let r = app.http.post(app.url(&path)).bearer_auth(&agent).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 403);

    // After the call ends its requests are gone.
    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
    let (s, e) = answer(&app, &visitor, conv, &request, jpeg()).await;
    assert_eq!(s, 409, "{e}");
    let (s, e) = ask(&app, &agent, call).await;
    assert_eq!(s, 409, "no snapshot without an active call: {e}");
}

#[tokio::test]
async fn an_expired_snapshot_request_is_refused() {
    let app = spawn_app_with(|c| c.snapshot_request_secs = 1).await;
    let (visitor, agent, conv, call) = in_call(&app).await;
    let request = ask(&app, &agent, call).await.1["request_id"].as_str().unwrap().to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let (s, e) = answer(&app, &visitor, conv, &request, jpeg()).await;
    assert_eq!(s, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("expired"), "{e}");
}
