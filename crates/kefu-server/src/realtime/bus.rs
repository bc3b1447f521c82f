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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, oneshot};

use crate::realtime::hub::{Hub, Topic};
use crate::views::SessionEndReason;

/// How long a presence question waits for a node that holds the socket. Nodes without it stay
/// silent, so "offline" costs this long; it is asked only after a grace period of seconds.
const PRESENCE_WAIT: Duration = Duration::from_millis(400);

/// How long a revocation waits for NATS to take its session end before it answers anyway (the
/// other nodes' caches then forget it at their time limit at the latest).
const FLUSH_WAIT: Duration = Duration::from_secs(2);

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

/// What the publishing task is handed.
enum Outgoing {
    /// Publish a payload on a subject.
    Publish(String, String),
    /// Answer once everything handed over before has reached the NATS server.
    Flush(oneshot::Sender<()>),
}

/// A connection to NATS. Cheap to clone.
#[derive(Clone)]
pub struct Bus {
    client: async_nats::Client,
    /// One queue to one publishing task, so frames leave in the order they were handed over
    /// (a task per publish would reorder a conversation's events).
    outbox: mpsc::UnboundedSender<Outgoing>,
    /// Told each time the connection comes back after a loss.
    reconnected: Arc<tokio::sync::Notify>,
}

/// Where a node tells every node that frames may have been lost.
const RESYNC: &str = "kefu.resync";

impl Bus {
    /// Connect; fails when the server cannot be reached at start (later losses are retried by
    /// the client and shown by `/readyz`).
    pub async fn connect(url: &str) -> anyhow::Result<Bus> {
        let reconnected = Arc::new(tokio::sync::Notify::new());
        let (told, lost) = (reconnected.clone(), Arc::new(AtomicBool::new(false)));
        let client = async_nats::ConnectOptions::new()
            .name("kefu")
            .event_callback(move |event| {
                let (told, lost) = (told.clone(), lost.clone());
                async move {
                    match event {
                        async_nats::Event::Disconnected => {
                            tracing::warn!("lost the connection to NATS; frames may be lost until it is back");
                            lost.store(true, Ordering::SeqCst);
                        }
                        async_nats::Event::Connected if lost.swap(false, Ordering::SeqCst) => {
                            tracing::info!("connected to NATS again: clients resync");
                            told.notify_one();
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
            while let Some(out) = rx.recv().await {
                match out {
                    Outgoing::Publish(subject, payload) => {
                        if let Err(e) = publisher.publish(subject, payload.into()).await {
                            tracing::warn!(error = %e, "could not publish to NATS");
                        }
                    }
                    Outgoing::Flush(done) => {
                        // Bounded: a NATS server that is away must not hold a request forever.
                        if let Ok(Err(e)) = tokio::time::timeout(FLUSH_WAIT, publisher.flush()).await {
                            tracing::warn!(error = %e, "could not flush to NATS");
                        }
                        let _ = done.send(());
                    }
                }
            }
        });
        Ok(Bus { client, outbox, reconnected })
    }

    /// The client, for the other cluster parts (routing requests, lease).
    pub fn client(&self) -> &async_nats::Client {
        &self.client
    }

    /// Whether the connection to NATS is up now.
    pub fn connected(&self) -> bool {
        self.client.connection_state() == async_nats::connection::State::Connected
    }

    pub(crate) fn deliver(&self, topic: Topic, frame: &Arc<str>) {
        let subject = topic.subject();
        self.send(subject, &Envelope::Deliver { topic, frame: frame.to_string() });
    }

    pub(crate) fn close(&self, target: CloseTarget, reason: SessionEndReason) {
        self.send(target.subject().to_string(), &Envelope::Close { target, reason });
    }

    /// Wait until everything handed over so far has reached the NATS server (which passes it on
    /// to the other nodes at once): a revocation is heard on every node before it is answered.
    pub(crate) async fn flushed(&self) {
        let (done, wait) = oneshot::channel();
        if self.outbox.send(Outgoing::Flush(done)).is_ok() {
            let _ = wait.await;
        }
    }

    fn send(&self, subject: String, envelope: &Envelope) {
        match serde_json::to_string(envelope) {
            Ok(payload) => {
                let _ = self.outbox.send(Outgoing::Publish(subject, payload));
            }
            Err(e) => tracing::error!(error = %e, "could not encode a frame for NATS"),
        }
    }

    /// Whether any node holds a socket of this user (`user`) or visitor (`visitor`).
    pub(crate) async fn anyone_has(&self, kind: &str, id: i64) -> bool {
        let ask = self.client.request(format!("kefu.presence.{kind}.{id}"), "".into());
        matches!(tokio::time::timeout(PRESENCE_WAIT, ask).await, Ok(Ok(_)))
    }

    /// Deliver what other nodes (and this one) publish to this node's sockets, and answer
    /// presence questions for them. Runs for the life of the process.
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
                if outbox.send(Outgoing::Publish(RESYNC.to_string(), String::new())).is_err() {
                    break;
                }
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
        let h = hub.clone();
        tokio::spawn(async move {
            while let Some(m) = closes.next().await {
                if let Ok(Envelope::Close { target, reason }) = serde_json::from_slice::<Envelope>(&m.payload) {
                    h.close_local(&target, reason);
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
        Ok(())
    }
}
