//! Routing across nodes (`nats_url`): exactly one node owns the router, the one holding a
//! PostgreSQL advisory lock on a dedicated connection (the lease). The owner runs the routing
//! task and answers `kefu.routing` requests; the other nodes send their `Op`s and `Query`s there
//! (NATS request/reply). When the owner dies its connection closes, PostgreSQL frees the lock,
//! and another node takes it and rebuilds the router from the database, as a restart does.
//!
//! Why an advisory lock rather than a NATS KV entry with a TTL: the lock lives exactly as long as
//! the owner's database connection, so a dead owner frees it at once (no TTL to wait out), and
//! the database that holds the truth is the one that says who may write routing decisions.
//!
//! No two owners at once, even when only the owner's lock connection breaks (the process lives
//! on): the owner checks that connection every `CHECK_EVERY`, each check bounded by
//! `CHECK_TIMEOUT`, and stops routing at the first failure; a node that takes the lock waits
//! `TAKEOVER_GRACE` (longer than the two together, twice) before it routes, so the old owner has
//! stopped by then.
//!
//! Timers are not a guarantee (a process can stall longer than any grace), so routing writes are
//! also fenced: a node that takes the lock increments the lease epoch in PostgreSQL, and every
//! routing write checks in its own transaction that its owner's epoch is still the current one
//! (`Engine::begin`). A stale owner's write is refused, and the owner steps down at the first
//! refusal.

use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection};
use tokio::sync::{mpsc, oneshot, watch};

use crate::error::{ApiError, ApiResult, ErrorCode, ErrorParams};
use crate::routing::{Answer, Command, EngineParts, Fence, Op, Query};

/// The subject the owner answers on.
const SUBJECT: &str = "kefu.routing";
/// The advisory lock's class ("ke" + routing, any constant the operator's other apps do not use);
/// its second key is a hash of the schema Kefu's tables are in. Advisory locks belong to the
/// whole database: two deployments in two schemas of one database (or two cluster tests side by
/// side) would otherwise share one lease, and one of them would route nothing.
const LEASE_CLASS: i32 = 0x6b65_0001;
/// How often a node without the lease tries to take it.
const LEASE_EVERY: Duration = Duration::from_millis(500);
/// How often the owner checks its lock connection, and how long a check may take (generous: a
/// check that times out on a busy database hands routing over for nothing).
const CHECK_EVERY: Duration = Duration::from_millis(250);
const CHECK_TIMEOUT: Duration = Duration::from_millis(750);
/// How long a node that took the lock waits before routing: twice the longest a failed owner
/// takes to notice, so it has stopped by then. Failover takes this much longer.
const TAKEOVER_GRACE: Duration = Duration::from_secs(2);
/// The lease connection's name in `pg_stat_activity` (operators, and the cluster test, find it).
const LEASE_APP_NAME: &str = "kefu-routing-lease";
/// How long a request waits for an answer once an owner received it.
const ANSWER_WAIT: Duration = Duration::from_secs(10);
/// How long a request keeps trying while no node owns the router (a failover).
const OWNER_WAIT: Duration = Duration::from_secs(15);
/// How often a request waiting for its answer checks whether routing changed hands (a
/// normal answer comes in milliseconds, before the first check).
const OWNER_CHECK_EVERY: Duration = Duration::from_millis(250);

/// What a node asks the owner.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Request {
    Op(Op),
    Query(Query),
}

/// The owner's answer.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Response {
    Done,
    Answer(Answer),
    Failed(WireError),
}

/// An `ApiError` on the wire: its code and message (the cause of an internal error stays in
/// the owner's log).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct WireError {
    code: ErrorCode,
    message: String,
}

impl From<ApiError> for WireError {
    fn from(e: ApiError) -> WireError {
        if let ApiError::Internal(cause) = &e {
            tracing::error!(error = ?cause, "a routing request from another node failed");
        }
        WireError { code: e.code(), message: e.to_string() }
    }
}

impl From<WireError> for ApiError {
    fn from(w: WireError) -> ApiError {
        match w.code {
            ErrorCode::Validation => ApiError::Validation(w.message),
            ErrorCode::Forbidden => ApiError::Forbidden(w.message),
            ErrorCode::NotFound => ApiError::NotFound(w.message),
            ErrorCode::Conflict => ApiError::Conflict(w.message),
            ErrorCode::Internal => ApiError::Internal(anyhow::anyhow!("the routing owner failed: {}", w.message)),
            code => ApiError::coded(code, w.message, ErrorParams::default()),
        }
    }
}

