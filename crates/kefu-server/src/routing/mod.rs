//! The routing task: the only owner of the `kefu_core::Router`. Routes and timers send it
//! operations over a channel; it checks each with the router, writes the result to the database,
//! then announces it. One task, no locks around the core (DESIGN.md §1).

mod apply;
mod load;
mod ops;

pub use load::{group_config, parse_status, status_text};
pub use ops::Op;

use std::time::Duration;

use kefu_core::{Millis, Router, RouterConfig};
use tokio::sync::{mpsc, oneshot};

use crate::clock::now_ms;
use crate::conversations::links::AttachmentLinks;
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::realtime::Hub;
use kefu_store::Store;

type Query = Box<dyn FnOnce(&Router, Millis) + Send>;

enum Command {
    Op(Op, oneshot::Sender<ApiResult<()>>),
    Query(Query),
}

/// A handle to the routing task. Cheap to clone.
#[derive(Clone)]
pub struct Routing {
    tx: mpsc::Sender<Command>,
}

impl Routing {
    /// Run an operation; resolves when it is decided, stored and announced.
    pub async fn run(&self, op: Op) -> ApiResult<()> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::Op(op, reply)).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// Read something from the router.
    pub async fn query<T: Send + 'static>(&self, f: impl FnOnce(&Router, Millis) -> T + Send + 'static) -> ApiResult<T> {
        let (reply, rx) = oneshot::channel();
        let q: Query = Box::new(move |router, now| {
            let _ = reply.send(f(router, now));
        });
        self.tx.send(Command::Query(q)).await.map_err(|_| gone())?;
        rx.await.map_err(|_| gone())
    }
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
}

impl Engine {
    pub(crate) fn waiting_visitor(&self, conversation: i64) -> Option<i64> {
        self.visitors.get(&conversation).copied()
    }
}

/// Rebuild the router from the database and start the task.
pub async fn start(
    store: Store,
    hub: Hub,
    links: AttachmentLinks,
    metrics: Metrics,
    calls: crate::calls::CallMedia,
    floor: crate::floor::Floor,
    seed: u64,
) -> anyhow::Result<Routing> {
    let router = Router::new(RouterConfig { seed, ..RouterConfig::default() });
    let mut engine = Engine { router, store, hub, links, metrics, calls, floor, next_tick: None, visitors: Default::default() };
    load::restore(&mut engine).await?;
    let (tx, mut rx) = mpsc::channel::<Command>(1024);
    tokio::spawn(async move {
        loop {
            let sleep = match engine.next_tick {
                Some(at) => Duration::from_millis(at.0.saturating_sub(now_ms()).max(0) as u64),
                None => Duration::from_secs(3600),
            };
            tokio::select! {
                cmd = rx.recv() => match cmd {
                    Some(Command::Op(op, reply)) => {
                        let result = engine.run(op).await;
                        let _ = reply.send(result);
                    }
                    Some(Command::Query(q)) => q(&engine.router, Millis(now_ms())),
                    None => break,
                },
                _ = tokio::time::sleep(sleep) => {
                    if let Err(e) = engine.input(kefu_core::Input::Tick).await {
                        tracing::error!(error = ?e, "routing tick failed");
                    }
                }
            }
        }
    });
    Ok(Routing { tx })
}
