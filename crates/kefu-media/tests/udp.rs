//! str0m client peers, each on its own UDP socket (or TCP connection) on 127.0.0.1, meet through a
//! real `MediaServer`: each one's audio and video reach the others in its room.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kefu_media::{ClientOffer, MediaConfig, MediaEvent, MediaEvents, MediaHandle, MediaServer, ParticipantId, RoomId};
use str0m::change::{SdpAnswer, SdpOffer};
use str0m::format::Codec;
use str0m::media::{Direction, Frequency, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive, TcpType};
use str0m::{Candidate, Event, Input, Output, Rtc};

/// How a client reaches the media server.
enum Link {
    Udp(UdpSocket),
    /// Only a TCP connection to the server's port (RFC 4571 frames): as if UDP were blocked.
    Tcp {
        stream: TcpStream,
        server: SocketAddr,
        read: Vec<u8>,
    },
}

impl Link {
    fn udp() -> Link {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("a loopback port");
        socket.set_read_timeout(Some(Duration::from_millis(2))).expect("a read timeout");
        Link::Udp(socket)
    }

    fn tcp(server: SocketAddr) -> Link {
        let stream = TcpStream::connect(server).expect("the media server accepts TCP");
        stream.set_read_timeout(Some(Duration::from_millis(2))).expect("a read timeout");
        stream.set_nodelay(true).expect("no delay");
        Link::Tcp { stream, server, read: Vec::new() }
    }

    fn local_addr(&self) -> SocketAddr {
        match self {
            Link::Udp(socket) => socket.local_addr().expect("bound"),
            Link::Tcp { stream, .. } => stream.local_addr().expect("connected"),
        }
    }

    fn candidate(&self) -> Candidate {
        match self {
            Link::Udp(_) => Candidate::host(self.local_addr(), "udp").expect("loopback host candidate"),
            Link::Tcp { .. } => {
                Candidate::builder().tcp().host(self.local_addr()).tcptype(TcpType::Active).build().expect("loopback TCP candidate")
            }
        }
    }

    fn send(&mut self, destination: SocketAddr, contents: &[u8]) {
        match self {
            Link::Udp(socket) => {
                let _ = socket.send_to(contents, destination);
            }
            Link::Tcp { stream, .. } => {
                let mut framed = (contents.len() as u16).to_be_bytes().to_vec();
                framed.extend_from_slice(contents);
                let _ = stream.write_all(&framed);
            }
        }
    }

    /// The next datagram or frame (protocol, source, bytes), if one comes within ~2 ms.
    fn recv(&mut self, buf: &mut [u8]) -> Option<(Protocol, SocketAddr, Vec<u8>)> {
        match self {
            Link::Udp(socket) => socket.recv_from(buf).ok().map(|(n, from)| (Protocol::Udp, from, buf[..n].to_vec())),
            Link::Tcp { stream, server, read } => loop {
                if read.len() >= 2 {
                    let len = usize::from(u16::from_be_bytes([read[0], read[1]]));
                    if read.len() >= 2 + len {
                        let frame = read[2..2 + len].to_vec();
                        read.drain(..2 + len);
                        return Some((Protocol::Tcp, *server, frame));
                    }
                }
                match stream.read(buf) {
                    Ok(n) if n > 0 => read.extend_from_slice(&buf[..n]),
                    _ => return None,
                }
            },
        }
    }
}

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
    async fn join(handle: &kefu_media::MediaHandle, room: RoomId, id: ParticipantId, link: Link) -> Client {
        let addr = link.local_addr();
        let mut rtc = Rtc::builder().build(Instant::now());
        rtc.add_local_candidate(link.candidate());
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
        let peer = Peer { rtc, link, addr, audio, video, counters: counters.clone(), keyframe_due: true };
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
    link: Link,
    addr: SocketAddr,
    audio: Mid,
    video: Mid,
    counters: Arc<Counters>,
    keyframe_due: bool,
}

