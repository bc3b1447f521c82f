//! Login throttling: failed attempts per client address and per account. Successful logins cost
//! nothing, so one NAT can log a whole shift in; an account under attack slows down whichever
//! addresses the guesses come from. In memory on one node; in a cluster (`shared`) the failure
//! logs are rows of `login_failures` in PostgreSQL, read by every node (a login already costs an
//! argon2 verification: a few queries more do not show).

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::clock::now_ms;
use crate::error::ApiError;
use kefu_store::Store;

const MINUTE: Duration = Duration::from_secs(60);
const QUARTER: Duration = Duration::from_secs(15 * 60);
const HOUR: Duration = Duration::from_secs(3600);
/// The first wait once an account has had its allowance of failures; it doubles per failure.
const FIRST_DELAY: Duration = Duration::from_secs(5);
/// The longest single wait.
const MAX_DELAY: Duration = QUARTER;
/// Keys remembered at most (addresses, accounts): each is a few dozen bytes, and an attacker
/// chooses them.
const MAX_KEYS: usize = 100_000;

/// The policy: how many failures each key may have.
#[derive(Debug, Clone, Copy)]
pub struct LoginPolicy {
    /// Failures per client address per minute.
    pub ip_per_minute: u32,
    /// Failures per account in 15 minutes before each further attempt waits.
    pub account_before_delay: u32,
    /// Failures per account per hour.
    pub account_per_hour: u32,
}

/// The failure logs.
pub struct LoginThrottle {
    policy: LoginPolicy,
    ips: Mutex<Failures<IpAddr>>,
    accounts: Mutex<Failures<String>>,
    /// The cluster's shared logs, instead of the two above.
    shared: Option<Store>,
}

/// The account key of an email: what `user_by_email` matches, so `A@x.com ` and `a@x.com` share
/// one log. Unknown emails get a log too: a 429 must not tell which accounts exist.
pub fn account_key(email: &str) -> String {
    email.trim().chars().take(254).collect::<String>().to_lowercase()
}

impl LoginThrottle {
    pub fn new(policy: LoginPolicy) -> LoginThrottle {
        LoginThrottle { policy, ips: Mutex::new(Failures::default()), accounts: Mutex::new(Failures::default()), shared: None }
    }

    /// The logs every node of a cluster reads and writes.
    pub fn shared(policy: LoginPolicy, store: Store) -> LoginThrottle {
        LoginThrottle { shared: Some(store), ..LoginThrottle::new(policy) }
    }

    /// Refuse while the address or the account has to wait.
    pub async fn check(&self, ip: IpAddr, account: &str) -> Result<(), ApiError> {
        let now = Instant::now();
        let (ip_wait, account_wait) = match &self.shared {
            None => (
                lock(&self.ips).log(&ip).and_then(|log| ip_wait(log, self.policy, now)),
                lock(&self.accounts).log(account).and_then(|log| account_wait(log, self.policy, now)),
            ),
            Some(store) => {
                let ms = now_ms();
                let ips = shared_log(store, &ip_key(ip), ms, now, MINUTE).await?;
                let accounts = shared_log(store, &account_row(account), ms, now, HOUR).await?;
                (ip_wait(&ips, self.policy, now), account_wait(&accounts, self.policy, now))
            }
        };
        match ip_wait.max(account_wait) {
            Some(retry_after) => Err(ApiError::RateLimited { what: "failed_logins", retry_after }),
            None => Ok(()),
        }
    }

    /// `check`, then count the attempt as a failure of the account until `succeeded` says
    /// otherwise: concurrent guesses cannot all slip through before the first one fails.
    pub async fn begin(&self, ip: IpAddr, account: &str) -> Result<(), ApiError> {
        self.check(ip, account).await?;
        match &self.shared {
            None => {
                let keep = self.policy.account_per_hour.max(1) as usize;
                lock(&self.accounts).push(account.to_string(), Instant::now(), keep, HOUR);
            }
            Some(store) => store.add_login_failure(&account_row(account), now_ms()).await?,
        }
        Ok(())
    }

