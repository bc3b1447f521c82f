//! Bearer tokens of staff and visitors, and API keys. Only SHA-256 hashes are stored.

use crate::{conflict, Result, Store};

/// Who a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOwner {
    /// A staff user.
    User(i64),
    /// A visitor.
    Visitor(i64),
}

/// Who a live token belongs to, with what its checks need (one read answers an authenticated
/// request: no second one for the user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionCaller {
    /// A staff user: their role now, and whether their password is one-time.
    User { id: i64, role: kefu_core::Role, must_change_password: bool },
    /// A visitor.
    Visitor(i64),
}

/// A live token's caller and when the token expires (a cache of callers keeps no entry past it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveSession {
    /// Who the token belongs to.
    pub caller: SessionCaller,
    /// When the token stops working (ms).
    pub expires_at: i64,
}

/// An integrator's key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiKeyRow {
    /// Id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// First characters of the key, to recognise it in lists.
    pub prefix: String,
    /// JSON array of scopes.
    pub scopes: String,
    /// Created.
    pub created_at: i64,
}

/// revoked_at, expires_at, the user's enabled flag, the visitor's blocked_at.
type SessionLiveness = (Option<i64>, i64, Option<bool>, Option<i64>);

/// user_id, the user's role and must_change_password, visitor_id, expires_at.
type CallerRow = (Option<i64>, Option<kefu_core::Role>, Option<bool>, Option<i64>, i64);

/// A new token (by hash) of a user or a visitor: token_hash, user_id, visitor_id, created_at,
/// expires_at.
const INSERT_SESSION: &str = "INSERT INTO sessions (token_hash, user_id, visitor_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";

impl Store {
    /// A new anonymous visitor with their session, in one write transaction and two statements
    /// (the visitor row as inserted): `create_visitor` then `create_session`
    /// without the second transaction.
    pub async fn create_visitor_with_session(
        &self,
        name: &str,
        locale: Option<&str>,
        token_hash: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<crate::VisitorRow> {
        let insert = crate::directory::insert_visitor_sql();
        in_write!(self, |conn| {
            let visitor: crate::VisitorRow = sqlx::query_as(&insert).bind(name).bind(locale).bind(now).fetch_one(&mut *conn).await?;
            sqlx::query(INSERT_SESSION)
                .bind(token_hash)
                .bind(None::<i64>)
                .bind(visitor.id)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *conn)
                .await
                .map_err(conflict)?;
            Ok(visitor)
        })
    }