impl Peer {
    fn run(mut self, offers: mpsc::Receiver<String>, answers: mpsc::Sender<String>, stop: Arc<AtomicBool>) {
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
            let _ = match self.link.recv(&mut buf) {
                Some((proto, source, contents)) => {
                    let contents = contents.as_slice().try_into().expect("a datagram");
                    self.rtc.handle_input(Input::Receive(Instant::now(), Receive { proto, source, destination: self.addr, contents }))
                }
                None => self.rtc.handle_input(Input::Timeout(Instant::now())),
            };
        }
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output().expect("client stays healthy") {
                Output::Timeout(_) => return,
                Output::Transmit(t) => self.link.send(t.destination, &t.contents),
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

type Clients = Vec<(ParticipantId, Client)>;

/// Relays the media server's offers to the clients and their answers back until every client has
/// received the others' audio and video; returns how many connected. Media flows within a second
/// or two on a quiet machine; the deadlines only stop a run that never connects (a machine at load
/// 15, as the test script's lanes and another build made it, took over 20 s).
async fn until_media_flows(handle: &MediaHandle, events: &mut MediaEvents, clients: &Clients, deadline: tokio::time::Instant) -> usize {
    let mut connected = 0;
    loop {
        let done =
            clients.iter().all(|(_, c)| c.counters.video.load(Ordering::Relaxed) > 20 && c.counters.audio.load(Ordering::Relaxed) > 40);
        if done {
            return connected;
        }
        assert!(tokio::time::Instant::now() < deadline, "media flows before the deadline");
        let Ok(event) = tokio::time::timeout(Duration::from_millis(100), events.recv()).await else { continue };
        match event.expect("server running") {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_peers_exchange_audio_and_video_over_loopback_udp() {
    let (server, mut events) = MediaServer::start(MediaConfig::loopback()).expect("media server starts");
    let handle = server.handle();
    let room = RoomId(42);
    handle.open_room(room).await.expect("room opens");

    let mut clients = Vec::new();
    clients.push((ParticipantId(1), Client::join(&handle, room, ParticipantId(1), Link::udp()).await));
    clients.push((ParticipantId(2), Client::join(&handle, room, ParticipantId(2), Link::udp()).await));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let connected = until_media_flows(&handle, &mut events, &clients, deadline).await;
    assert_eq!(connected, 2);
    for (id, client) in &clients {
        assert!(client.counters.keyframe_requests.load(Ordering::Relaxed) >= 1, "{id:?} was asked for a keyframe");
    }

    handle.leave(ParticipantId(2)).await.expect("leaves");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
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

/// Two rooms on a media server with two worker threads: the rooms are placed on different
/// workers, and the kernel spreads the four clients' source addresses over the two sockets of the
/// port by a hash, so (15 times in 16) some client's datagrams are read by the other room's
/// worker and must be handed over. Both rooms forward both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_on_different_media_threads_both_forward() {
    let mut config = MediaConfig::loopback();
    config.threads = 2;
    let (server, mut events) = MediaServer::start(config).expect("media server starts");
    let handle = server.handle();
    let mut clients = Vec::new();
    for room in [RoomId(1), RoomId(2)] {
        handle.open_room(room).await.expect("room opens");
        for n in 0..2 {
            let id = ParticipantId(room.0 as u64 * 10 + n);
            clients.push((id, Client::join(&handle, room, id, Link::udp()).await));
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    assert_eq!(until_media_flows(&handle, &mut events, &clients, deadline).await, 4);
    // Commands reach the worker of each participant's room.
    for id in [ParticipantId(11), ParticipantId(21)] {
        handle.request_keyframe(id).await.expect("its worker knows it");
        handle.leave(id).await.expect("leaves");
    }
    assert_eq!(handle.leave(ParticipantId(11)).await, Err(kefu_media::MediaError::UnknownParticipant));
    drop(clients);
    server.shutdown();
}

/// A client that has no UDP at all (as behind a network that blocks it) reaches the media server
/// over ICE-TCP: a passive TCP candidate on the media port's number, RFC 4571 frames. It and a
/// UDP client in the same room exchange audio and video.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_without_udp_connects_over_tcp() {
    let mut config = MediaConfig::loopback();
    config.tcp = true;
    let (server, mut events) = MediaServer::start(config).expect("media server starts");
    let handle = server.handle();
    let room = RoomId(7);
    handle.open_room(room).await.expect("room opens");
    let mut clients = Vec::new();
    clients.push((ParticipantId(1), Client::join(&handle, room, ParticipantId(1), Link::tcp(server.local_addr())).await));
    clients.push((ParticipantId(2), Client::join(&handle, room, ParticipantId(2), Link::udp()).await));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    assert_eq!(until_media_flows(&handle, &mut events, &clients, deadline).await, 2);
    drop(clients);
    server.shutdown();
}

/// Without `tcp` the media server neither listens on TCP nor offers TCP candidates.
#[tokio::test]
async fn tcp_is_off_unless_configured() {
    let (server, _events) = MediaServer::start(MediaConfig::loopback()).expect("media server starts");
    assert!(TcpStream::connect(server.local_addr()).is_err(), "no TCP listener");
    let handle = server.handle();
    handle.open_room(RoomId(1)).await.expect("room opens");
    let mut rtc = Rtc::builder().build(Instant::now());
    let mut api = rtc.sdp_api();
    api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let (offer, _) = api.apply().expect("an offer");
    let answer = handle.join(RoomId(1), ParticipantId(1), ClientOffer::new(offer.to_sdp_string())).await.expect("joined");
    assert!(answer.contains(" udp ") && !answer.contains(" tcp "), "{answer}");
    server.shutdown();
}
