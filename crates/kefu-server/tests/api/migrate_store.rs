//! `kefu migrate-store`: a pilot on SQLite moves to PostgreSQL with every row, and Kefu then runs
//! on it. PostgreSQL only: skipped without `KEFU_TEST_POSTGRES_URL` (`scripts/with-postgres.sh`).

use std::process::Command;

use serde_json::json;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn the_demo_pilot_moves_to_postgres_and_keeps_its_conversations() {
    let Some(base) = kefu_store::testing::postgres_url_from_env() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    // The pilot: the demo organisation on SQLite, one conversation served and closed.
    let pilot = spawn_app_with(|c| c.database_url = None).await;
    let agent = pilot.ready_agent(1).await;
    let visitor = pilot.visitor("Tom").await;
    let id = pilot.start(&visitor, "我的信用卡被锁了").await["id"].as_i64().unwrap();
    let (s, _) = pilot.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    assert_eq!(s, 200);
    let (s, _) = pilot.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "已解锁" }))).await;
    assert_eq!(s, 201);
    let (_, before) = pilot.call("GET", &format!("/api/v1/conversations/{id}/messages?after_seq=0"), Some(&agent), None).await;

    let target = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
    let migrate = || {
        Command::new(env!("CARGO_BIN_EXE_kefu"))
            .args(["migrate-store", "--from"])
            .arg(pilot.data_dir.0.join("kefu.db"))
            .args(["--to", &target])
            .output()
            .expect("kefu runs")
    };
    let out = migrate();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("counts and checksums verified"), "{stdout}");
    assert!(stdout.lines().any(|l| l.starts_with("messages ") && !l.contains(" 0 rows")), "{stdout}");

    // Run into a database that now holds data: refused, nothing changes.
    let again = migrate();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"), "{}", String::from_utf8_lossy(&again.stderr));

    // Kefu on PostgreSQL: the same people, tokens and conversation.
    let data_dir = pilot.data_dir.0.clone();
    let moved = spawn_app_with(move |c| {
        c.data_dir = data_dir;
        c.database_url = Some(kefu_server::config::DatabaseUrl(target));
    })
    .await;
    let (s, after) = moved.call("GET", &format!("/api/v1/conversations/{id}/messages?after_seq=0"), Some(&agent), None).await;
    assert_eq!(s, 200, "the agent's token moved too: {after}");
    assert_eq!(after, before);
    let admin = moved.login("admin@demo.kefu", "demo-admin").await;
    let (s, c) = moved.call("GET", &format!("/api/v1/conversations/{id}"), Some(&admin), None).await;
    assert_eq!((s, c["status"].as_str()), (200, Some("assigned")), "{c}");
}
