//! Two str0m client peers, each on its own UDP socket on 127.0.0.1, meet through a real
//! `MediaServer`: each one's audio and video reach the other.

use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kefu_media::{ClientOffer, MediaConfig, MediaEvent, MediaServer, ParticipantId, RoomId};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

/// What a client thread reports.
#[derive(Default)]
struct Counters {
    audio: AtomicUsize,
    video: AtomicUsize,
    keyframe_requests: AtomicUsize,
}

struct Client {
    offers: mpsc::Sender<String>,
    answers: mpsc::Receiver<String>,
    counters: Arc<Counters>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Client {
    /// Make the first offer, join through the media server, then run the peer on a thread.
    async fn join(handle: &kefu_media::MediaHandle, room: RoomId, id: ParticipantId) -> Client {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback port");
        let addr = socket.local_addr().expect("bound");
        let mut rtc = Rtc::builder().build(Instant::now());
        rtc.add_local_candidate(Candidate::host(addr, "udp").expect("loopback host candidate"));
        let mut api = rtc.sdp_api();
        let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
        let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
        let (offer, pending) = api.apply().expect("an offer");
        let answer = handle.join(room, id, ClientOffer::new(offer.to_sdp_string())).await.expect("joined");
        let answer = SdpAnswer::from_sdp_string(&answer).expect("a valid answer");
        rtc.sdp_api().accept_answer(pending, answer).expect("answer accepted");

        let (offers, offers_rx) = mpsc::channel();
        let (answers_tx, answers) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let stop = Arc::new(AtomicBool::new(false));
        let peer = Peer { rtc, socket, addr, audio, video, counters: counters.clone(), keyframe_due: true };
        let stop_flag = stop.clone();
        let thread = std::thread::spawn(move || peer.run(offers_rx, answers_tx, stop_flag));
        Client { offers, answers, counters, stop, thread: Some(thread) }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Peer {
    rtc: Rtc,
    socket: UdpSocket,
    addr: SocketAddr,
    audio: Mid,
    video: Mid,
    counters: Arc<Counters>,
    keyframe_due: bool,
}

impl Peer {
    fn run(mut self, offers: mpsc::Receiver<String>, answers: mpsc::Sender<String>, stop: Arc<AtomicBool>) {
        self.socket.set_read_timeout(Some(Duration::from_millis(2))).expect("a read timeout");
        let start = Instant::now();
        let mut next_media = start;
        let mut tick: u64 = 0;
        let mut buf = vec![0u8; 2048];
        while !stop.load(Ordering::Relaxed) {
            self.drain();
            if let Ok(sdp) = offers.try_recv() {
                let offer = SdpOffer::from_sdp_string(&sdp).expect("a valid server offer");
                let answer = self.rtc.sdp_api().accept_offer(offer).expect("offer accepted");
                self.drain();
                let _ = answers.send(answer.to_sdp_string());
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
            match self.rtc.poll_output().expect("client stays healthy") {
                Output::Timeout(_) => return,
                Output::Transmit(t) => {
                    let _ = self.socket.send_to(&t.contents, t.destination);
                }
                Output::Event(Event::MediaData(data)) => {
                    let counter = if data.params.spec().codec == Codec::Opus { &self.counters.audio } else { &self.counters.video };
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                Output::Event(Event::KeyframeRequest(_)) => {
                    self.counters.keyframe_requests.fetch_add(1, Ordering::Relaxed);
                    self.keyframe_due = true;
                }
                Output::Event(_) => {}
            }
        }
    }

    fn send_media(&mut self, tick: u64, now: Instant) {
        if let Some(writer) = self.rtc.writer(self.audio) {
            let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).map(|p| p.pt());
            if let Some(pt) = pt {
                let time = MediaTime::new(tick * 960, Frequency::FORTY_EIGHT_KHZ);
                let _ = writer.write(pt, now, time, vec![0xfc; 60]);
            }
        }
        self.drain();
        if tick.is_multiple_of(2) {
            let first = if self.keyframe_due { 0x00 } else { 0x01 };
            self.keyframe_due = false;
            if let Some(writer) = self.rtc.writer(self.video) {
                let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Vp8).map(|p| p.pt());
                if let Some(pt) = pt {
                    let _ = writer.write(pt, now, MediaTime::from_90khz(tick * 1800), vec![first; 2500]);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_exchange_audio_and_video_over_loopback_udp() {
    let (server, mut events) = MediaServer::start(MediaConfig::loopback()).expect("media server starts");
    let handle = server.handle();
    let room = RoomId(42);
    handle.open_room(room).await.expect("room opens");

    let mut clients = Vec::new();
    clients.push((ParticipantId(1), Client::join(&handle, room, ParticipantId(1)).await));
    clients.push((ParticipantId(2), Client::join(&handle, room, ParticipantId(2)).await));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let mut connected = 0;
    loop {
        let done =
            clients.iter().all(|(_, c)| c.counters.video.load(Ordering::Relaxed) > 20 && c.counters.audio.load(Ordering::Relaxed) > 40);
        if done {
            break;
        }
        let event =
            tokio::time::timeout_at(deadline, events.recv()).await.expect("media flows before the deadline").expect("server running");
        match event {
            MediaEvent::ParticipantConnected { .. } => connected += 1,
            MediaEvent::Offer { participant, sdp } => {
                let (_, client) = clients.iter().find(|(id, _)| *id == participant).expect("a known participant");
                client.offers.send(sdp).expect("client running");
                let answer = client.answers.recv_timeout(Duration::from_secs(5)).expect("client answers");
                handle.answer(participant, answer).await.expect("answer accepted");
            }
            _ => {}
        }
    }
    assert_eq!(connected, 2);
    for (id, client) in &clients {
        assert!(client.counters.keyframe_requests.load(Ordering::Relaxed) >= 1, "{id:?} was asked for a keyframe");
    }

    handle.leave(ParticipantId(2)).await.expect("leaves");
    let left = loop {
        match tokio::time::timeout_at(deadline, events.recv()).await.expect("leave reported").expect("server running") {
            MediaEvent::ParticipantLeft { participant, reason, .. } => break (participant, reason),
            _ => continue,
        }
    };
    assert_eq!(left, (ParticipantId(2), kefu_media::LeaveReason::Hangup));
    drop(clients);
    server.shutdown();
}
