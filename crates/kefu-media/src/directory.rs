//! Which media worker owns what. A room is placed on the worker with the fewest open rooms when it
//! opens, and all its participants live there, so forwarding between them never leaves that
//! worker's thread. A participant's ICE ufrag names its worker to whichever worker's socket its
//! datagrams reach ([`Steer`]). Shared by the handle and the workers behind one lock, which is
//! taken per command and per STUN request from a new address, never per media packet.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::demux::stun_local_ufrag;
use crate::ids::{ParticipantId, RoomId};

/// The placement of rooms and participants on workers (numbered from 0).
#[derive(Debug)]
pub(crate) struct Directory {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    rooms: HashMap<RoomId, usize>,
    /// Open rooms per worker.
    load: Vec<usize>,
    participants: HashMap<ParticipantId, usize>,
    ufrags: HashMap<String, (usize, ParticipantId)>,
}

impl Directory {
    pub(crate) fn new(workers: usize) -> Self {
        Directory { inner: Mutex::new(Inner { load: vec![0; workers.max(1)], ..Inner::default() }) }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A worker that panicked holding the lock left the maps consistent (each change is one
        // insert or remove): go on with them.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The worker of `room`, placing it on the least loaded one if it is new.
    pub(crate) fn place_room(&self, room: RoomId) -> usize {
        let mut inner = self.lock();
        if let Some(worker) = inner.rooms.get(&room) {
            return *worker;
        }
        let worker = inner.load.iter().enumerate().min_by_key(|(_, n)| **n).map_or(0, |(w, _)| w);
        inner.load[worker] += 1;
        inner.rooms.insert(room, worker);
        worker
    }

    pub(crate) fn room(&self, room: RoomId) -> Option<usize> {
        self.lock().rooms.get(&room).copied()
    }

    /// The room is closed (or never opened): its place is free.
    pub(crate) fn forget_room(&self, room: RoomId) {
        let mut inner = self.lock();
        if let Some(worker) = inner.rooms.remove(&room) {
            inner.load[worker] = inner.load[worker].saturating_sub(1);
        }
    }

    /// Files `participant` on `worker`; false if the id is in use.
    pub(crate) fn claim_participant(&self, participant: ParticipantId, worker: usize) -> bool {
        let mut inner = self.lock();
        if inner.participants.contains_key(&participant) {
            return false;
        }
        inner.participants.insert(participant, worker);
        true
    }

    pub(crate) fn participant(&self, participant: ParticipantId) -> Option<usize> {
        self.lock().participants.get(&participant).copied()
    }

    /// The participant left: forget it and its ufrag.
    pub(crate) fn forget_participant(&self, participant: ParticipantId) {
        let mut inner = self.lock();
        inner.participants.remove(&participant);
        inner.ufrags.retain(|_, (_, p)| *p != participant);
    }

    /// Datagrams naming `ufrag` in a STUN request are for `participant` on `worker`.
    pub(crate) fn add_ufrag(&self, ufrag: String, worker: usize, participant: ParticipantId) {
        self.lock().ufrags.insert(ufrag, (worker, participant));
    }

    pub(crate) fn ufrag(&self, ufrag: &str) -> Option<(usize, ParticipantId)> {
        self.lock().ufrags.get(ufrag).copied()
    }

    fn has_participant(&self, participant: ParticipantId) -> bool {
        self.lock().participants.contains_key(&participant)
    }
}

/// Where a datagram read by one worker goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// To this worker's own participants (its demux decides which, or drops it).
    Here,
    /// To another worker's.
    There(usize),
}

/// One worker's view of where datagrams go by source address: learnt from STUN requests (whose
/// ufrag the [`Directory`] knows) and kept locally, so a media packet costs one map lookup and
/// no lock. The kernel steers a source address to the same socket of the port's group every
/// time, so each address is learnt by the worker that will read its later datagrams.
#[derive(Debug)]
pub(crate) struct Steer {
    me: usize,
    directory: Arc<Directory>,
    by_addr: HashMap<SocketAddr, (usize, ParticipantId)>,
}

impl Steer {
    pub(crate) fn new(me: usize, directory: Arc<Directory>) -> Self {
        Steer { me, directory, by_addr: HashMap::new() }
    }

    pub(crate) fn route(&mut self, source: SocketAddr, datagram: &[u8]) -> Route {
        let to = |worker: usize| if worker == self.me { Route::Here } else { Route::There(worker) };
        if let Some(ufrag) = stun_local_ufrag(datagram) {
            return match self.directory.ufrag(ufrag) {
                Some((worker, participant)) => {
                    self.by_addr.insert(source, (worker, participant));
                    to(worker)
                }
                None => Route::Here,
            };
        }
        self.by_addr.get(&source).map_or(Route::Here, |(worker, _)| to(*worker))
    }

    /// Forget the addresses of participants who left (called now and then, not per datagram).
    pub(crate) fn prune(&mut self) {
        let directory = &self.directory;
        self.by_addr.retain(|_, (_, participant)| directory.has_participant(*participant));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demux::tests::binding_request;

    #[test]
    fn rooms_go_to_the_least_loaded_worker_and_free_their_place_when_closed() {
        let directory = Directory::new(2);
        assert_eq!(directory.place_room(RoomId(1)), 0);
        assert_eq!(directory.place_room(RoomId(2)), 1);
        assert_eq!(directory.place_room(RoomId(1)), 0, "placed once");
        assert_eq!(directory.place_room(RoomId(3)), 0);
        directory.forget_room(RoomId(2));
        assert_eq!(directory.room(RoomId(2)), None);
        assert_eq!(directory.place_room(RoomId(4)), 1, "worker 1 has no room left");
        assert!(directory.claim_participant(ParticipantId(7), 1));
        assert!(!directory.claim_participant(ParticipantId(7), 0), "an id in use");
        assert_eq!(directory.participant(ParticipantId(7)), Some(1));
    }

    #[test]
    fn a_participants_datagrams_reach_its_worker_whichever_socket_read_them() {
        let directory = Arc::new(Directory::new(2));
        assert!(directory.claim_participant(ParticipantId(1), 1));
        directory.add_ufrag("srvA".into(), 1, ParticipantId(1));
        let mut steer0 = Steer::new(0, directory.clone());
        let mut steer1 = Steer::new(1, directory.clone());
        let from: SocketAddr = "127.0.0.1:5000".parse().expect("literal address");
        let rtp = [0x80, 0x60, 0, 1];

        assert_eq!(steer0.route(from, &rtp), Route::Here, "unknown: the local demux drops it");
        assert_eq!(steer0.route(from, &binding_request("srvA:cli")), Route::There(1));
        assert_eq!(steer0.route(from, &rtp), Route::There(1), "learnt from the STUN request");
        assert_eq!(steer1.route(from, &binding_request("srvA:cli")), Route::Here);
        assert_eq!(steer1.route(from, &rtp), Route::Here);

        directory.forget_participant(ParticipantId(1));
        steer0.prune();
        assert_eq!(steer0.route(from, &rtp), Route::Here, "forgotten once it left");
        assert_eq!(steer0.route(from, &binding_request("srvA:cli")), Route::Here, "its ufrag too");
    }
}
