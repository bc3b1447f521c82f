//! One room's state — who is in it, what they publish, who receives what — and its decisions
//! as data. Pure: no I/O, no clock (time is an argument), no str0m; the driver carries out the
//! [`Output`]s on the participants' connections.
//!
//! Fed like str0m: [`Room::handle_input`], then drain [`Room::poll_output`] until `None`;
//! [`Room::poll_timeout`] says when to come back with [`Input::Tick`].

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::allocator::{self, Budget, AUDIO_RATE};
use crate::api::MediaEvent;
use crate::forward::Layer;
use crate::ids::{LeaveReason, ParticipantId, RoomId, TrackId, TrackKind};

/// Keyframe requests to one publisher's track are sent at most this often: each costs the
/// publisher a large frame, and several subscribers joining or losing packets at once need only
/// one.
pub const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

/// While a subscriber is below the top layer of a track, its estimator is asked to probe for
/// more this often. str0m probes when the desired rate rises, not when it is repeated, and an
/// estimate only grows with traffic: without asking again, a subscriber sending well below its
/// estimate (its next layer paused at the publisher) would never learn that the next layer fits.
pub const PROBE_INTERVAL: Duration = Duration::from_secs(4);

/// A layer's rate for the allocator from the one it had and a new measurement (over
/// [`crate::meter`]'s half-second interval): a moving average over ~2 s. One interval with a
/// keyframe (asked for on every switch and after losses) measures two or three times the
/// layer's usual rate; taken as it came, it switched subscribers down or paused their video,
/// which asked for another keyframe.
fn smoothed_rate(previous: u64, measured: u64) -> u64 {
    previous.saturating_mul(3).saturating_add(measured) / 4
}

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
        /// How many simulcast layers it has (1 without simulcast).
        layers: u8,
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
    /// The bandwidth estimate towards a subscriber changed (bits per second).
    Estimate {
        /// Whose.
        subscriber: ParticipantId,
        /// The estimate.
        bps: u64,
    },
    /// A faster, lower figure of the estimate towards a subscriber (bits per second; see
    /// [`crate::allocator::Budget::fast`]), or `None` when there is none below the estimate.
    FastEstimate {
        /// Whose.
        subscriber: ParticipantId,
        /// The figure.
        bps: Option<u64>,
    },
    /// The measured bitrate of each layer of a track (bits per second, lowest first); 0 for a
    /// layer that sent nothing lately (its last known rate is kept).
    LayerRates {
        /// Which.
        track: TrackId,
        /// Per layer.
        bps: Vec<u64>,
    },
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
    /// Send a keyframe request (PLI) to the publisher of `track`, for one of its layers.
    RequestKeyframe {
        /// To whom.
        publisher: ParticipantId,
        /// For which track.
        track: TrackId,
        /// Which layer.
        layer: Layer,
    },
    /// Forward this layer of `track` to `subscriber` from its next keyframe on; `None`: pause
    /// the video (its estimate carries not even the lowest layer).
    SetLayer {
        /// Who receives.
        subscriber: ParticipantId,
        /// What.
        track: TrackId,
        /// Which layer.
        layer: Option<Layer>,
    },
    /// Tell the publisher which layers of `track` to send (`active[layer]`): those no
    /// subscriber needs are paused at the source, saving its uplink and CPU.
    PublisherLayers {
        /// To whom.
        publisher: ParticipantId,
        /// Which track.
        track: TrackId,
        /// Per layer, lowest first.
        active: Vec<bool>,
    },
    /// Set what the estimator towards `subscriber` probes for (bits per second).
    Probe {
        /// Whose estimator.
        subscriber: ParticipantId,
        /// The rate of one step up: padding fills up to it.
        minimum: u64,
        /// Every subscribed track at its top layer.
        desired: u64,
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
    budget: Budget,
    /// The last (minimum, desired) probe told to the driver, and when.
    probe: Option<(u64, u64)>,
    probed_at: Option<Instant>,
    /// Added to the desired rate, one more at each periodic probe: str0m probes when the
    /// desired rate rises.
    probe_nudge: u64,
}

#[derive(Debug)]
struct Track {
    publisher: ParticipantId,
    kind: TrackKind,
    /// Per layer, lowest first: its bitrate (measured, else nominal) and keyframe throttle.
    layers: Vec<LayerState>,
    /// What the publisher was last told to send; `None`: never told (all layers on).
    active: Option<Vec<bool>>,
}

#[derive(Debug)]
struct LayerState {
    rate: u64,
    /// Whether the layer arrived in the last measurement (`None`: not measured yet). A layer
    /// the publisher does not send (paused, or its own congestion control dropped it) is never
    /// forwarded: a subscriber switched to it would see its video stop.
    arriving: Option<bool>,
    /// The rate was measured at least once (until then it is a nominal guess, and the layer is
    /// not paused at the publisher: its real rate is worth learning).
    measured: bool,
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
    /// (subscriber, video track) -> the layer forwarded, once ready: the allocator's choice, or
    /// the best layer below it that arrives.
    layers: BTreeMap<(ParticipantId, TrackId), Option<Layer>>,
    /// (subscriber, video track) -> the layer the allocator chose (the publisher is asked to
    /// send it).
    wanted: BTreeMap<(ParticipantId, TrackId), Option<Layer>>,
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
            layers: BTreeMap::new(),
            wanted: BTreeMap::new(),
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

    /// The layer chosen for `subscriber` of video `track`, if any (`Some(None)`: paused).
    pub fn layer(&self, subscriber: ParticipantId, track: TrackId) -> Option<Option<Layer>> {
        self.layers.get(&(subscriber, track)).copied()
    }

