//! Short-lived signed attachment links, `/api/v1/attachments/{id}?exp=<unix s>&sig=<hex>` with
//! `sig = HMAC-SHA256(server secret, "{id}.{exp}")`: a browser can put one in `<img src>` or open
//! it in a tab, and no token ever sits in a URL. Links are signed when a payload leaves the server
//! (REST message views, live and replayed WebSocket frames); stored events and webhook payloads
//! keep the bare path, which needs the Bearer token. This module never decides who may see what.

use std::sync::Arc;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::error::ApiError;
use crate::views::MessageView;

/// A link stays valid at least this long after it is handed out.
const VALID_SECS: i64 = 600;
/// Expiry is rounded up to a multiple of this, so payloads read within a few minutes of each other
/// name the same URL and the browser serves the image from its cache.
const STEP_SECS: i64 = 300;
/// What an attachment's bare URL starts with.
const PREFIX: &str = "/api/v1/attachments/";

/// Signs and checks attachment links with the server's link secret. Cheap to clone; the key is
/// never printed (no `Debug`).
#[derive(Clone)]
pub struct AttachmentLinks {
    key: Arc<[u8]>,
}

impl AttachmentLinks {
    /// Links signed with `secret` (kept in the settings table, so links survive a restart).
    pub fn new(secret: &str) -> AttachmentLinks {
        AttachmentLinks { key: Arc::from(secret.as_bytes()) }
    }

    /// An attachment's subject is its bare id; other subjects (a composition's playback link)
    /// are words with a prefix, so no signature of one is ever valid for another.
    fn mac(&self, subject: &str, exp: i64) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes keys of any length");
        mac.update(format!("{subject}.{exp}").as_bytes());
        mac
    }

    /// `exp=<unix s>&sig=<hex>` for `subject`, valid 10 to 15 minutes from `now_ms`.
    pub fn signed_query(&self, subject: &str, now_ms: i64) -> String {
        let earliest = now_ms.max(0) / 1000 + VALID_SECS;
        let exp = (earliest + STEP_SECS - 1) / STEP_SECS * STEP_SECS;
        let sig = hex::encode(self.mac(subject, exp).finalize().into_bytes());
        format!("exp={exp}&sig={sig}")
    }

    /// The signed URL of attachment `id`, valid 10 to 15 minutes from `now_ms`.
    pub fn url(&self, id: i64, now_ms: i64) -> String {
        format!("{PREFIX}{id}?{}", self.signed_query(&id.to_string(), now_ms))
    }

    /// Accept a link to attachment `id` only if it was signed here for that id and has not expired.
    pub fn verify(&self, id: i64, exp: i64, sig: &str, now_ms: i64) -> Result<(), ApiError> {
        self.verify_subject(&id.to_string(), exp, sig, now_ms)
    }

    /// Accept a signed query only if it was made here for `subject` and has not expired.
    pub fn verify_subject(&self, subject: &str, exp: i64, sig: &str, now_ms: i64) -> Result<(), ApiError> {
        let sig = hex::decode(sig).map_err(|_| invalid())?;
        // verify_slice compares in constant time.
        self.mac(subject, exp).verify_slice(&sig).map_err(|_| invalid())?;
        if now_ms / 1000 > exp {
            return Err(ApiError::Unauthorized(
                "this link has expired; fetch the item again for a fresh one, or send Authorization: Bearer".into(),
            ));
        }
        Ok(())
    }

    /// Sign every attachment URL inside a payload (a message, or a conversation carrying one).
    pub fn sign_in(&self, value: &mut Value, now_ms: i64) {
        match value {
            Value::Object(map) => {
                let id = map.get("id").and_then(Value::as_i64);
                let bare = map.get("url").and_then(Value::as_str).is_some_and(|u| u.starts_with(PREFIX));
                if let (Some(id), true) = (id, bare) {
                    map.insert("url".into(), Value::String(self.url(id, now_ms)));
                }
                map.values_mut().for_each(|v| self.sign_in(v, now_ms));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.sign_in(v, now_ms)),
            _ => {}
        }
    }

    /// Sign the attachment URL of a message view about to be answered over REST.
    pub fn sign_message(&self, mut message: MessageView, now_ms: i64) -> MessageView {
        if let Some(a) = message.attachment.as_mut() {
            a.url = self.url(a.id, now_ms);
        }
        message
    }
}

fn invalid() -> ApiError {
    ApiError::Unauthorized("this link is not valid (wrong signature, or signed for something else)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parts(url: &str) -> (i64, i64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let id = path.trim_start_matches(PREFIX).parse().unwrap();
        let mut exp = 0;
        let mut sig = String::new();
        for pair in query.split('&') {
            match pair.split_once('=').unwrap() {
                ("exp", v) => exp = v.parse().unwrap(),
                ("sig", v) => sig = v.to_string(),
                _ => {}
            }
        }
        (id, exp, sig)
    }

    #[test]
    fn a_link_opens_only_its_own_attachment_until_it_expires() {
        let links = AttachmentLinks::new("secret");
        let now = 1_700_000_000_000;
        let (id, exp, sig) = parts(&links.url(7, now));
        assert_eq!(id, 7);
        assert!((600..=900).contains(&(exp - now / 1000)), "valid 10 to 15 minutes");
        assert!(links.verify(7, exp, &sig, now).is_ok());
        assert!(links.verify(7, exp, &sig, exp * 1000).is_ok(), "valid through its last second");
        assert!(links.verify(7, exp, &sig, (exp + 1) * 1000).is_err(), "expired");
        assert!(links.verify(8, exp, &sig, now).is_err(), "another attachment");
        assert!(links.verify(7, exp + 3600, &sig, now).is_err(), "a longer expiry");
        assert!(links.verify(7, exp, "zz", now).is_err(), "not hex");
        assert!(AttachmentLinks::new("other").verify(7, exp, &sig, now).is_err(), "another server's link");
    }

    #[test]
    fn urls_stay_the_same_for_a_few_minutes_so_browsers_cache_them() {
        let links = AttachmentLinks::new("secret");
        let start = 1_700_000_101_000; // just past a step boundary
        assert_eq!(links.url(7, start), links.url(7, start + 60_000));
    }

    #[test]
    fn every_attachment_url_in_a_payload_is_signed_and_nothing_else() {
        let links = AttachmentLinks::new("secret");
        let mut v = json!({
            "id": 1,
            "attachment": { "id": 5, "url": "/api/v1/attachments/5", "name": "a.png" },
            "last_message": { "attachment": { "id": 6, "url": "/api/v1/attachments/6" } },
            "webhook": { "id": 2, "url": "https://example.com/hook" },
        });
        links.sign_in(&mut v, 1_700_000_000_000);
        assert_eq!(v["attachment"]["url"], links.url(5, 1_700_000_000_000));
        assert_eq!(v["last_message"]["attachment"]["url"], links.url(6, 1_700_000_000_000));
        assert_eq!(v["webhook"]["url"], "https://example.com/hook");
    }
}
