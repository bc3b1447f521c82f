//! A WebRTC client peer for the call tests: str0m on its own 127.0.0.1 UDP socket and thread,
//! sending Opus-like audio and VP8-like video once connected and counting what it receives.
//! Its SDP travels over the test's WebSocket like a browser's would.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

/// What the peer's thread counts.
#[derive(Default)]
pub struct Counters {
    pub audio: AtomicUsize,
    pub video: AtomicUsize,
    /// Audio frames received per mid (the other side's voice and its shared screen's sound
    /// arrive on two).
    pub audio_by_mid: Mutex<HashMap<String, usize>>,
}

/// A peer that made its first offer and waits for the answer.
pub struct Offering {
    rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    audio: Mid,
    video: Mid,
    pending: SdpPendingOffer,
    /// The offer's SDP, for `call.join`.
    pub sdp: String,
    /// Real H.264 pictures (Annex B) to send in a loop instead of VP8-like frames.
    h264: Option<Arc<Vec<Vec<u8>>>>,
}

/// What the test asks of a running peer's thread; each gets one SDP (or empty) reply.
enum Ask {
    /// Apply a server offer, reply with the answer.
    Apply(String),
    /// Offer a new send-only video transceiver (a screen share) and, if true, a send-only audio
    /// one (its sound), reply with their mids and the offer.
    Offer(bool),
    /// Stop the screen share: its transceivers go inactive (as a browser's do), reply with the offer.
    StopShare,
    /// Apply the answer to our last offer.
    Answered(String),
}

