//! Kill the real binary with SIGKILL while conversations wait: after a restart each one is still
//! queued, in the same order, with its waiting time, and no message or webhook is lost.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::json;

use crate::helpers::{tempdir, TestApp};

/// A client of a `kefu` binary this test started on `port` (its data directory is the binary's
/// own; `database_url` when it runs on PostgreSQL).
pub fn app_at(port: u16, database_url: Option<&str>) -> TestApp {
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::new(),
        widget_secret: String::new(),
        data_dir: tempdir::Dir::new(),
        database_url: database_url.map(str::to_string),
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// With `KEFU_TEST_POSTGRES_URL`, the binary runs on a PostgreSQL schema of its own, the same one
/// after the restart (its URL kept in the data dir).
pub async fn database_url(dir: &std::path::Path) -> Option<String> {
    let base = kefu_store::testing::postgres_url_from_env()?;
    let kept = dir.join("database-url");
    if let Ok(url) = std::fs::read_to_string(&kept) {
        return Some(url);
    }
    let url = kefu_store::testing::fresh_postgres_url(&base).await.expect("a fresh PostgreSQL schema");
    std::fs::write(&kept, &url).unwrap();
    Some(url)
}

/// Start the real `kefu` binary (demo data) on `port` with `dir` as its data dir; returns once
/// it is ready. Shared by the SIGKILL tests.
pub async fn start(dir: &std::path::Path, port: u16) -> Child {
    // The test's webhook receiver listens on loopback, which only an operator's allowance reaches.
    let config = dir.join("kefu.toml");
    std::fs::write(&config, "outbound_allow = [\"127.0.0.1\"]\n").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    if let Some(url) = database_url(dir).await {
        command.env("KEFU_DATABASE_URL", url);
    }
    let mut child = command
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(dir)
        .arg("--config")
        .arg(&config)
        // Tests run side by side: each server takes a free media port, not the default one.
        .env("KEFU_MEDIA_UDP", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("kefu starts");
    let http = reqwest::Client::new();
    for _ in 0..100 {
        if http.get(format!("http://127.0.0.1:{port}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("kefu did not become ready");
}

#[tokio::test]
async fn sigkill_loses_no_place_in_line_message_or_webhook() {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut child = start(&dir.0, port).await;
    let app = app_at(port, None);

    // A webhook whose receiver is down: deliveries stay pending in the outbox.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let hook_port = free_port();
    let (s, w) = app
        .call(
            "POST",
            "/api/v1/webhooks",
            Some(&admin),
            Some(json!({ "url": format!("http://127.0.0.1:{hook_port}/hook"), "events": ["message.created"] })),
        )
        .await;
    assert_eq!(s, 201);
    let hook = w["webhook"]["id"].as_i64().unwrap();

    let mut waiting = vec![];
    for name in ["first", "second", "third"] {
        let v = app.visitor(name).await;
        let c = app.start(&v, &format!("{name} message")).await;
        waiting.push((v, c));
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let mut child = start(&dir.0, port).await;
    for (i, (visitor, before)) in waiting.iter().enumerate() {
        let id = before["id"].as_i64().unwrap();
        let (s, after) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(visitor), None).await;
        assert_eq!(s, 200, "the visitor's token survives the restart");
        assert_eq!(after["status"], "queued");
        assert_eq!(after["queue"]["position"], i as i64 + 1, "same order after restart");
        assert_eq!(after["queued_at"], before["queued_at"], "waiting time intact");
        let (_, msgs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(visitor), None).await;
        assert!(msgs["messages"].as_array().unwrap().iter().any(|m| m["body"].as_str().unwrap().ends_with("message")));
    }
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, stats) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert!(stats["groups"][0]["longest_wait_secs"].as_i64().unwrap() >= 1, "{stats}");

    // The three message.created deliveries are still in the outbox, none lost.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, log) = app.call("GET", &format!("/api/v1/webhooks/{hook}/deliveries"), Some(&admin), None).await;
    let deliveries = log["deliveries"].as_array().unwrap();
    assert_eq!(deliveries.len(), 3, "{log}");
    assert!(deliveries.iter().all(|d| d["status"] == "pending"));

    // And an agent with one free slot, going ready after the restart, gets the first in line.
    let (s, _) = app.call("PATCH", "/api/v1/agents/3", Some(&admin), Some(json!({ "capacity": { "chat": 1, "call": 1 } }))).await;
    assert_eq!(s, 200);
    let agent = app.ready_agent(1).await;
    let (_, offered) = app.call("GET", "/api/v1/conversations?status=offered&mine=true", Some(&agent), None).await;
    let offered: Vec<_> = offered["conversations"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(offered, vec![waiting[0].1["id"].clone()]);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn the_first_start_prints_a_one_time_admin_password() {
    use std::io::{BufRead, BufReader};
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_kefu"));
    if let Some(url) = database_url(&dir.0).await {
        command.env("KEFU_DATABASE_URL", url);
    }
    let mut child = command
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data-dir"])
        .arg(&dir.0)
        .env_remove("KEFU_ADMIN_EMAIL")
        .env_remove("KEFU_ADMIN_PASSWORD")
        .env("KEFU_MEDIA_UDP", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kefu starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let password = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.split("one-time password: ").nth(1).map(str::to_string))
        .expect("the password is printed");
    std::thread::spawn(move || lines.for_each(drop));
    let app = app_at(port, None);
    for _ in 0..100 {
        if app.http.get(app.url("/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, login) = app.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": "admin@kefu.local", "password": password }))).await;
    assert_eq!(s, 200, "{login}");
    assert_eq!(login["user"]["must_change_password"], true);
    let token = login["token"].as_str().unwrap().to_string();
    let (s, e) = app.call("GET", "/api/v1/agents", Some(&token), None).await;
    assert_eq!(s, 403, "nothing before the password is changed: {e}");
    assert_eq!(e["error"]["code"], "password_change_required", "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("password_change_required"));
    let (s, e) = app
        .call("PUT", "/api/v1/auth/password", Some(&token), Some(json!({ "current_password": "wrong", "new_password": "a-new-password" })))
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, _) = app
        .call("PUT", "/api/v1/auth/password", Some(&token), Some(json!({ "current_password": password, "new_password": "a-new-password" })))
        .await;
    assert_eq!(s, 204);
    let (s, _) = app.call("GET", "/api/v1/agents", Some(&token), None).await;
    assert_eq!(s, 200, "the session that changed the password goes on");
    let (s, _) = app.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": "admin@kefu.local", "password": password }))).await;
    assert_eq!(s, 401, "the one-time password is gone");
    child.kill().unwrap();
    child.wait().unwrap();
}
