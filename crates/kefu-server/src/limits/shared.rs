//! A rate limit the nodes of a cluster share (`nats_url`): one counter per key and window in
//! PostgreSQL (`rate_windows`), so N nodes allow the configured total, not N times it. The
//! estimate slides: the previous window's count weighs by the part of it still inside the last
//! period (a fixed window alone would let twice the limit through around a window's edge).
//!
//! The hot path stays off the database: a node takes requests from the counter in chunks (up
//! to a quarter of what is left, at most `MAX_CHUNK`) and spends them locally; what it could not
//! be granted it gives back at once. A chunk a node holds but does not spend before the window
//! ends is lost: a key spread over nodes may get slightly less than the limit, never more. A
//! refused key is refused locally until its retry time.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use kefu_store::{RateCount, Store};

use crate::clock::now_ms;
use crate::error::ApiError;

/// The most requests a node takes at once.
const MAX_CHUNK: i64 = 32;
/// Keys remembered at most per limit (chosen by whoever sends requests).
const MAX_KEYS: usize = 100_000;

/// One limit: `limit` requests per `period` for each key.
pub struct SharedWindow {
    store: Store,
    /// The counter's name in `rate_windows` (one per limit).
    bucket: &'static str,
    limit: i64,
    period_ms: i64,
    /// Error text (`new_visitors`, `messages` …).
    what: &'static str,
    leases: Mutex<HashMap<String, Lease>>,
}

/// What this node holds of a key's current window.
#[derive(Debug, Clone, Copy, Default)]
struct Lease {
    window_start: i64,
    /// Requests taken from the counter, not yet spent.
    left: i64,
    /// How many to take next time (a quarter of what was left in the cluster).
    next_chunk: i64,
    /// Refused here, without asking, until then (ms).
    refused_until: i64,
}

impl SharedWindow {
    pub fn new(store: Store, bucket: &'static str, what: &'static str, limit: u32, period: Duration) -> SharedWindow {
        SharedWindow {
            store,
            bucket,
            limit: i64::from(limit.max(1)),
            period_ms: (period.as_millis() as i64).max(1),
            what,
            leases: Mutex::new(HashMap::new()),
        }
    }

    /// One request of `key`.
    pub async fn take(&self, key: &str) -> Result<(), ApiError> {
        let now = now_ms();
        let window_start = now - now.rem_euclid(self.period_ms);
        let chunk = {
            let mut leases = lock(&self.leases);
            let lease = leases.get_mut(key).filter(|l| l.window_start == window_start || l.refused_until > now);
            match lease {
                Some(l) if l.refused_until > now => return Err(self.refused(l.refused_until - now)),
                Some(l) if l.left > 0 => {
                    l.left -= 1;
                    return Ok(());
                }
                Some(l) => l.next_chunk,
                None => chunk_of(self.limit),
            }
        };
        let count = match self.store.take_rate(self.bucket, key, window_start, window_start - self.period_ms, chunk).await {
            Ok(c) => c,
            Err(e) => {
                // The node's own limiter (in front of this one) still holds: no node passes more
                // than the limit even while the database is away.
                tracing::warn!(error = %e, bucket = self.bucket, "shared rate limit unavailable");
                return Ok(());
            }
        };
        let verdict = judge(self.limit, self.period_ms, now, window_start, chunk, count);
        if verdict.granted < chunk {
            // Taken but not granted: given back, so the counter holds what was let through and
            // the nodes together reach the limit exactly.
            if let Err(e) = self.store.give_back_rate(self.bucket, key, window_start, chunk - verdict.granted).await {
                tracing::warn!(error = %e, bucket = self.bucket, "could not give back rate limit tokens");
            }
        }
        let mut leases = lock(&self.leases);
        if leases.len() >= MAX_KEYS && !leases.contains_key(key) {
            leases.retain(|_, l| l.window_start == window_start || l.refused_until > now);
            if leases.len() >= MAX_KEYS {
                leases.clear();
            }
        }
        let lease = leases.entry(key.to_string()).or_default();
        if lease.window_start != window_start {
            *lease = Lease { window_start, ..Lease::default() };
        }
        lease.next_chunk = verdict.next_chunk;
        match verdict.granted {
            0 => {
                lease.refused_until = now + verdict.retry_after_ms;
                Err(self.refused(verdict.retry_after_ms))
            }
            granted => {
                lease.left += granted - 1;
                lease.refused_until = 0;
                Ok(())
            }
        }
    }

