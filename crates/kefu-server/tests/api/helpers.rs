//! `spawn_app()` and small clients for REST and the WebSocket.
#![allow(dead_code)]

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use kefu_server::{Application, Config};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::{connect_async, tungstenite::Message, MaybeTlsStream, WebSocketStream};

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub widget_secret: String,
    pub data_dir: tempdir::Dir,
    /// The PostgreSQL schema this app runs on (`KEFU_TEST_POSTGRES_URL` set), else None: SQLite.
    pub database_url: Option<String>,
}

/// A temporary directory removed on drop (no extra crate needed).
pub mod tempdir {
    pub struct Dir(pub std::path::PathBuf);
    impl Dir {
        pub fn new() -> Dir {
            let p = std::env::temp_dir().join(format!("kefu-test-{}-{}", std::process::id(), rand_suffix()));
            std::fs::create_dir_all(&p).unwrap();
            Dir(p)
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
    fn rand_suffix() -> u64 {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        N.fetch_add(1, Ordering::Relaxed) * 1_000_003
            + std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64
    }
}

/// The value of a counter or gauge without labels in a `/metrics` text (panics when missing).
pub fn metric(text: &str, name: &str) -> i64 {
    text.lines().find_map(|l| l.strip_prefix(name)?.trim().parse().ok()).unwrap_or_else(|| panic!("{name} missing"))
}

/// Start the server with the demo organisation.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Start the server with the demo organisation and settings changed by `tweak`.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let dir = tempdir::Dir::new();
    let mut config = Config::for_tests(dir.0.clone());
    config.demo = true;
    // With KEFU_TEST_POSTGRES_URL every app gets an empty schema of its own on that server.
    let database_url = match kefu_store::testing::postgres_url_from_env() {
        Some(base) => Some(kefu_store::testing::fresh_postgres_url(&base).await.expect("a fresh PostgreSQL schema")),
        None => None,
    };
    config.database_url = database_url.clone().map(kefu_server::config::DatabaseUrl);
    tweak(&mut config);
    let app = Application::build(config).await.expect("app builds");
    let base = format!("http://{}", app.addr());
    let widget_secret = app.state().identity_secret();
    tokio::spawn(app.run(std::future::pending()));
    TestApp { base, http: reqwest::Client::new(), widget_secret, data_dir: dir, database_url }
}

impl TestApp {
    /// A second handle on the app's database (SQLite file or PostgreSQL schema), for tests that
    /// write rows the API would refuse.
    pub async fn store(&self) -> kefu_store::Store {
        match &self.database_url {
            Some(url) => kefu_store::Store::connect(url).await.expect("store"),
            None => kefu_store::Store::open(&self.data_dir.0.join("kefu.db")).await.expect("store"),
        }
    }

    /// Settings for a second process on this app's data (a restart).
    pub fn config_again(&self) -> Config {
        let mut config = Config::for_tests(self.data_dir.0.clone());
        config.database_url = self.database_url.clone().map(kefu_server::config::DatabaseUrl);
        config
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn call(&self, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> (u16, Value) {
        let mut req = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub async fn login(&self, email: &str, password: &str) -> String {
        let (s, v) = self.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": email, "password": password }))).await;
        assert_eq!(s, 200, "{v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// Log in a demo agent and set them ready.
    pub async fn ready_agent(&self, n: u8) -> String {
        let t = self.login(&format!("agent{n}@demo.kefu"), "demo-agent").await;
        let (s, v) = self.call("PUT", "/api/v1/agents/me/status", Some(&t), Some(json!({ "status": "ready" }))).await;
        assert_eq!(s, 200, "{v}");
        t
    }

    pub async fn visitor(&self, name: &str) -> String {
        let (s, v) = self.call("POST", "/api/v1/visitors", None, Some(json!({ "name": name }))).await;
        assert_eq!(s, 200, "{v}");
        v["token"].as_str().unwrap().to_string()
    }

    /// A visitor starts a conversation on business type 1 (card services).
    pub async fn start(&self, visitor: &str, text: &str) -> Value {
        let (s, v) =
            self.call("POST", "/api/v1/conversations", Some(visitor), Some(json!({ "business_type_id": 1, "message": text }))).await;
        assert_eq!(s, 201, "{v}");
        v
    }

    pub async fn ws(&self, token: &str) -> Socket {
        let url = format!("{}/api/v1/ws?token={}", self.base.replace("http://", "ws://"), token);
        let (ws, _) = connect_async(url).await.expect("websocket connects");
        let mut s = Socket { ws };
        let hello = s.next_event().await;
        assert_eq!(hello["type"], "hello");
        s
    }
}

pub struct Socket {
    pub ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Socket {
    pub async fn send(&mut self, v: Value) {
        self.ws.send(Message::Text(v.to_string().into())).await.unwrap();
    }

    pub async fn next_event(&mut self) -> Value {
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(10), self.ws.next())
                .await
                .expect("an event within 10 s")
                .expect("socket open")
                .unwrap();
            if let Message::Text(t) = msg {
                return serde_json::from_str(&t).unwrap();
            }
        }
    }

    /// Wait for an event of this type (skipping others).
    pub async fn wait_for(&mut self, kind: &str) -> Value {
        loop {
            let e = self.next_event().await;
            if e["type"] == kind {
                return e;
            }
        }
    }

    /// Wait for an event of this type that also satisfies `pred`.
    pub async fn wait_until(&mut self, kind: &str, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let e = self.wait_for(kind).await;
            if pred(&e) {
                return e;
            }
        }
    }

    /// Events received within `ms` milliseconds.
    pub async fn drain(&mut self, ms: u64) -> Vec<Value> {
        let mut out = vec![];
        while let Ok(Some(Ok(msg))) = tokio::time::timeout(Duration::from_millis(ms), self.ws.next()).await {
            if let Message::Text(t) = msg {
                out.push(serde_json::from_str(&t).unwrap());
            }
        }
        out
    }
}
