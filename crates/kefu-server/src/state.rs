//! What every route can reach.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Config;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::realtime::Hub;
use crate::routing::Routing;
use kefu_store::Store;

/// Per-IP limits on the endpoints anyone can hit.
pub struct Limits {
    login: DefaultKeyedRateLimiter<IpAddr>,
    visitors: DefaultKeyedRateLimiter<IpAddr>,
}

impl Limits {
    /// Build from per-minute quotas.
    pub fn new(login_per_minute: u32, visitors_per_minute: u32) -> Limits {
        let q = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).expect("max(1) is non-zero"));
        Limits { login: RateLimiter::keyed(q(login_per_minute)), visitors: RateLimiter::keyed(q(visitors_per_minute)) }
    }
    /// One login attempt from `ip`.
    pub fn login(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.login.check_key(&ip).map_err(|_| ApiError::RateLimited)
    }
    /// One visitor creation from `ip`.
    pub fn visitor(&self, ip: IpAddr) -> Result<(), ApiError> {
        self.visitors.check_key(&ip).map_err(|_| ApiError::RateLimited)
    }
}

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub routing: Routing,
    pub hub: Hub,
    pub metrics: Metrics,
    pub limits: Arc<Limits>,
    /// HMAC key of visitor identity tokens (kept in the settings table; admins can rotate it).
    pub widget_secret: Arc<std::sync::RwLock<String>>,
}

impl AppState {
    /// The current identity-token secret.
    pub fn identity_secret(&self) -> String {
        self.widget_secret.read().map(|s| s.clone()).unwrap_or_default()
    }
}