    /// Give back one request of `key` taken in this window but not spent after all (the
    /// message was a retry, or refused for another reason): this node's to spend again. The
    /// shared counter keeps it, so the cluster can only let fewer through, never more.
    pub fn refund(&self, key: &str) {
        let now = now_ms();
        let window_start = now - now.rem_euclid(self.period_ms);
        if let Some(l) = lock(&self.leases).get_mut(key).filter(|l| l.window_start == window_start) {
            l.left += 1;
        }
    }

    fn refused(&self, wait_ms: i64) -> ApiError {
        ApiError::RateLimited { what: self.what, retry_after: Duration::from_millis(wait_ms.max(1) as u64) }
    }

    /// Forget keys of past windows (called every minute).
    pub fn prune(&self) {
        let now = now_ms();
        let window_start = now - now.rem_euclid(self.period_ms);
        let mut leases = lock(&self.leases);
        leases.retain(|_, l| l.window_start == window_start || l.refused_until > now);
        leases.shrink_to_fit();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain numbers behind: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The first chunk of a key in a window.
fn chunk_of(left: i64) -> i64 {
    (left / 4).clamp(1, MAX_CHUNK)
}

/// What a node may spend of the chunk it took.
#[derive(Debug, PartialEq, Eq)]
struct Verdict {
    granted: i64,
    next_chunk: i64,
    retry_after_ms: i64,
}

/// Pure: `chunk` requests were added to a counter that now reads `count` at `now`.
fn judge(limit: i64, period: i64, now: i64, window_start: i64, chunk: i64, count: RateCount) -> Verdict {
    let elapsed = (now - window_start).clamp(0, period);
    // The previous window's requests still inside the last period, rounded up.
    let carried = (count.previous * (period - elapsed) + period - 1) / period;
    let allowed = limit - carried;
    let before = count.current - chunk;
    let granted = (allowed - before).clamp(0, chunk);
    let next_chunk = chunk_of(allowed - count.current);
    let retry_after_ms = if granted > 0 {
        0
    } else if count.current >= limit || count.previous == 0 {
        // Not before the next window.
        window_start + period - now
    } else {
        // When the previous window's share has shrunk enough for one more.
        let room = limit - 1 - count.current;
        let at = window_start + period - (room * period) / count.previous;
        (at - now).clamp(1, window_start + period - now)
    };
    Verdict { granted, next_chunk, retry_after_ms }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(current: i64, previous: i64) -> RateCount {
        RateCount { current, previous }
    }

    #[test]
    fn nodes_get_what_is_left_and_never_more() {
        // Limit 30 a minute; a node takes 7 at the window's start with 20 already counted.
        let v = judge(30, 60_000, 0, 0, 7, count(27, 0));
        assert_eq!(v.granted, 7);
        // Another node then takes 7 more: only 3 remain for it.
        let v = judge(30, 60_000, 0, 0, 7, count(34, 0));
        assert_eq!(v.granted, 3);
        assert_eq!(v.next_chunk, 1);
        // Over the limit: nothing until the window ends.
        let v = judge(30, 60_000, 15_000, 0, 1, count(35, 0));
        assert_eq!((v.granted, v.retry_after_ms), (0, 45_000));
    }

    #[test]
    fn the_previous_window_weighs_by_what_is_left_of_it() {
        // 30 in the last window; a quarter into this one 3/4 of them still count (23): 7 left.
        let v = judge(30, 60_000, 15_000, 0, 8, count(8, 30));
        assert_eq!(v.granted, 7);
        // With 7 taken already, the next one waits until the old share shrinks by one more.
        let v = judge(30, 60_000, 15_000, 0, 1, count(9, 30));
        assert_eq!(v.granted, 0);
        assert!(v.retry_after_ms > 0 && v.retry_after_ms < 45_000, "{v:?}");
        let later = 15_000 + v.retry_after_ms;
        assert_eq!(judge(30, 60_000, later, 0, 1, count(10, 30)).granted, 1);
    }
}