    /// The password was wrong: the address pays too.
    pub async fn failed(&self, ip: IpAddr) {
        match &self.shared {
            None => {
                let keep = self.policy.ip_per_minute.max(1) as usize;
                lock(&self.ips).push(ip, Instant::now(), keep, MINUTE);
            }
            Some(store) => {
                if let Err(e) = store.add_login_failure(&ip_key(ip), now_ms()).await {
                    tracing::warn!(error = %e, "could not count a failed login");
                }
            }
        }
    }

    /// The right password: the account's failures are forgotten.
    pub async fn succeeded(&self, account: &str) {
        match &self.shared {
            None => {
                lock(&self.accounts).logs.remove(account);
            }
            Some(store) => {
                if let Err(e) = store.clear_login_failures(&account_row(account)).await {
                    tracing::warn!(error = %e, "could not clear an account's failed logins");
                }
            }
        }
    }

    /// Drop logs with nothing left in their window (called every minute; the shared rows are
    /// pruned with the other shared counters).
    pub fn prune(&self) {
        let now = Instant::now();
        lock(&self.ips).prune(now, MINUTE);
        lock(&self.accounts).prune(now, HOUR);
    }
}

fn ip_key(ip: IpAddr) -> String {
    format!("ip:{ip}")
}

fn account_row(account: &str) -> String {
    format!("account:{account}")
}

/// A shared log as the in-memory one: failure times of the last `window`, oldest first.
async fn shared_log(store: &Store, key: &str, now_ms: i64, now: Instant, window: Duration) -> Result<VecDeque<Instant>, ApiError> {
    let since = now_ms - window.as_millis() as i64;
    let times = store.login_failures(key, since).await?;
    Ok(times.into_iter().filter_map(|at| now.checked_sub(Duration::from_millis(now_ms.saturating_sub(at).max(0) as u64))).collect())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves plain timestamps behind: still usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Failure times per key, oldest first, at most `keep` each.
struct Failures<K> {
    logs: HashMap<K, VecDeque<Instant>>,
}

impl<K> Default for Failures<K> {
    fn default() -> Self {
        Failures { logs: HashMap::new() }
    }
}

impl<K: Hash + Eq + Clone> Failures<K> {
    fn log<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&VecDeque<Instant>>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.logs.get(key)
    }

    fn push(&mut self, key: K, at: Instant, keep: usize, window: Duration) {
        if !self.logs.contains_key(&key) && self.logs.len() >= MAX_KEYS {
            self.prune(at, window);
            if self.logs.len() >= MAX_KEYS {
                // Still full of live logs: forget the one that failed longest ago.
                let stalest = self.logs.iter().min_by_key(|(_, log)| log.back().copied()).map(|(k, _)| k.clone());
                if let Some(k) = stalest {
                    self.logs.remove(&k);
                }
            }
        }
        let log = self.logs.entry(key).or_default();
        log.push_back(at);
        while log.len() > keep {
            log.pop_front();
        }
    }

    fn prune(&mut self, now: Instant, window: Duration) {
        self.logs.retain(|_, log| log.back().is_some_and(|last| now.saturating_duration_since(*last) < window));
        self.logs.shrink_to_fit();
    }
}

/// How long the address must wait: its failures of the last minute fill the quota until the
/// oldest of them is a minute old.
fn ip_wait(log: &VecDeque<Instant>, policy: LoginPolicy, now: Instant) -> Option<Duration> {
    let quota = policy.ip_per_minute.max(1) as usize;
    let recent: Vec<&Instant> = log.iter().filter(|t| now.saturating_duration_since(**t) < MINUTE).collect();
    (recent.len() >= quota).then(|| (*recent[recent.len() - quota] + MINUTE).saturating_duration_since(now))
}

