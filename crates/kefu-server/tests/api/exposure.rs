//! Headers and exposure: each page's Content-Security-Policy and framing rules, the widget frame
//! embeddable only from its widget's origins (and identity tokens bound to them), HSTS over TLS,
//! /metrics behind a token or its own listener, and JSON errors for oversized heads and broken
//! uploads.

use jsonwebtoken::{encode, EncodingKey, Header};
use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, tempdir, TestApp};
use kefu_server::{Application, Config};

fn header<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

/// The directives of a CSP, by name.
fn directive(csp: &str, name: &str) -> Option<String> {
    csp.split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix(name).filter(|rest| rest.starts_with(' ')).map(|rest| rest.trim().to_string()))
}

async fn get(app: &TestApp, path: &str) -> (u16, HeaderMap, String) {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    let (s, h) = (r.status().as_u16(), r.headers().clone());
    (s, h, r.text().await.unwrap())
}

fn sign(secret: &str, claims: Value) -> String {
    encode(&Header::default(), &claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

fn in_an_hour() -> i64 {
    (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600) as i64
}

async fn save_widget(app: &TestApp, admin: &str, name: &str, origins: Value) -> (u16, Value) {
    let body = json!({ "fields": [], "welcome": { "en": "Hi" }, "allowed_origins": origins });
    app.call("PUT", &format!("/api/v1/widgets/{name}"), Some(admin), Some(body)).await
}

#[tokio::test]
async fn pages_and_answers_carry_security_headers() {
    let app = spawn_app().await;
    for page in ["/app/", "/app/admin"] {
        let (s, h, _) = get(&app, page).await;
        assert_eq!(s, 200, "{page}: the workspace UI must be built (scripts/build-web.sh)");
        let csp = header(&h, "content-security-policy");
        assert_eq!(directive(csp, "frame-ancestors").as_deref(), Some("'none'"), "{page}: {csp}");
        assert_eq!(directive(csp, "script-src").as_deref(), Some("'self'"), "{page}: {csp}");
        assert_eq!(directive(csp, "object-src").as_deref(), Some("'none'"), "{page}: {csp}");
        assert_eq!(directive(csp, "base-uri").as_deref(), Some("'none'"), "{page}: {csp}");
        // The demo groups' CRM page is on this server: 'self' frames it.
        assert_eq!(directive(csp, "frame-src").as_deref(), Some("'self'"), "{page}: {csp}");
        assert_eq!(header(&h, "x-frame-options"), "DENY", "{page}");
        assert_eq!(header(&h, "referrer-policy"), "strict-origin-when-cross-origin", "{page}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{page}");
    }

    let (s, h, _) = get(&app, "/widget/frame.html").await;
    assert_eq!(s, 200, "the widget must be built (scripts/build-web.sh)");
    let csp = header(&h, "content-security-policy");
    assert_eq!(directive(csp, "frame-ancestors").as_deref(), Some("'self'"), "{csp}");
    assert_eq!(directive(csp, "script-src").as_deref(), Some("'self'"), "{csp}");
    assert!(h.get("x-frame-options").is_none(), "frame-ancestors decides who frames the widget");
    assert_eq!(header(&h, "x-content-type-options"), "nosniff");
    assert!(!header(&h, "referrer-policy").is_empty());

    let (s, h, _) = get(&app, "/demo").await;
    assert_eq!(s, 200);
    assert_eq!(directive(header(&h, "content-security-policy"), "frame-src").as_deref(), Some("'self'"));

    // A skill group's CRM on another host becomes a frame source of the workspace.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, v) = app
        .call("PATCH", "/api/v1/groups/1", Some(&admin), Some(json!({ "crm_url_template": "https://crm.example:8443/c?id={external_id}" })))
        .await;
    assert_eq!(s, 200, "{v}");
    let (_, h, _) = get(&app, "/app/").await;
    assert_eq!(directive(header(&h, "content-security-policy"), "frame-src").as_deref(), Some("'self' https://crm.example:8443"));

    // API answers, success and failure alike.
    for path in ["/api/v1/widget/config", "/healthz", "/api/v1/nope", "/api/v1/auth/me", "/widget/loader.js"] {
        let (_, h, _) = get(&app, path).await;
        let csp = header(&h, "content-security-policy");
        assert_eq!(directive(csp, "default-src").as_deref(), Some("'none'"), "{path}: {csp}");
        assert_eq!(directive(csp, "frame-ancestors").as_deref(), Some("'none'"), "{path}: {csp}");
        assert_eq!(header(&h, "x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header(&h, "referrer-policy"), "no-referrer", "{path}");
        assert_eq!(header(&h, "x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn the_widget_frame_is_framed_only_by_its_widgets_origins() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, v) = save_widget(&app, &admin, "shop", json!(["https://shop.example", "http://127.0.0.1:9000"])).await;
    assert_eq!(s, 200, "{v}");
    let (_, shop) = app.call("GET", "/api/v1/widgets/shop", Some(&admin), None).await;
    assert_eq!(shop["allowed_origins"], json!(["https://shop.example", "http://127.0.0.1:9000"]));

    let ancestors = |h: &HeaderMap| directive(header(h, "content-security-policy"), "frame-ancestors").unwrap_or_default();
    let (s, h, _) = get(&app, "/widget/frame.html?embed=1&widget=shop&locale=en").await;
    assert_eq!(s, 200);
    assert_eq!(ancestors(&h), "'self' https://shop.example http://127.0.0.1:9000");
    // Another widget, an unknown one or a garbled name: this server's own pages only.
    let (_, v) = save_widget(&app, &admin, "app", json!(["https://m.bank.example"])).await;
    assert_eq!(v["allowed_origins"], json!(["https://m.bank.example"]));
    assert_eq!(ancestors(&get(&app, "/widget/frame.html?widget=app").await.1), "'self' https://m.bank.example");
    for q in ["", "?widget=default", "?widget=nobody", "?widget=%27self%27%20*"] {
        assert_eq!(ancestors(&get(&app, &format!("/widget/frame.html{q}")).await.1), "'self'", "{q}");
    }

    for bad in ["https://shop.example/", "*", "https://*.shop.example", "shop.example", "https://shop.example; script-src *"] {
        let (s, e) = save_widget(&app, &admin, "shop", json!([bad])).await;
        assert_eq!(s, 422, "{bad}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("allowed_origins[0]"), "{e}");
    }
}

#[tokio::test]
async fn identity_tokens_are_bound_to_the_widgets_origins() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    assert_eq!(save_widget(&app, &admin, "shop", json!(["https://shop.example", "https://m.shop.example"])).await.0, 200);
    let token = |aud: Value| {
        let mut claims = json!({ "sub": "C-7", "name": "Zhao", "exp": in_an_hour() });
        if !aud.is_null() {
            claims["aud"] = aud;
        }
        sign(&app.widget_secret, claims)
    };
    let visit = |t: String, widget: Option<&str>, origin: Option<&str>| {
        let mut body = json!({ "identity_token": t });
        if let Some(w) = widget {
            body["widget"] = json!(w);
        }
        if let Some(o) = origin {
            body["origin"] = json!(o);
        }
        app.call("POST", "/api/v1/visitors", None, Some(body))
    };

    // Refused: no aud, an aud the widget does not list, or an aud for another listed page.
    for (t, origin) in [
        (token(Value::Null), Some("https://shop.example")),
        (token(Value::Null), None),
        (token(json!("https://evil.example")), Some("https://evil.example")),
        (token(json!("https://evil.example")), None),
        (token(json!("https://m.shop.example")), Some("https://shop.example")),
    ] {
        let (s, e) = visit(t, Some("shop"), origin).await;
        assert_eq!(s, 400, "{origin:?}: {e}");
        assert_eq!(e["error"]["code"], "invalid_identity_token", "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("not bound"), "{e}");
    }

    // Accepted: bound to the page the widget is on (aud as a string or an array).
    let (s, v) = visit(token(json!("https://shop.example")), Some("shop"), Some("https://shop.example")).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["visitor"]["external_id"], "C-7");
    let (s, v) =
        visit(token(json!(["https://other.example", "https://m.shop.example"])), Some("shop"), Some("https://m.shop.example")).await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = visit(token(json!("https://shop.example")), Some("shop"), None).await;
    assert_eq!(s, 200, "{v}");

    // A widget that lists no origins is framed only by this server's pages: tokens need no aud,
    // and one that has an aud is not refused for it.
    assert_eq!(visit(token(Value::Null), None, None).await.0, 200);
    let (s, v) = visit(token(json!("https://shop.example")), Some("default"), Some("https://shop.example")).await;
    assert_eq!(s, 200, "{v}");
    let (s, e) = visit(token(Value::Null), Some("nobody"), None).await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn hsts_only_when_the_request_came_over_tls() {
    let hsts = |h: &HeaderMap| h.get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
    let proxied = spawn_app_with(|c| c.trusted_proxies = vec!["127.0.0.1".parse().unwrap()]).await;
    let over = |app: &TestApp, proto: Option<&'static str>| {
        let mut req = app.http.get(app.url("/healthz"));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", p);
        }
        req.send()
    };
    let h = over(&proxied, Some("https")).await.unwrap().headers().clone();
    assert_eq!(hsts(&h).as_deref(), Some("max-age=31536000"));
    assert!(hsts(over(&proxied, Some("http")).await.unwrap().headers()).is_none());
    assert!(hsts(over(&proxied, None).await.unwrap().headers()).is_none());

    // From a peer that is not a trusted proxy, anyone could write the header.
    let direct = spawn_app().await;
    assert!(hsts(over(&direct, Some("https")).await.unwrap().headers()).is_none());

    // `hsts = true`: kefu is reached only over HTTPS.
    let always = spawn_app_with(|c| c.hsts = true).await;
    assert!(hsts(over(&always, None).await.unwrap().headers()).is_some());
}

#[tokio::test]
async fn metrics_need_their_token_or_their_own_listener() {
    // Neither set: not served on the main listener.
    let app = spawn_app().await;
    let (s, e) = app.call("GET", "/metrics", None, None).await;
    assert_eq!(s, 404, "{e}");
    assert_eq!(e["error"]["code"], "not_found");

    let app = spawn_app_with(|c| c.metrics_token = Some("scrape-secret".into())).await;
    for token in [None, Some("wrong")] {
        let (s, e) = app.call("GET", "/metrics", token, None).await;
        assert_eq!(s, 401, "{e}");
        assert_eq!(e["error"]["code"], "unauthorized");
    }
    let (s, body) = app.call("GET", "/metrics", Some("scrape-secret"), None).await;
    assert_eq!(s, 200);
    assert!(body.as_str().unwrap().contains("kefu_websocket_connections"), "{body}");

    // A separate listener serves /metrics (and nothing else); the main one does not.
    let dir = tempdir::Dir::new();
    let mut config = Config::for_tests(dir.0.clone());
    config.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    let server = Application::build(config).await.unwrap();
    let (main, private) = (format!("http://{}", server.addr()), format!("http://{}", server.metrics_addr().unwrap()));
    tokio::spawn(server.run(std::future::pending()));
    let http = reqwest::Client::new();
    let r = http.get(format!("{private}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("kefu_queue_waiting"));
    let r = http.get(format!("{private}/api/v1/widget/config")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "not_found");
    let r = http.get(format!("{main}/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("metrics_listen"));
}

#[tokio::test]
async fn oversized_request_heads_get_a_json_431() {
    let app = spawn_app().await;
    let json_431 = |r: reqwest::Response| async move {
        assert_eq!(r.status(), 431);
        assert!(header(r.headers(), "content-type").starts_with("application/json"));
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "headers_too_large", "{e}");
    };
    for size in [40 * 1024, 300 * 1024, 900 * 1024] {
        let r = app.http.get(app.url("/api/v1/widget/config")).header("x-padding", "a".repeat(size)).send().await.unwrap();
        json_431(r).await;
    }
    let mut many = app.http.get(app.url("/api/v1/widget/config"));
    for i in 0..150 {
        many = many.header(format!("x-h{i}"), "1");
    }
    json_431(many.send().await.unwrap()).await;
    // Ordinary requests are untouched.
    let r = app.http.get(app.url("/api/v1/widget/config")).header("x-padding", "a".repeat(4096)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = app.http.get(app.url(&format!("/api/v1/widget/config?pad={}", "a".repeat(20_000)))).send().await.unwrap();
    assert_eq!(r.status(), 414);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "uri_too_long");
}

#[tokio::test]
async fn a_truncated_multipart_upload_is_a_json_400() {
    let app = spawn_app().await;
    let _agent = app.ready_agent(1).await;
    let visitor = app.visitor("Upload").await;
    let id = app.start(&visitor, "a file follows").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/conversations/{id}/attachments");

    // The body stops in the middle of the file: no closing boundary.
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello, this file is cut he";
    let r = app
        .http
        .post(app.url(&path))
        .bearer_auth(&visitor)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "malformed_multipart", "{e}");

    // Still 413 for a file over the limit.
    let big = vec![b'a'; 11 * 1024 * 1024];
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(big).file_name("big.txt"));
    let r = app.http.post(app.url(&path)).bearer_auth(&visitor).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), 413);
    assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "payload_too_large");
}
