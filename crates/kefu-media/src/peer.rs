//! One participant's connection: its str0m `Rtc` (RTP mode, ICE-lite), the tracks it publishes
//! and receives by mid, and the server side of its offer/answer exchanges.

use rustc_hash::FxHashMap;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::config::DtlsCert;
use str0m::format::{Codec, FormatParams, PayloadParams};
use str0m::media::{Direction, Frequency, MediaKind, Mid, Pt, Rid, Rids};
use str0m::net::Protocol;
use str0m::{Candidate, Event, IceCreds, Output, Rtc};

use crate::api::{ClientOffer, MediaError};
use crate::codec::VideoCodec;
use crate::estimate::{self, Estimate};
use crate::forward::{Forwarder, Layer};
use crate::ids::{ParticipantId, RoomId, TrackId, TrackKind};
use crate::repair::{Hearing, NackWatch};
use crate::report::Reporting;
use crate::rtx;

/// After a client's offer, the server may wait this long before its own next offer. It used to
/// be 200 ms, so that the answer reached the client first even when answers and events are
/// relayed by different tasks; the client now queues a server offer that arrives while its own
/// is out and applies it right after the answer (`@kefu/realtime` CallSession), so the wait only
/// delayed the first forwarded packet of every join (~220 ms median in tools/media-load).
pub(crate) const OFFER_SETTLE: Duration = Duration::from_millis(0);

/// Retransmissions may take this share of a forwarded video stream (str0m's default is 0.15).
/// A link that just narrowed loses a burst of packets: with the default, the repairs right
/// after the fall to the weak link (300 kbit/s, 5% loss) crossed it and were dropped, and the
/// subscriber froze a second more (sfu_weak_link_tests.rs); the bandwidth estimate, not this
/// cap, is what keeps the link from overflowing.
const RTX_SHARE_CAP: f32 = 0.3;

/// A datagram to send.
#[derive(Debug)]
pub(crate) struct Transmit {
    /// Over a TCP connection (RFC 4571 framing) rather than the UDP socket.
    pub tcp: bool,
    pub destination: SocketAddr,
    pub contents: Vec<u8>,
}

/// A change to what the participant receives, waiting for a server offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    Add(TrackId, TrackKind),
    Remove(TrackId),
}

/// A track forwarded to this participant, negotiated.
#[derive(Debug)]
pub(crate) struct Sending {
    pub mid: Mid,
    pub video: bool,
    pub forwarder: Forwarder,
    /// Publisher's payload type -> ours, learnt on the first packet of each.
    pub pt_map: FxHashMap<Pt, Option<Pt>>,
    /// Whether its NACKs can still be served (video; see `repair`).
    pub nack_watch: NackWatch,
}

#[derive(Debug)]
struct PendingOffer {
    offer: SdpPendingOffer,
    changes: Vec<Change>,
    added: Vec<(TrackId, Mid)>,
}

/// One participant.
#[derive(Debug)]
pub(crate) struct Peer {
    pub id: ParticipantId,
    pub room: RoomId,
    pub rtc: Rtc,
    pub local_ufrag: String,
    pub connected: bool,
    /// When the `Rtc` next wants `Input::Timeout`, as its last drain said.
    pub next_timeout: Instant,
    screen_mids: HashSet<String>,
    /// Incoming (published) media by mid.
    pub published: FxHashMap<Mid, TrackId>,
    /// The simulcast rids of each published mid, lowest layer first (empty: no simulcast).
    pub rids: FxHashMap<Mid, Vec<Rid>>,
    /// Outgoing (forwarded) tracks, negotiated.
    pub sending: FxHashMap<TrackId, Sending>,
    /// Outgoing mid -> track, for the subscriber's keyframe requests.
    pub sending_by_mid: FxHashMap<Mid, TrackId>,
    wanted: Vec<Change>,
    pending: Option<PendingOffer>,
    offer_not_before: Instant,
    /// Its stats reports to the server, from str0m's more frequent samples.
    pub reporting: Reporting,
    /// The longest the retransmission cache may keep (the configured age).
    rtx_cache: Duration,
    /// The bandwidth estimate towards it (str0m's averaged and raw ones) and the last one
    /// logged (debug logs follow the estimate in steps of a fifth, not every update).
    pub estimate: Estimate,
    pub logged_estimate: Option<u64>,
    /// What the forwarded video streams' caches keep now (see `rtx`), and whether an RTT set it.
    rtx_age: Duration,
    rtx_age_measured: bool,
    /// When a datagram last came from it (see `repair`).
    pub hearing: Hearing,
}