    /// Feed one input at time `now`, then drain [`Room::poll_output`].
    pub fn handle_input(&mut self, now: Instant, input: Input) {
        if self.closed && !matches!(input, Input::Leave { .. } | Input::Tick) {
            return;
        }
        match input {
            Input::Join { participant } => {
                self.members.entry(participant).or_insert(Member {
                    joined_at: now,
                    connected: false,
                    budget: Budget::default(),
                    probe: None,
                    probed_at: None,
                    probe_nudge: 0,
                });
            }
            Input::Connected { participant } => self.connected(participant),
            Input::Publish { participant, track, kind, layers } => self.publish(participant, track, kind, layers),
            Input::Unpublish { track } => {
                self.unpublish(track);
                self.allocate(now);
            }
            Input::SubscriptionReady { subscriber, track } => {
                if let Some(ready) = self.subscriptions.get_mut(&(subscriber, track)) {
                    *ready = true;
                    if self.tracks.get(&track).is_some_and(|t| t.kind.is_video()) {
                        // Its first layer comes from the allocator, which asks for its keyframe
                        // (a new subscriber's decoder needs one to start).
                        self.layers.insert((subscriber, track), None);
                        self.allocate(now);
                    }
                }
            }
            Input::KeyframeWanted { subscriber, track } => {
                if self.subscriptions.get(&(subscriber, track)) == Some(&true) {
                    if let Some(Some(layer)) = self.layers.get(&(subscriber, track)) {
                        self.want_keyframe(now, track, *layer);
                    }
                }
            }
            Input::KeyframesWanted { publisher } => {
                let video: Vec<(TrackId, usize)> = self
                    .tracks
                    .iter()
                    .filter(|(_, t)| t.publisher == publisher && t.kind.is_video())
                    .map(|(id, t)| (*id, t.layers.len()))
                    .collect();
                for (track, layers) in video {
                    for layer in 0..layers {
                        self.want_keyframe(now, track, layer as Layer);
                    }
                }
            }
            Input::Estimate { subscriber, bps } => {
                if let Some(member) = self.members.get_mut(&subscriber) {
                    member.budget.estimate = Some(bps);
                    self.allocate(now);
                }
            }
            Input::FastEstimate { subscriber, bps } => {
                if let Some(member) = self.members.get_mut(&subscriber) {
                    member.budget.fast = bps;
                    self.allocate(now);
                }
            }
            Input::LayerRates { track, bps } => {
                if let Some(t) = self.tracks.get_mut(&track) {
                    for (state, rate) in t.layers.iter_mut().zip(bps) {
                        state.arriving = Some(rate > 0);
                        // A silent layer (paused at the publisher) keeps its last known rate.
                        if rate > 0 {
                            state.rate = if state.measured { smoothed_rate(state.rate, rate) } else { rate };
                            state.measured = true;
                        }
                    }
                    self.allocate(now);
                }
            }
            Input::Leave { participant, reason } => {
                self.leave(participant, reason);
                self.allocate(now);
            }
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
            .flat_map(|t| &t.layers)
            .filter(|l| l.keyframe_owed)
            .filter_map(|l| l.last_keyframe_request.map(|at| at + KEYFRAME_REQUEST_INTERVAL));
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

    fn publish(&mut self, participant: ParticipantId, track: TrackId, kind: TrackKind, layers: u8) {
        if !self.members.contains_key(&participant) || self.tracks.contains_key(&track) {
            return;
        }
        let count = usize::from(layers.max(1));
        let layers = (0..count)
            .map(|layer| LayerState {
                rate: if kind.is_video() { allocator::nominal_rate(count, layer as Layer) } else { AUDIO_RATE },
                arriving: None,
                measured: false,
                last_keyframe_request: None,
                keyframe_owed: false,
            })
            .collect();
        self.tracks.insert(track, Track { publisher: participant, kind, layers, active: None });
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
            self.layers.remove(&(subscriber, track));
            self.wanted.remove(&(subscriber, track));
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
        self.layers.retain(|(subscriber, _), _| *subscriber != participant);
        self.wanted.retain(|(subscriber, _), _| *subscriber != participant);
        let published: Vec<TrackId> = self.tracks.iter().filter(|(_, t)| t.publisher == participant).map(|(id, _)| *id).collect();
        for track in published {
            self.unpublish(track);
        }
        self.outputs.push_back(Output::Release { participant });
        self.outputs.push_back(Output::Announce(MediaEvent::ParticipantLeft { room: self.id, participant, reason }));
    }

    fn want_keyframe(&mut self, now: Instant, track: TrackId, layer: Layer) {
        let Some(t) = self.tracks.get_mut(&track) else { return };
        if !t.kind.is_video() {
            return;
        }
        let Some(state) = t.layers.get_mut(usize::from(layer)) else { return };
        state.keyframe_owed = true;
        self.tick(now);
    }

    fn tick(&mut self, now: Instant) {
        for (id, t) in self.tracks.iter_mut() {
            for (layer, state) in t.layers.iter_mut().enumerate() {
                let allowed = state.last_keyframe_request.is_none_or(|at| now >= at + KEYFRAME_REQUEST_INTERVAL);
                if state.keyframe_owed && allowed {
                    state.keyframe_owed = false;
                    state.last_keyframe_request = Some(now);
                    self.outputs.push_back(Output::RequestKeyframe { publisher: t.publisher, track: *id, layer: layer as Layer });
                }
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

mod layers;

#[cfg(test)]
#[path = "room_tests.rs"]
mod tests;
