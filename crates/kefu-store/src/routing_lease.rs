//! The routing lease's fencing token (migration 0029): an epoch that grows by one each time a
//! node takes routing ownership. A routing write checks it in its own transaction, so a stale
//! owner's write is refused however late it arrives. Who holds the lease is the server's affair.

use crate::{Result, Store, StoreError, Tx};

impl Store {
    /// Begin an ownership: the epoch after this one's increment, which every write of this
    /// owner must then present. Waits for routing writes of the previous owner in flight (their
    /// check holds the row until they commit), so the new owner's rebuild reads them.
    pub async fn take_routing_epoch(&self) -> Result<i64> {
        in_write!(self, |conn| {
            Ok(sqlx::query_scalar(
                "INSERT INTO routing_lease (name, epoch) VALUES ('routing', 1)
                 ON CONFLICT (name) DO UPDATE SET epoch = routing_lease.epoch + 1 RETURNING epoch",
            )
            .fetch_one(&mut *conn)
            .await?)
        })
    }

    /// The current routing epoch (0 before any node took routing). A node asking the owner
    /// reads it before it sends: if it grows while no answer has come, the owner that had the
    /// request lost routing (fenced: whatever it wrote committed before the new owner's
    /// rebuild), and the request goes to the next one.
    pub async fn routing_epoch(&self) -> Result<i64> {
        let epoch: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar("SELECT epoch FROM routing_lease WHERE name = 'routing'")
            .fetch_optional(pool)
            .await?);
        Ok(epoch.unwrap_or(0))
    }
}

impl Tx {
    /// Refuse (`StoreError::Fenced`) unless `epoch` is still the current routing epoch; on
    /// PostgreSQL the row stays shared-locked until this transaction ends, so no owner can
    /// take over between the check and the commit.
    pub async fn check_routing_epoch(&mut self, epoch: i64) -> Result<()> {
        let current: Option<i64> = on_tx!(self, |conn| sqlx::query_scalar(&format!(
            "SELECT epoch FROM routing_lease WHERE name = 'routing'{}",
            dialect::FOR_SHARE
        ))
        .fetch_optional(&mut *conn)
        .await?);
        match current {
            Some(current) if current == epoch => Ok(()),
            current => Err(StoreError::Fenced { held: epoch, current: current.unwrap_or(0) }),
        }
    }
}