/// How every connection is built.
#[derive(Clone, Debug)]
pub(crate) struct PeerSetup {
    /// Local address fed to str0m as each datagram's destination.
    pub local_addr: SocketAddr,
    pub candidates: Vec<Candidate>,
    /// How often the participant's stats are reported to the server (`None`: never). str0m's
    /// own stats come every [`estimate::SAMPLE_INTERVAL`] whatever this says: they carry the
    /// raw bandwidth estimate.
    pub stats_interval: Option<Duration>,
    /// One DTLS certificate for every connection (as Janus and mediasoup do): generating a key
    /// pair per join cost CPU and memory; the fingerprint in each answer is the same.
    pub dtls_cert: Option<DtlsCert>,
    /// How long a forwarded video stream keeps its sent packets for the subscriber's NACKs.
    pub rtx_cache: Duration,
}

impl Peer {
    /// A connection answering the client's first offer. Returns it and the answer's SDP.
    pub(crate) fn accept(
        now: Instant,
        id: ParticipantId,
        room: RoomId,
        setup: &PeerSetup,
        offer: &ClientOffer,
    ) -> Result<(Peer, String), MediaError> {
        let creds = IceCreds::new();
        let local_ufrag = creds.ufrag.clone();
        let mut config = Rtc::builder()
            .set_rtp_mode(true)
            .set_ice_lite(true)
            .set_local_ice_credentials(creds)
            .set_stats_interval(Some(estimate::SAMPLE_INTERVAL))
            .enable_bwe(Some(str0m::bwe::Bitrate::kbps(300)))
            .clear_codecs();
        if let Some(cert) = &setup.dtls_cert {
            config = config.set_dtls_cert(cert.clone());
        }
        let codecs = config.codec_config();
        // Opus with in-band FEC (a lost packet is rebuilt from the next) and DTX (silence costs
        // next to nothing): what a weak mobile link needs.
        let opus = FormatParams { min_p_time: Some(10), use_inband_fec: Some(true), use_dtx: Some(true), ..Default::default() };
        codecs.add_config(111.into(), None, Codec::Opus, Frequency::FORTY_EIGHT_KHZ, Some(2), opus);
        codecs.enable_vp8(true);
        // Constrained baseline, packetization-mode 1: what phones' hardware encoders speak.
        codecs.add_h264(108.into(), Some(109.into()), true, 0x42e01f);
        let mut rtc = config.build(now);
        for candidate in &setup.candidates {
            rtc.add_local_candidate(candidate.clone());
        }
        let mut peer = Peer {
            id,
            room,
            rtc,
            local_ufrag,
            connected: false,
            next_timeout: now,
            screen_mids: HashSet::new(),
            published: FxHashMap::default(),
            rids: FxHashMap::default(),
            sending: FxHashMap::default(),
            sending_by_mid: FxHashMap::default(),
            wanted: Vec::new(),
            pending: None,
            offer_not_before: now,
            reporting: Reporting::new(setup.stats_interval),
            rtx_cache: setup.rtx_cache,
            estimate: Estimate::default(),
            logged_estimate: None,
            rtx_age: rtx::age_for(None, setup.rtx_cache),
            rtx_age_measured: false,
            hearing: Hearing::default(),
        };
        let answer = peer.accept_offer(now, offer)?;
        Ok((peer, answer))
    }

    /// Answer a client offer; a server offer still out is dropped and its changes offered
    /// again later (the server is the polite side).
    pub(crate) fn accept_offer(&mut self, now: Instant, offer: &ClientOffer) -> Result<String, MediaError> {
        let sdp = SdpOffer::from_sdp_string(&offer.sdp).map_err(|e| bad_sdp(&e))?;
        if let Some(dropped) = self.pending.take() {
            let mut changes = dropped.changes;
            changes.append(&mut self.wanted);
            self.wanted = changes;
        }
        self.screen_mids = offer.screen_mids.iter().cloned().collect();
        let answer = self.rtc.sdp_api().accept_offer(sdp).map_err(|e| bad_sdp(&e))?;
        self.offer_not_before = now + OFFER_SETTLE;
        Ok(answer.to_sdp_string())
    }

    /// The kind of an incoming video/audio mid: a mid the client listed as a screen share's is
    /// the share's picture, or its sound (a shared tab's audio).
    pub(crate) fn track_kind(&self, mid: Mid, kind: MediaKind) -> TrackKind {
        let screen = self.screen_mids.contains(&mid.to_string());
        match kind {
            MediaKind::Audio if screen => TrackKind::ScreenAudio,
            MediaKind::Audio => TrackKind::Audio,
            MediaKind::Video if screen => TrackKind::Screen,
            MediaKind::Video => TrackKind::Camera,
        }
    }

