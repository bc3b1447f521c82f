//! Which nodes of the cluster are alive, so that a revocation knows whose confirmation to wait
//! for (`bus`). Owns this node's id and its membership lock; decides nothing.
//!
//! Each node holds, for as long as it lives, a PostgreSQL advisory lock on a connection of its
//! own, like the call plane's liveness lock (`calls::cluster`) and the routing lease: the lock
//! dies with the connection, so a dead node drops out at once, with no TTL to wait out. This
//! lock's key carries the schema (one 64-bit key: the hash of the schema, then the node id), so
//! the nodes of another deployment, or of another cluster test, in another schema of the same
//! database are not counted. The live nodes are the holders of these locks (`pg_locks`).
//!
//! A node takes its lock only once it listens for revocations, and trusts its session cache only
//! while it holds the lock: so a node that may answer from its cache is always among those a
//! revocation waits for. A node whose lock connection breaks stops trusting its cache at once,
//! and takes the lock again as soon as it can (its cache is emptied before it is trusted again).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sqlx::{Connection, PgConnection};
use tokio::sync::{Mutex, Notify};

/// How often the lock connection is checked (a broken one means other nodes no longer wait for
/// this one: its cache must go out of use soon after), and how long a check may take.
const CHECK_EVERY: Duration = Duration::from_secs(1);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);
/// The membership connection's name in `pg_stat_activity` (operators, and tests, find it).
const APP_NAME: &str = "kefu-node";

/// Take this node's lock: the high half of the key is the schema's hash, the low half the id.
const LOCK: &str = "SELECT pg_advisory_lock((hashtext(current_schema())::int8 << 32) | $1)";
/// The ids of every node of this schema that holds its lock now.
const LIVE: &str = "SELECT objid::int8 FROM pg_locks
    WHERE locktype = 'advisory' AND objsubid = 1 AND granted
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::int8 = (hashtext(current_schema())::int8 & 4294967295)";

/// This node among the others. Cheap to share.
pub(crate) struct Nodes {
    /// This node's id (random at start; the low half of its lock's key).
    pub(crate) id: i64,
    url: String,
    /// The connection holding the lock, once taken (also used to list the live nodes).
    conn: Mutex<Option<PgConnection>>,
    /// Whether this node holds its lock now.
    held: AtomicBool,
    /// Told when the lock was taken again after it was lost: the cache is emptied, then trusted.
    pub(crate) rejoined: Arc<Notify>,
}

impl Nodes {
    /// A node with a fresh id, not yet counted ([`Nodes::join`]).
    pub(crate) fn new(database_url: &str) -> Nodes {
        Nodes {
            id: i64::from(rand::random::<u32>() >> 1),
            url: database_url.to_string(),
            conn: Mutex::new(None),
            held: AtomicBool::new(false),
            rejoined: Arc::new(Notify::new()),
        }
    }

    /// Whether this node holds its lock now (other nodes wait for it).
    pub(crate) fn counted(&self) -> bool {
        self.held.load(Ordering::SeqCst)
    }

    /// Take the lock, and keep it for the life of the process (checked, taken again when lost).
    pub(crate) async fn join(self: &Arc<Nodes>) -> anyhow::Result<()> {
        let conn = self.take_lock().await.context("node membership lock")?;
        *self.conn.lock().await = Some(conn);
        self.held.store(true, Ordering::SeqCst);
        tracing::info!(node = self.id, "this node is counted among the cluster's nodes");
        tokio::spawn(self.clone().keep());
        Ok(())
    }

    async fn take_lock(&self) -> anyhow::Result<PgConnection> {
        let options = self.url.parse::<sqlx::postgres::PgConnectOptions>().context("database_url")?.application_name(APP_NAME);
        let mut conn = PgConnection::connect_with(&options).await?;
        sqlx::query(LOCK).bind(self.id).execute(&mut conn).await?;
        Ok(conn)
    }

    /// Check the lock connection; when it broke, stop being trusted and take the lock again.
    async fn keep(self: Arc<Nodes>) {
        let mut tick = tokio::time::interval(CHECK_EVERY);
        loop {
            tick.tick().await;
            let ok = {
                let mut conn = self.conn.lock().await;
                let checked = match conn.as_mut() {
                    Some(c) => matches!(tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(c)).await, Ok(Ok(_))),
                    None => false,
                };
                if !checked {
                    *conn = None;
                }
                checked
            };
            if ok {
                continue;
            }
            if self.held.swap(false, Ordering::SeqCst) {
                tracing::error!(
                    node = self.id,
                    "lost the node membership lock: this node reads every token from the database until it has it again"
                );
            }
            match self.take_lock().await {
                Ok(conn) => {
                    *self.conn.lock().await = Some(conn);
                    tracing::info!(node = self.id, "took the node membership lock again");
                    // Counted again; the cache is trusted once it has been emptied (`bus`).
                    self.rejoined.notify_one();
                }
                Err(e) => tracing::warn!(node = self.id, error = %e, "could not take the node membership lock again"),
            }
        }
    }

    /// Mark the lock held again, once the cache has been emptied after it was lost.
    pub(crate) async fn trust_again(&self) {
        if self.conn.lock().await.is_some() {
            self.held.store(true, Ordering::SeqCst);
        }
    }

    /// The other live nodes (this one left out).
    pub(crate) async fn others(&self) -> anyhow::Result<Vec<i64>> {
        let mut conn = self.conn.lock().await;
        let conn = conn.as_mut().context("this node does not hold its membership lock")?;
        let ids: Vec<(i64,)> = sqlx::query_as(LIVE).fetch_all(conn).await?;
        Ok(ids.into_iter().map(|(id,)| id).filter(|id| *id != self.id).collect())
    }
}