    /// Record a new token (by hash).
    pub async fn create_session(&self, token_hash: &str, owner: TokenOwner, now: i64, expires_at: i64) -> Result<()> {
        in_write!(self, |conn| {
            let (user, visitor) = match owner {
                TokenOwner::User(id) => (Some(id), None),
                TokenOwner::Visitor(id) => (None, Some(id)),
            };
            sqlx::query(INSERT_SESSION)
                .bind(token_hash)
                .bind(user)
                .bind(visitor)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *conn)
                .await
                .map_err(conflict)?;
            Ok(())
        })
    }

    /// The owner of a live token (its user or visitor id): [`Store::session_caller`] without
    /// the user's role.
    pub async fn session_owner(&self, token_hash: &str, now: i64) -> Result<Option<TokenOwner>> {
        Ok(self.session_caller(token_hash, now).await?.map(|live| match live.caller {
            SessionCaller::User { id, .. } => TokenOwner::User(id),
            SessionCaller::Visitor(v) => TokenOwner::Visitor(v),
        }))
    }

    /// The owner of a live token, a user with their role and password flag, and the token's
    /// expiry, in one statement.
    pub async fn session_caller(&self, token_hash: &str, now: i64) -> Result<Option<LiveSession>> {
        on_pool!(self, |pool| {
            let row: Option<CallerRow> = sqlx::query_as(
                "SELECT s.user_id, u.role, u.must_change_password, s.visitor_id, s.expires_at FROM sessions s LEFT JOIN users u ON u.id = s.user_id
             LEFT JOIN visitors v ON v.id = s.visitor_id
             WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 AND (u.id IS NULL OR u.enabled = TRUE)
               AND (v.id IS NULL OR v.blocked_at IS NULL)",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?;
            Ok(row.and_then(|(user, role, must, visitor, expires_at)| {
                let caller = match (user, role, visitor) {
                    (Some(id), Some(role), _) => SessionCaller::User { id, role, must_change_password: must.unwrap_or(false) },
                    (None, _, Some(v)) => SessionCaller::Visitor(v),
                    _ => return None,
                };
                Some(LiveSession { caller, expires_at })
            }))
        })
    }

    /// When a token expires (None if there is no such token).
    pub async fn session_expires_at(&self, token_hash: &str) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT expires_at FROM sessions WHERE token_hash = $1").bind(token_hash).fetch_optional(pool).await?)
        })
    }

    /// Why a token no longer works, or None while it does: `revoked`, `expired`, `disabled`
    /// (its user was disabled) or `blocked` (its visitor was blocked).
    pub async fn session_end_reason(&self, token_hash: &str, now: i64) -> Result<Option<&'static str>> {
        on_pool!(self, |pool| {
            let row: Option<SessionLiveness> = sqlx::query_as(
                "SELECT s.revoked_at, s.expires_at, u.enabled, v.blocked_at FROM sessions s LEFT JOIN users u ON u.id = s.user_id
             LEFT JOIN visitors v ON v.id = s.visitor_id WHERE s.token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?;
            Ok(match row {
                None => Some("revoked"),
                Some((_, _, Some(false), _)) => Some("disabled"),
                Some((_, _, _, Some(_))) => Some("blocked"),
                Some((Some(_), _, _, _)) => Some("revoked"),
                Some((None, expires_at, _, _)) if expires_at <= now => Some("expired"),
                Some(_) => None,
            })
        })
    }

    /// Revoke every token of a visitor (blocking).
    pub async fn revoke_visitor_sessions(&self, visitor_id: i64, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE visitor_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(visitor_id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// How many tokens of a visitor or user still work (a known customer may be on several
    /// devices; an agent may be signed in on a second computer).
    pub async fn live_sessions(&self, owner: TokenOwner, now: i64) -> Result<i64> {
        on_pool!(self, |pool| {
            let (column, id) = match owner {
                TokenOwner::User(id) => ("user_id", id),
                TokenOwner::Visitor(id) => ("visitor_id", id),
            };
            Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM sessions WHERE {column} = $1 AND revoked_at IS NULL AND expires_at > $2"))
                .bind(id)
                .bind(now)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Revoke one token.
    pub async fn revoke_session(&self, token_hash: &str, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2").bind(now).bind(token_hash).execute(&mut *conn).await?;
            Ok(())
        })
    }

    /// Revoke every token of a user (password change, disabling).
    pub async fn revoke_user_sessions(&self, user_id: i64, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(user_id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Revoke every token of a user but one (the session that changed the password).
    pub async fn revoke_other_sessions(&self, user_id: i64, keep_hash: &str, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE user_id = $2 AND token_hash <> $3 AND revoked_at IS NULL")
                .bind(now)
                .bind(user_id)
                .bind(keep_hash)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Store a new API key (by hash).
    pub async fn create_api_key(&self, name: &str, prefix: &str, key_hash: &str, scopes: &str, now: i64) -> Result<ApiKeyRow> {
        in_write!(self, |conn| {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(name)
            .bind(prefix)
            .bind(key_hash)
            .bind(scopes)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)?;
            Ok(ApiKeyRow { id, name: name.into(), prefix: prefix.into(), scopes: scopes.into(), created_at: now })
        })
    }

    /// Live API keys.
    pub async fn api_keys(&self) -> Result<Vec<ApiKeyRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, name, prefix, scopes, created_at FROM api_keys WHERE revoked_at IS NULL ORDER BY id")
                .fetch_all(pool)
                .await?)
        })
    }

    /// The key with this hash, if live.
    pub async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKeyRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, name, prefix, scopes, created_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .bind(key_hash)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Revoke a key; false if there was none.
    pub async fn revoke_api_key(&self, id: i64, now: i64) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}
