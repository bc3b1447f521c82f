//! Calls across nodes (`nats_url`): a call's room lives on one node, its home — the node whose
//! socket joined the call's media first, recorded on the call row with that node's media address
//! (so both parties' SDP answers carry the same SFU's candidates). Signalling from a socket on
//! another node reaches the home by NATS request/reply on `kefu.media.<home>`; the home's frames
//! for that socket (server offers, layer hints) come back on `kefu.sock.<node>`; a room's close
//! goes to every node on `kefu.media.close`.
//!
//! Each node holds a PostgreSQL advisory lock named by its id for as long as it lives (like the
//! routing lease: the lock dies with the connection, no TTL to wait out). Every node looks at the
//! homes of open calls every `REAP_EVERY`; a home whose lock it can take is dead. Its active calls
//! go on: one survivor takes each over (`takeover`: the call row's home moves from the dead node
//! to it by compare-and-set), opens its room and sends both sides `call.moved`; their clients join
//! the new home's media with a new peer connection (a side whose socket died with the home
//! reconnects to a survivor first); the old home, if it runs on after all (taken for dead), is
//! told on `kefu.media.moved` to let go of its room. A moved call whose two sides are not both
//! back within `call_rejoin_secs` ends `home_lost`, which frees the agent's call slot. Ringing calls have no home (it is
//! claimed at the first media join), so a node's death leaves them ringing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{Connection, PgConnection};

use crate::state::AppState;

/// The advisory lock class of node liveness locks (the two-key form: no clash with the routing
/// lease's one-key lock).
const NODE_CLASS: i32 = 0x6b65_6675;
/// How often the homes of open calls are checked.
const REAP_EVERY: Duration = Duration::from_secs(2);
/// How long a forwarded signalling request waits for the home.
const HOME_WAIT: Duration = Duration::from_secs(10);

/// This node in the cluster's call plane. Cheap to share.
pub struct CallCluster {
    /// This node's id in the cluster (`Bus::node`: random at start; the name of its liveness lock).
    pub node: i64,
    /// This node's media address, as recorded on the calls it is home to.
    pub media_addr: String,
    pub(crate) client: async_nats::Client,
    /// Calls a socket of this node joined on another node: (socket, call) -> home.
    remote: Mutex<HashMap<(u64, i64), i64>>,
}

/// Signalling forwarded to a call's home.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum MediaRequest {
    Join {
        call: i64,
        node: i64,
        conn: u64,
        side: String,
        sdp: String,
        screen_mids: Vec<String>,
    },
    Renegotiate {
        call: i64,
        node: i64,
        conn: u64,
        sdp: String,
        screen_mids: Vec<String>,
    },
    Answer {
        call: i64,
        node: i64,
        conn: u64,
        sdp: String,
    },
    Leave {
        call: i64,
        node: i64,
        conn: u64,
    },
    /// The socket (of `node`) closed: its participant leaves, and its side gets the rejoin grace
    /// here, where the room is (`signal::socket_closed`).
    Vanished {
        call: i64,
        node: i64,
        conn: u64,
    },
    /// A recording change made on another node: the files of this room follow.
    Recording {
        call: i64,
        action: crate::views::RecordingAction,
    },
}

/// The home's answer: an SDP to hand the socket, nothing, or a refusal (`call.error`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum MediaReply {
    Sdp(Option<String>),
    Refused { code: String, message: String },
}

/// A frame from the home for a socket of another node.
#[derive(Debug, Serialize, Deserialize)]
struct SocketFrame {
    conn: u64,
    frame: String,
}

impl CallCluster {
    /// Take the liveness lock of `node` (this node's id in the cluster; held until the process
    /// dies) and join the call plane.
    pub async fn start(node: i64, database_url: &str, client: async_nats::Client, media_addr: String) -> anyhow::Result<Arc<CallCluster>> {
        let mut lock = PgConnection::connect(database_url).await.context("node liveness connection")?;
        sqlx::query("SELECT pg_advisory_lock($1, $2)").bind(NODE_CLASS).bind(node as i32).execute(&mut lock).await?;
        tokio::spawn(keep_alive(lock, node));
        Ok(Arc::new(CallCluster { node, media_addr, client, remote: Mutex::new(HashMap::new()) }))
    }

    pub(crate) fn remote(&self) -> std::sync::MutexGuard<'_, HashMap<(u64, i64), i64>> {
        self.remote.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The home of a call this node's socket joined elsewhere.
    pub(crate) fn home_of(&self, conn: u64, call: i64) -> Option<i64> {
        self.remote().get(&(conn, call)).copied()
    }

    pub(crate) fn joined_remotely(&self, conn: u64, call: i64, home: i64) {
        self.remote().insert((conn, call), home);
    }

    pub(crate) fn forget(&self, conn: u64, call: i64) {
        self.remote().remove(&(conn, call));
    }

    /// The calls this socket joined on other nodes: (call, home).
    pub(crate) fn remote_of_conn(&self, conn: u64) -> Vec<(i64, i64)> {
        self.remote().iter().filter(|((c, _), _)| *c == conn).map(|((_, call), home)| (*call, *home)).collect()
    }

    /// Send signalling to the call's home and wait for its reply.
    pub(crate) async fn ask(&self, home: i64, request: &MediaRequest) -> MediaReply {
        let unavailable = |m: String| MediaReply::Refused { code: "media_unavailable".into(), message: m };
        let Ok(payload) = serde_json::to_vec(request) else { return unavailable("could not encode the request".into()) };
        match tokio::time::timeout(HOME_WAIT, self.client.request(format!("kefu.media.{home}"), payload.into())).await {
            Ok(Ok(m)) => serde_json::from_slice(&m.payload).unwrap_or_else(|e| unavailable(format!("an unreadable reply: {e}"))),
            Ok(Err(e)) => unavailable(format!("the call's media node is unreachable: {e}")),
            Err(_) => unavailable("the call's media node did not answer in time".into()),
        }
    }

