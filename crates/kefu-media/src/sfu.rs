//! The SFU without I/O: rooms, every participant's `Rtc`, the datagram routing table, and the
//! forwarding of RTP between them. Time is an argument; datagrams come in as bytes and go out as
//! [`Transmit`]s. The driver (one thread, one socket) and the in-process tests both drive it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use rustc_hash::FxHashMap;
use str0m::bwe::{Bitrate, BweKind};
use str0m::media::KeyframeRequestKind;
use str0m::net::{Protocol, Receive};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite, Vp8Descriptor};
use str0m::{Event, IceConnectionState, Input};

use crate::api::{ClientOffer, MediaError, MediaEvent};
use crate::codec::{keyframe_size, starts_keyframe, VideoCodec};
use crate::deadlines::Deadlines;
use crate::demux::Demux;
use crate::forward::Incoming;
use crate::ids::{LeaveReason, ParticipantId, RoomId, TrackId, TrackKind};
use crate::meter::Meters;
use crate::peer::{video_codec, Peer, PeerSetup, Transmit};
use crate::recorder::Recorders;
use crate::repair::Sample;
use crate::room::{self, Room, RoomConfig};

/// The whole media state of one media thread.
#[derive(Debug)]
pub(crate) struct Sfu {
    setup: PeerSetup,
    room_config: RoomConfig,
    rooms: FxHashMap<RoomId, Room>,
    peers: FxHashMap<ParticipantId, Peer>,
    demux: Demux,
    /// When each participant's `Rtc` (or its next server offer) and each room is due: the
    /// media loop looks at the earliest, not at everyone, per datagram.
    peer_deadlines: Deadlines<ParticipantId>,
    room_deadlines: Deadlines<RoomId>,
    next_track: u64,
    /// Track ids go up by this much: each worker takes its own residue, so ids stay unique
    /// across the media server.
    track_step: u64,
    meters: Meters,
    transmits: Vec<Transmit>,
    events: VecDeque<MediaEvent>,
    /// str0m events drained from a participant's `Rtc`, handled after the drain so that handling
    /// one (forwarding to another `Rtc`) never interleaves with draining another.
    work: VecDeque<(ParticipantId, Event)>,
    /// Participants whose connection failed during a drain.
    failed: Vec<(ParticipantId, LeaveReason)>,
    /// Reused buffers of the per-packet path (a drain's events, a packet's subscribers): two
    /// allocations less per forwarded packet.
    drained: Vec<Event>,
    targets: Vec<ParticipantId>,
    /// The recordings running (a tap on `forward`, see `recorder`).
    pub(crate) recorders: Recorders,
}

impl Sfu {
    pub(crate) fn new(setup: PeerSetup, room_config: RoomConfig) -> Self {
        Sfu {
            setup,
            room_config,
            rooms: FxHashMap::default(),
            peers: FxHashMap::default(),
            demux: Demux::default(),
            peer_deadlines: Deadlines::default(),
            room_deadlines: Deadlines::default(),
            next_track: 1,
            track_step: 1,
            meters: Meters::default(),
            transmits: Vec::new(),
            events: VecDeque::new(),
            work: VecDeque::new(),
            failed: Vec::new(),
            drained: Vec::new(),
            targets: Vec::new(),
            recorders: Recorders::default(),
        }
    }

    /// Worker `worker` of `workers`: its track ids are `worker + 1`, then every `workers`th.
    pub(crate) fn with_track_ids(mut self, worker: usize, workers: usize) -> Self {
        self.next_track = worker as u64 + 1;
        self.track_step = workers.max(1) as u64;
        self
    }

    /// The ufrag a participant's STUN requests name (see `directory`).
    pub(crate) fn local_ufrag(&self, participant: ParticipantId) -> Option<&str> {
        self.peers.get(&participant).map(|p| p.local_ufrag.as_str())
    }

