//! Tags (标签): the admin-managed list, tags on conversations and on customers. Who may change
//! which is the server's decision; this module only stores them.

use crate::{conflict, touched, Result, Store, StoreError, Tx};

/// A tag of the admin-managed list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagRow {
    /// Id.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// No longer offered for new tagging (kept where it was used).
    pub disabled: bool,
    /// Created (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

pub(crate) const TAG_COLUMNS: &str = "t.id, t.name, t.color, t.disabled, t.created_at, t.updated_at";

impl Store {
    /// Every tag (or only the enabled ones), by name.
    pub async fn tags(&self, include_disabled: bool) -> Result<Vec<TagRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {TAG_COLUMNS} FROM tags t WHERE ($1 OR t.disabled = FALSE) ORDER BY t.name, t.id"))
                .bind(include_disabled)
                .fetch_all(pool)
                .await?)
        })
    }

    /// One tag.
    pub async fn tag(&self, id: i64) -> Result<TagRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {TAG_COLUMNS} FROM tags t WHERE t.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Add a tag; a taken name is a `Conflict`.
    pub async fn create_tag(&self, name: &str, color: &str, disabled: bool, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar("INSERT INTO tags (name, color, disabled, created_at, updated_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(name)
                .bind(color)
                .bind(disabled)
                .bind(now)
                .bind(now)
                .fetch_one(&mut *conn)
                .await
                .map_err(conflict)
        })
    }

    /// Replace a tag's fields; a taken name is a `Conflict`.
    pub async fn update_tag(&self, id: i64, name: &str, color: &str, disabled: bool, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE tags SET name = $1, color = $2, disabled = $3, updated_at = $4 WHERE id = $5")
                .bind(name)
                .bind(color)
                .bind(disabled)
                .bind(now)
                .bind(id)
                .execute(&mut *conn)
                .await
                .map_err(conflict)?;
            touched(done.rows_affected())
        })
    }

    /// Remove a tag everywhere it is used (and from the contact reasons model).
    pub async fn delete_tag(&self, id: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        on_tx!(tx, |conn| {
            for table in ["conversation_tags", "visitor_tags"] {
                sqlx::query(&format!("DELETE FROM {table} WHERE tag_id = $1")).bind(id).execute(&mut *conn).await?;
            }
            let done = sqlx::query("DELETE FROM tags WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())?;
        });
        tx.resync_reasons_of_tag(id).await?;
        tx.commit().await
    }

    /// A conversation's tags, by name.
    pub async fn conversation_tags(&self, conversation_id: i64) -> Result<Vec<TagRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {TAG_COLUMNS} FROM tags t JOIN conversation_tags c ON c.tag_id = t.id WHERE c.conversation_id = $1 ORDER BY t.name"
            ))
            .bind(conversation_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// A customer's tags, by name.
    pub async fn visitor_tags(&self, visitor_id: i64) -> Result<Vec<TagRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {TAG_COLUMNS} FROM tags t JOIN visitor_tags v ON v.tag_id = t.id WHERE v.visitor_id = $1 ORDER BY t.name"
            ))
            .bind(visitor_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Tag a customer; false if it already was.
    pub async fn add_visitor_tag(&self, visitor_id: i64, tag_id: i64, by: Option<i64>, now: i64) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "INSERT INTO visitor_tags (visitor_id, tag_id, added_by, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(visitor_id)
            .bind(tag_id)
            .bind(by)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    /// Untag a customer; false if it was not tagged.
    pub async fn remove_visitor_tag(&self, visitor_id: i64, tag_id: i64) -> Result<bool> {
        in_write!(self, |conn| {
            let done = sqlx::query("DELETE FROM visitor_tags WHERE visitor_id = $1 AND tag_id = $2")
                .bind(visitor_id)
                .bind(tag_id)
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }
}

impl Tx {
    /// A conversation's tags, read inside the transaction (for the view its events carry).
    pub async fn conversation_tags(&mut self, conversation_id: i64) -> Result<Vec<TagRow>> {
        on_tx!(self, |db| {
            Ok(sqlx::query_as(&format!(
                "SELECT {TAG_COLUMNS} FROM tags t JOIN conversation_tags c ON c.tag_id = t.id WHERE c.conversation_id = $1 ORDER BY t.name"
            ))
            .bind(conversation_id)
            .fetch_all(&mut *db)
            .await?)
        })
    }

    /// Tag a conversation; false if it already was.
    pub async fn add_conversation_tag(&mut self, conversation_id: i64, tag_id: i64, by: Option<i64>, now: i64) -> Result<bool> {
        on_tx!(self, |db| {
            let done = sqlx::query(
                "INSERT INTO conversation_tags (conversation_id, tag_id, added_by, added_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            )
            .bind(conversation_id)
            .bind(tag_id)
            .bind(by)
            .bind(now)
            .execute(&mut *db)
            .await?;
            Ok::<bool, StoreError>(done.rows_affected() > 0)
        })
        .inspect(|&done| {
            if done {
                self.reasons_stale.insert(conversation_id);
            }
        })
    }

    /// Untag a conversation; false if it was not tagged.
    pub async fn remove_conversation_tag(&mut self, conversation_id: i64, tag_id: i64) -> Result<bool> {
        on_tx!(self, |db| {
            let done = sqlx::query("DELETE FROM conversation_tags WHERE conversation_id = $1 AND tag_id = $2")
                .bind(conversation_id)
                .bind(tag_id)
                .execute(&mut *db)
                .await?;
            Ok::<bool, StoreError>(done.rows_affected() > 0)
        })
        .inspect(|&done| {
            if done {
                self.reasons_stale.insert(conversation_id);
            }
        })
    }
}
