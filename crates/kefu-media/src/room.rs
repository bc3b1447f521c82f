//! One room's state — who is in it, what they publish, who receives what — and its decisions
//! as data. Pure: no I/O, no clock (time is an argument), no str0m; the driver carries out the
//! [`Output`]s on the participants' connections.
//!
//! Fed like str0m: [`Room::handle_input`], then drain [`Room::poll_output`] until `None`;
//! [`Room::poll_timeout`] says when to come back with [`Input::Tick`].

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crate::allocator::{self, Budget, Demand, AUDIO_RATE};
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
            Input::LayerRates { track, bps } => {
                if let Some(t) = self.tracks.get_mut(&track) {
                    for (state, rate) in t.layers.iter_mut().zip(bps) {
                        state.arriving = Some(rate > 0);
                        // A silent layer (paused at the publisher) keeps its last known rate.
                        if rate > 0 {
                            state.measured = true;
                            state.rate = rate;
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

    /// Choose every subscriber's layers from its estimate; announce what changed: layers,
    /// probes, and the layers each publisher must send.
    fn allocate(&mut self, now: Instant) {
        let subscribers: Vec<ParticipantId> = self.members.keys().copied().collect();
        for subscriber in subscribers {
            let mut demands = Vec::new();
            let mut audio = 0;
            for ((_, track), ready) in self.subscriptions.range((subscriber, TrackId(0))..=(subscriber, TrackId(u64::MAX))) {
                let Some(t) = self.tracks.get(track).filter(|_| *ready) else { continue };
                if !t.kind.is_video() {
                    audio += t.layers.iter().map(|l| l.rate).sum::<u64>();
                    continue;
                }
                let current = self.wanted.get(&(subscriber, *track)).copied().flatten();
                demands.push(Demand { track: *track, kind: t.kind, rates: t.layers.iter().map(|l| l.rate).collect(), current });
            }
            let Some(member) = self.members.get_mut(&subscriber) else { continue };
            let chosen = member.budget.allocate(now, audio, &demands);
            let (minimum, desired) = allocator::probe(audio, &demands, &chosen);
            let below_top = chosen.iter().zip(&demands).any(|(c, d)| c.map_or(0, |l| usize::from(l) + 1) < d.rates.len());
            let probe_again = below_top && member.probed_at.is_none_or(|at| now >= at + PROBE_INTERVAL);
            if probe_again {
                // A rise, however small, is what makes str0m probe again.
                member.probe_nudge = (member.probe_nudge + 1) % 1_000;
            }
            let desired = desired + member.probe_nudge;
            if !demands.is_empty() && (member.probe != Some((minimum, desired)) || probe_again) {
                member.probe = Some((minimum, desired));
                member.probed_at = Some(now);
                self.outputs.push_back(Output::Probe { subscriber, minimum, desired });
            }
            for (d, wanted) in demands.iter().zip(chosen) {
                self.wanted.insert((subscriber, d.track), wanted);
                let Some(t) = self.tracks.get(&d.track) else { continue };
                // The best layer up to the wanted one that the publisher actually sends.
                let layer = wanted.and_then(|w| (0..=w).rev().find(|l| t.layers[usize::from(*l)].arriving != Some(false)));
                if self.layers.get(&(subscriber, d.track)) == Some(&layer) {
                    continue;
                }
                self.layers.insert((subscriber, d.track), layer);
                self.outputs.push_back(Output::SetLayer { subscriber, track: d.track, layer });
                if let Some(layer) = layer {
                    self.want_keyframe(now, d.track, layer);
                }
            }
        }
        self.pause_unneeded_layers();
    }

    /// A simulcast track's layers no subscriber receives are paused at the publisher, but its
    /// lowest stays on: a subscriber falling back to it switches at once. A track nobody
    /// receives yet keeps what it sends (a subscriber is about to come).
    fn pause_unneeded_layers(&mut self) {
        for (id, t) in self.tracks.iter_mut() {
            if t.layers.len() < 2 {
                continue;
            }
            let mut active: Vec<bool> = t.layers.iter().map(|l| !l.measured).collect();
            active[0] = true;
            let mut receivers = 0;
            for ((_, track), layer) in &self.wanted {
                if track == id {
                    receivers += 1;
                    if let Some(layer) = layer {
                        active[usize::from(*layer)] = true;
                    }
                }
            }
            if receivers == 0 || t.active.as_ref() == Some(&active) {
                continue;
            }
            t.active = Some(active.clone());
            self.outputs.push_back(Output::PublisherLayers { publisher: t.publisher, track: *id, active });
        }
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

    /// The outputs about connections and keyframes (not announcements, nor the allocator's).
    fn commands(outputs: Vec<Output>) -> Vec<Output> {
        let allocation = |o: &Output| matches!(o, Output::SetLayer { .. } | Output::Probe { .. } | Output::PublisherLayers { .. });
        outputs.into_iter().filter(|o| !matches!(o, Output::Announce(_)) && !allocation(o)).collect()
    }

    /// A and B joined and connected; A publishes a microphone and a camera.
    fn a_publishes_to_b(t0: Instant) -> Room {
        let mut room = room();
        for p in [A, B] {
            room.handle_input(t0, Input::Join { participant: p });
            room.handle_input(t0, Input::Connected { participant: p });
        }
        room.handle_input(t0, Input::Publish { participant: A, track: MIC_A, kind: TrackKind::Audio, layers: 1 });
        room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 1 });
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

        room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 1 });
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
            vec![Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 0 }],
            "a new subscriber gets a keyframe"
        );

        // C connects later and is offered what is already published.
        room.handle_input(t0, Input::Connected { participant: C });
        assert_eq!(commands(drain(&mut room)), vec![Output::Subscribe { subscriber: C, track: CAM_A, kind: TrackKind::Camera }]);
    }

    /// A and B connected; A publishes a microphone and a three-layer camera, both ready at B.
    fn a_simulcasts_to_b(t0: Instant) -> Room {
        let mut room = room();
        for p in [A, B] {
            room.handle_input(t0, Input::Join { participant: p });
            room.handle_input(t0, Input::Connected { participant: p });
        }
        room.handle_input(t0, Input::Publish { participant: A, track: MIC_A, kind: TrackKind::Audio, layers: 1 });
        room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 3 });
        room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 1_500_000] });
        room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: MIC_A });
        room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
        room
    }

    #[test]
    fn each_subscriber_gets_the_layer_its_estimate_carries_and_unneeded_layers_pause() {
        let t0 = Instant::now();
        let mut room = a_simulcasts_to_b(t0);
        let out = drain(&mut room);
        assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "no estimate yet: the top");
        assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }));
        assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, false, true] }));

        // The estimate towards B falls: the middle layer, its keyframe asked for at once.
        let t1 = t0 + Duration::from_secs(1);
        room.handle_input(t1, Input::Estimate { subscriber: B, bps: 700_000 });
        let out = drain(&mut room);
        assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(1) }));
        assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 1 }));
        assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, true, false] }));
        assert_eq!(room.layer(B, CAM_A), Some(Some(1)));

        // Not even the lowest fits beside the audio: video pauses, the lowest layer stays on.
        let t2 = t1 + Duration::from_secs(1);
        room.handle_input(t2, Input::Estimate { subscriber: B, bps: 150_000 });
        let out = drain(&mut room);
        assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: None }));
        assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, false, false] }));
        assert_eq!(room.forward_targets(MIC_A).collect::<Vec<_>>(), vec![B], "audio goes on");
        if let Some(Output::Probe { minimum, .. }) = out.iter().find(|o| matches!(o, Output::Probe { .. })) {
            assert!(*minimum >= 190_000, "the estimator probes for the lowest layer: {minimum}");
        }

        // The estimate recovers: held a moment after going down, then back to the top.
        let t3 = t2 + Duration::from_millis(500);
        room.handle_input(t3, Input::Estimate { subscriber: B, bps: 3_000_000 });
        assert!(!drain(&mut room).iter().any(|o| matches!(o, Output::SetLayer { .. })), "held");
        let t4 = t2 + allocator::UP_HOLD;
        room.handle_input(t4, Input::Estimate { subscriber: B, bps: 3_000_000 });
        let out = drain(&mut room);
        assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "{out:?}");
        assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }));
    }

    #[test]
    fn a_wanted_layer_the_publisher_does_not_send_yet_is_asked_for_and_the_best_arriving_one_forwarded() {
        let t0 = Instant::now();
        let mut room = a_simulcasts_to_b(t0);
        // Only the low and middle layers arrive (the top is paused, or the publisher's own
        // congestion control dropped it).
        room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
        drain(&mut room);
        room.handle_input(t0, Input::Estimate { subscriber: B, bps: 3_000_000 });
        let out = drain(&mut room);
        assert_eq!(room.layer(B, CAM_A), Some(Some(1)), "the top is wanted but B gets the middle: {out:?}");
        assert_eq!(room.wanted.get(&(B, CAM_A)), Some(&Some(2)), "the top is what the publisher is asked for");
        // The top starts arriving: B switches up to it, its keyframe asked for.
        let t1 = t0 + Duration::from_millis(500);
        room.handle_input(t1, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 1_200_000] });
        let out = drain(&mut room);
        assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "{out:?}");
        assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }), "{out:?}");
        // It stops arriving: back to the middle at once, not a frozen picture.
        let t2 = t1 + Duration::from_millis(500);
        room.handle_input(t2, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
        assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
    }

    #[test]
    fn a_subscriber_below_the_top_keeps_asking_its_estimator_to_probe() {
        let t0 = Instant::now();
        let mut room = a_simulcasts_to_b(t0);
        room.handle_input(t0, Input::Estimate { subscriber: B, bps: 1_000_000 });
        drain(&mut room);
        let probes = |out: Vec<Output>| {
            out.into_iter()
                .filter_map(|o| match o {
                    Output::Probe { desired, .. } => Some(desired),
                    _ => None,
                })
                .collect::<Vec<_>>()
        };
        room.handle_input(t0 + Duration::from_secs(1), Input::Estimate { subscriber: B, bps: 1_000_000 });
        assert!(probes(drain(&mut room)).is_empty(), "not within the interval");
        room.handle_input(t0 + PROBE_INTERVAL, Input::Estimate { subscriber: B, bps: 1_000_001 });
        let again = probes(drain(&mut room));
        assert_eq!(again.len(), 1, "asked again after the interval");
        room.handle_input(t0 + PROBE_INTERVAL * 2, Input::Estimate { subscriber: B, bps: 1_000_000 });
        let third = probes(drain(&mut room));
        assert!(third.len() == 1 && third[0] > again[0], "each time a rise, which is what makes str0m probe: {again:?} then {third:?}");
    }

    #[test]
    fn a_silent_layer_keeps_its_last_known_rate() {
        let t0 = Instant::now();
        let mut room = a_simulcasts_to_b(t0);
        room.handle_input(t0, Input::Estimate { subscriber: B, bps: 800_000 });
        drain(&mut room);
        assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
        // The top is paused at the publisher and measures 0; 0 must not make it look free.
        room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
        let later = t0 + allocator::UP_HOLD;
        room.handle_input(later, Input::Estimate { subscriber: B, bps: 800_000 });
        assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
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
        assert_eq!(
            commands(drain(&mut room)),
            vec![Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 0 }],
            "one request for both"
        );
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
        room.handle_input(t0, Input::Publish { participant: B, track: CAM_B, kind: TrackKind::Camera, layers: 1 });
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
