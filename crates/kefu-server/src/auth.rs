//! Who is calling: password hashing (argon2id), opaque tokens (only hashes stored), API keys,
//! and the extractors every route uses to check what the caller may do (scopes).

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::clock::now_ms;
use crate::error::{ApiError, ErrorCode, ErrorParams};
use crate::state::AppState;
use crate::views::ApiKeyScope as Scope;
use kefu_store::{LiveSession, SessionCaller};

pub use kefu_core::Role;

/// Scopes by role.
trait RoleScopes {
    fn scopes(self) -> Vec<Scope>;
}

impl RoleScopes for Role {
    /// What a human user with this role may do: the same routes as before scopes existed
    /// (agents read and write their own conversations and see colleagues for transfers;
    /// supervisors also watch the floor; admins do everything).
    fn scopes(self) -> Vec<Scope> {
        use Scope::*;
        match self {
            Role::Agent => vec![ConversationsRead, ConversationsWrite, AgentsRead],
            Role::Supervisor => vec![ConversationsRead, ConversationsWrite, AgentsRead, StatsRead],
            Role::Admin => vec![ConversationsRead, ConversationsWrite, AgentsRead, StatsRead, Admin],
        }
    }
}

impl Scope {
    /// The scopes an API key stored with `granted` holds: `admin` implies every other one,
    /// `conversations:write` implies `conversations:read` (keys created before the finer scopes
    /// existed keep what they could do with conversations).
    pub fn expand(granted: &[Scope]) -> Vec<Scope> {
        if granted.contains(&Scope::Admin) {
            return Role::Admin.scopes();
        }
        let mut all = granted.to_vec();
        if all.contains(&Scope::ConversationsWrite) && !all.contains(&Scope::ConversationsRead) {
            all.push(Scope::ConversationsRead);
        }
        all
    }
    /// The wire form (`conversations:read` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ConversationsRead => "conversations:read",
            Scope::ConversationsWrite => "conversations:write",
            Scope::StatsRead => "stats:read",
            Scope::AgentsRead => "agents:read",
            Scope::Admin => "admin",
        }
    }
}

/// A staff member or an integrator's key.
#[derive(Debug, Clone)]
pub struct Staff {
    /// User id (0 for an API key).
    pub id: i64,
    /// Effective role: a user's own; for a key, admin with the `admin` scope, else supervisor
    /// (which conversations it may see once a route has let it in by scope).
    pub role: Role,
    /// What this caller may do: implied by a user's role, granted to a key.
    pub scopes: Vec<Scope>,
    /// Set for API keys.
    pub api_key: Option<i64>,
}

impl Staff {
    /// Refuse unless the caller holds `scope`. Every staff route names the one it needs.
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        if self.scopes.contains(&scope) {
            return Ok(());
        }
        Err(ApiError::Forbidden(match (self.is_user(), scope) {
            (true, Scope::Admin) => "this needs the admin role".into(),
            (true, _) => "this needs the supervisor role".into(),
            (false, _) => format!("this API key lacks the {} scope", scope.as_str()),
        }))
    }
    /// Whether this caller is a human agent (not an API key).
    pub fn is_user(&self) -> bool {
        self.api_key.is_none()
    }
}

impl Caller {
    /// Refuse staff without `scope`; visitors pass (routes limit them to their own conversations).
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        match self {
            Caller::Staff(s) => s.require_scope(scope),
            Caller::Visitor(_) => Ok(()),
        }
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

/// How costly a new password hash is. `Standard` is argon2id with OWASP's parameters (19 MiB, two
/// passes, one lane) and is what every deployment runs: neither the file nor the command line can
/// lower it. `Testing` (argon2id at its smallest memory, one pass) is set only by
/// `Config::for_tests`: every test app seeds six demo accounts and logs them in, hundreds of apps
/// per run on two backends, and the standard cost was a share of the whole suite's CPU time. A hash
/// carries its parameters, so checking one costs what making it did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PasswordCost {
    #[default]
    Standard,
    Testing,
}

impl PasswordCost {
    fn hasher(self) -> Argon2<'static> {
        match self {
            PasswordCost::Standard => Argon2::default(),
            PasswordCost::Testing => match Params::new(Params::MIN_M_COST, Params::MIN_T_COST, Params::MIN_P_COST, None) {
                Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
                // The crate's own minimums are valid parameters; were they not, hash as deployments do.
                Err(_) => Argon2::default(),
            },
        }
    }
}

/// Hash a password with argon2id and a random salt.
pub fn hash_password(password: &str, cost: PasswordCost) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    cost.hasher().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Check a password against its stored hash (with the parameters the hash names).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// An argon2id hash of nothing anyone knows, made once per cost with the same parameters as real
/// ones: a login for an unknown email (or a disabled user) verifies against it, so it takes as long
/// as one for a known email and the timing does not tell who has an account.
pub fn dummy_hash(cost: PasswordCost) -> &'static str {
    static DUMMY: [std::sync::OnceLock<String>; 2] = [std::sync::OnceLock::new(), std::sync::OnceLock::new()];
    // Hashing a random password cannot fail with these parameters; were it to, the empty string
    // verifies nothing (quickly, but still correctly).
    DUMMY[cost as usize].get_or_init(|| hash_password(&new_token(""), cost).unwrap_or_default())
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