/// How long the account must wait: nothing up to `account_before_delay` failures in 15 minutes,
/// then 5 s after the last failure, doubling with each further one up to 15 minutes; and at most
/// `account_per_hour` failures in any hour.
fn account_wait(log: &VecDeque<Instant>, policy: LoginPolicy, now: Instant) -> Option<Duration> {
    let in_hour: Vec<Instant> = log.iter().copied().filter(|t| now.saturating_duration_since(*t) < HOUR).collect();
    let per_hour = policy.account_per_hour.max(1) as usize;
    if in_hour.len() >= per_hour {
        return Some((in_hour[in_hour.len() - per_hour] + HOUR).saturating_duration_since(now));
    }
    let in_quarter = in_hour.iter().filter(|t| now.saturating_duration_since(**t) < QUARTER).count();
    let allowed = policy.account_before_delay.max(1) as usize;
    if in_quarter < allowed {
        return None;
    }
    let doublings = u32::try_from(in_quarter - allowed).unwrap_or(u32::MAX).min(16);
    let delay = FIRST_DELAY.saturating_mul(1 << doublings).min(MAX_DELAY);
    let last = *in_hour.last()?;
    let until = last + delay;
    (until > now).then(|| until - now)
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICY: LoginPolicy = LoginPolicy { ip_per_minute: 10, account_before_delay: 10, account_per_hour: 100 };

    fn log_at(now: Instant, ago_secs: &[u64]) -> VecDeque<Instant> {
        let mut v: Vec<Instant> = ago_secs.iter().map(|s| now - Duration::from_secs(*s)).collect();
        v.sort();
        v.into()
    }

    #[test]
    fn accounts_wait_longer_with_each_failure_past_the_allowance() {
        let now = Instant::now() + HOUR;
        // Nine failures in the last 15 minutes: no wait.
        assert_eq!(account_wait(&log_at(now, &[1; 9]), POLICY, now), None);
        // The tenth: 5 s after it, then 10 s, 20 s, … up to 15 minutes.
        assert_eq!(account_wait(&log_at(now, &[1; 10]), POLICY, now), Some(Duration::from_secs(4)));
        assert_eq!(account_wait(&log_at(now, &[1; 11]), POLICY, now), Some(Duration::from_secs(9)));
        assert_eq!(account_wait(&log_at(now, &[1; 12]), POLICY, now), Some(Duration::from_secs(19)));
        assert_eq!(account_wait(&log_at(now, &[0; 30]), POLICY, now), Some(MAX_DELAY));
        // Failures older than 15 minutes no longer count towards the delay.
        assert_eq!(account_wait(&log_at(now, &[1000; 30]), POLICY, now), None);
    }

    #[test]
    fn accounts_have_an_hourly_ceiling() {
        let now = Instant::now() + HOUR;
        // 100 failures spread over the hour (none in the last 15 minutes): wait until the oldest
        // is an hour old.
        let ago: Vec<u64> = (0..100).map(|i| 3000 - i).collect();
        assert_eq!(account_wait(&log_at(now, &ago), POLICY, now), Some(Duration::from_secs(600)));
        assert_eq!(account_wait(&log_at(now, &ago[1..]), POLICY, now), None);
    }

    #[tokio::test]
    async fn addresses_count_failures_per_minute_and_successes_reset_accounts() {
        let t = LoginThrottle::new(LoginPolicy { ip_per_minute: 2, ..POLICY });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        for _ in 0..2 {
            t.begin(ip, "a@x.y").await.unwrap();
            t.failed(ip).await;
        }
        let err = t.check(ip, "b@x.y").await.unwrap_err();
        assert!(matches!(err, ApiError::RateLimited { retry_after, .. } if retry_after <= MINUTE));
        // Another address may still try the account; its success clears the account's log.
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        t.begin(other, "a@x.y").await.unwrap();
        t.succeeded("a@x.y").await;
        assert!(lock(&t.accounts).log("a@x.y").is_none());
        assert_eq!(account_key("  Ann@Example.COM "), "ann@example.com");
    }
}
