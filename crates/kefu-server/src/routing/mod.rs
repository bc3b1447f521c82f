//! The routing task: the only owner of the `kefu_core::Router`. Routes and timers send it
//! operations over a channel; it checks each with the router, writes the result to the database,
//! then announces it. One task, no locks around the core (DESIGN.md §1).

mod apply;
mod assign;
mod batch;
mod cluster;
mod load;
mod ops;
mod query;

pub use load::{group_config, parse_status, status_text};
pub use ops::{Op, Queued};
pub use query::{AgentVerdict, Answer, GroupLine, GroupVerdict, Query, Refusal};

use std::time::Duration;

use kefu_core::{AgentSnapshot, Millis, QueueInfo, Router, RouterConfig};
use tokio::sync::{mpsc, oneshot};

use crate::clock::now_ms;
use crate::conversations::links::AttachmentLinks;
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::realtime::Hub;
use kefu_store::Store;

pub(crate) enum Command {
    Op(Op, oneshot::Sender<ApiResult<()>>),
    Query(Query, oneshot::Sender<Answer>),
}

/// A handle to the routing task, wherever it runs. Cheap to clone.
#[derive(Clone)]
pub struct Routing {
    owner: Owner,
}

/// Where the router is.
#[derive(Clone)]
enum Owner {
    /// In this process (one node).
    Local(mpsc::Sender<Command>),
    /// On whichever node holds the routing lease (`nats_url`): this one, or another by NATS.
    Cluster(cluster::Remote),
}

impl Routing {
    /// Run an operation; resolves when it is decided, stored and announced.
    pub async fn run(&self, op: Op) -> ApiResult<()> {
        let tx = match &self.owner {
            Owner::Local(tx) => tx.clone(),
            Owner::Cluster(remote) => match remote.local() {
                Some(tx) => tx,
                None => {
                    return match remote.ask(&cluster::Request::Op(op)).await? {
                        cluster::Response::Done => Ok(()),
                        cluster::Response::Failed(e) => Err(e.into()),
                        cluster::Response::Answer(a) => Err(mismatch(&a)),
                    }
                }
            },
        };
        let (reply, rx) = oneshot::channel();
        tx.send(Command::Op(op, reply)).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// Read something from the router.
    pub async fn query(&self, q: Query) -> ApiResult<Answer> {
        let tx = match &self.owner {
            Owner::Local(tx) => tx.clone(),
            Owner::Cluster(remote) => match remote.local() {
                Some(tx) => tx,
                None => {
                    return match remote.ask(&cluster::Request::Query(q)).await? {
                        cluster::Response::Answer(a) => Ok(a),
                        cluster::Response::Failed(e) => Err(e.into()),
                        cluster::Response::Done => Err(ApiError::Internal(anyhow::anyhow!("the router answered a query as an op"))),
                    }
                }
            },
        };
        let (reply, rx) = oneshot::channel();
        tx.send(Command::Query(q, reply)).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())
    }

    /// The lines of these groups, in the order asked.
    pub async fn groups(&self, ids: Vec<i64>) -> ApiResult<Vec<GroupLine>> {
        match self.query(Query::Groups { ids }).await? {
            Answer::Groups(lines) => Ok(lines),
            other => Err(mismatch(&other)),
        }
    }

    /// These agents as the router sees them, in the order asked.
    pub async fn agents(&self, ids: Vec<i64>) -> ApiResult<Vec<Option<AgentSnapshot>>> {
        match self.query(Query::Agents { ids }).await? {
            Answer::Agents(agents) => Ok(agents),
            other => Err(mismatch(&other)),
        }
    }

    /// Send operations now, in this order, to be awaited later (`Submitted::wait`): a caller
    /// that must hand over its operations in order need not wait for each to be done.
    pub async fn submit(&self, ops: Vec<Op>) -> Submitted {
        let local = match &self.owner {
            Owner::Local(tx) => Some(tx.clone()),
            Owner::Cluster(remote) => remote.local(),
        };
        let Some(tx) = local else { return Submitted(ops.into_iter().map(Sent::Remote).collect()) };
        let mut sent = Vec::with_capacity(ops.len());
        for op in ops {
            let (reply, rx) = oneshot::channel();
            sent.push(match tx.send(Command::Op(op, reply)).await {
                Ok(()) => Sent::Local(rx),
                Err(_) => Sent::Failed,
            });
        }
        Submitted(sent)
    }

