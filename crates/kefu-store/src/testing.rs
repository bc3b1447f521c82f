//! Throwaway databases for tests: this crate's contract suite and the server's api tests use it
//! to give each test an empty PostgreSQL database of its own. Not for production code.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Connection, Executor, PgConnection};

use crate::Result;

/// The environment variable naming a PostgreSQL server for tests (`postgres://…`); unset, tests
/// run on SQLite only.
pub const POSTGRES_URL_ENV: &str = "KEFU_TEST_POSTGRES_URL";

/// `KEFU_TEST_POSTGRES_URL`, if set and non-empty.
pub fn postgres_url_from_env() -> Option<String> {
    std::env::var(POSTGRES_URL_ENV).ok().filter(|u| !u.trim().is_empty())
}

/// A new, empty schema on the server at `base_url`, as a URL whose connections use it (their
/// `search_path`): many tests share one cluster without seeing each other's rows, and creating a
/// schema is far cheaper than creating a database.
pub async fn fresh_postgres_url(base_url: &str) -> Result<String> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let schema = format!("t{}_{}_{}", std::process::id(), nanos, NEXT.fetch_add(1, Ordering::Relaxed));
    let mut conn = PgConnection::connect(base_url).await?;
    conn.execute(format!("CREATE SCHEMA {schema}").as_str()).await?;
    conn.close().await?;
    let sep = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!("{base_url}{sep}options[search_path]={schema}"))
}

/// Make the store look as it did right after migration 0016 for its messages and notes so far: no
/// search terms, and no backfill marks yet.
pub async fn forget_search_index(store: &crate::Store) -> Result<()> {
    in_write!(store, |db| {
        sqlx::query("DELETE FROM message_terms").execute(&mut *db).await?;
        sqlx::query("DELETE FROM note_terms").execute(&mut *db).await?;
        sqlx::query("DELETE FROM settings WHERE key IN ('search.backfill_upto', 'search.backfill_notes_upto')").execute(&mut *db).await?;
        Ok(())
    })
}