/// A node's way to the router: its own routing task while it holds the lease, else the owner.
#[derive(Clone)]
pub(crate) struct Remote {
    client: async_nats::Client,
    /// Where the lease epoch is read.
    store: kefu_store::Store,
    local: watch::Receiver<Option<mpsc::Sender<Command>>>,
}

impl Remote {
    /// The local task's channel, while this node owns the router.
    pub(crate) fn local(&self) -> Option<mpsc::Sender<Command>> {
        self.local.borrow().clone()
    }

    /// Ask the owner, waiting through a failover (no owner yet) but not past `OWNER_WAIT`.
    ///
    /// An owner that dies with a request unanswered (or one NATS handed the request to in the
    /// instant before it removed the dead owner's subscription) never answers. Rather than
    /// wait that out and fail, the request watches the lease epoch: once it has grown past the
    /// one read before sending, the owner that had the request can write nothing more (its
    /// writes are fenced; what it committed is in the new owner's rebuild), and the request
    /// goes to the next owner, which decides it on what is stored.
    pub(crate) async fn ask(&self, request: &Request) -> ApiResult<Response> {
        let payload = serde_json::to_vec(request).map_err(|e| ApiError::Internal(e.into()))?;
        let deadline = tokio::time::Instant::now() + OWNER_WAIT;
        loop {
            let epoch = self.store.routing_epoch().await?;
            let asked = tokio::time::timeout(ANSWER_WAIT, self.client.request(SUBJECT, payload.clone().into()));
            let asked = tokio::select! {
                asked = asked => asked,
                () = self.owner_changed(epoch) => {
                    if tokio::time::Instant::now() >= deadline {
                        return Err(ApiError::Internal(anyhow::anyhow!("routing changed hands and no owner answered in time")));
                    }
                    tracing::warn!(epoch, "routing changed hands while a request waited for its answer: asking the next owner");
                    continue;
                }
            };
            match asked {
                Ok(Ok(msg)) => return serde_json::from_slice(&msg.payload).map_err(|e| ApiError::Internal(e.into())),
                // Nobody owns the router this instant: wait for the next owner.
                Ok(Err(e)) if e.kind() == async_nats::RequestErrorKind::NoResponders && tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Ok(Err(e)) => return Err(ApiError::Internal(anyhow::anyhow!("routing owner unreachable: {e}"))),
                // The owner took it and went quiet while keeping routing: whether it was done is not known.
                Err(_) => return Err(ApiError::Internal(anyhow::anyhow!("the routing owner did not answer in time"))),
            }
        }
    }

    /// Returns once the routing epoch is no longer `epoch` (checked every `OWNER_CHECK_EVERY`).
    async fn owner_changed(&self, epoch: i64) {
        loop {
            tokio::time::sleep(OWNER_CHECK_EVERY).await;
            match self.store.routing_epoch().await {
                Ok(now) if now != epoch => return,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "could not read the routing epoch"),
            }
        }
    }
}

/// Start competing for the lease; the returned handle routes through whoever holds it.
pub(crate) fn start(database_url: String, client: async_nats::Client, parts: EngineParts) -> Remote {
    let (owned_tx, owned_rx) = watch::channel(None);
    let store = parts.store.clone();
    tokio::spawn(hold_lease(database_url, client.clone(), parts, owned_tx));
    Remote { client, store, local: owned_rx }
}

async fn hold_lease(url: String, client: async_nats::Client, parts: EngineParts, owned: watch::Sender<Option<mpsc::Sender<Command>>>) {
    loop {
        match own_while_held(&url, &client, &parts, &owned).await {
            Ok(()) => {}
            Err(e) => tracing::warn!(error = ?e, "routing lease"),
        }
        owned.send_replace(None);
        parts.metrics.routing_owner.set(0);
        tokio::time::sleep(LEASE_EVERY).await;
    }
}

