//! The audit log of administrative changes (操作日志): append-only rows of who changed what and
//! when, with the object before and after. What goes into `before`/`after` (and that no secret
//! does) is the server's decision; this module stores rows and pages through them newest first.

use crate::{Result, Store, Tx};

/// One change to append.
#[derive(Debug, Clone)]
pub struct NewAuditEntry<'a> {
    /// The user who made it (None for an API key).
    pub actor_id: Option<i64>,
    /// The API key that made it, when not a user.
    pub api_key_id: Option<i64>,
    /// The actor's display name at the time (names change; the log keeps what was).
    pub actor_name: &'a str,
    /// What kind of object (`group`, `agent`, `webhook` ...).
    pub entity: &'a str,
    /// Which one (an id, or a name for widgets).
    pub entity_id: &'a str,
    /// `created`, `updated`, `deleted` ...
    pub action: &'a str,
    /// One line a person reads in the list, e.g. the object's name.
    pub summary: &'a str,
    /// The object before (JSON), None when created.
    pub before: Option<&'a str>,
    /// The object after (JSON), None when deleted.
    pub after: Option<&'a str>,
}

/// A stored entry.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    /// Id, increasing with time.
    pub id: i64,
    /// When (ms).
    pub at: i64,
    /// User id.
    pub actor_id: Option<i64>,
    /// API key id.
    pub api_key_id: Option<i64>,
    /// Actor's name then.
    pub actor_name: String,
    /// Kind of object.
    pub entity: String,
    /// Which object.
    pub entity_id: String,
    /// What was done.
    pub action: String,
    /// One line.
    pub summary: String,
    /// Before (JSON).
    pub before_json: Option<String>,
    /// After (JSON).
    pub after_json: Option<String>,
}

/// Which entries to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Text inside the summary, the actor's name or the object id (case-insensitive for Latin).
    pub text: Option<String>,
    /// Kind of object.
    pub entity: Option<String>,
    /// Object id (with `entity`).
    pub entity_id: Option<String>,
    /// Made by this user.
    pub actor_id: Option<i64>,
    /// From (ms, inclusive).
    pub from: Option<i64>,
    /// To (ms, exclusive).
    pub to: Option<i64>,
}

const AUDIT_COLUMNS: &str = "id, at, actor_id, api_key_id, actor_name, entity, entity_id, action, summary, before_json, after_json";

const APPEND: &str =
    "INSERT INTO admin_audit (at, actor_id, api_key_id, actor_name, entity, entity_id, action, summary, before_json, after_json)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id";

impl Tx {
    /// Append an entry inside the transaction of the change it records (it commits with it);
    /// returns its id.
    pub async fn append_audit(&mut self, e: &NewAuditEntry<'_>, now: i64) -> Result<i64> {
        on_tx!(self, |conn| {
            Ok(sqlx::query_scalar(APPEND)
                .bind(now)
                .bind(e.actor_id)
                .bind(e.api_key_id)
                .bind(e.actor_name)
                .bind(e.entity)
                .bind(e.entity_id)
                .bind(e.action)
                .bind(e.summary)
                .bind(e.before)
                .bind(e.after)
                .fetch_one(&mut *conn)
                .await?)
        })
    }
}

impl Store {
    /// Append an entry in a transaction of its own; returns its id.
    pub async fn append_audit(&self, e: &NewAuditEntry<'_>, now: i64) -> Result<i64> {
        let mut tx = self.begin().await?;
        let id = tx.append_audit(e, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Entries matching `f`, newest first, strictly older than the entry `before_id` when given
    /// (ids only grow, so a page never repeats or skips rows appended meanwhile).
    pub async fn audit_entries(&self, f: &AuditFilter, before_id: Option<i64>, limit: i64) -> Result<Vec<AuditRow>> {
        let text = f.text.as_ref().map(|t| crate::like_contains(&t.to_lowercase()));
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {AUDIT_COLUMNS} FROM admin_audit
                  WHERE id < $1
                    AND ($2 IS NULL OR LOWER(summary) LIKE $2 ESCAPE '\\' OR LOWER(actor_name) LIKE $2 ESCAPE '\\'
                         OR LOWER(entity_id) LIKE $2 ESCAPE '\\')
                    AND ($3 IS NULL OR entity = $3)
                    AND ($4 IS NULL OR entity_id = $4)
                    AND ($5 IS NULL OR actor_id = $5)
                    AND ($6 IS NULL OR at >= $6)
                    AND ($7 IS NULL OR at < $7)
                  ORDER BY id DESC LIMIT $8"
            ))
            .bind(before_id.unwrap_or(i64::MAX))
            .bind(&text)
            .bind(&f.entity)
            .bind(&f.entity_id)
            .bind(f.actor_id)
            .bind(f.from)
            .bind(f.to)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }
}
