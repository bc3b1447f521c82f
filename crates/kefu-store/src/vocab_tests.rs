//! The core's vocabulary as SQLite stores it: each word round-trips as the TEXT it always was,
//! and a word the code does not know is a decode error, never a panic.

use kefu_core::{AgentStatusKind, CallEndReason, CallStatus, ConversationStatus, ReturningBy, Role, Strategy};
use serde::Serialize;
use sqlx::sqlite::SqlitePool;
use sqlx::{Decode, Encode, Sqlite, Type};

async fn pool() -> SqlitePool {
    let pool = SqlitePool::connect("sqlite::memory:").await.expect("memory db");
    sqlx::query("CREATE TABLE words (word TEXT NOT NULL)").execute(&pool).await.expect("table");
    pool
}

/// Store `value` through its `sqlx::Type`, check the TEXT is its serde word, read it back.
async fn round_trip<T>(pool: &SqlitePool, value: T)
where
    T: for<'q> Encode<'q, Sqlite>
        + for<'r> Decode<'r, Sqlite>
        + Type<Sqlite>
        + Serialize
        + PartialEq
        + std::fmt::Debug
        + Send
        + Unpin
        + Copy,
{
    sqlx::query("DELETE FROM words").execute(pool).await.expect("clear");
    sqlx::query("INSERT INTO words (word) VALUES ($1)").bind(value).execute(pool).await.expect("insert");
    let text: String = sqlx::query_scalar("SELECT word FROM words").fetch_one(pool).await.expect("text");
    assert_eq!(serde_json::to_value(value).expect("word"), serde_json::Value::String(text.clone()), "{value:?} stored as {text}");
    let back: T = sqlx::query_scalar("SELECT word FROM words").fetch_one(pool).await.expect("decode");
    assert_eq!(back, value);
}

#[tokio::test]
async fn every_word_round_trips_as_its_text() {
    let pool = pool().await;
    for s in ConversationStatus::ALL {
        round_trip(&pool, s).await;
    }
    for s in [AgentStatusKind::Offline, AgentStatusKind::Ready, AgentStatusKind::Away, AgentStatusKind::WrapUp] {
        round_trip(&pool, s).await;
    }
    for r in [Role::Agent, Role::Supervisor, Role::Admin] {
        round_trip(&pool, r).await;
    }
    for s in Strategy::ALL {
        round_trip(&pool, s).await;
    }
    for s in CallStatus::ALL {
        round_trip(&pool, s).await;
    }
    for r in CallEndReason::ALL {
        round_trip(&pool, r).await;
    }
    for r in [ReturningBy::Last, ReturningBy::Most] {
        round_trip(&pool, r).await;
    }
}

#[tokio::test]
async fn an_unknown_stored_word_is_an_error() {
    let pool = pool().await;
    sqlx::query("INSERT INTO words (word) VALUES ('paused')").execute(&pool).await.expect("insert");
    let read =
        |pool: SqlitePool| async move { sqlx::query_scalar::<_, ConversationStatus>("SELECT word FROM words").fetch_one(&pool).await };
    assert!(read(pool.clone()).await.is_err());
    assert!(sqlx::query_scalar::<_, Role>("SELECT word FROM words").fetch_one(&pool).await.is_err());
    assert!(sqlx::query_scalar::<_, Strategy>("SELECT word FROM words").fetch_one(&pool).await.is_err());
    assert!(sqlx::query_scalar::<_, ReturningBy>("SELECT word FROM words").fetch_one(&pool).await.is_err());
    assert!(sqlx::query_scalar::<_, CallStatus>("SELECT word FROM words").fetch_one(&pool).await.is_err());
    assert!(sqlx::query_scalar::<_, AgentStatusKind>("SELECT word FROM words").fetch_one(&pool).await.is_err());
}