/// Take the lease (waiting for it), run the router while the lock connection lives.
async fn own_while_held(
    url: &str,
    client: &async_nats::Client,
    parts: &EngineParts,
    owned: &watch::Sender<Option<mpsc::Sender<Command>>>,
) -> anyhow::Result<()> {
    let options = url.parse::<sqlx::postgres::PgConnectOptions>().context("database_url")?.application_name(LEASE_APP_NAME);
    let mut lock = PgConnection::connect_with(&options).await.context("lease connection")?;
    loop {
        let (taken,): (bool,) =
            sqlx::query_as("SELECT pg_try_advisory_lock($1, hashtext(current_schema()))").bind(LEASE_CLASS).fetch_one(&mut lock).await?;
        if taken {
            break;
        }
        tokio::time::sleep(LEASE_EVERY).await;
    }
    // From now on the previous owner's routing writes are refused (its writes in flight
    // commit first: their epoch check holds the row).
    let epoch = parts.store.take_routing_epoch().await.context("routing lease epoch")?;
    // The owner before may not have noticed yet that it lost the lock (see the module doc).
    tokio::time::sleep(TAKEOVER_GRACE).await;
    if let Err(e) = held(&mut lock).await {
        anyhow::bail!("lost the lease connection while waiting to route: {e}");
    }
    let started = std::time::Instant::now();
    let lost = std::sync::Arc::new(tokio::sync::Notify::new());
    let fence = Fence { epoch, lost: lost.clone() };
    let (tx, task) = crate::routing::spawn_engine(parts.clone(), Some(fence)).await.context("failed to rebuild the router")?;
    let mut requests = client.subscribe(SUBJECT).await.context("subscribe kefu.routing")?;
    owned.send_replace(Some(tx.clone()));
    parts.metrics.routing_owner.set(1);
    tracing::info!(epoch, rebuilt_ms = started.elapsed().as_millis() as u64, "this node owns routing now");
    let mut check = tokio::time::interval(CHECK_EVERY);
    let result = loop {
        tokio::select! {
            m = requests.next() => {
                let Some(m) = m else { break Err(anyhow::anyhow!("the kefu.routing subscription ended")) };
                let (tx, client) = (tx.clone(), client.clone());
                tokio::spawn(async move {
                    let Some(reply) = m.reply else { return };
                    let response = match serde_json::from_slice::<Request>(&m.payload) {
                        Ok(request) => answer(&tx, request).await,
                        Err(e) => Response::Failed(ApiError::Internal(e.into()).into()),
                    };
                    if let Ok(body) = serde_json::to_vec(&response) {
                        let _ = client.publish(reply, body.into()).await;
                    }
                });
            }
            _ = lost.notified() => {
                break Err(anyhow::anyhow!("a routing write was fenced off: another node took routing over (epoch {epoch} is stale)"));
            }
            _ = check.tick() => {
                // The lock lives with this connection: if it broke, another node may hold it soon.
                if let Err(e) = held(&mut lock).await {
                    break Err(anyhow::anyhow!("lost the lease connection: {e}"));
                }
            }
        }
    };
    owned.send_replace(None);
    parts.metrics.routing_owner.set(0);
    drop(requests);
    task.abort();
    tracing::error!("this node no longer owns routing");
    result
}

/// Whether the lock connection still answers, within `CHECK_TIMEOUT`.
async fn held(lock: &mut PgConnection) -> anyhow::Result<()> {
    match tokio::time::timeout(CHECK_TIMEOUT, sqlx::query("SELECT 1").execute(lock)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(anyhow::anyhow!("no answer within {CHECK_TIMEOUT:?}")),
    }
}

/// Hand a request to the local routing task.
async fn answer(tx: &mpsc::Sender<Command>, request: Request) -> Response {
    match request {
        Request::Op(op) => {
            let (reply, rx) = oneshot::channel();
            if tx.send(Command::Op(op, reply)).await.is_err() {
                return Response::Failed(ApiError::Internal(anyhow::anyhow!("the routing task has stopped")).into());
            }
            match rx.await {
                Ok(Ok(())) => Response::Done,
                Ok(Err(e)) => Response::Failed(e.into()),
                Err(_) => Response::Failed(ApiError::Internal(anyhow::anyhow!("the routing task has stopped")).into()),
            }
        }
        Request::Query(q) => {
            let (reply, rx) = oneshot::channel();
            if tx.send(Command::Query(q, reply)).await.is_err() {
                return Response::Failed(ApiError::Internal(anyhow::anyhow!("the routing task has stopped")).into());
            }
            match rx.await {
                Ok(a) => Response::Answer(a),
                Err(_) => Response::Failed(ApiError::Internal(anyhow::anyhow!("the routing task has stopped")).into()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_code_across_nodes() {
        let e: ApiError = WireError::from(ApiError::Conflict("taken".into())).into();
        assert!(matches!(e, ApiError::Conflict(ref m) if m == "taken"));
        let closed = ApiError::coded(ErrorCode::AlreadyClosed, "closed", ErrorParams::default());
        let e: ApiError = WireError::from(closed).into();
        assert_eq!(e.code(), ErrorCode::AlreadyClosed);
        let op = Request::Op(Op::EndCall { call: 3, reason: "hangup".into(), only_if: None });
        let back: Request = serde_json::from_str(&serde_json::to_string(&op).unwrap()).unwrap();
        assert!(matches!(back, Request::Op(Op::EndCall { call: 3, .. })));
    }
}
