//! Outbound requests: webhooks cannot reach loopback, private, link-local, metadata … addresses in
//! any spelling, neither when configured nor when delivered; the operator's `outbound_allow`
//! opens named targets; the delivery log summarises failures instead of echoing them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, post};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// A receiver on 127.0.0.1: `/hook` answers `answer`; counts requests to `/hook` and to
/// anywhere else.
async fn receiver(answer: fn() -> axum::response::Response) -> (u16, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let (hook, elsewhere) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let (h, e) = (hook.clone(), elsewhere.clone());
    let app = axum::Router::new()
        .route(
            "/hook",
            post(move || {
                h.fetch_add(1, Ordering::SeqCst);
                async move { answer() }
            }),
        )
        .fallback(any(move || {
            e.fetch_add(1, Ordering::SeqCst);
            async { StatusCode::OK }
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (port, hook, elsewhere)
}

fn ok() -> axum::response::Response {
    StatusCode::OK.into_response()
}

/// The log of webhook `id` once its first delivery has been attempted.
async fn first_attempt(app: &TestApp, admin: &str, id: i64, within: Duration) -> Value {
    let deadline = Instant::now() + within;
    loop {
        let (s, log) = app.call("GET", &format!("/api/v1/webhooks/{id}/deliveries"), Some(admin), None).await;
        assert_eq!(s, 200, "{log}");
        if log["deliveries"][0]["attempts"].as_i64().unwrap_or(0) >= 1 {
            return log["deliveries"][0].clone();
        }
        assert!(Instant::now() < deadline, "no attempt on webhook {id} yet: {log}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn webhooks_to_private_targets_are_refused_at_create_naming_the_problem() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["10.9.0.0/16".into(), "crm.bank.internal".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let cases = [
        ("http://localhost:9/hook", "loopback"),
        ("http://LOCALHOST.:9/hook", "loopback"),
        ("http://hooks.localhost/", "loopback"),
        ("http://127.0.0.1:9/hook", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://0x7f.1/", "loopback"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        ("http://[::ffff:7f00:1]/", "loopback"),
        ("http://[64:ff9b::7f00:1]/", "loopback"),
        ("http://0.0.0.0/", "\"this network\""),
        ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
        ("http://[::ffff:169.254.169.254]/", "cloud metadata"),
        ("http://169.254.1.1/", "link-local"),
        ("http://[fe80::1]/", "link-local"),
        ("http://10.0.0.1/", "private"),
        ("http://10.8.255.255/", "private"),
        ("http://172.16.0.1/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://100.64.0.1/", "carrier-grade NAT"),
        ("http://[fd00:ec2::254]/", "unique-local"),
        ("http://224.0.0.1/", "multicast"),
        ("http://[ff02::1]/", "multicast"),
        ("http://255.255.255.255/", "broadcast"),
        ("ftp://example.com/", "an http(s) URL"),
        ("not a url", "an http(s) URL"),
    ];
    for (url, kind) in cases {
        let (s, e) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_eq!(s, 422, "{url}: {e}");
        let message = e["error"]["message"].as_str().unwrap();
        assert!(message.starts_with("url: ") && message.contains(kind), "{url}: {message}");
    }
    let (_, e) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": "http://0x7f.1/", "events": ["*"] }))).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("127.0.0.1 is a loopback address"), "{e}");
    let (_, e) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": "http://localhost/", "events": ["*"] }))).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("localhost resolves to 127.0.0.1"), "{e}");

    // What the operator allows (a network, a name; no DNS is asked for a listed name) is accepted,
    // and an update cannot move a webhook somewhere private either.
    for url in ["http://10.9.1.2:8080/hook", "https://crm.bank.internal/kefu", "https://CRM.bank.internal./kefu"] {
        let (s, w) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["*"] }))).await;
        assert_eq!(s, 201, "{url}: {w}");
    }
    let (_, list) = app.call("GET", "/api/v1/webhooks", Some(&admin), None).await;
    let id = list["webhooks"][0]["id"].as_i64().unwrap();
    let (s, e) = app.call("PATCH", &format!("/api/v1/webhooks/{id}"), Some(&admin), Some(json!({ "url": "http://[::ffff:a00:1]/" }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("10.0.0.1 is a private address"), "{e}");
}

#[tokio::test]
async fn deliveries_to_private_targets_are_refused_even_for_webhooks_stored_before() {
    // An allowance for other targets does not open loopback.
    let app = spawn_app_with(|c| c.outbound_allow = vec!["10.9.0.0/16".into(), "crm.bank.internal".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (port, hits, elsewhere) = receiver(ok).await;
    // Rows from before this check existed (or before the operator narrowed the allowance) are
    // written straight into the database: the API would refuse them.
    let store = app.store().await;
    let urls = [
        format!("http://localhost:{port}/hook"),
        format!("http://LocalHost.:{port}/hook"),
        format!("http://127.1:{port}/hook"),
        format!("http://2130706433:{port}/hook"),
        format!("http://[::ffff:127.0.0.1]:{port}/hook"),
        format!("http://[::1]:{port}/hook"),
    ];
    let mut ids = vec![];
    for url in &urls {
        ids.push(store.create_webhook(url, r#"["conversation.created"]"#, "whsec_test", 0).await.unwrap());
    }

    let v = app.visitor("Probe").await;
    app.start(&v, "hello").await;
    for (id, url) in ids.into_iter().zip(&urls) {
        let d = first_attempt(&app, &admin, id, Duration::from_secs(10)).await;
        assert_eq!(d["last_error"], "refused: private address", "{url}: {d}");
        assert_eq!((d["status"].as_str(), d["last_status_code"].as_i64()), (Some("pending"), None), "{url}: {d}");
    }
    assert_eq!(hits.load(Ordering::SeqCst) + elsewhere.load(Ordering::SeqCst), 0, "nothing reached the loopback receiver");
}

#[tokio::test]
async fn an_allowed_name_is_resolved_checked_and_delivered() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["localhost".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (port, hits, _) = receiver(ok).await;
    let (s, w) = app
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(&admin),
            Some(json!({ "url": format!("http://localhost:{port}/hook"), "events": ["conversation.created"] })),
        )
        .await;
    assert_eq!(s, 201, "{w}");
    // The name is allowed, not the address: the same receiver by address stays refused.
    let (s, e) = app
        .call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": format!("http://127.0.0.1:{port}/hook"), "events": ["*"] })))
        .await;
    assert_eq!(s, 422, "{e}");

    let v = app.visitor("Allowed").await;
    app.start(&v, "hello").await;
    let d = first_attempt(&app, &admin, w["webhook"]["id"].as_i64().unwrap(), Duration::from_secs(10)).await;
    assert_eq!((d["status"].as_str(), d["last_status_code"].as_i64()), (Some("delivered"), Some(200)), "{d}");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_delivery_log_summarises_failures_and_never_echoes_them() {
    let app = spawn_app_with(|c| c.outbound_allow = vec!["127.0.0.1".into()]).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (failing, _, _) =
        receiver(|| (StatusCode::INTERNAL_SERVER_ERROR, "stack trace: db password hunter2 at 10.0.0.7").into_response()).await;
    let (redirecting, _, redirected) = receiver(|| (StatusCode::FOUND, [(header::LOCATION, "/elsewhere")], "moved").into_response()).await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_port = silent.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = vec![];
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });

    let expected = [
        (failing, "HTTP 500", Some(500)),
        (redirecting, "HTTP 302", Some(302)),
        (closed, "connection refused", None),
        (silent_port, "timeout", None),
    ];
    let mut ids = vec![];
    for (port, _, _) in &expected {
        let url = format!("http://127.0.0.1:{port}/hook");
        let (s, w) =
            app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": url, "events": ["conversation.created"] }))).await;
        assert_eq!(s, 201, "{w}");
        ids.push(w["webhook"]["id"].as_i64().unwrap());
    }

    let v = app.visitor("Scan").await;
    app.start(&v, "hello").await;
    for (id, (port, summary, code)) in ids.into_iter().zip(expected) {
        let d = first_attempt(&app, &admin, id, Duration::from_secs(20)).await;
        assert_eq!((d["last_error"].as_str(), d["last_status_code"].as_i64()), (Some(summary), code), "port {port}: {d}");
    }
    assert_eq!(redirected.load(Ordering::SeqCst), 0, "the redirect was not followed");
}

#[tokio::test]
async fn a_malformed_allowance_stops_the_start_naming_the_entry() {
    let dir = crate::helpers::tempdir::Dir::new();
    let mut config = kefu_server::Config::for_tests(dir.0.clone());
    config.outbound_allow = vec!["10.0.0.0/33".into()];
    let err = kefu_server::Application::build(config).await.err().expect("refused");
    assert!(format!("{err:#}").contains("\"10.0.0.0/33\""), "{err:#}");
    // The default admits no private target at all.
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, _) = app.call("POST", "/api/v1/webhooks", Some(&admin), Some(json!({ "url": "http://10.9.1.2/", "events": ["*"] }))).await;
    assert_eq!(s, 422);
}
