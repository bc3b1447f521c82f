//! Who a token belongs to, remembered for a few seconds, so that an authenticated request (a chat
//! message above all) usually reads nothing from the database. Owns only its map. The hub
//! forgets entries whenever a session ends or changes (logout, revocation, a password or role
//! change, disabling, blocking, a revoked API key), on this node at once and on every other node
//! through the same NATS message that closes the token's WebSockets there; the revoking request
//! is answered once every live node confirmed it forgot (`realtime::bus`). The time limit is only
//! a safety net for a node that did not confirm in time.
//!
//! A read that started before a revocation must not put the caller back after the revocation
//! forgot it: every forget moves an epoch on, and an answer is kept only if the epoch it was read
//! under is still the current one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use crate::auth::Caller;
use crate::realtime::CloseTarget;

/// How long a caller is remembered by default (ms; `session_cache_secs`). Every live node confirms
/// a revocation before it is answered; this bounds how long a token could still work on a node
/// that did not within the revocation's wait (a node that knows it may have missed one empties
/// its cache before it trusts it again). Ten seconds is the
/// order of a WebSocket reconnect and of the agent disconnect grace: a 5,000-client floor
/// sending a message each second re-reads each token once in ten messages at most.
pub const REMEMBER_MS: i64 = 10_000;

/// At most this many tokens are remembered (about 200 bytes each: ~10 MB at the limit). A full
/// cache first drops what has run out; if that frees little, it starts again empty (a cache miss
/// only costs the read it saves).
const CAPACITY: usize = 50_000;

/// What a token resolved to.
struct Known {
    caller: Caller,
    /// Whether the user's password is one-time (only the password routes are open).
    must_change_password: bool,
    /// Forget at this time (ms): the earlier of the time limit and the token's own expiry.
    until: i64,
}

#[derive(Default)]
struct Inner {
    known: HashMap<String, Known>,
    /// Moves on at every forget (see the module docs).
    epoch: u64,
}

/// The token cache. One per node, held by the hub.
pub struct SessionCache {
    inner: Mutex<Inner>,
    /// How long an answer is kept (ms); 0 keeps none.
    time_limit: AtomicI64,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache { inner: Mutex::default(), time_limit: AtomicI64::new(REMEMBER_MS) }
    }
}