    /// Hand a frame to a socket of another node.
    pub(crate) fn to_socket(&self, node: i64, conn: u64, frame: &str) {
        let client = self.client.clone();
        let Ok(body) = serde_json::to_vec(&SocketFrame { conn, frame: frame.to_string() }) else { return };
        tokio::spawn(async move {
            if let Err(e) = client.publish(format!("kefu.sock.{node}"), body.into()).await {
                tracing::warn!(error = %e, "could not forward a call frame");
            }
        });
    }

    /// Tell every node to close the call's room (only its home has one).
    pub(crate) fn close_everywhere(&self, call: i64) {
        let client = self.client.clone();
        tokio::spawn(async move {
            let _ = client.publish("kefu.media.close", call.to_string().into()).await;
        });
    }
}

/// Keep the liveness lock's connection busy enough to notice it broke; a broken one means other
/// nodes may take this node for dead and take its calls over: say so loudly.
async fn keep_alive(mut lock: PgConnection, node: i64) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = sqlx::query("SELECT 1").execute(&mut lock).await {
            tracing::error!(node, error = %e, "lost the node liveness lock: other nodes will take this node's calls over");
            return;
        }
    }
}

/// Serve this node's part of the call plane for the life of the process: signalling for the
/// rooms it is home to, frames for its sockets from other homes, closes; and reap dead homes.
pub async fn run(state: AppState, cluster: Arc<CallCluster>, database_url: String) -> anyhow::Result<()> {
    let client = cluster.client.clone();
    let mut requests = client.subscribe(format!("kefu.media.{}", cluster.node)).await.context("subscribe kefu.media")?;
    let mut frames = client.subscribe(format!("kefu.sock.{}", cluster.node)).await.context("subscribe kefu.sock")?;
    let mut closes = client.subscribe("kefu.media.close").await.context("subscribe kefu.media.close")?;
    let mut moves = client.subscribe("kefu.media.moved").await.context("subscribe kefu.media.moved")?;
    let s = state.clone();
    tokio::spawn(async move {
        while let Some(m) = requests.next().await {
            let (s, client) = (s.clone(), client.clone());
            tokio::spawn(async move {
                let Some(reply) = m.reply else { return };
                let answer = match serde_json::from_slice::<MediaRequest>(&m.payload) {
                    Ok(request) => crate::calls::signal::at_home(&s, request).await,
                    Err(e) => MediaReply::Refused { code: "bad_request".into(), message: e.to_string() },
                };
                if let Ok(body) = serde_json::to_vec(&answer) {
                    let _ = client.publish(reply, body.into()).await;
                }
            });
        }
    });
    let hub = state.hub.clone();
    tokio::spawn(async move {
        while let Some(m) = frames.next().await {
            if let Ok(f) = serde_json::from_slice::<SocketFrame>(&m.payload) {
                hub.to_conn(f.conn, &Arc::from(f.frame));
            }
        }
    });
    let (media, c) = (state.calls.clone(), cluster.clone());
    tokio::spawn(async move {
        while let Some(m) = closes.next().await {
            if let Some(call) = std::str::from_utf8(&m.payload).ok().and_then(|t| t.parse::<i64>().ok()) {
                media.close_here(call);
                c.remote().retain(|(_, id), _| *id != call);
            }
        }
    });
    let (media, node) = (state.calls.clone(), cluster.node);
    tokio::spawn(async move {
        while let Some(m) = moves.next().await {
            // A node taken for dead while it runs on still has the room: it lets go of it.
            if let Some((call, home)) = super::takeover::parse_move(&m.payload) {
                if home != node {
                    media.give_up_room(call);
                }
            }
        }
    });
    tokio::spawn(reap_dead_homes(state, cluster, database_url));
    Ok(())
}

/// Take over the calls whose home died (see the module doc).
async fn reap_dead_homes(state: AppState, cluster: Arc<CallCluster>, url: String) {
    let mut probe: Option<PgConnection> = None;
    let mut tick = tokio::time::interval(REAP_EVERY);
    loop {
        tick.tick().await;
        let homes = match state.store.open_call_homes().await {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "could not list the homes of open calls");
                continue;
            }
        };
        let mut dead: HashMap<i64, bool> = HashMap::new();
        for (call, home) in homes {
            if home == cluster.node {
                continue;
            }
            let is_dead = match dead.get(&home) {
                Some(d) => *d,
                None => {
                    let d = match home_is_dead(&mut probe, &url, home).await {
                        Ok(d) => d,
                        Err(e) => {
                            tracing::warn!(error = %e, "could not check a call's home node");
                            probe = None;
                            false
                        }
                    };
                    dead.insert(home, d);
                    d
                }
            };
            if is_dead {
                super::takeover::take_over(&state, &cluster, call, home).await;
            }
        }
    }
}

/// Whether nobody holds `home`'s liveness lock (taken and given back at once to find out).
async fn home_is_dead(probe: &mut Option<PgConnection>, url: &str, home: i64) -> anyhow::Result<bool> {
    if probe.is_none() {
        *probe = Some(PgConnection::connect(url).await?);
    }
    let Some(conn) = probe.as_mut() else { return Ok(false) };
    let (taken,): (bool,) =
        sqlx::query_as("SELECT pg_try_advisory_lock($1, $2)").bind(NODE_CLASS).bind(home as i32).fetch_one(&mut *conn).await?;
    if taken {
        sqlx::query("SELECT pg_advisory_unlock($1, $2)").bind(NODE_CLASS).bind(home as i32).execute(&mut *conn).await?;
    }
    Ok(taken)
}
