//! Migration 0036 rebuilds SQLite's `calls` table (to widen its end reasons with `home_lost`):
//! a pilot's database at the version before, with calls and the rows that reference them, opens
//! with every call and every reference unchanged, keeps the one-open-call rule, and then takes
//! `home_lost`. PostgreSQL only swaps the CHECK (the other contract tests migrate it).

use std::borrow::Cow;

use kefu_core::CallStatus;
use kefu_store::{NewCall, Store, StoreError};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

/// The rows of every table that holds or references calls, in a stable order.
const SNAPSHOT: [&str; 6] = [
    "SELECT id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason,
            recording_policy, recording, home_node, media_addr, local_recording FROM calls ORDER BY id",
    "SELECT id, call_id, conversation_id, role, path, status, started_at FROM recordings ORDER BY id",
    "SELECT call_id, path, status, created_at FROM call_compositions ORDER BY call_id",
    "SELECT id, call_id, side, at, bitrate_in_bps, bitrate_out_bps FROM call_quality ORDER BY id",
    "SELECT id, call_id, conversation_id, expires_at FROM snapshot_requests ORDER BY id",
    "SELECT id, snapshot_call_id, name FROM attachments ORDER BY id",
];

async fn snapshot(conn: &mut sqlx::SqliteConnection) -> Vec<String> {
    let mut rows = vec![];
    for q in SNAPSHOT {
        // Every column as text: one comparable line per row.
        let cols = q.trim_start_matches("SELECT ").split(" FROM ").next().unwrap();
        let joined = cols.split(',').map(|c| format!("quote({})", c.trim())).collect::<Vec<_>>().join(" || '|' || ");
        let from = q.split(" FROM ").nth(1).unwrap();
        let lines: Vec<String> = sqlx::query_scalar(&format!("SELECT {joined} FROM {from}")).fetch_all(&mut *conn).await.expect("snapshot");
        rows.push(format!("{}: {}", from.split_whitespace().next().unwrap(), lines.len()));
        rows.extend(lines);
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_and_their_references_survive_the_end_reason_rebuild() {
    let dir = std::env::temp_dir().join(format!("kefu-0036-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kefu.db");
    // The database as the previous release left it: migrated to 0035, foreign keys on as the
    // server runs, calls ended and running with recordings, a composition, quality samples, a
    // snapshot request and a snapshot attachment pointing at them.
    let mut conn = SqliteConnectOptions::new().filename(&path).create_if_missing(true).foreign_keys(true).connect().await.unwrap();
    let before = sqlx::migrate::Migrator {
        migrations: Cow::Owned(kefu_store::dialect::sqlite::MIGRATOR.iter().filter(|m| m.version < 36).cloned().collect()),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    assert!(before.iter().count() < kefu_store::dialect::sqlite::MIGRATOR.iter().count(), "0036 exists");
    before.run(&mut conn).await.unwrap();
    for sql in [
        "INSERT INTO skill_groups (id, name, strategy, fallback_strategy, created_at) VALUES (1, 'support', 'load_balance', 'load_balance', 1)",
        "INSERT INTO visitors (id, name, created_at) VALUES (1, 'v', 1)",
        "INSERT INTO conversations (id, visitor_id, group_id, status, created_at, queued_at) VALUES (1, 1, 1, 'closed', 1, 1), (2, 1, 1, 'assigned', 2, 2)",
        "INSERT INTO calls (id, conversation_id, media, status, started_by, started_at, answered_at, ended_at, end_reason, recording_policy, recording, home_node, media_addr, local_recording)
         VALUES (7, 1, 'video', 'ended', 'visitor', 10, 11, 20, 'server_restart', 'always', 'off', 3, '127.0.0.1:5000', 1),
                (8, 1, 'voice', 'ended', 'agent', 30, NULL, 31, 'declined', 'off', 'off', NULL, NULL, 0),
                (9, 2, 'video', 'active', 'visitor', 40, 41, NULL, NULL, 'on_demand', 'recording', 2, '127.0.0.1:5001', 0)",
        "INSERT INTO recordings (id, call_id, conversation_id, role, path, status, started_at) VALUES
            (1, 7, 1, 'visitor', '/r/7v.webm', 'finished', 11), (2, 7, 1, 'agent', '/r/7a.webm', 'interrupted', 11), (3, 9, 2, 'agent', '/r/9a.webm', 'recording', 41)",
        "INSERT INTO call_compositions (call_id, path, status, created_at) VALUES (7, '/r/7.mp4', 'finished', 21)",
        "INSERT INTO call_quality (id, call_id, side, at, bitrate_in_bps, bitrate_out_bps) VALUES (1, 7, 'visitor', 12, 500000, 400000), (2, 9, 'agent', 42, 900000, 800000)",
        "INSERT INTO snapshot_requests (id, call_id, conversation_id, expires_at) VALUES ('s1', 9, 2, 100)",
        "INSERT INTO attachments (id, conversation_id, name, mime, size, sha256, path, created_at, snapshot_call_id) VALUES (1, 2, 'still.jpg', 'image/jpeg', 3, 'abc', '/a/1', 43, 9)",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let old = snapshot(&mut conn).await;
    assert!(old.contains(&"calls: 3".to_string()) && old.contains(&"attachments: 1".to_string()), "{old:?}");
    drop(conn);

    // The next start migrates it (0036 drops and recreates `calls`).
    let store = Store::open(&path).await.expect("migrated");
    let mut conn = SqliteConnectOptions::new().filename(&path).connect().await.unwrap();
    assert_eq!(snapshot(&mut conn).await, old, "calls and the rows referencing them are unchanged");
    let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check").fetch_all(&mut conn).await.unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    let indexes: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'calls' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(indexes, ["calls_one_open", "calls_open"]);
    drop(conn);

    // The store reads the old calls, still keeps one open call per conversation, and the running
    // call can now end `home_lost`.
    assert_eq!(store.open_calls().await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), [9]);
    let mut tx = store.begin().await.unwrap();
    let second = NewCall { conversation_id: 2, media: "voice", started_by: "agent", answered: false };
    assert!(matches!(tx.insert_call(&second, 50).await, Err(StoreError::Conflict(_))), "one open call per conversation");
    drop(tx);
    let mut tx = store.begin().await.unwrap();
    let ended = tx.end_call(9, "home_lost", Some(CallStatus::Active), 60).await.unwrap().expect("was active");
    tx.commit().await.unwrap();
    assert_eq!(ended.end_reason.as_deref(), Some("home_lost"));
    let mut tx = store.begin().await.unwrap();
    let unknown = tx.insert_call(&NewCall { conversation_id: 2, ..second }, 70).await.unwrap();
    assert!(tx.end_call(unknown.id, "vanished", None, 71).await.is_err(), "the CHECK still refuses unknown reasons");
    drop(tx);
    // Every word of the core's vocabulary is one the table takes.
    for reason in kefu_core::CallEndReason::ALL {
        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&NewCall { conversation_id: 2, ..second }, 80).await.unwrap();
        let ended = tx.end_call(call.id, reason.as_str(), None, 81).await.unwrap_or_else(|e| panic!("{reason:?}: {e}"));
        assert_eq!(ended.and_then(|c| c.end_reason).as_deref(), Some(reason.as_str()));
        drop(tx);
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