    /// Record a participant; its publisher is asked for keyframes so the file starts at once.
    pub(crate) fn start_recording(
        &mut self,
        zero: Instant,
        now: Instant,
        participant: ParticipantId,
        path: PathBuf,
        video: bool,
    ) -> Result<(), MediaError> {
        let room = self.peers.get(&participant).ok_or(MediaError::UnknownParticipant)?.room;
        self.recorders.start(zero, room, participant, path, video)?;
        // Layers paused because no subscriber wanted them come back on: the recorder takes the
        // top one (the room asks again for what its subscribers need at its next change).
        if let Some(peer) = self.peers.get(&participant) {
            for (mid, rids) in peer.rids.iter().filter(|(_, rids)| rids.len() > 1) {
                let rids: Vec<String> = rids.iter().map(|r| r.to_string()).collect();
                self.events.push_back(MediaEvent::LayersWanted { participant, mid: mid.to_string(), active: rids.clone(), rids });
            }
        }
        self.room_input(now, room, room::Input::KeyframesWanted { publisher: participant })?;
        self.process(now);
        Ok(())
    }

    pub(crate) fn open_room(&mut self, room: RoomId) -> Result<(), MediaError> {
        if self.rooms.contains_key(&room) {
            return Err(MediaError::RoomExists);
        }
        self.rooms.insert(room, Room::new(room, self.room_config));
        Ok(())
    }

    pub(crate) fn close_room(&mut self, now: Instant, room: RoomId) -> Result<(), MediaError> {
        self.room_input(now, room, room::Input::Close)?;
        self.process(now);
        Ok(())
    }

    pub(crate) fn join(
        &mut self,
        now: Instant,
        room: RoomId,
        participant: ParticipantId,
        offer: &ClientOffer,
    ) -> Result<String, MediaError> {
        match self.rooms.get(&room) {
            Some(r) if !r.is_closed() => {}
            _ => return Err(MediaError::UnknownRoom),
        }
        if self.peers.contains_key(&participant) {
            return Err(MediaError::ParticipantExists);
        }
        let (peer, answer) = Peer::accept(now, participant, room, &self.setup, offer)?;
        self.demux.add(participant, peer.local_ufrag.clone());
        self.peers.insert(participant, peer);
        self.room_input(now, room, room::Input::Join { participant })?;
        self.drain(participant);
        self.process(now);
        Ok(answer)
    }

    pub(crate) fn renegotiate(&mut self, now: Instant, participant: ParticipantId, offer: &ClientOffer) -> Result<String, MediaError> {
        let peer = self.peers.get_mut(&participant).ok_or(MediaError::UnknownParticipant)?;
        let answer = peer.accept_offer(now, offer);
        self.drain(participant);
        self.process(now);
        answer
    }

    pub(crate) fn answer(&mut self, now: Instant, participant: ParticipantId, sdp: &str) -> Result<(), MediaError> {
        let peer = self.peers.get_mut(&participant).ok_or(MediaError::UnknownParticipant)?;
        let room = peer.room;
        // Where each subscriber's renumbered stream starts: low, so its SRTP rollover counter is 0.
        let ready = peer.accept_answer(sdp, |track| 1000 + (track.0 % 20_000) as u16);
        self.drain(participant);
        for track in ready.as_deref().unwrap_or_default() {
            let input = room::Input::SubscriptionReady { subscriber: participant, track: *track };
            self.room_input(now, room, input)?;
        }
        // A change queued while this offer was out can be offered now.
        self.try_offer(now, participant);
        self.process(now);
        ready.map(drop)
    }

    pub(crate) fn leave(&mut self, now: Instant, participant: ParticipantId, reason: LeaveReason) -> Result<(), MediaError> {
        let room = self.peers.get(&participant).ok_or(MediaError::UnknownParticipant)?.room;
        self.room_input(now, room, room::Input::Leave { participant, reason })?;
        self.process(now);
        Ok(())
    }

