//! Response headers that limit what a browser may do with our pages and answers: the
//! Content-Security-Policy of each page, who may frame it, referrer, MIME sniffing and HSTS. The
//! pages (api/web.rs) set their own policy; every other answer gets the locked-down API one here.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, HeaderValue, Request};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// Answers that are not pages (JSON, attachments, scripts): nothing may run in them or frame them.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// The demo customer page: the loader script, its shadow-root styles and the widget frame, all
/// served from this origin.
pub const DEMO_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'; object-src 'none'";

/// The demo CRM page lives in the workspace's customer-panel iframe (same origin); its markup
/// carries inline styles and nothing else.
pub const DEMO_CRM_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// HSTS for a year. No `includeSubDomains`: the operator's other hosts are not ours to pin.
const HSTS: &str = "max-age=31536000";

/// The workspace (agents, supervisors, admins): never framed. Element Plus sets inline styles, so
/// `style-src` needs `'unsafe-inline'`; scripts stay `'self'` only. The customer panel frames the
/// skill groups' CRM pages, whose origins are `frame_origins`.
pub fn workspace_policy(frame_origins: &[String]) -> String {
    let mut frames = String::from("'self'");
    for o in frame_origins {
        frames.push(' ');
        frames.push_str(o);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         font-src 'self' data:; connect-src 'self'; frame-src {frames}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; \
         object-src 'none'"
    )
}

/// The widget's chat frame: embeddable by this origin (the demo page) and the origins an admin
/// lists for the widget, nobody else.
pub fn widget_frame_policy(allowed_origins: &[String]) -> String {
    let mut ancestors = String::from("'self'");
    for o in allowed_origins {
        ancestors.push(' ');
        ancestors.push_str(o);
    }
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; \
         frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'; object-src 'none'"
    )
}

/// The origin a CRM URL template frames, as a CSP source: `https://crm.example:8443` for an
/// absolute template, `crm.example` for a scheme-relative one, None for a path on this server
/// (covered by `'self'`) or a template whose host part is itself a placeholder or not a plain host.
pub fn frame_source_of(template: &str) -> Option<String> {
    let (scheme, rest) = if let Some(r) = template.strip_prefix("https://") {
        ("https://", r)
    } else if let Some(r) = template.strip_prefix("http://") {
        ("http://", r)
    } else if let Some(r) = template.strip_prefix("//") {
        ("", r)
    } else {
        return None;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    let plain = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    plain.then(|| format!("{scheme}{}", host.to_ascii_lowercase()))
}

/// Whether the request reached us over TLS: `hsts` says kefu is only reachable that way, or a
/// trusted reverse proxy says so in `X-Forwarded-Proto` (from anyone else the header is ignored).
fn came_over_tls(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> bool {
    if state.config.hsts {
        return true;
    }
    let Some(peer) = peer else { return false };
    if !state.config.trusted_proxies.contains(&peer.ip()) {
        return false;
    }
    // With a chain of proxies the first value is what the client used.
    let proto = headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next());
    proto.is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
}

/// Every answer: no MIME sniffing, a referrer policy, HSTS over TLS, and — unless a page set its
/// own — the API policy with framing refused.
pub async fn security_headers(State(state): State<AppState>, req: Request<Body>, next: Next) -> Response {
    let peer = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let tls = came_over_tls(&state, peer, req.headers());
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Pages choose `strict-origin-when-cross-origin`; answers that are data leak nothing.
    h.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("no-referrer"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(API_POLICY));
        h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    }
    if tls {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crm_templates_give_their_origin() {
        assert_eq!(frame_source_of("https://CRM.example:8443/c?id={external_id}").as_deref(), Some("https://crm.example:8443"));
        assert_eq!(frame_source_of("http://crm.example").as_deref(), Some("http://crm.example"));
        assert_eq!(frame_source_of("//crm.example/x").as_deref(), Some("crm.example"));
        assert_eq!(frame_source_of("/demo/crm?id={external_id}"), None, "same origin: 'self'");
        assert_eq!(frame_source_of("https://{tenant}.crm.example/"), None);
        assert_eq!(frame_source_of("https://a.example;script-src *"), None, "nothing can end the directive");
    }

    #[test]
    fn policies_name_their_sources() {
        let p = widget_frame_policy(&["https://shop.example".into(), "http://127.0.0.1:9000".into()]);
        assert!(p.contains("frame-ancestors 'self' https://shop.example http://127.0.0.1:9000;"), "{p}");
        let w = workspace_policy(&["https://crm.example".into()]);
        assert!(w.contains("frame-src 'self' https://crm.example;") && w.contains("frame-ancestors 'none'"), "{w}");
    }
}
