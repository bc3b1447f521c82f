//! Calls in the product: a video or voice call of a conversation, from ringing to ended, and
//! its media signalling. The routing task decides and records call changes (a call holds a call
//! slot of the agent, see `lifecycle`); `signal` relays SDP between the WebSocket and the media
//! server (kefu-media) and turns media failures into ended calls. Only this area touches rooms.

pub mod cluster;
pub mod composition;
pub mod composition_graph;
pub mod lifecycle;
pub mod local_recording;
pub mod quality;
pub mod record;
pub mod recording;
pub mod signal;
pub mod snapshots;
pub mod takeover;
pub mod turn;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kefu_media::{MediaError, MediaHandle, ParticipantId, RoomId};

use crate::clock::now_ms;
use crate::conversations::Pending;
use crate::metrics::Metrics;
use kefu_store::Store;

/// Who a media participant is: one socket in one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Part {
    call: i64,
    conn: u64,
    /// visitor | agent: whose media (the quality timeline and the recording file say so; a
    /// recording is authorised by it).
    side: &'static str,
    /// The node holding the socket when it is not this one (the call's signalling came by NATS).
    node: Option<i64>,
}

/// The server's side of the media server: its handle and who is in which room. Cheap to clone.
#[derive(Clone)]
pub struct CallMedia {
    handle: MediaHandle,
    parts: Arc<Mutex<HashMap<ParticipantId, Part>>>,
    next: Arc<AtomicU64>,
    /// Sides of calls whose connection went (lost, socket closed, joining again) and whose new
    /// one has not carried media yet: the other side was told `call.peer` lost, and is told back
    /// when it does. Kept on the call's home, where the room's events are.
    away: Arc<Mutex<HashSet<(i64, &'static str)>>>,
    /// In a cluster: where other nodes' rooms are, and how to reach them.
    pub cluster: Option<Arc<cluster::CallCluster>>,
}

/// A call's room: the call id, so a restart or a log line maps one to the other.
fn room(call: i64) -> RoomId {
    RoomId(call)
}

impl CallMedia {
    /// Wrap a running media server's handle.
    pub fn new(handle: MediaHandle) -> CallMedia {
        CallMedia { handle, parts: Default::default(), next: Arc::new(AtomicU64::new(1)), away: Default::default(), cluster: None }
    }

    /// The same, one node of a cluster.
    pub fn clustered(self, cluster: Arc<cluster::CallCluster>) -> CallMedia {
        CallMedia { cluster: Some(cluster), ..self }
    }

    pub(crate) fn parts(&self) -> std::sync::MutexGuard<'_, HashMap<ParticipantId, Part>> {
        self.parts.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new participant id for `conn` in `call`, registered before it joins so that events
    /// about it find their socket.
    fn register(&self, call: i64, conn: u64, side: &'static str, node: Option<i64>) -> ParticipantId {
        let id = ParticipantId(self.next.fetch_add(1, Ordering::Relaxed));
        self.parts().insert(id, Part { call, conn, side, node });
        id
    }

    fn unregister(&self, id: ParticipantId) -> Option<Part> {
        self.parts().remove(&id)
    }

    fn part(&self, id: ParticipantId) -> Option<Part> {
        self.parts().get(&id).copied()
    }

    /// This node's socket's participant in `call`.
    fn participant(&self, conn: u64, call: i64) -> Option<ParticipantId> {
        self.remote_participant(None, conn, call)
    }

    /// The participant in `call` of socket `conn` of `node` (None: this node).
    fn remote_participant(&self, node: Option<i64>, conn: u64, call: i64) -> Option<ParticipantId> {
        self.parts().iter().find(|(_, p)| p.node == node && p.conn == conn && p.call == call).map(|(&id, _)| id)
    }

    /// Every participant of a socket of this node, with its call.
    fn of_conn(&self, conn: u64) -> Vec<(ParticipantId, i64)> {
        self.parts().iter().filter(|(_, p)| p.node.is_none() && p.conn == conn).map(|(&id, p)| (id, p.call)).collect()
    }

    /// Hand a frame to a participant's socket, on this node or the one holding it.
    fn to_socket(&self, hub: &crate::realtime::Hub, part: Part, frame: &Arc<str>) {
        match (part.node, &self.cluster) {
            (Some(node), Some(cluster)) => cluster.to_socket(node, part.conn, frame),
            _ => hub.to_conn(part.conn, frame),
        }
    }