/// `hash_password` off the async threads, taking a `password_turn` like a login: an admin creating
/// hundreds of accounts neither stalls other requests nor outruns the cores.
pub async fn hash_password_blocking(password: String, cost: PasswordCost) -> anyhow::Result<String> {
    let _turn = password_turn().await;
    tokio::task::spawn_blocking(move || hash_password(&password, cost)).await.map_err(|e| anyhow::anyhow!("hashing task failed: {e}"))?
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

/// The token of an `Authorization: Bearer` header. Tokens in the URL (`?token=`) end up in
/// proxy logs and browser history: only the WebSocket upgrade takes one (browsers cannot set
/// headers there), and attachments use short-lived signed links instead.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_string())
}

fn has_url_token(query: Option<&str>) -> bool {
    query.is_some_and(|q| q.split('&').any(|pair| pair.starts_with("token=")))
}

/// Resolve a token to its caller. A user whose password is one-time may only reach the
/// routes that change it (`path_allowed_before_password_change`). Callers are remembered for a
/// few seconds ([`crate::session_cache`]); every revocation makes every node forget at once.
pub async fn resolve_for(state: &AppState, token: &str, path_allowed_before_password_change: bool) -> Result<Caller, ApiError> {
    let hash = token_hash(token);
    let now = now_ms();
    let cache = state.hub.session_cache();
    if let Some((caller, must_change_password)) = cache.and_then(|c| c.get(&hash, now)) {
        return admit(caller, must_change_password, path_allowed_before_password_change);
    }
    let seen = cache.map(crate::session_cache::SessionCache::epoch);
    let (caller, must_change_password, expires_at) = read_caller(state, token, &hash, now).await?;
    if let (Some(cache), Some(seen)) = (cache, seen) {
        cache.remember(hash, caller.clone(), must_change_password, expires_at, now, seen);
    }
    admit(caller, must_change_password, path_allowed_before_password_change)
}

/// A token's caller from the database (one read), its password flag and when it expires.
async fn read_caller(state: &AppState, token: &str, hash: &str, now: i64) -> Result<(Caller, bool, i64), ApiError> {
    if token.starts_with("kefu_") {
        let key = state.store.api_key_by_hash(hash).await?.ok_or_else(|| ApiError::Unauthorized("invalid or revoked API key".into()))?;
        let granted: Vec<Scope> = serde_json::from_str(&key.scopes).unwrap_or_default();
        let scopes = Scope::expand(&granted);
        let role = if scopes.contains(&Scope::Admin) { Role::Admin } else { Role::Supervisor };
        // Keys do not expire; they are revoked.
        return Ok((Caller::Staff(Staff { id: 0, role, scopes, api_key: Some(key.id) }), false, i64::MAX));
    }
    // One read: the session with its user's role and password flag.
    match state.store.session_caller(hash, now).await? {
        Some(LiveSession { caller: SessionCaller::User { id, role, must_change_password }, expires_at }) => {
            Ok((Caller::Staff(Staff { id, role, scopes: role.scopes(), api_key: None }), must_change_password, expires_at))
        }
        Some(LiveSession { caller: SessionCaller::Visitor(id), expires_at }) => Ok((Caller::Visitor(id), false, expires_at)),
        None => Err(ApiError::Unauthorized("invalid, expired or revoked token".into())),
    }
}

/// Let the caller in, unless their password is one-time and the route is not about it.
fn admit(caller: Caller, must_change_password: bool, path_allowed_before_password_change: bool) -> Result<Caller, ApiError> {
    if must_change_password && !path_allowed_before_password_change {
        return Err(ApiError::coded(
            ErrorCode::PasswordChangeRequired,
            "password_change_required: set your own password first (PUT /api/v1/auth/password)",
            ErrorParams::default(),
        ));
    }
    Ok(caller)
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
        let token = bearer(&parts.headers).ok_or_else(|| {
            ApiError::Unauthorized(if has_url_token(parts.uri.query()) {
                "a token in the URL (?token=) is accepted only on the WebSocket upgrade; send Authorization: Bearer <token>".into()
            } else {
                "missing Authorization: Bearer token".into()
            })
        })?;
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
    bearer(&parts.headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        for cost in [PasswordCost::Standard, PasswordCost::Testing] {
            let h = hash_password("correct horse", cost).unwrap();
            assert!(h.starts_with("$argon2id$"));
            assert!(verify_password("correct horse", &h));
            assert!(!verify_password("wrong", &h));
            assert!(!verify_password("x", "not a hash"));
            assert!(dummy_hash(cost).starts_with("$argon2id$"), "same algorithm and parameters as real hashes");
            assert_eq!(PasswordHash::new(dummy_hash(cost)).unwrap().params, PasswordHash::new(&h).unwrap().params);
        }
        let standard = hash_password("x", PasswordCost::Standard).unwrap();
        assert!(standard.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "OWASP's parameters: {standard}");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (new_token("v_"), new_token("v_"));
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(has_url_token(Some("a=1&token=abc&b=2")));
        assert!(!has_url_token(Some("a_token=1")));
    }

    #[test]
    fn old_keys_keep_what_they_could_do_with_conversations() {
        use Scope::*;
        let stored: Vec<Scope> = serde_json::from_str(r#"["conversations:write"]"#).unwrap();
        assert_eq!(Scope::expand(&stored), vec![ConversationsWrite, ConversationsRead]);
        assert_eq!(Scope::expand(&[Admin]), Role::Admin.scopes());
        assert_eq!(Scope::expand(&[StatsRead]), vec![StatsRead]);
        for s in Role::Admin.scopes() {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str(), "as_str matches the wire form");
        }
        assert!(!Role::Agent.scopes().contains(&StatsRead), "agents do not watch the floor");
    }
}
