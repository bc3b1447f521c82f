//! # kefu-store — the database is the truth
//!
//! Owns the schema (migrations) and every SQL statement Kefu runs. Callers get typed rows and
//! never write SQL. It must not decide routing or talk to sockets: the server's routing task
//! decides, this crate records. Times are `i64` milliseconds since the Unix epoch, passed in by
//! the caller. SQLite (WAL) is the embedded default; statements are kept to portable SQL so a
//! PostgreSQL backend can share them.
#![forbid(unsafe_code)]

mod calls;
mod canned;
mod closed;
mod conversations;
mod directory;
mod integrations;
mod notes;
mod quality;
mod recordings;
mod replies;
mod sessions;
mod tags;
mod tx;
#[cfg(test)]
mod vocab_tests;
mod wrap_up;

pub use calls::*;
pub use canned::*;
pub use conversations::*;
pub use directory::*;
pub use integrations::*;
pub use notes::*;
pub use quality::*;
pub use recordings::*;
pub use sessions::*;
pub use tags::*;
pub use tx::Tx;
pub use wrap_up::*;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::str::FromStr;

/// A failure of the database layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row that was asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken; the text names the constraint.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else from the driver.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// Migrations failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Result of store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Map a unique-constraint violation to `Conflict`, keep the rest.
pub(crate) fn conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(db.message().to_string()),
        _ => StoreError::Db(e),
    }
}

/// `NotFound` when a statement touched no row.
pub(crate) fn touched(done: &sqlx::sqlite::SqliteQueryResult) -> Result<()> {
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// The connection pool and every query.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    /// SQLite has one writer at a time. Write transactions queue here, in the process, before
    /// they take a pooled connection: waiting writers then hold no connection, so the writer
    /// that has the lock can always read what it needs, and nobody sees "database is locked".
    write_gate: std::sync::Arc<tokio::sync::Mutex<()>>,
}

impl Store {
    /// Open (creating if needed) the SQLite database at `path` and run migrations.
    pub async fn open(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL: a committed transaction survives a process kill (SIGKILL); only an
            // OS crash may lose the last commits.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(16).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Store { pool, write_gate: Default::default() })
    }

    /// Open a raw write transaction behind the write gate (see `write_gate`).
    pub(crate) async fn write(&self) -> Result<(tokio::sync::OwnedMutexGuard<()>, sqlx::Transaction<'static, sqlx::Sqlite>)> {
        let gate = self.write_gate.clone().lock_owned().await;
        Ok((gate, self.pool.begin_with("BEGIN IMMEDIATE").await?))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// A setting by key.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = ?").bind(key).fetch_optional(&self.pool).await?)
    }

    /// Set a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Store {
    /// Settings whose key starts with `prefix`.
    pub async fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as("SELECT key, value FROM settings WHERE substr(key, 1, length(?1)) = ?1 ORDER BY key")
            .bind(prefix)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Delete a setting; false if there was none.
    pub async fn delete_setting(&self, key: &str) -> Result<bool> {
        Ok(sqlx::query("DELETE FROM settings WHERE key = ?").bind(key).execute(&self.pool).await?.rows_affected() > 0)
    }
}
