//! One room's state — who is in it, what they publish, who receives what — and its decisions
//! as data. Pure: no I/O, no clock (time is an argument), no str0m; the driver carries out the
//! [`Output`]s on the participants' connections.
//!
//! Fed like str0m: [`Room::handle_input`], then drain [`Room::poll_output`] until `None`;
//! [`Room::poll_timeout`] says when to come back with [`Input::Tick`].

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::api::MediaEvent;
use crate::ids::{LeaveReason, ParticipantId, RoomId, TrackId, TrackKind};

/// Keyframe requests to one publisher's track are sent at most this often: each costs the
/// publisher a large frame, and several subscribers joining or losing packets at once need only
/// one.
pub const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

/// What happens to a room.
#[derive(Clone, Debug, PartialEq)]
pub enum Input {
    /// A participant joined (its answer is on its way; it is not connected yet).
    Join {
        /// Who.
        participant: ParticipantId,
    },
    /// The participant's ICE and DTLS are up.
    Connected {
        /// Who.
        participant: ParticipantId,
    },
    /// The participant sends a new track.
    Publish {
        /// The publisher.
        participant: ParticipantId,
        /// The driver's id for it.
        track: TrackId,
        /// What it carries.
        kind: TrackKind,
    },
    /// A published track ended.
    Unpublish {
        /// Which.
        track: TrackId,
    },
    /// The subscriber can now receive `track` (its connection negotiated the forwarded
    /// transceiver): forwarding starts and the publisher is asked for a keyframe.
    SubscriptionReady {
        /// Who receives.
        subscriber: ParticipantId,
        /// What.
        track: TrackId,
    },
    /// A subscriber needs a keyframe of `track` (it lost packets it could not recover, or its
    /// decoder asked with PLI/FIR).
    KeyframeWanted {
        /// Who asks.
        subscriber: ParticipantId,
        /// For what.
        track: TrackId,
    },
    /// The server wants a keyframe of every video track of `publisher` (a recording starts).
    KeyframesWanted {
        /// Whose tracks.
        publisher: ParticipantId,
    },
    /// The participant is gone.
    Leave {
        /// Who.
        participant: ParticipantId,
        /// Why.
        reason: LeaveReason,
    },
    /// Close the room: everyone leaves with [`LeaveReason::Hangup`].
    Close,
    /// Time passed.
    Tick,
}

/// What the room decided.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Add a send-only transceiver forwarding `track` to `subscriber` (renegotiate), then report
    /// [`Input::SubscriptionReady`].
    Subscribe {
        /// Who receives.
        subscriber: ParticipantId,
        /// What.
        track: TrackId,
        /// What it carries.
        kind: TrackKind,
    },
    /// Stop forwarding `track` to `subscriber` and remove its transceiver (renegotiate).
    Unsubscribe {
        /// Who received.
        subscriber: ParticipantId,
        /// What.
        track: TrackId,
    },
    /// Send a keyframe request (PLI) to the publisher of `track`.
    RequestKeyframe {
        /// To whom.
        publisher: ParticipantId,
        /// For which track.
        track: TrackId,
    },
    /// Drop the participant's connection: it has left the room.
    Release {
        /// Who.
        participant: ParticipantId,
    },
    /// Tell the server.
    Announce(MediaEvent),
}

/// Settings of a room.
#[derive(Clone, Copy, Debug)]
pub struct RoomConfig {
    /// A participant not connected this long after joining is dropped (`Timeout`).
    pub connect_timeout: Duration,
}

#[derive(Debug)]
struct Member {
    joined_at: Instant,
    connected: bool,
}

#[derive(Debug)]
struct Track {
    publisher: ParticipantId,
    kind: TrackKind,
    last_keyframe_request: Option<Instant>,
    /// A keyframe request held back by [`KEYFRAME_REQUEST_INTERVAL`], sent when it allows.
    keyframe_owed: bool,
}

/// One room: participants, tracks, subscriptions.
#[derive(Debug)]
pub struct Room {
    id: RoomId,
    config: RoomConfig,
    members: BTreeMap<ParticipantId, Member>,
    tracks: BTreeMap<TrackId, Track>,
    /// (subscriber, track) -> ready. Everyone subscribes to every track of the others once
    /// connected; a subscription forwards only once ready (negotiated).
    subscriptions: BTreeMap<(ParticipantId, TrackId), bool>,
    outputs: VecDeque<Output>,
    closed: bool,
}

impl Room {
    /// An empty, open room.
    pub fn new(id: RoomId, config: RoomConfig) -> Self {
        Room {
            id,
            config,
            members: BTreeMap::new(),
            tracks: BTreeMap::new(),
            subscriptions: BTreeMap::new(),
            outputs: VecDeque::new(),
            closed: false,
        }
    }