    pub(crate) fn request_keyframe(&mut self, now: Instant, participant: ParticipantId) -> Result<(), MediaError> {
        let room = self.peers.get(&participant).ok_or(MediaError::UnknownParticipant)?.room;
        self.room_input(now, room, room::Input::KeyframesWanted { publisher: participant })?;
        self.process(now);
        Ok(())
    }

    /// A datagram arrived on the UDP socket, or a frame on a TCP connection (`tcp`).
    pub(crate) fn handle_datagram(&mut self, now: Instant, tcp: bool, source: SocketAddr, contents: &[u8]) {
        let Some(participant) = self.demux.route(source, contents) else { return };
        let Some(peer) = self.peers.get_mut(&participant) else { return };
        peer.hearing.heard(now);
        let Ok(contents) = contents.try_into() else { return };
        let proto = if tcp { Protocol::Tcp } else { Protocol::Udp };
        let receive = Receive { proto, source, destination: self.setup.local_addr, contents };
        if let Err(e) = peer.rtc.handle_input(Input::Receive(now, receive)) {
            tracing::debug!(participant = participant.0, error = %e, "datagram refused");
        }
        self.drain(participant);
        self.process(now);
    }

    /// Time passed: every `Rtc`, room and offer that is due.
    pub(crate) fn handle_timeout(&mut self, now: Instant) {
        for participant in self.peer_deadlines.due(now) {
            let Some(peer) = self.peers.get_mut(&participant) else {
                self.peer_deadlines.set(participant, None);
                continue;
            };
            if peer.next_timeout <= now {
                if let Err(e) = peer.rtc.handle_input(Input::Timeout(now)) {
                    tracing::debug!(participant = participant.0, error = %e, "timeout refused");
                }
                self.drain(participant);
            }
            if self.peers.get(&participant).and_then(Peer::offer_due).is_some_and(|at| at <= now) {
                self.try_offer(now, participant);
            }
            self.touch(participant);
        }
        for room in self.room_deadlines.due(now) {
            if self.room_input(now, room, room::Input::Tick).is_err() {
                self.room_deadlines.set(room, None);
            }
        }
        if self.meters.due().is_some_and(|at| at <= now) {
            for (room, track, bps) in self.meters.measure(now) {
                let _ = self.room_input(now, room, room::Input::LayerRates { track, bps });
            }
        }
        self.process(now);
    }

