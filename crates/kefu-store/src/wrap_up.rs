//! Wrap-up codes (服务小结): the admin-kept, ordered list an agent picks from when closing.

use crate::{conflict, touched, Result, Store};

/// A wrap-up code (服务小结).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WrapUpCodeRow {
    /// Id.
    pub id: i64,
    /// Short code, stored on the conversations closed with it.
    pub code: String,
    /// Label.
    pub label: String,
    /// Place in the list (ascending).
    pub position: i64,
    /// Not offered when closing; old conversations keep it.
    pub disabled: bool,
}

impl Store {
    /// All wrap-up codes, disabled ones included, in the admin's order.
    pub async fn wrap_up_codes(&self) -> Result<Vec<WrapUpCodeRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT id, code, label, position, disabled FROM wrap_up_codes ORDER BY position, id")
            .fetch_all(pool)
            .await?))
    }

    /// Add a wrap-up code at the end of the list.
    pub async fn create_wrap_up_code(&self, code: &str, label: &str) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO wrap_up_codes (code, label, position)
                 VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM wrap_up_codes)) RETURNING id",
            )
            .bind(code)
            .bind(label)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// Change a code's label and whether it is disabled (the code itself stays: closed
    /// conversations refer to it).
    pub async fn update_wrap_up_code(&self, id: i64, label: &str, disabled: bool) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE wrap_up_codes SET label = $1, disabled = $2 WHERE id = $3")
                .bind(label)
                .bind(disabled)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// Put the codes in this order. False (and nothing changed) unless `ids` names every code
    /// exactly once: a list from before someone else's add or delete must not drop a code.
    pub async fn reorder_wrap_up_codes(&self, ids: &[i64]) -> Result<bool> {
        let mut given = ids.to_vec();
        given.sort_unstable();
        in_write!(self, |conn| {
            let known: Vec<i64> = sqlx::query_scalar(&format!("SELECT id FROM wrap_up_codes ORDER BY id{}", dialect::FOR_UPDATE))
                .fetch_all(&mut *conn)
                .await?;
            let complete = given == known;
            if complete {
                for (i, id) in ids.iter().enumerate() {
                    sqlx::query("UPDATE wrap_up_codes SET position = $1 WHERE id = $2")
                        .bind(i as i64 + 1)
                        .bind(*id)
                        .execute(&mut *conn)
                        .await?;
                }
            }
            Ok(complete)
        })
    }

    /// Remove a wrap-up code.
    pub async fn delete_wrap_up_code(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("DELETE FROM wrap_up_codes WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())
        })
    }
}