    /// Its id.
    pub fn id(&self) -> RoomId {
        self.id
    }

    /// Whether the room has been closed (it takes no more participants).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether `participant` is in the room.
    pub fn contains(&self, participant: ParticipantId) -> bool {
        self.members.contains_key(&participant)
    }

    /// The participants in the room.
    pub fn participants(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.members.keys().copied()
    }

    /// The publisher and kind of `track`.
    pub fn track(&self, track: TrackId) -> Option<(ParticipantId, TrackKind)> {
        self.tracks.get(&track).map(|t| (t.publisher, t.kind))
    }

    /// The fan-out decision for a packet of `track`: the subscribers it is forwarded to.
    pub fn forward_targets(&self, track: TrackId) -> impl Iterator<Item = ParticipantId> + '_ {
        self.subscriptions.iter().filter(move |((_, t), ready)| *t == track && **ready).map(|((subscriber, _), _)| *subscriber)
    }

    /// Feed one input at time `now`, then drain [`Room::poll_output`].
    pub fn handle_input(&mut self, now: Instant, input: Input) {
        if self.closed && !matches!(input, Input::Leave { .. } | Input::Tick) {
            return;
        }
        match input {
            Input::Join { participant } => {
                self.members.entry(participant).or_insert(Member { joined_at: now, connected: false });
            }
            Input::Connected { participant } => self.connected(participant),
            Input::Publish { participant, track, kind } => self.publish(participant, track, kind),
            Input::Unpublish { track } => self.unpublish(track),
            Input::SubscriptionReady { subscriber, track } => {
                if let Some(ready) = self.subscriptions.get_mut(&(subscriber, track)) {
                    *ready = true;
                    // A new subscriber's decoder needs a keyframe to start.
                    self.want_keyframe(now, track);
                }
            }
            Input::KeyframeWanted { subscriber, track } => {
                if self.subscriptions.get(&(subscriber, track)) == Some(&true) {
                    self.want_keyframe(now, track);
                }
            }
            Input::KeyframesWanted { publisher } => {
                let video: Vec<TrackId> =
                    self.tracks.iter().filter(|(_, t)| t.publisher == publisher && t.kind.is_video()).map(|(id, _)| *id).collect();
                for track in video {
                    self.want_keyframe(now, track);
                }
            }
            Input::Leave { participant, reason } => self.leave(participant, reason),
            Input::Close => {
                self.closed = true;
                let everyone: Vec<ParticipantId> = self.members.keys().copied().collect();
                for participant in everyone {
                    self.leave(participant, LeaveReason::Hangup);
                }
                self.outputs.push_back(Output::Announce(MediaEvent::RoomClosed { room: self.id }));
            }
            Input::Tick => {}
        }
        self.tick(now);
    }

    /// The next decision, if any.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// When the room next needs an [`Input::Tick`]: a connect deadline or an owed keyframe
    /// request.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let deadlines = self.members.values().filter(|m| !m.connected).map(|m| m.joined_at + self.config.connect_timeout);
        let keyframes = self
            .tracks
            .values()
            .filter(|t| t.keyframe_owed)
            .filter_map(|t| t.last_keyframe_request.map(|at| at + KEYFRAME_REQUEST_INTERVAL));
        deadlines.chain(keyframes).min()
    }

    fn connected(&mut self, participant: ParticipantId) {
        let Some(member) = self.members.get_mut(&participant) else { return };
        if member.connected {
            return;
        }
        member.connected = true;
        self.outputs.push_back(Output::Announce(MediaEvent::ParticipantConnected { room: self.id, participant }));
        let others: Vec<(TrackId, TrackKind)> =
            self.tracks.iter().filter(|(_, t)| t.publisher != participant).map(|(id, t)| (*id, t.kind)).collect();
        for (track, kind) in others {
            self.subscribe(participant, track, kind);
        }
    }

    fn publish(&mut self, participant: ParticipantId, track: TrackId, kind: TrackKind) {
        if !self.members.contains_key(&participant) || self.tracks.contains_key(&track) {
            return;
        }
        self.tracks.insert(track, Track { publisher: participant, kind, last_keyframe_request: None, keyframe_owed: false });
        self.outputs.push_back(Output::Announce(MediaEvent::TrackPublished { room: self.id, participant, track, kind }));
        let receivers: Vec<ParticipantId> =
            self.members.iter().filter(|(id, m)| **id != participant && m.connected).map(|(id, _)| *id).collect();
        for subscriber in receivers {
            self.subscribe(subscriber, track, kind);
        }
    }

    fn subscribe(&mut self, subscriber: ParticipantId, track: TrackId, kind: TrackKind) {
        if self.subscriptions.insert((subscriber, track), false).is_none() {
            self.outputs.push_back(Output::Subscribe { subscriber, track, kind });
        }
    }

    fn unpublish(&mut self, track: TrackId) {
        let Some(gone) = self.tracks.remove(&track) else { return };
        let subscribers: Vec<ParticipantId> = self.subscriptions.keys().filter(|(_, t)| *t == track).map(|(s, _)| *s).collect();
        for subscriber in subscribers {
            self.subscriptions.remove(&(subscriber, track));
            self.outputs.push_back(Output::Unsubscribe { subscriber, track });
        }
        self.outputs.push_back(Output::Announce(MediaEvent::TrackUnpublished { room: self.id, participant: gone.publisher, track }));
    }

    fn leave(&mut self, participant: ParticipantId, reason: LeaveReason) {
        if self.members.remove(&participant).is_none() {
            return;
        }
        // What it received goes with its connection: no renegotiation needed.
        self.subscriptions.retain(|(subscriber, _), _| *subscriber != participant);
        let published: Vec<TrackId> = self.tracks.iter().filter(|(_, t)| t.publisher == participant).map(|(id, _)| *id).collect();
        for track in published {
            self.unpublish(track);
        }
        self.outputs.push_back(Output::Release { participant });
        self.outputs.push_back(Output::Announce(MediaEvent::ParticipantLeft { room: self.id, participant, reason }));
    }

    fn want_keyframe(&mut self, now: Instant, track: TrackId) {
        let Some(t) = self.tracks.get_mut(&track) else { return };
        if !t.kind.is_video() {
            return;
        }
        t.keyframe_owed = true;
        self.tick(now);
    }

    fn tick(&mut self, now: Instant) {
        for (id, t) in self.tracks.iter_mut() {
            let allowed = t.last_keyframe_request.is_none_or(|at| now >= at + KEYFRAME_REQUEST_INTERVAL);
            if t.keyframe_owed && allowed {
                t.keyframe_owed = false;
                t.last_keyframe_request = Some(now);
                self.outputs.push_back(Output::RequestKeyframe { publisher: t.publisher, track: *id });
            }
        }
        let late: Vec<ParticipantId> = self
            .members
            .iter()
            .filter(|(_, m)| !m.connected && now >= m.joined_at + self.config.connect_timeout)
            .map(|(id, _)| *id)
            .collect();
        for participant in late {
            self.leave(participant, LeaveReason::Timeout);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: ParticipantId = ParticipantId(1);
    const B: ParticipantId = ParticipantId(2);
    const C: ParticipantId = ParticipantId(3);
    const MIC_A: TrackId = TrackId(10);
    const CAM_A: TrackId = TrackId(11);
    const CAM_B: TrackId = TrackId(20);

    fn room() -> Room {
        Room::new(RoomId(7), RoomConfig { connect_timeout: Duration::from_secs(10) })
    }

    fn drain(room: &mut Room) -> Vec<Output> {
        std::iter::from_fn(|| room.poll_output()).collect()
    }

    fn commands(outputs: Vec<Output>) -> Vec<Output> {
        outputs.into_iter().filter(|o| !matches!(o, Output::Announce(_))).collect()
    }

    /// A and B joined and connected; A publishes a microphone and a camera.
    fn a_publishes_to_b(t0: Instant) -> Room {
        let mut room = room();
        for p in [A, B] {
            room.handle_input(t0, Input::Join { participant: p });
            room.handle_input(t0, Input::Connected { participant: p });
        }
        room.handle_input(t0, Input::Publish { participant: A, track: MIC_A, kind: TrackKind::Audio });
        room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera });
        drain(&mut room);
        room
    }

    #[test]
    fn a_published_track_is_offered_to_each_connected_other_and_forwarded_once_ready() {
        let t0 = Instant::now();
        let mut room = room();
        for p in [A, B, C] {
            room.handle_input(t0, Input::Join { participant: p });
        }
        room.handle_input(t0, Input::Connected { participant: A });
        room.handle_input(t0, Input::Connected { participant: B });
        drain(&mut room);

        room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera });
        let out = drain(&mut room);
        assert!(out.contains(&Output::Announce(MediaEvent::TrackPublished {
            room: RoomId(7),
            participant: A,
            track: CAM_A,
            kind: TrackKind::Camera
        })));
        // Only B: A is the publisher, C is not connected yet.
        assert_eq!(commands(out), vec![Output::Subscribe { subscriber: B, track: CAM_A, kind: TrackKind::Camera }]);
        assert_eq!(room.forward_targets(CAM_A).count(), 0, "nothing forwarded before negotiation");

        room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
        assert_eq!(room.forward_targets(CAM_A).collect::<Vec<_>>(), vec![B]);
        assert_eq!(
            commands(drain(&mut room)),
            vec![Output::RequestKeyframe { publisher: A, track: CAM_A }],
            "a new subscriber gets a keyframe"
        );

        // C connects later and is offered what is already published.
        room.handle_input(t0, Input::Connected { participant: C });
        assert_eq!(commands(drain(&mut room)), vec![Output::Subscribe { subscriber: C, track: CAM_A, kind: TrackKind::Camera }]);
    }

    #[test]
    fn keyframe_requests_are_throttled_per_track_and_the_owed_one_follows() {
        let t0 = Instant::now();
        let mut room = a_publishes_to_b(t0);
        room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
        assert_eq!(commands(drain(&mut room)).len(), 1);

        let t1 = t0 + Duration::from_millis(100);
        room.handle_input(t1, Input::KeyframeWanted { subscriber: B, track: CAM_A });
        room.handle_input(t1, Input::KeyframeWanted { subscriber: B, track: CAM_A });
        assert!(drain(&mut room).is_empty(), "held back within the interval");
        assert_eq!(room.poll_timeout(), Some(t0 + KEYFRAME_REQUEST_INTERVAL));

        room.handle_input(t0 + KEYFRAME_REQUEST_INTERVAL, Input::Tick);
        assert_eq!(commands(drain(&mut room)), vec![Output::RequestKeyframe { publisher: A, track: CAM_A }], "one request for both");
        assert_eq!(room.poll_timeout(), None);
    }

    #[test]
    fn audio_needs_no_keyframe_and_unready_subscribers_cannot_ask() {
        let t0 = Instant::now();
        let mut room = a_publishes_to_b(t0);
        room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: MIC_A });
        room.handle_input(t0, Input::KeyframeWanted { subscriber: B, track: CAM_A });
        assert!(commands(drain(&mut room)).is_empty());
        assert_eq!(room.forward_targets(MIC_A).collect::<Vec<_>>(), vec![B]);
    }

    #[test]
    fn a_publisher_leaving_unpublishes_and_unsubscribes_its_tracks() {
        let t0 = Instant::now();
        let mut room = a_publishes_to_b(t0);
        room.handle_input(t0, Input::Publish { participant: B, track: CAM_B, kind: TrackKind::Camera });
        drain(&mut room);

        room.handle_input(t0, Input::Leave { participant: A, reason: LeaveReason::Hangup });
        let out = drain(&mut room);
        assert!(out.contains(&Output::Unsubscribe { subscriber: B, track: MIC_A }));
        assert!(out.contains(&Output::Unsubscribe { subscriber: B, track: CAM_A }));
        assert!(out.contains(&Output::Release { participant: A }));
        assert!(out.contains(&Output::Announce(MediaEvent::ParticipantLeft {
            room: RoomId(7),
            participant: A,
            reason: LeaveReason::Hangup
        })));
        // A's subscription to B's camera went with A's connection: no renegotiation for it.
        assert!(!out.iter().any(|o| matches!(o, Output::Unsubscribe { subscriber: A, .. })));
        assert_eq!(room.track(CAM_A), None);
        assert_eq!(room.track(CAM_B), Some((B, TrackKind::Camera)));
    }

    #[test]
    fn a_participant_that_never_connects_times_out() {
        let t0 = Instant::now();
        let mut room = room();
        room.handle_input(t0, Input::Join { participant: A });
        assert_eq!(room.poll_timeout(), Some(t0 + Duration::from_secs(10)));
        room.handle_input(t0 + Duration::from_secs(9), Input::Tick);
        assert!(drain(&mut room).is_empty());
        room.handle_input(t0 + Duration::from_secs(10), Input::Tick);
        let out = drain(&mut room);
        assert!(out.contains(&Output::Announce(MediaEvent::ParticipantLeft {
            room: RoomId(7),
            participant: A,
            reason: LeaveReason::Timeout
        })));
        assert!(!room.contains(A));
    }

    #[test]
    fn closing_makes_everyone_leave_and_refuses_newcomers() {
        let t0 = Instant::now();
        let mut room = a_publishes_to_b(t0);
        room.handle_input(t0, Input::Close);
        let out = drain(&mut room);
        let left = out.iter().filter(|o| matches!(o, Output::Announce(MediaEvent::ParticipantLeft { .. }))).count();
        assert_eq!(left, 2);
        assert_eq!(out.last(), Some(&Output::Announce(MediaEvent::RoomClosed { room: RoomId(7) })));
        room.handle_input(t0, Input::Join { participant: C });
        assert!(!room.contains(C));
    }
}
