//! Open call-snapshot requests (migration 0029): the agent's request is a row, so the visitor's
//! upload may answer it on any node. Decides nothing about who may ask; the server does.

use crate::{Result, Store, Tx};

/// One open request: its call and conversation, and until when (ms) it may be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct SnapshotRequestRow {
    /// The call whose camera is asked for.
    pub call_id: i64,
    /// That call's conversation (an upload answers only in it).
    pub conversation_id: i64,
    /// ms; not answerable from then on.
    pub expires_at: i64,
}

impl Store {
    /// Store a new request `id`; requests that expired by `now` go at the same time.
    pub async fn open_snapshot_request(&self, id: &str, row: SnapshotRequestRow, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM snapshot_requests WHERE expires_at <= $1").bind(now).execute(&mut *conn).await?;
            sqlx::query("INSERT INTO snapshot_requests (id, call_id, conversation_id, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(row.call_id)
                .bind(row.conversation_id)
                .bind(row.expires_at)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// The request `id`, expired or not, while it is open.
    pub async fn snapshot_request(&self, id: &str) -> Result<Option<SnapshotRequestRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as("SELECT call_id, conversation_id, expires_at FROM snapshot_requests WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?))
    }

    /// Forget the open requests of an ended call.
    pub async fn forget_snapshot_requests(&self, call: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM snapshot_requests WHERE call_id = $1").bind(call).execute(&mut *conn).await?;
            Ok(())
        })
    }
}

impl Tx {
    /// Take the request `id` (it is gone afterwards): what it was, or None if it is not open.
    /// Two uploads racing for one request: only one gets it.
    pub async fn take_snapshot_request(&mut self, id: &str) -> Result<Option<SnapshotRequestRow>> {
        on_tx!(self, |conn| Ok(sqlx::query_as(
            "DELETE FROM snapshot_requests WHERE id = $1 RETURNING call_id, conversation_id, expires_at"
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?))
    }
}