    /// The simulcast rids the client sends on `mid`, lowest layer first, learnt from the SDP.
    pub(crate) fn learn_rids(&mut self, mid: Mid) -> usize {
        let rids = match self.rtc.media(mid).map(|m| m.rids_rx()) {
            Some(Rids::Specific(rids)) => layer_order(rids),
            _ => Vec::new(),
        };
        let layers = rids.len().max(1);
        self.rids.insert(mid, rids);
        layers
    }

    /// The layer of an incoming packet on `mid` with `rid`.
    pub(crate) fn layer_of(&self, mid: Mid, rid: Option<Rid>) -> Layer {
        let position = rid.and_then(|rid| self.rids.get(&mid)?.iter().position(|r| *r == rid));
        position.map_or(0, |p| p as Layer)
    }

    /// The rid of a layer of `mid` (`None` without simulcast).
    pub(crate) fn rid_of(&self, mid: Mid, layer: Layer) -> Option<Rid> {
        self.rids.get(&mid)?.get(usize::from(layer)).copied()
    }

    /// Queue a forwarded track to add to this connection.
    pub(crate) fn want_add(&mut self, track: TrackId, kind: TrackKind) {
        self.wanted.push(Change::Add(track, kind));
    }

    /// Queue a forwarded track to remove. One not yet offered is simply forgotten.
    pub(crate) fn want_remove(&mut self, track: TrackId) {
        let before = self.wanted.len();
        self.wanted.retain(|c| !matches!(c, Change::Add(t, _) if *t == track));
        if self.wanted.len() == before {
            self.wanted.push(Change::Remove(track));
        }
    }

    /// The server's next offer, if one is due: connected, nothing in flight, something to change,
    /// and not right after a client offer.
    pub(crate) fn make_offer(&mut self, now: Instant) -> Option<String> {
        if !self.connected || self.pending.is_some() || self.wanted.is_empty() {
            return None;
        }
        if now < self.offer_not_before {
            return None;
        }
        let changes = std::mem::take(&mut self.wanted);
        let mut api = self.rtc.sdp_api();
        let mut added = Vec::new();
        for change in &changes {
            match *change {
                Change::Add(track, kind) => {
                    let media_kind = if kind.is_video() { MediaKind::Video } else { MediaKind::Audio };
                    // One stream per publisher's track. The id names the kind (the only place a
                    // subscriber can learn it): the browser shows a `kefu-screen-*` track large
                    // and plays a `kefu-screen-audio-*` one beside the other side's voice.
                    let label = match kind {
                        TrackKind::Audio => "audio",
                        TrackKind::Camera => "camera",
                        TrackKind::Screen => "screen",
                        TrackKind::ScreenAudio => "screen-audio",
                    };
                    let stream = format!("kefu-{label}-{}", track.0);
                    let mid = api.add_media(media_kind, Direction::SendOnly, Some(stream.clone()), Some(stream), None);
                    added.push((track, mid));
                }
                Change::Remove(track) => {
                    if let Some(sending) = self.sending.get(&track) {
                        api.stop_media(sending.mid);
                    }
                }
            }
        }
        let (offer, pending) = api.apply()?;
        self.pending = Some(PendingOffer { offer: pending, changes, added });
        Some(offer.to_sdp_string())
    }

    /// When a server offer could next be made (for the driver's timer).
    pub(crate) fn offer_due(&self) -> Option<Instant> {
        (self.connected && self.pending.is_none() && !self.wanted.is_empty()).then_some(self.offer_not_before)
    }

    /// The client's answer to the server's offer. Returns the tracks now forwarded.
    pub(crate) fn accept_answer(&mut self, sdp: &str, start_seq: impl Fn(TrackId) -> u16) -> Result<Vec<TrackId>, MediaError> {
        let answer = SdpAnswer::from_sdp_string(sdp).map_err(|e| bad_sdp(&e))?;
        let pending = self.pending.take().ok_or(MediaError::NoPendingOffer)?;
        self.rtc.sdp_api().accept_answer(pending.offer, answer).map_err(|e| bad_sdp(&e))?;
        for change in &pending.changes {
            if let Change::Remove(track) = change {
                if let Some(gone) = self.sending.remove(track) {
                    self.sending_by_mid.remove(&gone.mid);
                }
            }
        }
        let mut ready = Vec::new();
        for (track, mid) in pending.added {
            let video = pending.changes.iter().any(|c| matches!(c, Change::Add(t, k) if *t == track && k.is_video()));
            let forwarder = Forwarder::new(video, start_seq(track));
            if video {
                self.limit_rtx_cache(mid);
            }
            self.sending.insert(track, Sending { mid, video, forwarder, pt_map: FxHashMap::default(), nack_watch: NackWatch::default() });
            self.sending_by_mid.insert(mid, track);
            ready.push(track);
        }
        Ok(ready)
    }

