//! Rate limits on what anyone can reach: logins (`login`), visitor creation per address, and what
//! one visitor may push into a conversation (messages, typing, uploads). Staff are never limited
//! here. In memory on one node (governor); in a cluster (`nats_url`) each limit is also a counter
//! every node shares in PostgreSQL (`shared`), so N nodes allow the configured total.

pub mod login;
pub mod shared;

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::ApiError;
use kefu_store::Store;
pub use login::{account_key, LoginPolicy, LoginThrottle};
use shared::SharedWindow;

/// All limits of one process.
pub struct Limits {
    /// Failed logins per address and per account.
    pub login: LoginThrottle,
    visitors: DefaultKeyedRateLimiter<IpAddr>,
    messages: DefaultKeyedRateLimiter<i64>,
    typing: DefaultKeyedRateLimiter<i64>,
    uploads: DefaultKeyedRateLimiter<i64>,
    /// In a cluster, the counters all nodes share. The node's own limiters above stay in front:
    /// they refuse a flood without a database round trip, and still hold if PostgreSQL is away.
    shared: Option<Shared>,
}

struct Shared {
    store: Store,
    visitors: SharedWindow,
    messages: SharedWindow,
    typing: SharedWindow,
    uploads: SharedWindow,
}

/// The longest period of a shared window: older counters are pruned.
const LONGEST_PERIOD: Duration = Duration::from_secs(60);

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// `n` per `period`, all of them at once if saved up.
fn quota(n: u32, period: Duration) -> Quota {
    let n = nonzero(n);
    Quota::with_period(period / n.get()).unwrap_or_else(|| Quota::per_second(n)).allow_burst(n)
}

impl Limits {
    pub fn new(config: &Config) -> Limits {
        let typing = nonzero(config.visitor_typing_per_second);
        Limits {
            login: LoginThrottle::new(LoginPolicy {
                ip_per_minute: config.login_attempts_per_minute,
                account_before_delay: config.account_login_failures_before_delay,
                account_per_hour: config.account_login_failures_per_hour,
            }),
            visitors: RateLimiter::keyed(quota(config.visitors_per_minute, Duration::from_secs(60))),
            messages: RateLimiter::keyed(quota(config.visitor_messages_per_10s, Duration::from_secs(10))),
            // A "started" and a "stopped" often come close together: bursts of twice the rate.
            typing: RateLimiter::keyed(Quota::per_second(typing).allow_burst(nonzero(typing.get().saturating_mul(2)))),
            uploads: RateLimiter::keyed(quota(config.visitor_uploads_per_minute, Duration::from_secs(60))),
            shared: None,
        }
    }

    /// The limits of a node of a cluster: the same, counted across all nodes in `store`.
    pub fn shared(config: &Config, store: Store) -> Limits {
        let window = |bucket, what, n, secs| SharedWindow::new(store.clone(), bucket, what, n, Duration::from_secs(secs));
        let policy = LoginPolicy {
            ip_per_minute: config.login_attempts_per_minute,
            account_before_delay: config.account_login_failures_before_delay,
            account_per_hour: config.account_login_failures_per_hour,
        };
        Limits {
            login: LoginThrottle::shared(policy, store.clone()),
            shared: Some(Shared {
                visitors: window("visitors", "new_visitors", config.visitors_per_minute, 60),
                messages: window("messages", "messages", config.visitor_messages_per_10s, 10),
                // Twice the rate over two seconds: the burst of a "started" and a "stopped".
                typing: window("typing", "typing_events", config.visitor_typing_per_second.saturating_mul(2), 2),
                uploads: window("uploads", "uploads", config.visitor_uploads_per_minute, 60),
                store,
            }),
            ..Limits::new(config)
        }
    }

    /// One visitor creation from `ip`.
    pub async fn visitor(&self, ip: IpAddr) -> Result<(), ApiError> {
        take(&self.visitors, &ip, "new_visitors")?;
        match &self.shared {
            Some(s) => s.visitors.take(&ip.to_string()).await,
            None => Ok(()),
        }
    }

