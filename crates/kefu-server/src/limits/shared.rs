//! A rate limit the nodes of a cluster share (`nats_url`): one counter per key and window in
//! PostgreSQL (`rate_windows`), so N nodes allow the configured total, not N times it. The
//! estimate slides: the previous window's count weighs by the part of it still inside the last
//! period (a fixed window alone would let twice the limit through around a window's edge).
//!
//! The hot path stays off the database: a node takes requests from the counter in chunks (up
//! to a quarter of what is left, at most `MAX_CHUNK`) and spends them locally; what it could not
//! be granted it gives back at once. A chunk a node holds but does not spend before the window
//! ends is lost: a key spread over nodes may get slightly less than the limit, never more. A
//! refused key is refused locally until its retry time. One request at a time refills a key's
//! share on a node; the key's other requests wait for that share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
#[derive(Debug, Clone, Default)]
struct Lease {
    window_start: i64,
    /// Requests taken from the counter, not yet spent.
    left: i64,
    /// How many to take next time (a quarter of what was left in the cluster).
    next_chunk: i64,
    /// Refused here, without asking, until then (ms).
    refused_until: i64,
    /// Held while one request refills the key's share: requests of the key arriving meanwhile
    /// wait for that share instead of each taking a chunk of their own (a concurrent burst would
    /// otherwise take the whole window in a few chunks, be refused for the rest, and leave the
    /// tokens unspent on the node until the window ends).
    refill: Arc<tokio::sync::Mutex<()>>,
}

/// What a request can do with the node's share of its key.
enum Here {
    Spent,
    Refused(i64),
    /// Nothing left here: take `chunk` from the counter, holding `gate`.
    Refill {
        gate: Arc<tokio::sync::Mutex<()>>,
        chunk: i64,
    },
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
        self.take_at(key, now_ms()).await
    }

    /// One request of `key` at `now` (ms): tests choose where in a window it falls.
    async fn take_at(&self, key: &str, now: i64) -> Result<(), ApiError> {
        let window_start = now - now.rem_euclid(self.period_ms);
        let gate = match self.here(key, now, window_start) {
            Here::Spent => return Ok(()),
            Here::Refused(ms) => return Err(self.refused(ms)),
            Here::Refill { gate, .. } => gate,
        };
        let _refilling = gate.lock().await;
        // Whoever held the gate before may have refilled the share (or been refused): look again.
        let chunk = match self.here(key, now, window_start) {
            Here::Spent => return Ok(()),
            Here::Refused(ms) => return Err(self.refused(ms)),
            Here::Refill { chunk, .. } => chunk,
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
        let lease = self.lease(&mut leases, key, now, window_start);
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

    /// Spend one of the node's share of `key` if it has one; else say why not.
    fn here(&self, key: &str, now: i64, window_start: i64) -> Here {
        let mut leases = lock(&self.leases);
        let l = self.lease(&mut leases, key, now, window_start);
        if l.refused_until > now {
            Here::Refused(l.refused_until - now)
        } else if l.left > 0 {
            l.left -= 1;
            Here::Spent
        } else {
            Here::Refill { gate: l.refill.clone(), chunk: l.next_chunk }
        }
    }

    /// The node's lease of `key`, started afresh in a new window (unless it is still refused).
    fn lease<'a>(&self, leases: &'a mut HashMap<String, Lease>, key: &str, now: i64, window_start: i64) -> &'a mut Lease {
        if leases.len() >= MAX_KEYS && !leases.contains_key(key) {
            leases.retain(|_, l| l.window_start == window_start || l.refused_until > now);
            if leases.len() >= MAX_KEYS {
                leases.clear();
            }
        }
        let lease = leases.entry(key.to_string()).or_default();
        if lease.window_start != window_start && lease.refused_until <= now {
            let refill = std::mem::take(&mut lease.refill);
            *lease = Lease { window_start, next_chunk: chunk_of(self.limit), refill, ..Lease::default() };
        }
        lease
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

    /// Two nodes (two store handles on one database) share `limit` per minute for each key: on
    /// PostgreSQL with `KEFU_TEST_POSTGRES_URL`, else on a SQLite file (removed by the caller).
    async fn two_nodes(limit: u32, file: &std::path::Path) -> Vec<SharedWindow> {
        let (a, b) = match kefu_store::testing::postgres_url_from_env() {
            Some(base) => {
                let url = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
                (Store::connect(&url).await.unwrap(), Store::connect(&url).await.unwrap())
            }
            None => (Store::open(file).await.unwrap(), Store::open(file).await.unwrap()),
        };
        let window = |s| SharedWindow::new(s, "visitors", "new_visitors", limit, Duration::from_secs(60));
        vec![window(a), window(b)]
    }

    /// The cluster test's scene: one forwarded address bursts over the nodes until they refuse,
    /// then another address (the proxy's own, with one visitor already) gets its whole allowance
    /// on every node, also while its requests interleave with another burst.
    #[tokio::test]
    async fn a_burst_from_one_address_leaves_every_other_address_its_own_allowance() {
        let dir = std::env::temp_dir().join(format!("kefu-shared-{}-{}", std::process::id(), now_ms()));
        std::fs::create_dir_all(&dir).unwrap();
        let nodes = two_nodes(30, &dir.join("kefu.db")).await;
        // 35 s into a window: what the refused burst waits for is the window's end, 25 s away.
        let t = 1_800_000_000_000 + 35_000;
        nodes[1].take_at("127.0.0.1", t - 5_000).await.unwrap();
        let mut accepted = 0;
        for i in 0..90 {
            match nodes[i % 2].take_at("203.0.113.9", t + i as i64).await {
                Ok(()) => accepted += 1,
                Err(e) => assert!(matches!(e, ApiError::RateLimited { retry_after, .. } if retry_after.as_secs() <= 25), "{e:?}"),
            }
        }
        assert_eq!(accepted, 30);
        for (i, node) in nodes.iter().enumerate() {
            node.take_at("127.0.0.1", t + 100).await.unwrap_or_else(|e| panic!("node {i} refused another address: {e:?}"));
        }
        // Concurrent: a second burst, and 17 more of the proxy's own address (20 of its 30), on
        // both nodes at once. The burst still gets exactly its 30 (each node refills a key's share
        // once at a time, not once per waiting request).
        let burst = (0..90).map(|i| nodes[i % 2].take_at("198.51.100.7", t + 200));
        let other = (0..17).map(|i| nodes[i % 2].take_at("127.0.0.1", t + 200));
        let (burst, other) = tokio::join!(futures::future::join_all(burst), futures::future::join_all(other));
        assert_eq!(burst.iter().filter(|r| r.is_ok()).count(), 30);
        let refused: Vec<_> = other.iter().filter_map(|r| r.as_ref().err()).collect();
        drop(nodes);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(refused.is_empty(), "the proxy's own address was refused: {refused:?}");
    }

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