    /// str0m keeps 3 s (up to 2,000 packets) of every sent stream for retransmission: most of a
    /// subscriber's memory. The cache keeps what `rtx::age_for` says for this subscriber's RTT.
    ///
    /// While retransmissions exceed [`RTX_SHARE_CAP`] of what a stream sent over the last
    /// second, str0m drops the NACKed packets it has queued: each such loss freezes the
    /// receiver's video until a keyframe.
    fn limit_rtx_cache(&mut self, mid: Mid) {
        let age = self.rtx_age;
        let mut api = self.rtc.direct_api();
        if let Some(stream) = api.stream_tx_by_mid(mid, None) {
            stream.set_rtx_cache(rtx::max_packets(age), age, Some(RTX_SHARE_CAP));
        }
    }

    /// How long its forwarded video streams keep sent packets for NACKs now.
    pub(crate) fn rtx_age(&self) -> Duration {
        self.rtx_age
    }

    /// A new RTT of this subscriber: its forwarded video streams' caches follow it (when it
    /// moved enough to be worth the packets a resize drops, and only up after the first).
    pub(crate) fn adapt_rtx_cache(&mut self, rtt: Duration) {
        let wanted = rtx::age_for(Some(rtt), self.rtx_cache);
        if !rtx::worth_resizing(self.rtx_age, wanted, !self.rtx_age_measured) {
            return;
        }
        self.rtx_age = wanted;
        self.rtx_age_measured = true;
        let video: Vec<Mid> = self.sending.values().filter(|s| s.video).map(|s| s.mid).collect();
        for mid in video {
            self.limit_rtx_cache(mid);
        }
    }

    /// Drain the `Rtc` after a mutation, as str0m requires: datagrams to `transmits`, events to
    /// `events`. Returns false if the connection failed.
    pub(crate) fn drain(&mut self, transmits: &mut Vec<Transmit>, events: &mut Vec<Event>) -> bool {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => {
                    self.next_timeout = at;
                    return true;
                }
                // str0m hands over its buffer: moved, not copied.
                Ok(Output::Transmit(t)) => {
                    transmits.push(Transmit { tcp: t.proto == Protocol::Tcp, destination: t.destination, contents: t.contents.into() })
                }
                Ok(Output::Event(e)) => events.push(e),
                Err(e) => {
                    tracing::warn!(participant = self.id.0, error = %e, "media connection failed");
                    return false;
                }
            }
        }
    }

    /// Our payload type for a publisher's payload parameters, among what this connection
    /// negotiated for `mid`.
    pub(crate) fn matching_pt(&self, mid: Mid, theirs: &PayloadParams) -> Option<Pt> {
        let media = self.rtc.media(mid)?;
        let want = theirs.spec();
        let ours = self.rtc.codec_config().find(|p| {
            let spec = p.spec();
            media.remote_pts().contains(&p.pt())
                && spec.codec == want.codec
                && (want.codec != Codec::H264
                    || (spec.format.profile_level_id == want.format.profile_level_id
                        && spec.format.packetization_mode == want.format.packetization_mode))
        })?;
        Some(ours.pt())
    }
}

/// Simulcast rids ordered lowest layer first: the usual names (`l`/`m`/`h`, or `q`/`h`/`f`)
/// by their meaning, anything else in the SDP's order (the order the page listed its
/// encodings, lowest first in Kefu's clients).
pub(crate) fn layer_order(rids: &[Rid]) -> Vec<Rid> {
    let names: Vec<&str> = rids.iter().map(|r| &**r).collect();
    let scale: &[&str] = if names.contains(&"f") { &["q", "h", "f"] } else { &["l", "m", "h"] };
    let rank = |r: &Rid| scale.iter().position(|s| *s == &**r);
    if rids.iter().all(|r| rank(r).is_some()) {
        let mut ordered = rids.to_vec();
        ordered.sort_by_key(rank);
        ordered
    } else {
        rids.to_vec()
    }
}

/// The video codec behind a payload type of this connection.
pub(crate) fn video_codec(params: &PayloadParams) -> VideoCodec {
    match params.spec().codec {
        Codec::Vp8 => VideoCodec::Vp8,
        Codec::H264 => VideoCodec::H264,
        _ => VideoCodec::Other,
    }
}

fn bad_sdp(e: &dyn std::fmt::Display) -> MediaError {
    MediaError::BadSdp(e.to_string())
}