    /// One message from a visitor. In a cluster this may ask PostgreSQL on its own connection:
    /// never call it inside a write transaction (the message batch takes the two halves apart).
    pub async fn visitor_message(&self, visitor: i64) -> Result<(), ApiError> {
        self.visitor_message_here(visitor)?;
        self.visitor_message_shared(visitor).await
    }

    /// The node's own half of a visitor message's limit: memory only, never waits.
    pub fn visitor_message_here(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.messages, &visitor, "messages")
    }

    /// The cluster's half (Ok on a lone node): may ask PostgreSQL, so it is taken before a
    /// write transaction opens, never inside one.
    pub async fn visitor_message_shared(&self, visitor: i64) -> Result<(), ApiError> {
        match &self.shared {
            Some(s) => s.messages.take(&visitor.to_string()).await,
            None => Ok(()),
        }
    }

    /// Whether messages take a cluster-wide quota (`visitor_message_shared` does something).
    pub fn messages_shared(&self) -> bool {
        self.shared.is_some()
    }

    /// Give back a cluster quota taken for a message that was not stored after all.
    pub fn refund_visitor_message_shared(&self, visitor: i64) {
        if let Some(s) = &self.shared {
            s.messages.refund(&visitor.to_string());
        }
    }

    /// One typing event from a visitor.
    pub async fn visitor_typing(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.typing, &visitor, "typing_events")?;
        match &self.shared {
            Some(s) => s.typing.take(&visitor.to_string()).await,
            None => Ok(()),
        }
    }

    /// One upload from a visitor.
    pub async fn visitor_upload(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.uploads, &visitor, "uploads")?;
        match &self.shared {
            Some(s) => s.uploads.take(&visitor.to_string()).await,
            None => Ok(()),
        }
    }

    /// Forget keys whose allowance is full again, and give the memory back (called every minute).
    pub fn prune(&self) {
        self.login.prune();
        for l in [&self.messages, &self.typing, &self.uploads] {
            l.retain_recent();
            l.shrink_to_fit();
        }
        self.visitors.retain_recent();
        self.visitors.shrink_to_fit();
        if let Some(s) = &self.shared {
            for w in [&s.visitors, &s.messages, &s.typing, &s.uploads] {
                w.prune();
            }
        }
    }

    /// Drop the shared counters nothing reads any more (every node does it; deleting twice is
    /// harmless).
    async fn prune_shared(&self) {
        if let Some(s) = &self.shared {
            let now = crate::clock::now_ms();
            let windows_before = now - 3 * LONGEST_PERIOD.as_millis() as i64;
            let failures_before = now - 2 * 3_600_000;
            if let Err(e) = s.store.prune_rates(windows_before, failures_before).await {
                tracing::warn!(error = %e, "could not prune the shared rate limits");
            }
        }
    }
}

fn take<K: Hash + Eq + Clone>(limiter: &DefaultKeyedRateLimiter<K>, key: &K, what: &'static str) -> Result<(), ApiError> {
    limiter.check_key(key).map_err(|not_until| ApiError::RateLimited { what, retry_after: not_until.wait_time_from(limiter.clock().now()) })
}

/// Prune the limits every minute for as long as the process runs.
pub async fn prune_every_minute(limits: std::sync::Arc<Limits>) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        limits.prune();
        limits.prune_shared().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn visitors_get_their_burst_then_wait() {
        let mut config = Config::for_tests(std::env::temp_dir());
        config.visitor_messages_per_10s = 3;
        let limits = Limits::new(&config);
        for _ in 0..3 {
            limits.visitor_message(7).await.unwrap();
        }
        let err = limits.visitor_message(7).await.unwrap_err();
        assert!(matches!(err, ApiError::RateLimited { retry_after, .. } if retry_after <= Duration::from_secs(4)), "{err:?}");
        // Someone else's allowance is their own.
        limits.visitor_message(8).await.unwrap();
    }
}
