//! Counters of the rate limits the nodes of a cluster share (migration 0024): requests per
//! limit, key and fixed window, and the log of failed logins. Decides nothing: the server's
//! `limits` module turns counts into answers.

use crate::{Result, Store};

/// What a node got when it took requests from a window's counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    /// The current window's count, including the ones just taken.
    pub current: i64,
    /// The previous window's count (0 if none).
    pub previous: i64,
}

impl Store {
    /// Add `take` to the counter of (`bucket`, `key`) in the window starting at `window_start`
    /// and read it back with the previous window's (`previous_start`), in one transaction: two
    /// nodes taking at once both see the other's share.
    pub async fn take_rate(&self, bucket: &str, key: &str, window_start: i64, previous_start: i64, take: i64) -> Result<RateCount> {
        in_write!(self, |conn| {
            let current: i64 = sqlx::query_scalar(
                "INSERT INTO rate_windows (bucket, key, window_start, n) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (bucket, key, window_start) DO UPDATE SET n = rate_windows.n + excluded.n RETURNING n",
            )
            .bind(bucket)
            .bind(key)
            .bind(window_start)
            .bind(take)
            .fetch_one(&mut *conn)
            .await?;
            let previous: Option<i64> =
                sqlx::query_scalar("SELECT n FROM rate_windows WHERE bucket = $1 AND key = $2 AND window_start = $3")
                    .bind(bucket)
                    .bind(key)
                    .bind(previous_start)
                    .fetch_optional(&mut *conn)
                    .await?;
            Ok(RateCount { current, previous: previous.unwrap_or(0) })
        })
    }

    /// Give back `n` of a window's requests a node took but could not grant (the counter then
    /// counts only what was let through).
    pub async fn give_back_rate(&self, bucket: &str, key: &str, window_start: i64, n: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE rate_windows SET n = n - $4 WHERE bucket = $1 AND key = $2 AND window_start = $3")
                .bind(bucket)
                .bind(key)
                .bind(window_start)
                .bind(n)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Count one failed login of `key` at `at` (ms).
    pub async fn add_login_failure(&self, key: &str, at: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query(
                "INSERT INTO login_failures (key, at, n) VALUES ($1, $2, 1)
                 ON CONFLICT (key, at) DO UPDATE SET n = login_failures.n + 1",
            )
            .bind(key)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// The failure times of `key` since `since` (ms), oldest first, one entry per failure.
    pub async fn login_failures(&self, key: &str, since: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64, i64)> =
            on_pool!(self, |pool| sqlx::query_as("SELECT at, n FROM login_failures WHERE key = $1 AND at >= $2 ORDER BY at")
                .bind(key)
                .bind(since)
                .fetch_all(pool)
                .await?);
        Ok(rows.into_iter().flat_map(|(at, n)| std::iter::repeat_n(at, n.clamp(0, 10_000) as usize)).collect())
    }

    /// Forget the failures of `key` (a successful login clears its account).
    pub async fn clear_login_failures(&self, key: &str) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM login_failures WHERE key = $1").bind(key).execute(&mut *conn).await?;
            Ok(())
        })
    }

    /// Drop counters of windows that started before `windows_before` and failures older than
    /// `failures_before` (ms): nothing reads them any more.
    pub async fn prune_rates(&self, windows_before: i64, failures_before: i64) -> Result<u64> {
        in_write!(self, |conn| {
            let w = sqlx::query("DELETE FROM rate_windows WHERE window_start < $1").bind(windows_before).execute(&mut *conn).await?;
            let f = sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(failures_before).execute(&mut *conn).await?;
            Ok(w.rows_affected() + f.rows_affected())
        })
    }
}
