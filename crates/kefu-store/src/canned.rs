//! Canned responses (快捷回复): personal libraries (one per user) and the team library.
//! Who may change which is the server's decision; this module only stores them.

use crate::{conflict, touched, Result, Store, StoreError};

/// A canned response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CannedRow {
    /// Id.
    pub id: i64,
    /// The owner's user id; `None` for the team library.
    pub owner_user_id: Option<i64>,
    /// Category ("" for none).
    pub category: String,
    /// Typed after `/` in the composer; unique within its library.
    pub shortcut: String,
    /// Shown in the picker.
    pub title: String,
    /// The text, with `{{variables}}` expanded by the client.
    pub body: String,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

/// Fields of a canned response being written.
#[derive(Debug, Clone)]
pub struct CannedFields<'a> {
    /// Category ("" for none).
    pub category: &'a str,
    /// Shortcut.
    pub shortcut: &'a str,
    /// Title.
    pub title: &'a str,
    /// Body.
    pub body: &'a str,
}

const COLUMNS: &str = "id, owner_user_id, category, shortcut, title, body, created_at, updated_at";

impl Store {
    /// The user's personal responses and the team's, team first, then by category and shortcut.
    /// `user` 0 (an API key) gets the team library only.
    pub async fn canned_responses(&self, user: i64, category: Option<&str>) -> Result<Vec<CannedRow>> {
        on_pool!(self, |pool| {
            let sql = format!(
                "SELECT {COLUMNS} FROM canned_responses
              WHERE (owner_user_id IS NULL OR owner_user_id = $1) AND ($2 IS NULL OR category = $3)
              ORDER BY owner_user_id IS NOT NULL, category, shortcut, id"
            );
            Ok(sqlx::query_as(&sql).bind(user).bind(category).bind(category).fetch_all(pool).await?)
        })
    }

    /// One canned response by id.
    pub async fn canned_response(&self, id: i64) -> Result<CannedRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM canned_responses WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Add one to `owner`'s library (`None` = team). A taken shortcut is a `Conflict`.
    pub async fn create_canned_response(&self, owner: Option<i64>, f: &CannedFields<'_>, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO canned_responses (owner_user_id, category, shortcut, title, body, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(owner)
            .bind(f.category)
            .bind(f.shortcut)
            .bind(f.title)
            .bind(f.body)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// Replace the fields of one. A taken shortcut is a `Conflict`.
    pub async fn update_canned_response(&self, id: i64, f: &CannedFields<'_>, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE canned_responses SET category = $1, shortcut = $2, title = $3, body = $4, updated_at = $5 WHERE id = $6",
            )
            .bind(f.category)
            .bind(f.shortcut)
            .bind(f.title)
            .bind(f.body)
            .bind(now)
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(conflict)?;
            touched(done.rows_affected())
        })
    }

    /// Remove one.
    pub async fn delete_canned_response(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("DELETE FROM canned_responses WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())
        })
    }
}