    /// Where each of these conversations stands, from one moment (None: not waiting).
    pub async fn queue_infos(&self, conversations: Vec<i64>) -> ApiResult<Vec<Option<QueueInfo>>> {
        if conversations.is_empty() {
            return Ok(vec![]);
        }
        match self.query(Query::QueueInfos { conversations }).await? {
            Answer::QueueInfos(infos) => Ok(infos),
            other => Err(mismatch(&other)),
        }
    }

    /// Where a waiting conversation stands (None once it is not waiting).
    pub async fn queue_info(&self, conversation: i64) -> ApiResult<Option<QueueInfo>> {
        match self.query(Query::QueueInfo { conversation }).await? {
            Answer::QueueInfo(info) => Ok(info),
            other => Err(mismatch(&other)),
        }
    }

    /// Whether the conversation could go to each agent and group now, from one moment.
    pub async fn transfer_verdicts(
        &self,
        conversation: i64,
        agents: Vec<i64>,
        groups: Vec<i64>,
    ) -> ApiResult<(Vec<AgentVerdict>, Vec<GroupVerdict>)> {
        match self.query(Query::TransferVerdicts { conversation, agents, groups }).await? {
            Answer::TransferVerdicts { agents, groups } => Ok((agents, groups)),
            other => Err(mismatch(&other)),
        }
    }
}

/// Operations sent by `Routing::submit`, one answer each to come.
pub struct Submitted(Vec<Sent>);

enum Sent {
    /// In this process's routing task.
    Local(oneshot::Receiver<ApiResult<()>>),
    /// For the owner on another node: asked in order when awaited.
    Remote(Op),
    /// The routing task has stopped.
    Failed,
}

impl Submitted {
    /// Each operation's result, in the order sent.
    pub async fn wait(self, routing: &Routing) -> Vec<ApiResult<()>> {
        let mut out = Vec::with_capacity(self.0.len());
        for sent in self.0 {
            out.push(match sent {
                Sent::Local(rx) => rx.await.map_err(|_| gone()).and_then(|r| r),
                Sent::Remote(op) => routing.run(op).await,
                Sent::Failed => Err(gone()),
            });
        }
        out
    }
}

/// The owner answered a different query: a bug (or two versions of Kefu in one cluster).
fn mismatch(answer: &Answer) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the router answered another query: {answer:?}"))
}

fn gone() -> ApiError {
    ApiError::Internal(anyhow::anyhow!("the routing task has stopped"))
}

/// The task's state.
pub(crate) struct Engine {
    pub router: Router,
    pub store: Store,
    pub hub: Hub,
    /// Signs attachment URLs in the frames the task announces.
    pub links: AttachmentLinks,
    pub metrics: Metrics,
    /// Rooms of calls that end here (conversation closed, agent disabled, hang-up ...).
    pub calls: crate::calls::CallMedia,
    /// Told when a line or an agent changes, so floor figures and alerts follow at once.
    pub floor: crate::floor::Floor,
    pub next_tick: Option<Millis>,
    /// Visitor of each routed conversation, to send queue positions without a query.
    pub visitors: std::collections::HashMap<i64, i64>,
    /// What each waiting visitor was last told of their place, per group: only changes are sent.
    /// A customer joining the end of a line of N moves no one ahead, so telling all N again at
    /// every arrival made a long line quadratic in frames.
    pub told: std::collections::HashMap<kefu_core::GroupId, std::collections::HashMap<i64, kefu_core::QueueInfo>>,
    /// In a cluster: this ownership's lease epoch, which every routing write presents.
    pub fence: Option<Fence>,
    /// What naming a waited-for agent needs of each group, so a start reads no group row.
    pub(crate) groups: std::collections::HashMap<i64, ops::GroupNaming>,
}