/// A running peer.
pub struct Peer {
    asks: mpsc::Sender<Ask>,
    replies: mpsc::Receiver<String>,
    pub counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Make the first offer: one audio and one video transceiver, both send and receive.
pub fn offer() -> Offering {
    offer_with(Rtc::builder().build(Instant::now()), None)
}

/// The first offer of a peer that speaks only Opus and H.264, and sends `pictures` (each an
/// Annex B access unit, 25 a second) in a loop as its video.
pub fn offer_h264(pictures: Arc<Vec<Vec<u8>>>) -> Offering {
    let rtc = Rtc::builder().clear_codecs().enable_opus(true, false).enable_h264(true).build(Instant::now());
    offer_with(rtc, Some(pictures))
}

fn offer_with(mut rtc: Rtc, h264: Option<Arc<Vec<Vec<u8>>>>) -> Offering {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback port");
    let addr = socket.local_addr().expect("bound");
    rtc.add_local_candidate(Candidate::host(addr, "udp").expect("loopback host candidate"));
    let mut api = rtc.sdp_api();
    let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
    let (offer, pending) = api.apply().expect("an offer");
    Offering { rtc, socket, addr, audio, video, pending, sdp: offer.to_sdp_string(), h264 }
}

impl Offering {
    /// Apply the server's answer and start the peer's thread.
    pub fn answered(mut self, answer: &str) -> Peer {
        let answer = SdpAnswer::from_sdp_string(answer).expect("a valid answer");
        self.rtc.sdp_api().accept_answer(self.pending, answer).expect("answer accepted");
        let (asks, asks_rx) = mpsc::channel();
        let (replies_tx, replies) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let state = State {
            rtc: self.rtc,
            socket: self.socket,
            addr: self.addr,
            audio: self.audio,
            video: self.video,
            counters: counters.clone(),
            keyframe_due: true,
            h264: self.h264,
            screen: None,
            screen_sound: None,
        };
        let flag = stop.clone();
        let thread = std::thread::spawn(move || state.run(asks_rx, replies_tx, flag));
        Peer { asks, replies, counters, stop, thread: Some(thread) }
    }
}

impl Peer {
    /// Apply a server offer; the answer's SDP comes back.
    pub fn answer(&self, offer: &str) -> String {
        self.ask(Ask::Apply(offer.to_string()))
    }
    /// Start a screen share: the new offer's SDP and the new transceiver's mid.
    pub fn share_screen(&self) -> (String, String) {
        let reply = self.ask(Ask::Offer(false));
        let (mid, sdp) = reply.split_once('\n').expect("mid then SDP");
        (sdp.to_string(), mid.to_string())
    }
    /// Start a screen share with its sound (a shared tab's audio, sent beside the microphone):
    /// the new offer's SDP and the two new transceivers' mids.
    pub fn share_screen_with_sound(&self) -> (String, Vec<String>) {
        let reply = self.ask(Ask::Offer(true));
        let (mids, sdp) = reply.split_once('\n').expect("mids then SDP");
        (sdp.to_string(), mids.split(' ').map(str::to_string).collect())
    }
    /// Stop the screen share (picture and sound): the offer that makes its transceivers inactive.
    pub fn stop_share(&self) -> String {
        self.ask(Ask::StopShare)
    }
    /// How many mids audio arrived on.
    pub fn audio_mids(&self) -> usize {
        self.counters.audio_by_mid.lock().unwrap().values().filter(|n| **n > 20).count()
    }
    /// Apply the server's answer to our last offer.
    pub fn answered(&self, answer: &str) {
        self.ask(Ask::Answered(answer.to_string()));
    }
    fn ask(&self, ask: Ask) -> String {
        self.asks.send(ask).expect("peer running");
        self.replies.recv_timeout(Duration::from_secs(5)).expect("the peer replies")
    }
    pub fn audio(&self) -> usize {
        self.counters.audio.load(Ordering::Relaxed)
    }
    pub fn video(&self) -> usize {
        self.counters.video.load(Ordering::Relaxed)
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct State {
    rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    audio: Mid,
    video: Mid,
    counters: Arc<Counters>,
    keyframe_due: bool,
    h264: Option<Arc<Vec<Vec<u8>>>>,
    /// The shared screen's transceiver, once its offer was answered.
    screen: Option<Mid>,
    /// The shared screen's sound transceiver, once its offer was answered.
    screen_sound: Option<Mid>,
}

impl State {
    fn run(mut self, asks: mpsc::Receiver<Ask>, replies: mpsc::Sender<String>, stop: Arc<AtomicBool>) {
        let mut pending = None;
        let mut pending_screen = None;
        self.socket.set_read_timeout(Some(Duration::from_millis(2))).expect("a read timeout");
        let mut next_media = Instant::now();
        let mut tick: u64 = 0;
        let mut buf = vec![0u8; 2048];
        while !stop.load(Ordering::Relaxed) {
            self.drain();
            if let Ok(ask) = asks.try_recv() {
                let reply = match ask {
                    Ask::Apply(sdp) => {
                        let offer = SdpOffer::from_sdp_string(&sdp).expect("a valid server offer");
                        self.rtc.sdp_api().accept_offer(offer).expect("offer accepted").to_sdp_string()
                    }
                    Ask::Offer(sound) => {
                        let mut api = self.rtc.sdp_api();
                        let mid = api.add_media(MediaKind::Video, Direction::SendOnly, None, None, None);
                        let sound = sound.then(|| api.add_media(MediaKind::Audio, Direction::SendOnly, None, None, None));
                        let (offer, p) = api.apply().expect("an offer");
                        pending = Some(p);
                        pending_screen = Some((Some(mid), sound));
                        let mids = sound.map_or(mid.to_string(), |s| format!("{mid} {s}"));
                        format!("{mids}\n{}", offer.to_sdp_string())
                    }
                    Ask::StopShare => {
                        let shared: Vec<Mid> = [self.screen.take(), self.screen_sound.take()].into_iter().flatten().collect();
                        let mut api = self.rtc.sdp_api();
                        for mid in shared {
                            api.set_direction(mid, Direction::Inactive);
                        }
                        let (offer, p) = api.apply().expect("an offer");
                        pending = Some(p);
                        pending_screen = Some((None, None));
                        offer.to_sdp_string()
                    }
                    Ask::Answered(sdp) => {
                        let answer = SdpAnswer::from_sdp_string(&sdp).expect("a valid answer");
                        let p = pending.take().expect("an offer out");
                        self.rtc.sdp_api().accept_answer(p, answer).expect("answer accepted");
                        // The screen is sent from now on, like the camera.
                        if let Some((screen, sound)) = pending_screen.take() {
                            (self.screen, self.screen_sound) = (screen, sound);
                        }
                        String::new()
                    }
                };
                self.drain();
                let _ = replies.send(reply);
            }
            let now = Instant::now();
            if now >= next_media && self.rtc.is_connected() {
                next_media += Duration::from_millis(20);
                tick += 1;
                self.send_media(tick, now);
                self.drain();
            }
            let input = match self.socket.recv_from(&mut buf) {
                Ok((n, source)) => Input::Receive(
                    Instant::now(),
                    Receive { proto: Protocol::Udp, source, destination: self.addr, contents: buf[..n].try_into().expect("a datagram") },
                ),
                Err(_) => Input::Timeout(Instant::now()),
            };
            let _ = self.rtc.handle_input(input);
        }
    }

    fn drain(&mut self) {
        loop {
            let Ok(out) = self.rtc.poll_output() else { return };
            match out {
                Output::Timeout(_) => return,
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Output::Event(Event::MediaData(data)) => {
                    let audio = data.params.spec().codec == Codec::Opus;
                    let c = if audio { &self.counters.audio } else { &self.counters.video };
                    c.fetch_add(1, Ordering::Relaxed);
                    if audio {
                        *self.counters.audio_by_mid.lock().unwrap().entry(data.mid.to_string()).or_default() += 1;
                    }
                }
                Output::Event(Event::KeyframeRequest(_)) => self.keyframe_due = true,
                Output::Event(_) => {}
            }
        }
    }

    fn send_media(&mut self, tick: u64, now: Instant) {
        for mid in [Some(self.audio), self.screen_sound].into_iter().flatten() {
            if let Some(writer) = self.rtc.writer(mid) {
                let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt());
                if let Some(pt) = pt {
                    let _ = writer.write(pt, now, MediaTime::new(tick * 960, Frequency::FORTY_EIGHT_KHZ), vec![0xfc; 60]);
                }
            }
            self.drain();
        }
        if let (Some(pictures), true) = (&self.h264, tick.is_multiple_of(2)) {
            let picture = pictures[(tick / 2) as usize % pictures.len()].clone();
            if let Some(writer) = self.rtc.writer(self.video) {
                let pt = writer.payload_params().find(|p| p.spec().codec == Codec::H264).map(|p| p.pt());
                if let Some(pt) = pt {
                    let _ = writer.write(pt, now, MediaTime::from_90khz(tick * 1800), picture);
                }
            }
            return;
        }
        if tick.is_multiple_of(2) {
            let first = if self.keyframe_due { 0x00 } else { 0x01 };
            self.keyframe_due = false;
            for mid in [Some(self.video), self.screen].into_iter().flatten() {
                if let Some(writer) = self.rtc.writer(mid) {
                    let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Vp8).map(|p| p.pt());
                    if let Some(pt) = pt {
                        let _ = writer.write(pt, now, MediaTime::from_90khz(tick * 1800), vec![first; 1000]);
                    }
                }
                self.drain();
            }
        }
    }
}
