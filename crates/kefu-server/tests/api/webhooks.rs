//! Webhooks: signed with a timestamped HMAC-SHA256, retried after a failure, logged for the admin.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::helpers::spawn_app_with;

type Seen = Arc<Mutex<Vec<(String, String, Bytes)>>>;

/// A receiver on 127.0.0.1 that fails its first request, then records and accepts.
async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let calls = Arc::new(Mutex::new(0));
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: Bytes| {
            let (s, calls) = (s.clone(), calls.clone());
            async move {
                let mut n = calls.lock().unwrap();
                *n += 1;
                if *n == 1 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let h = |k: &str| headers.get(k).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
                s.lock().unwrap().push((h("x-kefu-event"), h("x-kefu-signature"), body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

#[tokio::test]
async fn conversation_events_are_delivered_signed_and_retried() {
    // The receiver is on loopback, which only the operator's allowance opens.
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (url, seen) = receiver().await;
    let (s, w) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["conversation.created"] }))).await;
    assert_eq!(s, 201, "{w}");
    let secret = w["secret"].as_str().unwrap().to_string();
    let (s, e) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["conversation.exploded"] }))).await;
    assert_eq!(s, 422, "{e}");

    let v = app.visitor("Hook").await;
    app.start(&v, "hello").await;
    // First attempt fails (500); the retry comes after the first backoff step (5 s).
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (event, signature, body) = seen.lock().unwrap().first().cloned().expect("delivered after a retry");
    assert_eq!(event, "conversation.created");
    // `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, verified as a receiver would.
    let (t, v1) = signature.strip_prefix("t=").and_then(|s| s.split_once(",v1=")).expect("t=…,v1=…");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((now - t.parse::<i64>().unwrap()).abs() < 60, "the timestamp is the time of sending: {signature}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(&body);
    assert_eq!(v1, hex::encode(mac.finalize().into_bytes()));
    let payload: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(payload["conversation"]["visitor"]["name"], "Hook");

    let id = w["webhook"]["id"].as_i64().unwrap();
    let (_, log) = app.call("GET", &format!("/api/v1/webhooks/{id}/deliveries"), Some(&admin), None).await;
    let d = &log["deliveries"][0];
    assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("delivered"), Some(2)), "{log}");
    assert_eq!(d["last_status_code"], 200, "{log}");
}

#[tokio::test]
async fn the_queued_webhook_carries_the_conversation_as_created() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (url, seen) = receiver().await;
    let (s, w) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["conversation.queued"] }))).await;
    assert_eq!(s, 201, "{w}");

    let v = app.visitor("Queued").await;
    let id = app.start(&v, "hello").await["id"].clone();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while seen.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (event, _, body) = seen.lock().unwrap().first().cloned().expect("delivered after a retry");
    assert_eq!(event, "conversation.queued");
    let payload: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let c = &payload["conversation"];
    assert_eq!(c["id"], id, "{payload}");
    assert_eq!(c["status"], "queued", "{payload}");
    assert_eq!(c["visitor"]["name"], "Queued", "{payload}");
    // Its `conversation.updated` event is seq 1; the opening message comes after it.
    assert_eq!(c["last_seq"], 1, "{payload}");
}
