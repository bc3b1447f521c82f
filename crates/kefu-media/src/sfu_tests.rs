//! In-process tests of the SFU: str0m client peers talk to [`Sfu`] over an emulated link (delay,
//! deterministic loss), no sockets, simulated time — seconds of media in milliseconds.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid, Rid, Simulcast, SimulcastLayer};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

use crate::api::{ClientOffer, MediaEvent};
use crate::ids::{ParticipantId, RoomId, TrackKind};
use crate::peer::PeerSetup;
use crate::room::RoomConfig;
use crate::sfu::Sfu;

const SERVER: &str = "127.0.0.1:3478";
const ROOM: RoomId = RoomId(1);

/// A browser stand-in: a str0m peer in frame mode that publishes a microphone and a camera.
pub(crate) struct Client {
    pub id: ParticipantId,
    pub addr: SocketAddr,
    pub rtc: Rtc,
    pub audio: Mid,
    pub video: Mid,
    /// Frames received, by kind.
    pub audio_frames: usize,
    pub video_frames: usize,
    pub keyframe_requests: usize,
    /// The next camera frame must be a keyframe (first frame, or asked for).
    pub keyframe_due: bool,
    /// Simulcast layers sent (rid, frame size), lowest first; empty: one plain layer.
    pub layers: Vec<(&'static str, usize)>,
    /// Per layer: its next frame must be a keyframe.
    pub layer_keyframe_due: Vec<bool>,
    /// Each video frame received: when, and its size (which tells its layer).
    pub video_log: Vec<(Instant, usize)>,
}

impl Client {
    /// A client and its first offer (sendrecv audio and video); its camera is sent in
    /// simulcast `layers` (rid, frame size), lowest first, or plain when there are none.
    pub(crate) fn with_layers(now: Instant, id: u64, port: u16, layers: &[(&'static str, usize)]) -> (Client, ClientOffer) {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let mut rtc = Rtc::builder().build(now);
        rtc.add_local_candidate(Candidate::host(addr, "udp").expect("loopback is a valid host"));
        let mut api = rtc.sdp_api();
        let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let simulcast = (!layers.is_empty()).then(|| {
            let mut simulcast = Simulcast::new();
            for (rid, _) in layers {
                simulcast.add_send_layer(SimulcastLayer::new(rid));
            }
            simulcast
        });
        let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, simulcast);
        let (offer, pending) = api.apply().expect("two m-lines to offer");
        let client = Client {
            id: ParticipantId(id),
            addr,
            rtc,
            audio,
            video,
            audio_frames: 0,
            video_frames: 0,
            keyframe_requests: 0,
            keyframe_due: true,
            layers: layers.to_vec(),
            layer_keyframe_due: vec![true; layers.len()],
            video_log: Vec::new(),
        };
        PENDING.with(|p| p.borrow_mut().push((id, pending)));
        (client, ClientOffer::new(offer.to_sdp_string()))
    }

    pub(crate) fn accept_answer(&mut self, sdp: &str) {
        let pending = PENDING.with(|p| {
            let mut p = p.borrow_mut();
            let at = p.iter().position(|(id, _)| *id == self.id.0).expect("an offer was made");
            p.remove(at).1
        });
        let answer = str0m::change::SdpAnswer::from_sdp_string(sdp).expect("a valid answer");
        self.rtc.sdp_api().accept_answer(pending, answer).expect("answer accepted");
    }

    /// Answer a server offer.
    pub(crate) fn answer_offer(&mut self, sdp: &str) -> String {
        let offer = str0m::change::SdpOffer::from_sdp_string(sdp).expect("a valid server offer");
        let answer = self.rtc.sdp_api().accept_offer(offer).expect("offer accepted");
        answer.to_sdp_string()
    }

    /// Drain the client's outputs: datagrams onto the link.
    pub(crate) fn drain(&mut self, now: Instant, link: &mut Link, server: SocketAddr) {
        loop {
            match self.rtc.poll_output().expect("client rtc stays healthy") {
                Output::Timeout(_) => return,
                Output::Transmit(t) => link.send(now, self.addr, server, t.contents.to_vec()),
                Output::Event(Event::MediaData(data)) => {
                    if data.params.spec().codec == Codec::Opus {
                        self.audio_frames += 1;
                    } else {
                        self.video_frames += 1;
                        self.video_log.push((now, data.data.len()));
                    }
                }
                Output::Event(Event::KeyframeRequest(request)) => {
                    self.keyframe_requests += 1;
                    self.keyframe_due = true;
                    let layer = self.layers.iter().position(|(rid, _)| request.rid == Some(Rid::from(*rid)));
                    if let Some(due) = layer.and_then(|l| self.layer_keyframe_due.get_mut(l)) {
                        *due = true;
                    }
                }
                Output::Event(_) => {}
            }
        }
    }

    /// Send 20 ms of audio and, every 40 ms, a camera frame (keyframe when due).
    pub(crate) fn send_media(&mut self, tick: u64, wallclock: Instant) {
        if !self.rtc.is_connected() {
            return;
        }
        let opus = self.pt(self.audio, Codec::Opus);
        if let (Some(pt), Some(writer)) = (opus, self.rtc.writer(self.audio)) {
            let time = MediaTime::from_90khz(tick * 1800).rebase(str0m::media::Frequency::FORTY_EIGHT_KHZ);
            let _ = writer.write(pt, wallclock, time, vec![0xfc; 60]);
        }
        if tick.is_multiple_of(2) && !self.layers.is_empty() {
            self.send_layers(tick, wallclock);
        } else if tick.is_multiple_of(2) {
            if let Some(pt) = self.pt(self.video, Codec::Vp8) {
                // VP8 frame tag: bit 0 is 0 on a keyframe.
                let first = if self.keyframe_due { 0x00 } else { 0x01 };
                self.keyframe_due = false;
                let mut frame = vec![first; 2500];
                frame[1] = (tick % 251) as u8;
                if let Some(writer) = self.rtc.writer(self.video) {
                    let _ = writer.write(pt, wallclock, MediaTime::from_90khz(tick * 1800), frame);
                }
            }
        }
    }

    /// One camera frame on every simulcast layer, each layer's keyframe when due.
    fn send_layers(&mut self, tick: u64, wallclock: Instant) {
        let Some(pt) = self.pt(self.video, Codec::Vp8) else { return };
        for (layer, (rid, size)) in self.layers.clone().into_iter().enumerate() {
            let first = if self.layer_keyframe_due[layer] { 0x00 } else { 0x01 };
            self.layer_keyframe_due[layer] = false;
            let mut frame = vec![first; size];
            frame[1] = (tick % 251) as u8;
            if let Some(writer) = self.rtc.writer(self.video) {
                let _ = writer.rid(Rid::from(rid)).write(pt, wallclock, MediaTime::from_90khz(tick * 1800), frame);
            }
        }
    }

    fn pt(&mut self, mid: Mid, codec: Codec) -> Option<str0m::media::Pt> {
        let writer = self.rtc.writer(mid)?;
        let params = writer.payload_params().find(|p| p.spec().codec == codec)?;
        Some(params.pt())
    }
}

thread_local! {
    /// The clients' pending first offers (SdpPendingOffer is not Debug-free to store on Client
    /// before it exists; kept aside by client id).
    static PENDING: std::cell::RefCell<Vec<(u64, str0m::change::SdpPendingOffer)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The emulated network: every datagram is delayed; one in `loss_every` to a chosen address is
/// dropped.
pub(crate) struct Link {
    pub delay: Duration,
    queue: VecDeque<(Instant, SocketAddr, SocketAddr, Vec<u8>)>,
    pub loss_to: Option<(SocketAddr, u32)>,
    counter: u32,
    pub dropped: u32,
    /// Of those, dropped because the bottleneck's queue was full.
    pub overflowed: u32,
    /// A bottleneck towards one address (bits per second), as `tbf` makes: datagrams queue
    /// behind each other, and are dropped when the queue holds more than [`LIMIT_QUEUE`].
    pub limit_to: Option<(SocketAddr, u64)>,
    busy_until: Option<Instant>,
    /// An address cut off both ways (a tunnel): everything to and from it is lost.
    pub cut: Option<SocketAddr>,
    /// An address that receives nothing (its downlink is cut) while what it sends goes through.
    pub cut_towards: Option<SocketAddr>,
}

/// How much a limited link queues before it drops (as a `tbf` latency).
pub(crate) const LIMIT_QUEUE: Duration = Duration::from_millis(100);

impl Link {
    pub(crate) fn new(delay: Duration) -> Self {
        Link {
            delay,
            queue: VecDeque::new(),
            loss_to: None,
            counter: 0,
            dropped: 0,
            overflowed: 0,
            limit_to: None,
            busy_until: None,
            cut: None,
            cut_towards: None,
        }
    }

    fn send(&mut self, now: Instant, from: SocketAddr, to: SocketAddr, bytes: Vec<u8>) {
        if self.cut.is_some_and(|addr| addr == to || addr == from) || self.cut_towards == Some(to) {
            self.dropped += 1;
            return;
        }
        // The bottleneck first, then the random loss past it (a `tbf` on the way, an nftables
        // rule at the receiver): a datagram lost there has taken its time on the link.
        let mut at = now + self.delay;
        if let Some((addr, bps)) = self.limit_to {
            if addr == to {
                let start = self.busy_until.unwrap_or(now).max(now);
                if start > now + LIMIT_QUEUE {
                    self.dropped += 1;
                    self.overflowed += 1;
                    return;
                }
                let wire = Duration::from_micros((bytes.len() as u64 + 28) * 8 * 1_000_000 / bps);
                self.busy_until = Some(start + wire);
                at = start + wire + self.delay;
            }
        }
        if let Some((addr, every)) = self.loss_to {
            if addr == to {
                self.counter += 1;
                if self.counter.is_multiple_of(every) {
                    self.dropped += 1;
                    return;
                }
            }
        }
        // Keep the queue ordered by delivery time.
        let i = self.queue.iter().rposition(|(t, ..)| *t <= at).map_or(0, |i| i + 1);
        self.queue.insert(i, (at, from, to, bytes));
    }

    fn due(&mut self, now: Instant) -> Vec<(SocketAddr, SocketAddr, Vec<u8>)> {
        // Not only the front: a limited destination's datagrams wait longer than the others'.
        let mut out = Vec::new();
        let mut waiting = VecDeque::with_capacity(self.queue.len());
        for (at, from, to, bytes) in self.queue.drain(..) {
            if at <= now {
                out.push((from, to, bytes));
            } else {
                waiting.push_back((at, from, to, bytes));
            }
        }
        self.queue = waiting;
        out
    }
}

/// A room on an in-process SFU, its clients, the link and the clock.
pub(crate) struct World {
    pub now: Instant,
    pub sfu: Sfu,
    pub server: SocketAddr,
    pub link: Link,
    pub clients: Vec<Client>,
    pub events: Vec<MediaEvent>,
    tick: u64,
}

impl World {
    pub(crate) fn new() -> Self {
        crate::driver::install_crypto();
        let now = Instant::now();
        let server: SocketAddr = SERVER.parse().expect("literal address");
        let setup = PeerSetup {
            local_addr: server,
            candidates: vec![Candidate::host(server, "udp").expect("loopback is a valid host")],
            stats_interval: Some(Duration::from_secs(1)),
            dtls_cert: None,
            rtx_cache: crate::config::DEFAULT_RTX_CACHE,
        };
        let mut sfu = Sfu::new(setup, RoomConfig { connect_timeout: Duration::from_secs(10) });
        sfu.open_room(ROOM).expect("a new room");
        World { now, sfu, server, link: Link::new(Duration::from_millis(10)), clients: Vec::new(), events: Vec::new(), tick: 0 }
    }

    /// A client joins with its first offer.
    pub(crate) fn join(&mut self, id: u64) {
        self.join_with_layers(id, &[]);
    }

    /// A client joins, sending its camera in simulcast `layers` (rid, frame size).
    pub(crate) fn join_with_layers(&mut self, id: u64, layers: &[(&'static str, usize)]) {
        let (mut client, offer) = Client::with_layers(self.now, id, 40_000 + id as u16, layers);
        let answer = self.sfu.join(self.now, ROOM, client.id, &offer).expect("join accepted");
        client.accept_answer(&answer);
        client.drain(self.now, &mut self.link, self.server);
        self.clients.push(client);
        self.flush();
    }

    fn client(&mut self, id: ParticipantId) -> &mut Client {
        self.clients.iter_mut().find(|c| c.id == id).expect("a known client")
    }

    /// Carry the SFU's datagrams onto the link and relay its offers (the server's job).
    fn flush(&mut self) {
        for t in self.sfu.take_transmits() {
            self.link.send(self.now, self.server, t.destination, t.contents);
        }
        while let Some(event) = self.sfu.poll_event() {
            if let MediaEvent::Offer { participant, sdp } = &event {
                let (now, server) = (self.now, self.server);
                let client = self.client(*participant);
                let answer = client.answer_offer(sdp);
                let client = self.clients.iter_mut().find(|c| c.id == *participant);
                let client = client.expect("a known client");
                client.drain(now, &mut self.link, server);
                self.sfu.answer(now, *participant, &answer).expect("answer accepted");
                for t in self.sfu.take_transmits() {
                    self.link.send(self.now, self.server, t.destination, t.contents);
                }
            }
            self.events.push(event);
        }
    }

    /// Run for `duration` of simulated time in 1 ms steps; clients send media every 20 ms.
    pub(crate) fn run(&mut self, duration: Duration) {
        let start = self.now;
        let end = start + duration;
        while self.now < end {
            self.now += Duration::from_millis(1);
            let now = self.now;
            for (from, to, bytes) in self.link.due(now) {
                if to == self.server {
                    self.sfu.handle_datagram(now, false, from, &bytes);
                } else if let Some(client) = self.clients.iter_mut().find(|c| c.addr == to) {
                    let receive = Receive {
                        proto: Protocol::Udp,
                        source: from,
                        destination: to,
                        contents: bytes.as_slice().try_into().expect("a datagram str0m can parse"),
                    };
                    // A datagram the client refuses (late, after it left) is the network's loss.
                    let _ = client.rtc.handle_input(Input::Receive(now, receive));
                    client.drain(now, &mut self.link, self.server);
                }
                self.flush();
            }
            let media_tick = (now - start).as_millis().is_multiple_of(20);
            if media_tick {
                self.tick += 1;
            }
            for client in &mut self.clients {
                client.rtc.handle_input(Input::Timeout(now)).expect("time moves forward");
                client.drain(now, &mut self.link, self.server);
                if media_tick {
                    client.send_media(self.tick, now);
                    client.drain(now, &mut self.link, self.server);
                }
            }
            if self.sfu.poll_timeout().is_some_and(|at| at <= now) {
                self.sfu.handle_timeout(now);
            }
            self.flush();
        }
    }
}

#[test]
fn media_published_by_one_reaches_the_other_and_a_new_subscriber_triggers_a_keyframe_request() {
    let mut world = World::new();
    world.join(1);
    world.run(Duration::from_secs(2));
    assert!(world.events.contains(&MediaEvent::ParticipantConnected { room: ROOM, participant: ParticipantId(1) }));
    let published = |events: &[MediaEvent], kind| {
        events.iter().any(|e| matches!(e, MediaEvent::TrackPublished { participant: ParticipantId(1), kind: k, .. } if *k == kind))
    };
    assert!(published(&world.events, TrackKind::Audio));
    assert!(published(&world.events, TrackKind::Camera));
    let requests_before = world.clients[0].keyframe_requests;

    world.join(2);
    world.run(Duration::from_secs(3));

    let offers_to_b = world.events.iter().filter(|e| matches!(e, MediaEvent::Offer { participant: ParticipantId(2), .. })).count();
    assert!(offers_to_b >= 1, "B is offered A's tracks");
    // The stream ids name the kind, so a browser can tell a shared screen from a camera.
    let offered = |needle: &str| {
        world.events.iter().any(|e| matches!(e, MediaEvent::Offer { participant: ParticipantId(2), sdp } if sdp.contains(needle)))
    };
    assert!(offered("kefu-camera-") && offered("kefu-audio-"), "B's offer names A's camera and audio streams");
    let a = &world.clients[0];
    let b = &world.clients[1];
    assert!(a.keyframe_requests > requests_before, "B's arrival asks A for a keyframe");
    assert!(b.audio_frames > 50, "B hears A: {} audio frames", b.audio_frames);
    assert!(b.video_frames > 20, "B sees A: {} video frames", b.video_frames);
    assert!(a.video_frames > 20, "and A sees B: {} video frames", a.video_frames);
}

#[test]
fn video_survives_a_lossy_link_to_the_subscriber() {
    let mut world = World::new();
    world.join(1);
    world.join(2);
    world.run(Duration::from_secs(3));
    let b_addr = world.clients[1].addr;
    let before = world.clients[1].video_frames;

    // One datagram in 20 towards B is lost: NACK and retransmission fill the holes.
    world.link.loss_to = Some((b_addr, 20));
    world.run(Duration::from_secs(5));
    let received = world.clients[1].video_frames - before;
    let sent = 5_000 / 40;
    assert!(world.link.dropped > 20, "the link dropped {}", world.link.dropped);
    assert!(received * 100 >= sent * 90, "B got {received} of {sent} video frames despite loss");
    let stats = world.events.iter().any(|e| matches!(e, MediaEvent::Stats(s) if s.participant == ParticipantId(2) && s.egress_bps > 0));
    assert!(stats, "stats report what is sent to B");
}
