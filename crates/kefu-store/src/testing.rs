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

/// Append facts to the log in bulk, a few hundred per statement, without folding them into the
/// report models: benchmarks seed a month this way on either backend, then build the models
/// from the log ([`crate::Store::rebuild_report_contacts`], [`crate::Store::rebuild_agent_states`]).
pub async fn insert_facts_unfolded(store: &crate::Store, facts: &[(kefu_core::Fact, i64)]) -> Result<()> {
    for chunk in facts.chunks(50_000) {
        let mut tx = store.begin().await?;
        tx.insert_facts(chunk).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// Run statements of literal SQL (no parameters) in one write transaction on either backend;
/// returns the rows they touched. For seeding benchmarks with plain rows.
pub async fn execute(store: &crate::Store, statements: &[String]) -> Result<u64> {
    let mut tx = store.begin().await?;
    let mut touched = 0;
    for sql in statements {
        touched += on_tx!(tx, |db| sqlx::query(sql).execute(&mut *db).await?.rows_affected());
    }
    tx.commit().await?;
    Ok(touched)
}

/// A count (`SELECT COUNT(*) …`, literal SQL) on either backend.
pub async fn count(store: &crate::Store, sql: &str) -> Result<i64> {
    Ok(on_pool!(store, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await?))
}