    fn away(&self) -> std::sync::MutexGuard<'_, HashSet<(i64, &'static str)>> {
        self.away.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A side's connection went (and the call waits for it): the other side is told, once.
    fn side_lost(&self, hub: &crate::realtime::Hub, call: i64, side: &'static str) {
        if self.away().insert((call, side)) {
            self.tell_other_side(hub, call, side, crate::views::CallPeerState::Lost);
        }
    }

    /// A participant's media connected: if its side was away, the other side is told it is back.
    fn side_connected(&self, hub: &crate::realtime::Hub, part: Part) {
        if self.away().remove(&(part.call, part.side)) {
            self.tell_other_side(hub, part.call, part.side, crate::views::CallPeerState::Back);
        }
    }

    /// `call.peer` about `side` to the other side's participants in the call.
    fn tell_other_side(&self, hub: &crate::realtime::Hub, call: i64, side: &'static str, state: crate::views::CallPeerState) {
        let data = crate::views::CallPeer { side: side.to_string(), state };
        let frame: Arc<str> = serde_json::json!({ "type": "call.peer", "call_id": call, "data": data }).to_string().into();
        let others: Vec<Part> = self.parts().values().filter(|p| p.call == call && p.side != side).copied().collect();
        for part in others {
            self.to_socket(hub, part, &frame);
        }
    }

    /// The participants of a call, with their side.
    fn parts_of_call(&self, call: i64) -> Vec<(ParticipantId, &'static str)> {
        self.parts().iter().filter(|(_, p)| p.call == call).map(|(&id, p)| (id, p.side)).collect()
    }

    /// How many participants a call has.
    fn in_call(&self, call: i64) -> usize {
        self.parts().values().filter(|p| p.call == call).count()
    }

    /// Open the call's room unless it is open already.
    async fn open(&self, call: i64) -> Result<(), MediaError> {
        match self.handle.open_room(room(call)).await {
            Ok(()) | Err(MediaError::RoomExists) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Close the call's room (its participants leave; their `ParticipantLeft` events follow),
    /// on whichever node it is. Does not wait: the caller may hold the routing task.
    pub fn close(&self, call: i64) {
        self.close_here(call);
        if let Some(cluster) = &self.cluster {
            cluster.close_everywhere(call);
        }
    }

    /// Give up this node's room of a call another node took over: its participants are forgotten
    /// first (their leaving then ends nothing and no renegotiation reaches their sockets, whose
    /// clients are joining the new home), then the room closes.
    pub(crate) fn give_up_room(&self, call: i64) {
        self.parts().retain(|_, p| p.call != call);
        self.close_here(call);
    }

    /// Close the call's room if this node has it.
    pub(crate) fn close_here(&self, call: i64) {
        self.away().retain(|(c, _)| *c != call);
        let handle = self.handle.clone();
        tokio::spawn(async move {
            match handle.close_room(room(call)).await {
                Ok(()) | Err(MediaError::UnknownRoom) => {}
                Err(e) => tracing::warn!(call, error = %e, "could not close a call's room"),
            }
        });
    }
}

/// Set `kefu_calls_active` from the database (the truth, also after a restart).
pub async fn refresh_metric(store: &Store, metrics: &Metrics) {
    match store.active_call_count().await {
        Ok(n) => metrics.calls_active.set(n),
        Err(e) => tracing::warn!(error = ?e, "could not count active calls"),
    }
}

/// At start-up: calls left ringing or active by a process that died end as `server_restart`
/// (with their events and webhooks), before the router is rebuilt without their call slots.
pub async fn end_interrupted(store: &Store) -> anyhow::Result<usize> {
    let open = store.open_calls().await?;
    for call in &open {
        let now = now_ms();
        let mut tx = store.begin().await?;
        // Nobody is connected yet: the events are announced by resume, not now.
        let _ended: Option<(_, Vec<Pending>)> =
            record::end(&mut tx, call.id, kefu_core::CallEndReason::ServerRestart.as_str(), None, now).await?;
        tx.commit().await?;
    }
    Ok(open.len())
}
