//! Key-value settings of the organisation (kept in the database so every node sees them).

use crate::{Result, Store};

impl Store {
    /// A setting by key.
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(pool).await?))
    }

    /// Set a setting.
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Settings whose key starts with `prefix`.
    pub async fn settings_with_prefix(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT key, value FROM settings WHERE substr(key, 1, length($1)) = $1 ORDER BY key")
            .bind(prefix)
            .fetch_all(pool)
            .await?))
    }

    /// Delete a setting; false if there was none.
    pub async fn delete_setting(&self, key: &str) -> Result<bool> {
        in_write!(self, |conn| Ok(
            sqlx::query("DELETE FROM settings WHERE key = $1").bind(key).execute(&mut *conn).await?.rows_affected() > 0
        ))
    }
}