/// The cache's epoch before a database read: the answer is remembered only if nothing was
/// forgotten meanwhile.
#[derive(Debug, Clone, Copy)]
pub struct Epoch(u64);

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map half-changed in a way that matters:
        // every operation is one map call. Keep going with it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keep answers this long (ms; 0 keeps none), from the configuration at start.
    pub fn set_time_limit(&self, ms: i64) {
        self.time_limit.store(ms.max(0), Ordering::Relaxed);
        self.forget_all();
    }

    /// Take before reading a token from the database; hand to [`SessionCache::remember`].
    pub fn epoch(&self) -> Epoch {
        Epoch(self.lock().epoch)
    }

    /// The caller of a remembered token and its password flag, unless its time is up.
    pub fn get(&self, token_hash: &str, now: i64) -> Option<(Caller, bool)> {
        let mut inner = self.lock();
        match inner.known.get(token_hash) {
            Some(k) if k.until > now => Some((k.caller.clone(), k.must_change_password)),
            Some(_) => {
                inner.known.remove(token_hash);
                None
            }
            None => None,
        }
    }

    /// Remember what a token resolved to, read under `seen`, until `expires_at` at the latest.
    pub fn remember(&self, token_hash: String, caller: Caller, must_change_password: bool, expires_at: i64, now: i64, seen: Epoch) {
        let until = expires_at.min(now.saturating_add(self.time_limit.load(Ordering::Relaxed)));
        let mut inner = self.lock();
        if inner.epoch != seen.0 || until <= now {
            return;
        }
        if inner.known.len() >= CAPACITY && !inner.known.contains_key(&token_hash) {
            inner.known.retain(|_, k| k.until > now);
            if inner.known.len() >= CAPACITY * 9 / 10 {
                inner.known.clear();
            }
        }
        inner.known.insert(token_hash, Known { caller, must_change_password, until });
    }

    /// Forget the tokens a session end names. For a user it forgets every token, the one a
    /// password change keeps too: that token's one-time-password flag has just changed.
    pub(crate) fn forget(&self, target: &CloseTarget) {
        let mut inner = self.lock();
        inner.epoch += 1;
        match target {
            CloseTarget::Session(hash) => {
                inner.known.remove(hash.as_str());
            }
            CloseTarget::User { id, .. } => {
                inner.known.retain(|_, k| !matches!(&k.caller, Caller::Staff(s) if s.api_key.is_none() && s.id == *id));
            }
            CloseTarget::Visitor(v) => inner.known.retain(|_, k| !matches!(k.caller, Caller::Visitor(id) if id == *v)),
            CloseTarget::ApiKey(key) => inner.known.retain(|_, k| !matches!(&k.caller, Caller::Staff(s) if s.api_key == Some(*key))),
        }
    }

    /// Forget everything (after NATS was lost: revocations may have been missed meanwhile).
    pub fn forget_all(&self) {
        let mut inner = self.lock();
        inner.epoch += 1;
        inner.known.clear();
    }

    /// How many tokens are remembered.
    pub fn len(&self) -> usize {
        self.lock().known.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Staff};

    fn user(id: i64) -> Caller {
        Caller::Staff(Staff { id, role: Role::Agent, scopes: vec![], api_key: None })
    }

    fn key(id: i64) -> Caller {
        Caller::Staff(Staff { id: 0, role: Role::Supervisor, scopes: vec![], api_key: Some(id) })
    }

    #[test]
    fn a_token_is_remembered_until_the_earlier_of_the_limit_and_its_expiry() {
        let cache = SessionCache::default();
        cache.remember("a".into(), user(1), false, 1_000_000, 0, cache.epoch());
        assert!(cache.get("a", REMEMBER_MS - 1).is_some());
        assert!(cache.get("a", REMEMBER_MS).is_none(), "the time limit");
        assert!(cache.is_empty(), "what ran out is dropped when met");
        cache.remember("b".into(), user(1), false, 500, 0, cache.epoch());
        assert!(cache.get("b", 499).is_some());
        assert!(cache.get("b", 500).is_none(), "never past the token's own expiry");
        cache.set_time_limit(0);
        cache.remember("c".into(), user(1), false, 1_000_000, 0, cache.epoch());
        assert!(cache.is_empty(), "turned off");
    }

    #[test]
    fn a_read_that_raced_a_revocation_is_not_remembered() {
        let cache = SessionCache::default();
        let seen = cache.epoch();
        // The token is revoked (and forgotten) while its read is on the way.
        cache.forget(&CloseTarget::Session("a".into()));
        cache.remember("a".into(), user(1), false, i64::MAX, 0, seen);
        assert!(cache.get("a", 1).is_none());
        cache.remember("a".into(), user(1), false, i64::MAX, 0, cache.epoch());
        assert!(cache.get("a", 1).is_some(), "a read after it is");
    }

    #[test]
    fn each_session_end_forgets_exactly_its_tokens() {
        let cache = SessionCache::default();
        let fill = |cache: &SessionCache| {
            for (hash, caller) in [("u1a", user(1)), ("u1b", user(1)), ("u2", user(2)), ("v1", Caller::Visitor(1)), ("k1", key(1))] {
                cache.remember(hash.into(), caller, false, i64::MAX, 0, cache.epoch());
            }
        };
        let left = |cache: &SessionCache| {
            let mut left: Vec<&str> = ["u1a", "u1b", "u2", "v1", "k1"].into_iter().filter(|h| cache.get(h, 1).is_some()).collect();
            left.sort_unstable();
            left
        };
        fill(&cache);
        cache.forget(&CloseTarget::Session("u1a".into()));
        assert_eq!(left(&cache), ["k1", "u1b", "u2", "v1"]);
        // A password change keeps the changing session open, but its password flag changed.
        cache.forget(&CloseTarget::User { id: 1, keep: Some("u1b".into()) });
        assert_eq!(left(&cache), ["k1", "u2", "v1"]);
        cache.forget(&CloseTarget::Visitor(1));
        assert_eq!(left(&cache), ["k1", "u2"]);
        cache.forget(&CloseTarget::ApiKey(1));
        assert_eq!(left(&cache), ["u2"], "a key is not user 0 or 1");
        cache.forget_all();
        assert!(cache.is_empty());
    }

    #[test]
    fn the_cache_stays_within_its_size() {
        let cache = SessionCache::default();
        for i in 0..CAPACITY + 10 {
            cache.remember(format!("t{i}"), Caller::Visitor(i as i64), false, i64::MAX, 0, cache.epoch());
        }
        assert!(cache.len() <= CAPACITY);
        assert!(cache.get(&format!("t{}", CAPACITY + 9), 1).is_some(), "the newest is kept");
    }
}
