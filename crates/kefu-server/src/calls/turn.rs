//! TURN credentials for a call's browsers, in the TURN REST scheme that coturn's
//! `use-auth-secret` checks: username `<expiry unix secs>:<who>`, password
//! `base64(HMAC-SHA1(secret, username))`. Nothing is stored; coturn recomputes the password from
//! the shared secret and refuses the username once its expiry has passed.

use std::fmt;

use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::views::IceServer;

/// The longest lifetime of a credential: one hour. A leaked credential is worth little for long;
/// a browser fetches a fresh one each time it joins a call's media.
pub const MAX_TTL_SECS: u32 = 3600;

/// The secret shared with coturn (`static-auth-secret`). Its `Debug` hides it, so printing the
/// settings never leaks it.
#[derive(Clone)]
pub struct TurnSecret(String);

impl TurnSecret {
    pub fn new(secret: String) -> TurnSecret {
        TurnSecret(secret)
    }
}

impl fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnSecret(<hidden>)")
    }
}

/// The TURN REST password of `username`.
pub fn credential(secret: &TurnSecret, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.0.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The ICE servers for `who` (`user-7`, `visitor-42`) at `now_secs`: one entry with every TURN
/// URL and a credential valid for `ttl_secs` (at most an hour); none without TURN configured.
pub fn ice_servers(urls: &[String], secret: Option<&TurnSecret>, ttl_secs: u32, who: &str, now_secs: i64) -> Vec<IceServer> {
    let Some(secret) = secret.filter(|_| !urls.is_empty()) else { return vec![] };
    let expiry = now_secs + i64::from(ttl_secs.min(MAX_TTL_SECS));
    let username = format!("{expiry}:{who}");
    let credential = credential(secret, &username);
    vec![IceServer { urls: urls.to_vec(), username: Some(username), credential: Some(credential) }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_is_coturns_hmac_sha1_of_the_username() {
        // Computed independently:
        // python3 -c "import hmac,hashlib,base64; print(base64.b64encode(hmac.new(b'north-star-secret',
        //   b'1700003600:visitor-42', hashlib.sha1).digest()).decode())"
        let secret = TurnSecret::new("north-star-secret".into());
        assert_eq!(credential(&secret, "1700003600:visitor-42"), "vxpNEcyYDg9ZY1IjO34w62BNt2Y=");
    }

    #[test]
    fn the_username_expires_within_the_hour_and_names_the_person() {
        let secret = TurnSecret::new("north-star-secret".into());
        let urls = vec!["turn:turn.example.com:3478?transport=udp".to_string()];
        let servers = ice_servers(&urls, Some(&secret), 600, "visitor-42", 1_700_000_000);
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].urls, urls);
        assert_eq!(servers[0].username.as_deref(), Some("1700000600:visitor-42"));
        // A longer setting is capped at one hour.
        let capped = ice_servers(&urls, Some(&secret), 86_400, "visitor-42", 1_700_000_000);
        assert_eq!(capped[0].username.as_deref(), Some("1700003600:visitor-42"));
        assert_eq!(capped[0].credential.as_deref(), Some("vxpNEcyYDg9ZY1IjO34w62BNt2Y="));
    }

    #[test]
    fn without_urls_or_secret_there_is_no_turn() {
        let secret = TurnSecret::new("s".into());
        assert!(ice_servers(&[], Some(&secret), 3600, "user-1", 0).is_empty());
        assert!(ice_servers(&["turn:x:3478".into()], None, 3600, "user-1", 0).is_empty());
    }

    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", TurnSecret::new("north-star-secret".into())).contains("north"));
    }
}
