//! Who is calling: password hashing (argon2id), opaque tokens (only hashes stored), API keys,
//! and the extractors every route uses to check roles.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::clock::now_ms;
use crate::error::ApiError;
use crate::state::AppState;
use kefu_store::TokenOwner;

/// Staff roles, ordered: each can do what the lower ones can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 坐席.
    Agent,
    /// 班长.
    Supervisor,
    /// Administrator.
    Admin,
}

impl Role {
    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

/// A staff member or an integrator's key acting with a role.
#[derive(Debug, Clone)]
pub struct Staff {
    /// User id (0 for an API key).
    pub id: i64,
    /// Effective role.
    pub role: Role,
    /// An API key that may only read.
    pub read_only: bool,
    /// Set for API keys.
    pub api_key: Option<i64>,
}

impl Staff {
    /// Refuse unless the role is at least `min`.
    pub fn require(&self, min: Role) -> Result<(), ApiError> {
        if self.role >= min {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("this needs the {} role", min.as_str())))
        }
    }
    /// Refuse read-only API keys.
    pub fn require_write(&self) -> Result<(), ApiError> {
        if self.read_only {
            return Err(ApiError::Forbidden("this API key has only the conversations:read scope".into()));
        }
        Ok(())
    }
    /// Whether this caller is a human agent (not an API key).
    pub fn is_user(&self) -> bool {
        self.api_key.is_none()
    }
}

/// Whoever presented a valid token.
#[derive(Debug, Clone)]
pub enum Caller {
    /// Staff or API key.
    Staff(Staff),
    /// A visitor, by id.
    Visitor(i64),
}

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Check a password against its stored hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// An argon2id hash of nothing anyone knows, made once with the same parameters as real ones: a
/// login for an unknown email (or a disabled user) verifies against it, so it takes as long as
/// one for a known email and the timing does not tell who has an account.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        // Hashing a random password cannot fail with the default parameters; were it to, the
        // empty string verifies nothing (quickly, but still correctly).
        hash_password(&new_token("")).unwrap_or_default()
    });
    &DUMMY
}

/// A turn to check a password: one per core at a time. Each check takes ~19 MiB and tens of
/// milliseconds, so a flood of logins queues here instead of exhausting memory or starving every
/// other request.
pub async fn password_turn() -> Option<tokio::sync::SemaphorePermit<'static>> {
    static TURNS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
    });
    // The semaphore is never closed, so `None` does not happen.
    TURNS.acquire().await.ok()
}

/// `verify_password` off the async threads (call it holding a `password_turn`).
pub async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// A new random token: 32 bytes, URL-safe base64, with a prefix saying what it is.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Check password strength rules for new passwords.
pub fn check_password_rules(password: &str) -> Result<(), ApiError> {
    if password.chars().count() < 8 {
        return Err(ApiError::invalid("password: must be at least 8 characters"));
    }
    if password.len() > 256 {
        return Err(ApiError::invalid("password: must be at most 256 bytes"));
    }
    Ok(())
}

fn bearer(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        return value.strip_prefix("Bearer ").map(|t| t.trim().to_string());
    }
    // Browsers cannot set headers on WebSocket upgrades or <img src>: accept ?token=.
    let query = parts.uri.query()?;
    url_token(query)
}

fn url_token(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| pair.strip_prefix("token=").map(|t| t.to_string()))
}

/// Resolve a token to its caller. A user whose password is one-time may only reach the
/// routes that change it (`path_allowed_before_password_change`).
pub async fn resolve_for(state: &AppState, token: &str, path_allowed_before_password_change: bool) -> Result<Caller, ApiError> {
    let hash = token_hash(token);
    if token.starts_with("kefu_") {
        let key = state.store.api_key_by_hash(&hash).await?.ok_or_else(|| ApiError::Unauthorized("invalid or revoked API key".into()))?;
        let scopes: Vec<String> = serde_json::from_str(&key.scopes).unwrap_or_default();
        let has = |s: &str| scopes.iter().any(|x| x == s);
        let role = if has("admin") { Role::Admin } else { Role::Supervisor };
        let read_only = !has("admin") && !has("conversations:write");
        return Ok(Caller::Staff(Staff { id: 0, role, read_only, api_key: Some(key.id) }));
    }
    match state.store.session_owner(&hash, now_ms()).await? {
        Some(TokenOwner::User(id)) => {
            let user = state.store.user(id).await?;
            if user.must_change_password && !path_allowed_before_password_change {
                return Err(ApiError::Forbidden(
                    "password_change_required: set your own password first (PUT /api/v1/auth/password)".into(),
                ));
            }
            let role = Role::parse(&user.role).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("bad role in db")))?;
            Ok(Caller::Staff(Staff { id, role, read_only: false, api_key: None }))
        }
        Some(TokenOwner::Visitor(id)) => Ok(Caller::Visitor(id)),
        None => Err(ApiError::Unauthorized("invalid, expired or revoked token".into())),
    }
}

/// Resolve a token for a route that is not about the caller's own password.
pub async fn resolve(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    resolve_for(state, token, false).await
}

/// Routes a user with a one-time password may still call.
const PASSWORD_CHANGE_ROUTES: [&str; 3] = ["/api/v1/auth/password", "/api/v1/auth/me", "/api/v1/auth/logout"];

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer token".into()))?;
        resolve_for(state, &token, PASSWORD_CHANGE_ROUTES.contains(&parts.uri.path())).await
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Staff(s) => Ok(s),
            Caller::Visitor(_) => Err(ApiError::Forbidden("this needs a staff account".into())),
        }
    }
}

/// A visitor caller.
pub struct VisitorCaller(pub i64);

impl FromRequestParts<AppState> for VisitorCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match Caller::from_request_parts(parts, state).await? {
            Caller::Visitor(id) => Ok(VisitorCaller(id)),
            Caller::Staff(_) => Err(ApiError::Forbidden("this needs a visitor token".into())),
        }
    }
}

/// The raw token of the request (for logout).
pub fn request_token(parts: &Parts) -> Option<String> {
    bearer(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(dummy_hash().starts_with("$argon2id$"), "same algorithm and parameters as real hashes");
        assert_eq!(PasswordHash::new(dummy_hash()).unwrap().params, PasswordHash::new(&h).unwrap().params);
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token("v_"), new_token("v_"));
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_eq!(url_token("a=1&token=abc&b=2").as_deref(), Some("abc"));
    }
}
