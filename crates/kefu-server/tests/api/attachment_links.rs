//! Attachments open through short-lived signed links (no token in the URL), in REST answers and
//! in live and replayed WebSocket frames alike.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use kefu_server::conversations::links::AttachmentLinks;

/// A 1x1 PNG.
const PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1F,
    0x15, 0xC4, 0x89, 0, 0, 0, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0, 1, 0, 0, 5, 0, 1, 0x0D, 0x0A, 0x2D, 0xB4, 0, 0, 0, 0,
    0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

async fn upload(app: &TestApp, token: &str, conversation: i64) -> Value {
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(PNG.to_vec()).file_name("card.png"));
    let r = app.http.post(app.url(&format!("/api/v1/conversations/{conversation}/attachments"))).bearer_auth(token).multipart(form);
    let r = r.send().await.unwrap();
    assert_eq!(r.status(), 201);
    r.json().await.unwrap()
}

/// GET without any token.
async fn open(app: &TestApp, url: &str) -> (u16, Vec<u8>) {
    let r = app.http.get(app.url(url)).send().await.unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

fn is_signed(url: &str) -> bool {
    url.contains("?exp=") && url.contains("&sig=")
}

#[tokio::test]
async fn a_signed_link_opens_the_attachment_without_a_token_until_it_expires() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    let visitor = app.visitor("V").await;
    let id = app.start(&visitor, "看图").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    let mut agent_ws = app.ws(&agent).await;

    let sent = upload(&app, &visitor, id).await;
    let url = sent["attachment"]["url"].as_str().unwrap().to_string();
    assert!(is_signed(&url), "{url}");
    assert_eq!(open(&app, &url).await, (200, PNG.to_vec()));

    // The live frame, the message list and a replay all carry working signed links.
    let live = agent_ws.wait_until("message.created", |e| e["data"]["kind"] == "image").await;
    let live_url = live["data"]["attachment"]["url"].as_str().unwrap();
    assert!(is_signed(live_url) && open(&app, live_url).await.0 == 200, "{live}");
    let (_, page) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), None).await;
    let listed = page["messages"].as_array().unwrap().iter().find(|m| m["kind"] == "image").unwrap();
    assert!(is_signed(listed["attachment"]["url"].as_str().unwrap()), "{listed}");
    let mut later = app.ws(&visitor).await;
    later.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
    let replayed = later.wait_until("message.created", |e| e["data"]["kind"] == "image").await;
    let replayed_url = replayed["data"]["attachment"]["url"].as_str().unwrap();
    assert!(is_signed(replayed_url) && open(&app, replayed_url).await.0 == 200, "{replayed}");

    // Tampered, for another attachment, expired, or bare: refused.
    let (path, query) = url.split_once('?').unwrap();
    let attachment = path.rsplit('/').next().unwrap().parse::<i64>().unwrap();
    let tampered = if url.ends_with('0') { format!("{}1", &url[..url.len() - 1]) } else { format!("{}0", &url[..url.len() - 1]) };
    assert_eq!(open(&app, &tampered).await.0, 401);
    let second = upload(&app, &visitor, id).await["attachment"]["id"].as_i64().unwrap();
    assert_eq!(open(&app, &format!("/api/v1/attachments/{second}?{query}")).await.0, 401, "the signature names one attachment");
    let store = app.store().await;
    let secret = store.setting("attachment_link_secret").await.unwrap().unwrap();
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let expired = AttachmentLinks::new(&secret).url(attachment, now_ms - 20 * 60_000);
    let (s, e) = open(&app, &expired).await;
    assert_eq!(s, 401, "{}", String::from_utf8_lossy(&e));
    assert!(String::from_utf8_lossy(&e).contains("expired"));
    assert_eq!(open(&app, &AttachmentLinks::new(&secret).url(attachment, now_ms)).await.0, 200, "the same secret signs a fresh link");
    assert_eq!(open(&app, path).await.0, 401, "the bare path needs the Bearer token");
    assert_eq!(open(&app, &format!("{path}?token={agent}")).await.0, 401, "not in the URL");
    // The Bearer header still works, whatever the link says.
    let r = app.http.get(app.url(&tampered)).bearer_auth(&agent).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
