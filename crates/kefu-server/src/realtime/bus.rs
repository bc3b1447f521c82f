//! The hub's link to other nodes over NATS (`--nats-url`): frames are published on `kefu.<topic>`
//! subjects and every node's hub delivers what it hears to its own sockets; session ends travel
//! the same way; presence is asked of every node (request/reply). Without NATS none of this runs
//! and the hub delivers locally. Owns no socket and decides nothing.
//!
//! Frames published while a node's NATS connection is down may never arrive (NATS keeps no
//! history). Conversation events are in the database by sequence number, so a lost frame is
//! a gap a client can fill with `resume`; but the client must know to. So a node that
//! reconnects publishes `kefu.resync`, and every node (itself too) sends its sockets a
//! `resync` frame: they re-send `resume` and get what they missed; and forgets the tokens it
//! remembered, since session ends may have been lost the same way.
//!
//! A session end (logout, password or role change, disabling, blocking, a revoked API key) is a
//! NATS request that every node answers with its id once it has applied it (forgotten the
//! tokens, closed the sockets). The revoking node waits for the answer of every live node —
//! those holding their membership lock in PostgreSQL (`nodes`), listed after the revocation was
//! committed — so when the revoking request is answered, no node lets the token in any more.
//! The wait is bounded (`REVOKE_WAIT`): a node that does not answer in time is named in the log,
//! and the logout is answered anyway. Why not JetStream acknowledgements or an epoch checked
//! against PostgreSQL: the first needs a stream and a consumer per node to watch, the second a
//! database read per request, which is what the cache saves; request/reply needs only the set
//! of live nodes, which the membership lock gives exactly (a node counted late cannot have the
//! token cached: it takes its lock before it trusts its cache).
//!
//! A node trusts its cache only while it cannot have missed a session end: connected to NATS,
//! holding its membership lock, and with no doubt since its cache was last emptied (a lost
//! connection, a subscription that dropped messages as a slow consumer, a lost lock: each empties
//! the cache before it is trusted again).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify};

use crate::realtime::hub::{Hub, Topic};
use crate::realtime::nodes::Nodes;
use crate::views::SessionEndReason;

/// How long a presence question waits for a node that holds the socket. Nodes without it stay
/// silent, so "offline" costs this long; it is asked only after a grace period of seconds.
const PRESENCE_WAIT: Duration = Duration::from_millis(400);

/// How long a revocation waits for every live node to confirm it before it answers anyway (a
/// node that did not is named in the log; its cache forgets the token when the message reaches
/// it, or at its time limit at the latest).
const REVOKE_WAIT: Duration = Duration::from_secs(2);

/// What travels on `kefu.deliver.*` and `kefu.close.*`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Envelope {
    /// A frame for the sockets of a topic.
    Deliver { topic: Topic, frame: String },
    /// End these connections (logout, revocation, blocking ...) wherever they are.
    Close { target: CloseTarget, reason: SessionEndReason },
}

/// Which connections a close ends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum CloseTarget {
    Session(String),
    User {
        id: i64,
        keep: Option<String>,
    },
    Visitor(i64),
    /// An integrator's key (by id): it has no sockets, but nodes may remember it.
    ApiKey(i64),
}

impl CloseTarget {
    fn subject(&self) -> &'static str {
        match self {
            CloseTarget::Session(_) => "kefu.close.session",
            CloseTarget::User { .. } => "kefu.close.user",
            CloseTarget::Visitor(_) => "kefu.close.visitor",
            CloseTarget::ApiKey(_) => "kefu.close.api_key",
        }
    }
}

/// What the publishing task is handed: a payload for a subject, with the subject answers go to.
struct Outgoing {
    subject: String,
    payload: String,
    reply: Option<String>,
}

