//! What the customer may see: every payload a visitor receives — REST answers, live frames and
//! frames replayed on resume — is walked for staff-only fields and texts.

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::spawn_app;

/// Texts only staff may read; none may appear anywhere in what the visitor gets.
const SECRETS: [&str; 6] = ["TRANSFER-NOTE-1", "WRAP-NOTE-2", "ATTR-RISK-3", "wrap_code_x", "INTERNAL-NOTE-4", "TAG-5"];
/// Keys that must be null (or empty) wherever they appear in a visitor's payload.
const INTERNAL_KEYS: [&str; 5] = ["wrap_up_code", "wrap_up_note", "offered_agent_id", "designated_agent_id", "sentiment"];

/// Every leak in `v`, with its JSON path.
fn leaks(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                let p = format!("{path}.{k}");
                if INTERNAL_KEYS.contains(&k.as_str()) && !x.is_null() {
                    out.push(format!("{p} = {x}"));
                }
                if k == "attributes" && x.as_object().is_some_and(|a| !a.is_empty()) {
                    out.push(format!("{p} = {x}"));
                }
                if k == "note" {
                    out.push(format!("{p} = {x}"));
                }
                leaks(x, &p, out);
            }
        }
        Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| leaks(x, &format!("{path}[{i}]"), out)),
        Value::String(s) => {
            if let Some(secret) = SECRETS.iter().find(|secret| s.contains(*secret)) {
                out.push(format!("{path} contains {secret}"));
            }
        }
        _ => {}
    }
}

fn assert_clean(what: &str, v: &Value) {
    let mut found = vec![];
    leaks(v, "$", &mut found);
    assert!(found.is_empty(), "{what} leaks staff-only data to the visitor: {found:?}");
}

#[tokio::test]
async fn visitors_never_receive_internal_fields_over_rest_live_or_resume() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, e) = app.call("POST", "/api/v1/wrap-up-codes", Some(&admin), Some(json!({ "code": "wrap_code_x", "label": "内部分类" }))).await;
    assert_eq!(s, 201, "{e}");

    // A known customer whose identity token carries an internal attribute and an account manager.
    let exp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 600;
    let claims = json!({ "sub": "C-9", "name": "赵女士", "attrs": { "risk": "ATTR-RISK-3" }, "agent": "agent2@demo.kefu", "exp": exp });
    let identity = encode(&Header::default(), &claims, &EncodingKey::from_secret(app.widget_secret.as_bytes())).unwrap();
    let (s, session) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "identity_token": identity }))).await;
    assert_eq!(s, 200, "{session}");
    assert_clean("POST /visitors", &session);
    let visitor = session["token"].as_str().unwrap().to_string();
    let mut visitor_ws = app.ws(&visitor).await;

    let a1 = app.ready_agent(1).await;
    let mut a1_ws = app.ws(&a1).await;
    let created = app.start(&visitor, "我要办业务").await;
    assert_clean("POST /conversations", &created);
    let id = created["id"].as_i64().unwrap();
    a1_ws.wait_until("offer.created", |e| e["conversation_id"] == id).await;
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
    assert_eq!(s, 200);

    // An internal note and a tag (with its timeline line): staff only.
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&a1), Some(json!({ "body": "INTERNAL-NOTE-4" }))).await;
    assert_eq!(s, 201, "{e}");
    let (s, tag) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "TAG-5", "color": "#e6a23c" }))).await;
    assert_eq!(s, 201, "{tag}");
    let (s, e) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{}", tag["id"]), Some(&a1), None).await;
    assert_eq!(s, 200, "{e}");

    // Transfer with a note to agent 2, who accepts and closes with a wrap-up code and note.
    let a2 = app.ready_agent(2).await;
    let mut a2_ws = app.ws(&a2).await;
    let (s, e) = app
        .call("POST", &format!("/api/v1/conversations/{id}/transfer"), Some(&a1), Some(json!({ "agent_id": 4, "note": "TRANSFER-NOTE-1" })))
        .await;
    assert_eq!(s, 200, "{e}");
    a2_ws.wait_until("offer.created", |e| e["conversation_id"] == id).await;
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a2), None).await;
    assert_eq!(s, 200);
    let (s, closed) = app
        .call(
            "POST",
            &format!("/api/v1/conversations/{id}/close"),
            Some(&a2),
            Some(json!({ "wrap_up_code": "wrap_code_x", "note": "WRAP-NOTE-2" })),
        )
        .await;
    assert_eq!(s, 200, "{closed}");
    // Staff still read all of it.
    assert_eq!((closed["wrap_up_code"].as_str(), closed["wrap_up_note"].as_str()), (Some("wrap_code_x"), Some("WRAP-NOTE-2")));
    assert_eq!(closed["visitor"]["attributes"]["risk"], "ATTR-RISK-3");
    assert_eq!(closed["tags"][0]["name"], "TAG-5");

    // Live: everything the visitor's socket got while it happened.
    let live = visitor_ws.wait_until("conversation.updated", |e| e["data"]["status"] == "closed").await;
    assert_clean("live conversation.updated (closed)", &live);
    for frame in visitor_ws.drain(300).await {
        assert_clean("a live frame", &frame);
    }

    // Resume from the start replays every stored event.
    visitor_ws.send(json!({ "type": "resume", "cursors": { id.to_string(): 0 } })).await;
    let replayed = visitor_ws.drain(500).await;
    assert!(replayed.iter().any(|f| f["type"] == "conversation.updated"), "resume replays conversation events");
    assert!(replayed.iter().any(|f| f["data"]["body"] == "transferred"), "resume replays the transfer line");
    for frame in &replayed {
        assert_clean("a replayed frame", frame);
    }

    // REST: every route a visitor reads.
    let (s, csat) = app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 4 }))).await;
    assert_eq!(s, 200, "{csat}");
    assert_clean("POST csat", &csat);
    for path in [
        "/api/v1/conversations".to_string(),
        format!("/api/v1/conversations/{id}"),
        format!("/api/v1/conversations/{id}/messages"),
        "/api/v1/visitors/me".into(),
    ] {
        let (s, v) = app.call("GET", &path, Some(&visitor), None).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_clean(&path, &v);
    }
    // The transfer line still tells the visitor where they went.
    let (_, msgs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), None).await;
    let line = msgs["messages"].as_array().unwrap().iter().find(|m| m["body"] == "transferred").unwrap().clone();
    assert_eq!(line["data"], json!({ "to_agent_name": "张伟 Zhang Wei" }));
}
