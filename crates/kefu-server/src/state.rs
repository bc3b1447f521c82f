//! What every route can reach.

use std::net::IpAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::conversations::links::AttachmentLinks;
use crate::integrations::outbound::Outbound;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::realtime::Hub;
use crate::routing::Routing;
use kefu_store::Store;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    pub routing: Routing,
    pub hub: Hub,
    pub metrics: Metrics,
    pub limits: Arc<Limits>,
    /// The one client for calls out (webhooks), with the operator's target policy.
    pub outbound: Outbound,
    /// HMAC key of visitor identity tokens (kept in the settings table; admins can rotate it).
    pub widget_secret: Arc<std::sync::RwLock<String>>,
    /// Signs and checks short-lived attachment links.
    pub links: AttachmentLinks,
    /// The media server's handle and who is in which call.
    pub calls: crate::calls::CallMedia,
    /// The floor task: live figures and alerts for supervisors.
    pub floor: crate::floor::Floor,
    /// Customers' moods and their active sentiment alerts.
    pub moods: crate::sentiment::Moods,
    /// The organisation's settings admins change at run time (time zone, sentiment thresholds).
    pub org: crate::org::Org,
    /// Stores messages, many to a transaction (group commit).
    pub messages: crate::conversations::batch::MessageWriter,
    /// Starts conversations, many to a transaction (group commit).
    pub starts: crate::conversations::starts::StartWriter,
}

impl AppState {
    /// The current identity-token secret.
    pub fn identity_secret(&self) -> String {
        self.widget_secret.read().map(|s| s.clone()).unwrap_or_default()
    }
}

/// The client's address: the socket peer, or — when that peer is a trusted reverse proxy — the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','));
    let hops: Vec<IpAddr> = forwarded.filter_map(|h| h.trim().parse().ok()).collect();
    hops.into_iter().rev().find(|ip| !trusted.contains(ip)).unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("x-forwarded-for", "203.0.113.7, 198.51.100.9, 10.0.0.2".parse().unwrap());
        assert_eq!(client_ip(proxy, &headers, &[proxy]), "198.51.100.9".parse::<IpAddr>().unwrap());
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(client_ip(stranger, &headers, &[proxy]), stranger, "anyone can write the header");
        assert_eq!(client_ip(proxy, &axum::http::HeaderMap::new(), &[proxy]), proxy);
    }
}