/// A routing owner's fencing token (cluster only): its lease epoch, and how it learns that a
/// write was refused because another node took routing over since.
#[derive(Clone)]
pub(crate) struct Fence {
    pub epoch: i64,
    /// Notified at the first refused write: the owner steps down (routing/cluster.rs).
    pub lost: std::sync::Arc<tokio::sync::Notify>,
}

impl Engine {
    pub(crate) fn waiting_visitor(&self, conversation: i64) -> Option<i64> {
        self.visitors.get(&conversation).copied()
    }

    /// A routing write's transaction. In a cluster it first checks, in the transaction, that
    /// this owner's lease epoch is still the current one (and holds it so until commit): an
    /// owner that stalled while another node took over writes nothing.
    pub(crate) async fn begin(&self) -> ApiResult<kefu_store::Tx> {
        let mut tx = self.store.begin().await?;
        if let Some(fence) = &self.fence {
            if let Err(e) = tx.check_routing_epoch(fence.epoch).await {
                if matches!(e, kefu_store::StoreError::Fenced { .. }) {
                    tracing::error!(error = %e, "a routing write was refused: another node owns routing");
                    fence.lost.notify_one();
                }
                return Err(e.into());
            }
        }
        Ok(tx)
    }
}

/// What a routing task is made from (kept to rebuild it when this node takes the lease).
#[derive(Clone)]
pub struct EngineParts {
    pub store: Store,
    pub hub: Hub,
    pub links: AttachmentLinks,
    pub metrics: Metrics,
    pub calls: crate::calls::CallMedia,
    pub floor: crate::floor::Floor,
    pub seed: u64,
}

/// Rebuild the router from the database and start the task here (one node).
pub async fn start(parts: EngineParts) -> anyhow::Result<Routing> {
    let (tx, _task) = spawn_engine(parts, None).await?;
    Ok(Routing { owner: Owner::Local(tx) })
}

/// Route through whichever node holds the routing lease on this PostgreSQL database, competing
/// for it (several nodes, `nats_url`).
pub fn start_clustered(database_url: String, client: async_nats::Client, parts: EngineParts) -> Routing {
    Routing { owner: Owner::Cluster(cluster::start(database_url, client, parts)) }
}

/// Rebuild the router from the database and spawn the task that owns it.
pub(crate) async fn spawn_engine(
    parts: EngineParts,
    fence: Option<Fence>,
) -> anyhow::Result<(mpsc::Sender<Command>, tokio::task::JoinHandle<()>)> {
    let EngineParts { store, hub, links, metrics, calls, floor, seed } = parts;
    let router = Router::new(RouterConfig { seed, ..RouterConfig::default() });
    let mut engine = Engine {
        router,
        store,
        hub,
        links,
        metrics,
        calls,
        floor,
        next_tick: None,
        visitors: Default::default(),
        told: Default::default(),
        fence,
        groups: Default::default(),
    };
    load::restore(&mut engine).await?;
    let (tx, mut rx) = mpsc::channel::<Command>(1024);
    let task = tokio::spawn(async move {
        let mut cmds = Vec::with_capacity(batch::MAX_BATCH);
        loop {
            let sleep = match engine.next_tick {
                Some(at) => Duration::from_millis(at.0.saturating_sub(now_ms()).max(0) as u64),
                None => Duration::from_secs(3600),
            };
            tokio::select! {
                // Everything that queued while the task was busy, taken at once (`batch.rs`).
                n = rx.recv_many(&mut cmds, batch::MAX_BATCH) => {
                    if n == 0 {
                        break;
                    }
                    engine.handle(cmds.drain(..)).await;
                }
                _ = tokio::time::sleep(sleep) => {
                    if let Err(e) = engine.input(kefu_core::Input::Tick).await {
                        tracing::error!(error = ?e, "routing tick failed");
                    }
                }
            }
        }
    });
    Ok((tx, task))
}
