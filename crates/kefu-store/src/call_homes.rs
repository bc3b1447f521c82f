//! Where a call's media lives in a cluster (migration 0024): the home node of its room and that
//! node's media address. The first node to claim a call keeps it; when that node dies, one
//! survivor moves it to itself (compare-and-set on the dead home); the server decides the rest.

use crate::{Result, Store};

impl Store {
    /// Make `node` (media address `addr`) the call's home unless it has one; the home it has now.
    pub async fn claim_call_home(&self, call: i64, node: i64, addr: &str) -> Result<(i64, String)> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE calls SET home_node = $2, media_addr = $3 WHERE id = $1 AND home_node IS NULL")
                .bind(call)
                .bind(node)
                .bind(addr)
                .execute(&mut *conn)
                .await?;
            let (node, addr): (Option<i64>, Option<String>) =
                sqlx::query_as("SELECT home_node, media_addr FROM calls WHERE id = $1").bind(call).fetch_one(&mut *conn).await?;
            Ok((node.unwrap_or_default(), addr.unwrap_or_default()))
        })
    }

    /// Move an active call's home from `dead` to `node` (media address `addr`), only if `dead` is
    /// still its home: of several survivors trying at once exactly one gets true.
    pub async fn move_call_home(&self, call: i64, dead: i64, node: i64, addr: &str) -> Result<bool> {
        in_write!(self, |conn| {
            let moved =
                sqlx::query("UPDATE calls SET home_node = $3, media_addr = $4 WHERE id = $1 AND home_node = $2 AND status = 'active'")
                    .bind(call)
                    .bind(dead)
                    .bind(node)
                    .bind(addr)
                    .execute(&mut *conn)
                    .await?;
            Ok(moved.rows_affected() == 1)
        })
    }

    /// The home node and media address of a call (None before anyone joined its media).
    pub async fn call_home(&self, call: i64) -> Result<Option<(i64, String)>> {
        let row: Option<(Option<i64>, Option<String>)> =
            on_pool!(self, |pool| sqlx::query_as("SELECT home_node, media_addr FROM calls WHERE id = $1")
                .bind(call)
                .fetch_optional(pool)
                .await?);
        Ok(row.and_then(|(node, addr)| Some((node?, addr.unwrap_or_default()))))
    }

    /// Calls not ended whose room has a home: (call, home node).
    pub async fn open_call_homes(&self) -> Result<Vec<(i64, i64)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, home_node FROM calls WHERE status <> 'ended' AND home_node IS NOT NULL ORDER BY id"
        )
        .fetch_all(pool)
        .await?))
    }
}
