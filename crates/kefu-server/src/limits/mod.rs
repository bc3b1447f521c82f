//! Rate limits on what anyone can reach: logins (`login`), visitor creation per address, and what
//! one visitor may push into a conversation (messages, typing, uploads). Staff are never limited
//! here. Everything is in memory: several nodes need a shared store (issue 7).

pub mod login;

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::ApiError;
pub use login::{account_key, LoginPolicy, LoginThrottle};

/// All limits of one process.
pub struct Limits {
    /// Failed logins per address and per account.
    pub login: LoginThrottle,
    visitors: DefaultKeyedRateLimiter<IpAddr>,
    messages: DefaultKeyedRateLimiter<i64>,
    typing: DefaultKeyedRateLimiter<i64>,
    uploads: DefaultKeyedRateLimiter<i64>,
}

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
        }
    }

    /// One visitor creation from `ip`.
    pub fn visitor(&self, ip: IpAddr) -> Result<(), ApiError> {
        take(&self.visitors, &ip, "new_visitors")
    }

    /// One message from a visitor.
    pub fn visitor_message(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.messages, &visitor, "messages")
    }

    /// One typing event from a visitor.
    pub fn visitor_typing(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.typing, &visitor, "typing_events")
    }

    /// One upload from a visitor.
    pub fn visitor_upload(&self, visitor: i64) -> Result<(), ApiError> {
        take(&self.uploads, &visitor, "uploads")
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visitors_get_their_burst_then_wait() {
        let mut config = Config::for_tests(std::env::temp_dir());
        config.visitor_messages_per_10s = 3;
        let limits = Limits::new(&config);
        for _ in 0..3 {
            limits.visitor_message(7).unwrap();
        }
        let err = limits.visitor_message(7).unwrap_err();
        assert!(matches!(err, ApiError::RateLimited { retry_after, .. } if retry_after <= Duration::from_secs(4)), "{err:?}");
        // Someone else's allowance is their own.
        limits.visitor_message(8).unwrap();
    }
}