    /// When [`Sfu::handle_timeout`] is next due, if anything waits.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        [self.peer_deadlines.first(), self.room_deadlines.first(), self.meters.due()].into_iter().flatten().min()
    }

    /// Files the participant's next deadline: its `Rtc`'s timeout or its next server offer.
    fn touch(&mut self, participant: ParticipantId) {
        let at = self.peers.get(&participant).map(|p| p.offer_due().map_or(p.next_timeout, |offer| offer.min(p.next_timeout)));
        self.peer_deadlines.set(participant, at);
    }

    /// The datagrams to send, in order.
    pub(crate) fn take_transmits(&mut self) -> Vec<Transmit> {
        std::mem::take(&mut self.transmits)
    }

    /// Hands back the vector [`Sfu::take_transmits`] gave, sent: its capacity is reused.
    pub(crate) fn recycle_transmits(&mut self, mut sent: Vec<Transmit>) {
        if self.transmits.is_empty() {
            sent.clear();
            self.transmits = sent;
        }
    }

    /// The next event for the server.
    pub(crate) fn poll_event(&mut self) -> Option<MediaEvent> {
        self.events.pop_front().or_else(|| self.recorders.poll_event())
    }

    /// Drain a participant's `Rtc` after a mutation (str0m's single-mutation rule).
    fn drain(&mut self, participant: ParticipantId) {
        let Some(peer) = self.peers.get_mut(&participant) else { return };
        let ok = peer.drain(&mut self.transmits, &mut self.drained);
        self.work.extend(self.drained.drain(..).map(|e| (participant, e)));
        self.touch(participant);
        if !ok {
            self.failed.push((participant, LeaveReason::Failed));
        }
    }

    /// Handle the drained str0m events until none is left.
    fn process(&mut self, now: Instant) {
        loop {
            if let Some((participant, event)) = self.work.pop_front() {
                self.on_event(now, participant, event);
            } else if let Some((participant, reason)) = self.failed.pop() {
                let _ = self.leave(now, participant, reason);
            } else {
                break;
            }
        }
    }

    fn on_event(&mut self, now: Instant, participant: ParticipantId, event: Event) {
        let Some(peer) = self.peers.get_mut(&participant) else { return };
        let room = peer.room;
        match event {
            Event::Connected => {
                peer.connected = true;
                let _ = self.room_input(now, room, room::Input::Connected { participant });
                self.try_offer(now, participant);
            }
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                let reason = if peer.connected { LeaveReason::Lost } else { LeaveReason::Timeout };
                self.failed.push((participant, reason));
            }
            Event::Closed => self.failed.push((participant, LeaveReason::Hangup)),
            Event::MediaAdded(added) if added.direction.is_receiving() => {
                let kind = peer.track_kind(added.mid, added.kind);
                let track = TrackId(self.next_track);
                self.next_track += self.track_step;
                peer.published.insert(added.mid, track);
                // A screen share is forwarded as it comes: one layer is enough for it.
                let layers = peer.learn_rids(added.mid);
                let rids: Vec<String> = peer.rids.get(&added.mid).into_iter().flatten().map(|r| r.to_string()).collect();
                self.meters.add(now, room, track, &rids);
                if kind == TrackKind::ScreenAudio {
                    self.recorders.share_sound(participant, true);
                }
                let layers = u8::try_from(layers).unwrap_or(u8::MAX);
                let _ = self.room_input(now, room, room::Input::Publish { participant, track, kind, layers });
            }
            Event::MediaChanged(changed) if !changed.direction.is_receiving() => {
                if let Some(track) = peer.published.remove(&changed.mid) {
                    let sound = self.rooms.get(&room).and_then(|r| r.track(track)).is_some_and(|(_, k)| k == TrackKind::ScreenAudio);
                    if sound {
                        self.recorders.share_sound(participant, false);
                    }
                    let _ = self.room_input(now, room, room::Input::Unpublish { track });
                }
            }
            Event::RtpPacket(packet) => self.forward(now, participant, packet),
            Event::KeyframeRequest(request) => {
                if let Some(track) = peer.sending_by_mid.get(&request.mid).copied() {
                    let input = room::Input::KeyframeWanted { subscriber: participant, track };
                    let _ = self.room_input(now, room, input);
                }
            }
            Event::MediaEgressStats(stats) => {
                let Some(track) = peer.sending_by_mid.get(&stats.mid).copied() else { return };
                let age = peer.rtx_age();
                let Some(sending) = peer.sending.get_mut(&track).filter(|s| s.video) else { return };
                let sample = Sample { at: stats.timestamp, nacks: stats.nacks, reported: stats.remote.map(|r| *r.maximum_sequence_number) };
                if sending.nack_watch.sample(sample, &peer.hearing, age) {
                    // Its NACKs ask for packets the cache dropped: only a keyframe repairs that.
                    tracing::debug!(subscriber = participant.0, track = track.0, "media: NACK past the cache, keyframe wanted");
                    let _ = self.room_input(now, room, room::Input::KeyframeWanted { subscriber: participant, track });
                }
            }
            Event::PeerStats(stats) => {
                if let Some(rtt) = stats.rtt {
                    peer.adapt_rtx_cache(rtt);
                }
                let raw = stats.bwe_tx.map(|raw| raw.as_u64());
                let raw = peer.estimate.sample(stats.timestamp, raw, stats.bytes_tx, stats.egress_loss_fraction);
                let report = peer.reporting.sample(room, participant, &stats);
                if raw.is_some() {
                    self.estimate_changed(now, room, participant, None, raw);
                }
                let Some(peer) = self.peers.get_mut(&participant) else { return };
                let Some(mut figures) = report else { return };
                // The first video track it receives, at the layer it receives.
                let mut forwarded: Vec<(TrackId, u8)> =
                    peer.sending.iter().filter_map(|(track, s)| s.forwarder.current().filter(|_| s.video).map(|l| (*track, l))).collect();
                forwarded.sort_unstable();
                figures.forwarded_video = forwarded.first().and_then(|(track, layer)| self.meters.layer(*track, *layer));
                let mut published: Vec<TrackId> = peer.published.values().copied().collect();
                published.sort_unstable();
                figures.published_rids =
                    published.iter().map(|t| self.meters.received_rids(*t)).find(|r| !r.is_empty()).unwrap_or_default();
                self.events.push_back(MediaEvent::Stats(figures));
            }
            Event::EgressBitrateEstimate(BweKind::Twcc { estimate, .. } | BweKind::Remb { estimate, .. }) => {
                let bps = estimate.as_u64();
                let fast = peer.estimate.averaged(bps);
                self.estimate_changed(now, room, participant, Some(bps), fast);
            }
            _ => {}
        }
    }

    /// The estimates towards `participant` changed (see `estimate`): str0m's averaged one,
    /// and the fast figure (`Some(None)`: none any more).
    fn estimate_changed(
        &mut self,
        now: Instant,
        room: RoomId,
        participant: ParticipantId,
        averaged: Option<u64>,
        fast: Option<Option<u64>>,
    ) {
        if let Some(peer) = self.peers.get_mut(&participant) {
            let e = &peer.estimate;
            if let Some(bps) = e.current().filter(|bps| peer.logged_estimate.is_none_or(|logged| bps.abs_diff(logged) * 5 >= logged)) {
                peer.logged_estimate = Some(bps);
                let (averaged, raw, delivered) = (e.averaged, e.raw, e.delivered);
                tracing::debug!(participant = participant.0, bps, ?averaged, ?raw, ?delivered, "media: estimate");
            }
        }
        if let Some(bps) = averaged {
            let _ = self.room_input(now, room, room::Input::Estimate { subscriber: participant, bps });
        }
        if let Some(bps) = fast {
            let _ = self.room_input(now, room, room::Input::FastEstimate { subscriber: participant, bps });
        }
    }

    /// Fan one incoming packet out to the room's decision: each ready subscriber whose layer
    /// it is, renumbered into that subscriber's one continuous stream.
    fn forward(&mut self, now: Instant, publisher: ParticipantId, mut packet: RtpPacket) {
        let Some(peer) = self.peers.get_mut(&publisher) else { return };
        let Some((mid, rid)) = peer.rtc.direct_api().stream_rx(&packet.header.ssrc).map(|s| (s.mid(), s.rid())) else {
            return;
        };
        let Some(track) = peer.published.get(&mid).copied() else { return };
        let layer = peer.layer_of(mid, rid);
        let pt = packet.header.payload_type;
        let Some(params) = peer.rtc.codec_config().find(|p| p.pt() == pt).cloned() else { return };
        let Some(room) = self.rooms.get(&peer.room) else { return };
        let Some((_, kind)) = room.track(track) else { return };
        let video = kind.is_video();
        let codec = video_codec(&params);
        let keyframe = video && starts_keyframe(codec, &packet.payload);
        let size = if keyframe { keyframe_size(codec, &packet.payload) } else { None };
        self.meters.record(track, layer, packet.payload.len(), packet.header.marker, size);
        let descriptor = if video && codec == VideoCodec::Vp8 { Vp8Descriptor::parse(&packet.payload).ok() } else { None };
        let incoming = Incoming {
            layer,
            seq_no: *packet.seq_no,
            timestamp: packet.header.timestamp,
            keyframe,
            picture_id: descriptor.and_then(|d| d.picture_id()),
            tl0_pic_idx: descriptor.and_then(|d| d.tl0_pic_idx()),
            at: now,
            ticks_per_ms: (params.spec().clock_rate.get() / 1000).max(1),
        };
        let recording_wants_keyframe = self.recorders.offer(publisher, kind, params.spec().codec, &packet);
        let mut targets = std::mem::take(&mut self.targets);
        targets.clear();
        targets.extend(room.forward_targets(track));
        // The payload is copied for every subscriber but the last, which takes it (in a 1:1 call
        // the only one: no copy at all).
        let mut payload = std::mem::take(&mut packet.payload);
        let last = targets.len().saturating_sub(1);
        let ext = ExtensionValues {
            audio_level: packet.header.ext_vals.audio_level,
            voice_activity: packet.header.ext_vals.voice_activity,
            video_orientation: packet.header.ext_vals.video_orientation,
            ..Default::default()
        };
        for (i, subscriber) in targets.iter().copied().enumerate() {
            let Some(peer) = self.peers.get_mut(&subscriber) else { continue };
            let Some(mid) = peer.sending.get(&track).map(|s| s.mid) else { continue };
            let out_pt = match peer.sending.get(&track).and_then(|s| s.pt_map.get(&pt)) {
                Some(cached) => *cached,
                None => {
                    let found = peer.matching_pt(mid, &params);
                    if let Some(sending) = peer.sending.get_mut(&track) {
                        sending.pt_map.insert(pt, found);
                    }
                    found
                }
            };
            // The subscriber negotiated no codec the publisher sends: nothing to forward.
            let Some(out_pt) = out_pt else { continue };
            let Some(sending) = peer.sending.get_mut(&track) else { continue };
            let Some(out) = sending.forwarder.forward(&incoming) else { continue };
            let payload = if i == last { std::mem::take(&mut payload) } else { payload.clone() };
            let mut write = RtpWrite::new(out_pt, out.seq_no.into(), out.timestamp, packet.timestamp, payload)
                .marker(packet.header.marker)
                .ext_vals(ext.clone())
                // Video is kept for retransmission on the subscriber's NACK; late audio is useless.
                .nackable(video);
            if let Some(d) = descriptor {
                let mut patch = d.patch();
                if let Some(id) = out.picture_id {
                    patch = patch.picture_id(id);
                }
                if let Some(idx) = out.tl0_pic_idx {
                    patch = patch.tl0_pic_idx(idx);
                }
                // A 7-bit picture id cannot take a 15-bit value: forwarded as it came.
                if let Ok(patch) = patch.build() {
                    write = write.vp8_patch(patch);
                }
            }
            let mut api = peer.rtc.direct_api();
            let Some(stream) = api.stream_tx_by_mid(mid, None) else { continue };
            stream.write_rtp(write);
            self.drain(subscriber);
        }
        self.targets = targets;
        if recording_wants_keyframe {
            if let Some(room) = self.peers.get(&publisher).map(|p| p.room) {
                let _ = self.room_input(now, room, room::Input::KeyframesWanted { publisher });
            }
        }
    }

    fn try_offer(&mut self, now: Instant, participant: ParticipantId) {
        let Some(peer) = self.peers.get_mut(&participant) else { return };
        if let Some(sdp) = peer.make_offer(now) {
            self.drain(participant);
            self.events.push_back(MediaEvent::Offer { participant, sdp });
        }
        // What it wants changed (or an offer went out): its offer deadline moved.
        self.touch(participant);
    }

    /// Feed the room and carry out its decisions.
    fn room_input(&mut self, now: Instant, room: RoomId, input: room::Input) -> Result<(), MediaError> {
        let r = self.rooms.get_mut(&room).ok_or(MediaError::UnknownRoom)?;
        r.handle_input(now, input);
        while let Some(output) = self.rooms.get_mut(&room).and_then(Room::poll_output) {
            self.apply(now, output);
        }
        let due = self.rooms.get(&room).and_then(Room::poll_timeout);
        self.room_deadlines.set(room, due);
        Ok(())
    }

    fn apply(&mut self, now: Instant, output: room::Output) {
        match output {
            room::Output::Subscribe { subscriber, track, kind } => {
                if let Some(peer) = self.peers.get_mut(&subscriber) {
                    peer.want_add(track, kind);
                    self.try_offer(now, subscriber);
                }
            }
            room::Output::Unsubscribe { subscriber, track } => {
                if let Some(peer) = self.peers.get_mut(&subscriber) {
                    peer.want_remove(track);
                    self.try_offer(now, subscriber);
                }
            }
            room::Output::RequestKeyframe { publisher, track, layer } => {
                let Some(peer) = self.peers.get_mut(&publisher) else { return };
                let mids = peer.published.iter().filter(|(_, t)| **t == track).map(|(m, _)| *m);
                let Some(mid) = mids.last() else { return };
                let rid = peer.rid_of(mid, layer);
                if let Some(stream) = peer.rtc.direct_api().stream_rx_by_mid(mid, rid) {
                    stream.request_keyframe(KeyframeRequestKind::Pli);
                }
                self.drain(publisher);
            }
            room::Output::SetLayer { subscriber, track, layer } => {
                let estimate = self.peers.get(&subscriber).and_then(|p| p.estimate.current());
                tracing::debug!(subscriber = subscriber.0, track = track.0, ?layer, ?estimate, "media: layer chosen");
                if let Some(sending) = self.peers.get_mut(&subscriber).and_then(|p| p.sending.get_mut(&track)) {
                    sending.forwarder.set_target(layer);
                }
            }
            room::Output::PublisherLayers { publisher, track, active } => {
                let Some(peer) = self.peers.get(&publisher) else { return };
                let Some(mid) = peer.published.iter().find(|(_, t)| **t == track).map(|(m, _)| *m) else { return };
                let rids: Vec<String> = peer.rids.get(&mid).into_iter().flatten().map(|r| r.to_string()).collect();
                // The recorder is no subscriber of the room, but it keeps the top layer: a
                // recording must not drop to a thumbnail because the other side's link is weak.
                let recorded = self.recorders.records(publisher);
                let on = rids.iter().zip(&active).filter(|(r, on)| **on || (recorded && is_top_layer(r))).map(|(r, _)| r.clone()).collect();
                self.events.push_back(MediaEvent::LayersWanted { participant: publisher, mid: mid.to_string(), active: on, rids });
            }
            room::Output::Probe { subscriber, minimum, desired } => {
                tracing::debug!(subscriber = subscriber.0, minimum, desired, "media: probe");
                let Some(peer) = self.peers.get_mut(&subscriber) else { return };
                peer.rtc.bwe().set_bitrate(Bitrate::bps(minimum), Bitrate::bps(desired));
                self.drain(subscriber);
            }
            room::Output::Release { participant } => {
                self.demux.remove(participant);
                self.peer_deadlines.set(participant, None);
                self.recorders.forget(participant);
                if let Some(mut peer) = self.peers.remove(&participant) {
                    peer.rtc.disconnect();
                }
                self.work.retain(|(p, _)| *p != participant);
                self.failed.retain(|(p, _)| *p != participant);
            }
            room::Output::Announce(event) => {
                if let MediaEvent::RoomClosed { room } = event {
                    self.rooms.remove(&room);
                }
                if let MediaEvent::TrackUnpublished { track, .. } = event {
                    self.meters.remove(track);
                }
                self.events.push_back(event);
            }
        }
    }
}

/// The full-resolution layer of a simulcast track (Chromium names it `h`; some clients `f`).
fn is_top_layer(rid: &str) -> bool {
    matches!(rid, "h" | "f")
}