/// Whether the cache may be trusted, as far as NATS goes: each doubt (a lost connection, dropped
/// messages) moves `doubts` on; the cache is trusted again once it was emptied after the last one.
#[derive(Default)]
struct Doubts {
    doubts: AtomicU64,
    /// The doubt count the cache was last emptied after.
    cleared: AtomicU64,
    /// Told at each doubt.
    raised: Notify,
}

impl Doubts {
    fn raise(&self) {
        self.doubts.fetch_add(1, Ordering::SeqCst);
        self.raised.notify_one();
    }

    fn none(&self) -> bool {
        self.cleared.load(Ordering::SeqCst) == self.doubts.load(Ordering::SeqCst)
    }
}

/// A connection to NATS. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    /// One queue to one publishing task, so frames leave in the order they were handed over
    /// (a task per publish would reorder a conversation's events).
    outbox: mpsc::UnboundedSender<Outgoing>,
    /// Told each time the connection comes back after a loss.
    reconnected: Arc<Notify>,
    doubts: Arc<Doubts>,
    /// This node among the live ones (who a revocation waits for).
    nodes: Arc<Nodes>,
}

/// Where a node tells every node that frames may have been lost.
const RESYNC: &str = "kefu.resync";

impl Bus {
    /// Connect; fails when the server cannot be reached at start (later losses are retried by
    /// the client and shown by `/readyz`). `database_url` is where the live nodes are listed.
    pub async fn connect(url: &str, database_url: &str) -> anyhow::Result<Bus> {
        let reconnected = Arc::new(Notify::new());
        let doubts = Arc::new(Doubts::default());
        let (told, lost, doubted) = (reconnected.clone(), Arc::new(AtomicBool::new(false)), doubts.clone());
        let client = async_nats::ConnectOptions::new()
            .name("kefu")
            .event_callback(move |event| {
                let (told, lost, doubted) = (told.clone(), lost.clone(), doubted.clone());
                async move {
                    match event {
                        async_nats::Event::Disconnected => {
                            tracing::warn!("lost the connection to NATS; frames may be lost until it is back");
                            lost.store(true, Ordering::SeqCst);
                            doubted.raise();
                        }
                        async_nats::Event::Connected if lost.swap(false, Ordering::SeqCst) => {
                            tracing::info!("connected to NATS again: clients resync");
                            told.notify_one();
                        }
                        // Messages were dropped: session ends among them, perhaps.
                        async_nats::Event::SlowConsumer(sid) => {
                            // Said once per doubt: an overloaded node drops many.
                            if doubted.none() {
                                tracing::warn!(
                                    sid,
                                    "a NATS subscription dropped messages (slow consumer): remembered tokens are forgotten"
                                );
                            }
                            doubted.raise();
                        }
                        _ => {}
                    }
                }
            })
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .with_context(|| format!("failed to connect to NATS at {url} (nats_url)"))?;
        // `retry_on_initial_connect` returns at once: wait (bounded) for the first connection.
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while client.connection_state() != async_nats::connection::State::Connected {
            if tokio::time::Instant::now() > deadline {
                anyhow::bail!("failed to connect to NATS at {url} (nats_url) within 10 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let (outbox, mut rx) = mpsc::unbounded_channel::<Outgoing>();
        let publisher = client.clone();
        tokio::spawn(async move {
            while let Some(Outgoing { subject, payload, reply }) = rx.recv().await {
                let sent = match reply {
                    Some(reply) => publisher.publish_with_reply(subject, reply, payload.into()).await,
                    None => publisher.publish(subject, payload.into()).await,
                };
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "could not publish to NATS");
                }
            }
        });
        Ok(Bus { client, outbox, reconnected, doubts, nodes: Arc::new(Nodes::new(database_url)) })
    }

    /// The client, for the other cluster parts (routing requests, lease).
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// This node's id in the cluster.
    pub fn node(&self) -> i64 {
        self.nodes.id
    }

    /// Whether the connection to NATS is up now.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Whether this node cannot have missed a session end (see the module docs), so its cache may
    /// answer.
    pub(crate) fn cache_trusted(&self) -> bool {
        self.connected() && self.nodes.counted() && self.doubts.none()
    }

    pub(crate) fn deliver(&self, topic: Topic, frame: &Arc<str>) {
        let subject = topic.subject();
        self.send(subject, &Envelope::Deliver { topic, frame: frame.to_string() }, None);
    }

    /// End a session (or a user's, a visitor's, a key's) on every node; returns once every other
    /// live node confirmed it, or `REVOKE_WAIT` ran out (see the module docs).
    pub(crate) async fn close(&self, target: CloseTarget, reason: SessionEndReason) {
        let started = tokio::time::Instant::now();
        let deadline = started + REVOKE_WAIT;
        let subject = target.subject().to_string();
        let envelope = Envelope::Close { target, reason };
        // Subscribed before the request leaves: no answer can come before its inbox exists.
        let inbox = self.client.new_inbox();
        let mut answers = match self.client.subscribe(inbox.clone()).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "could not wait for other nodes to confirm a session end: sent without waiting");
                self.send(subject, &envelope, None);
                return;
            }
        };
        self.send(subject, &envelope, Some(inbox));
        // Listed after the revocation was written: a node counted later reads it from the database.
        let mut waiting: HashSet<i64> = match tokio::time::timeout_at(deadline, self.nodes.others()).await {
            Ok(Ok(nodes)) => nodes.into_iter().collect(),
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "could not list the live nodes: a session end is answered without their confirmation");
                return;
            }
            Err(_) => {
                tracing::warn!("listing the live nodes took too long: a session end is answered without their confirmation");
                return;
            }
        };
        while !waiting.is_empty() {
            match tokio::time::timeout_at(deadline, answers.next()).await {
                Ok(Some(m)) => {
                    if let Some(node) = std::str::from_utf8(&m.payload).ok().and_then(|t| t.parse::<i64>().ok()) {
                        waiting.remove(&node);
                    }
                }
                Ok(None) | Err(_) => break,
            }
        }
        if !waiting.is_empty() {
            let mut silent: Vec<i64> = waiting.into_iter().collect();
            silent.sort_unstable();
            tracing::warn!(
                nodes = ?silent,
                waited_ms = started.elapsed().as_millis() as u64,
                "these nodes did not confirm a session end in time: they forget the token when the message reaches them, \
                 or at their cache's time limit (session_cache_secs) at the latest"
            );
        }
    }

    fn send(&self, subject: String, envelope: &Envelope, reply: Option<String>) {
        match serde_json::to_string(envelope) {
            Ok(payload) => {
                let _ = self.outbox.send(Outgoing { subject, payload, reply });
            }
            Err(e) => tracing::error!(error = %e, "could not encode a frame for NATS"),
        }
    }

    /// Whether any node holds a socket of this user (`user`) or visitor (`visitor`).
    pub(crate) async fn anyone_has(&self, kind: &str, id: i64) -> bool {
        let ask = self.client.request(format!("kefu.presence.{kind}.{id}"), "".into());
        matches!(tokio::time::timeout(PRESENCE_WAIT, ask).await, Ok(Ok(_)))
    }

    /// Deliver what other nodes (and this one) publish to this node's sockets, answer presence
    /// questions for them and confirm session ends; then count this node among the live ones.
    /// Runs for the life of the process.
    pub(crate) async fn serve(self, hub: Hub) -> anyhow::Result<()> {
        let mut frames = self.client.subscribe("kefu.deliver.>").await.context("subscribe kefu.deliver")?;
        let mut closes = self.client.subscribe("kefu.close.>").await.context("subscribe kefu.close")?;
        let mut presence = self.client.subscribe("kefu.presence.>").await.context("subscribe kefu.presence")?;
        let mut resyncs = self.client.subscribe(RESYNC).await.context("subscribe kefu.resync")?;
        // After a reconnect: through the outbox, so it leaves after the frames queued before it.
        let (outbox, reconnected) = (self.outbox.clone(), self.reconnected.clone());
        tokio::spawn(async move {
            loop {
                reconnected.notified().await;
                let resync = Outgoing { subject: RESYNC.to_string(), payload: String::new(), reply: None };
                if outbox.send(resync).is_err() {
                    break;
                }
            }
        });
        // A doubt empties the cache; it is trusted again once NATS is back.
        let (h, bus) = (hub.clone(), self.clone());
        tokio::spawn(async move {
            loop {
                bus.doubts.raised.notified().await;
                let doubts = bus.doubts.doubts.load(Ordering::SeqCst);
                while !bus.connected() {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                h.session_cache_all().forget_all();
                bus.doubts.cleared.store(doubts, Ordering::SeqCst);
                tracing::info!("remembered tokens forgotten after a doubt: the session cache answers again");
            }
        });
        let (h, nodes) = (hub.clone(), self.nodes.clone());
        tokio::spawn(async move {
            loop {
                nodes.rejoined.notified().await;
                h.session_cache_all().forget_all();
                nodes.trust_again().await;
            }
        });
        let h = hub.clone();
        tokio::spawn(async move {
            while resyncs.next().await.is_some() {
                // Session ends published meanwhile may be lost too.
                h.session_cache_all().forget_all();
                h.resync_local();
            }
        });
        let h = hub.clone();
        tokio::spawn(async move {
            while let Some(m) = frames.next().await {
                match serde_json::from_slice::<Envelope>(&m.payload) {
                    Ok(Envelope::Deliver { topic, frame }) => h.deliver_local(&topic, &Arc::from(frame)),
                    Ok(other) => tracing::warn!(?other, "a close on the frame subject"),
                    Err(e) => tracing::warn!(error = %e, "an unreadable frame from NATS"),
                }
            }
        });
        let (h, client, node) = (hub.clone(), self.client.clone(), self.nodes.id);
        tokio::spawn(async move {
            while let Some(m) = closes.next().await {
                let Ok(Envelope::Close { target, reason }) = serde_json::from_slice::<Envelope>(&m.payload) else {
                    tracing::warn!("an unreadable session end from NATS");
                    continue;
                };
                h.close_local(&target, reason);
                // Applied: the revoking node may answer its request once every node said so.
                if let Some(reply) = m.reply {
                    if let Err(e) = client.publish(reply, node.to_string().into()).await {
                        tracing::warn!(error = %e, "could not confirm a session end");
                    }
                }
            }
        });
        let client = self.client.clone();
        tokio::spawn(async move {
            while let Some(m) = presence.next().await {
                let mut parts = m.subject.as_str().rsplitn(3, '.');
                let (Some(id), Some(kind), Some(reply)) = (parts.next().and_then(|i| i.parse::<i64>().ok()), parts.next(), m.reply) else {
                    continue;
                };
                let here = match kind {
                    "user" => hub.user_online(id),
                    "visitor" => hub.visitor_online(id),
                    _ => false,
                };
                // Only a node that has the socket answers; the first answer settles it.
                if here {
                    let _ = client.publish(reply, "1".into()).await;
                }
            }
        });
        // The server processes a connection's messages in order: once a message to itself came
        // back, it has every subscription above, and this node hears every session end from now.
        let hello = format!("kefu.node.{}", self.nodes.id);
        let mut echo = self.client.subscribe(hello.clone()).await.context("subscribe kefu.node")?;
        self.client.publish(hello, "".into()).await.context("publish kefu.node")?;
        tokio::time::timeout(Duration::from_secs(10), echo.next()).await.context("NATS did not echo within 10 s")?;
        // So other nodes may wait for this one's confirmation, and its cache may be trusted.
        self.nodes.join().await?;
        Ok(())
    }
}
