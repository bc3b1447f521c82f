//! One call participant as a browser would be: its WebSocket (signalling, `call.join` /
//! `call.offer` / `call.answer`) and a str0m client in RTP mode on its own 127.0.0.1 UDP socket,
//! publishing audio and VP8 from [`Source`] and counting what the server forwards to it. One
//! tokio task owns all three, so the `Rtc` never crosses threads and many participants share a
//! few worker threads.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, Mid, Pt};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpPacket, RtpWrite, Ssrc};
use str0m::{Candidate, Event, Input, Output, Rtc};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::watch;
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

use crate::media::{Source, AUDIO_INTERVAL, AUDIO_TICKS};

/// A participant's WebSocket.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// What a participant counts; summed over participants by the run (relaxed atomics: read
/// between phases, exactness to a packet does not matter).
#[derive(Debug, Default)]
pub struct Counters {
    pub sent_packets: AtomicU64,
    pub sent_bytes: AtomicU64,
    pub recv_audio: AtomicU64,
    pub recv_video: AtomicU64,
    /// RTP payload bytes received.
    pub recv_bytes: AtomicU64,
    /// Packets the received sequence numbers say were sent to us (for loss).
    pub expected: AtomicU64,
    /// Datagrams the socket refused to send (the tool's own overload, not the server's).
    pub send_errors: AtomicU64,
    pub keyframes_sent: AtomicU64,
}

/// When things happened to a participant, since the run's start.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timeline {
    /// `call.join` sent.
    pub join: Option<Duration>,
    /// The server's answer arrived.
    pub answer: Option<Duration>,
    /// ICE and DTLS up.
    pub connected: Option<Duration>,
    /// The server's first offer (adding the other side's tracks) arrived.
    pub offer: Option<Duration>,
    /// The first forwarded packet, and the first forwarded video packet.
    pub first_packet: Option<Duration>,
    pub first_video: Option<Duration>,
}

/// What the run hands a participant.
pub struct Seat {
    pub call: i64,
    pub ws: Ws,
    pub source: Arc<Source>,
    pub t0: Instant,
    pub counters: Arc<Counters>,
    pub timeline: Arc<Mutex<Timeline>>,
    pub stop: watch::Receiver<bool>,
}

struct Client {
    rtc: Rtc,
    socket: UdpSocket,
    local: SocketAddr,
    audio: Mid,
    video: Mid,
    opus: Pt,
    vp8: Pt,
    counters: Arc<Counters>,
    timeline: Arc<Mutex<Timeline>>,
    t0: Instant,
    connected: bool,
    keyframe_due: bool,
    /// The next video sequence number (audio's is its packet count).
    video_seq: u64,
    /// Highest extended sequence number seen per incoming stream.
    max_seq: HashMap<Ssrc, u64>,
}

/// Join the call and run until `stop` flips. Fails on a signalling error or a broken socket.
pub async fn run(seat: Seat) -> Result<()> {
    let Seat { call, mut ws, source, t0, counters, timeline, mut stop } = seat;
    let socket = UdpSocket::bind("127.0.0.1:0").await?;
    let local = socket.local_addr()?;
    let mut config = Rtc::builder().set_rtp_mode(true).clear_codecs();
    // What a browser that prefers VP8 offers (the server also speaks H.264).
    config.codec_config().enable_opus(true, false);
    config.codec_config().enable_vp8(true);
    let mut rtc = config.build(Instant::now());
    rtc.add_local_candidate(Candidate::host(local, "udp")?);
    let pt = |codec| rtc.codec_config().find(|p| p.spec().codec == codec).map(|p| p.pt());
    let (opus, vp8) = (pt(Codec::Opus).context("no Opus")?, pt(Codec::Vp8).context("no VP8")?);
    let mut api = rtc.sdp_api();
    let audio = api.add_media(MediaKind::Audio, Direction::SendRecv, None, None, None);
    let video = api.add_media(MediaKind::Video, Direction::SendRecv, None, None, None);
    let (offer, pending) = api.apply().context("no offer")?;
    let mut pending: Option<SdpPendingOffer> = Some(pending);
    let mut queued_offer: Option<String> = None;
    let join = json!({ "type": "call.join", "call_id": call, "sdp": offer.to_sdp_string(), "screen_mids": [] });
    ws.send(Message::Text(join.to_string().into())).await?;
    timeline.lock().expect("timeline").join = Some(t0.elapsed());

    let mut c = Client {
        rtc,
        socket,
        local,
        audio,
        video,
        opus,
        vp8,
        counters,
        timeline,
        t0,
        connected: false,
        keyframe_due: true,
        video_seq: 1,
        max_seq: HashMap::new(),
    };
    let mut buf = vec![0u8; 2048];
    let (mut next_audio, mut next_video) = (Instant::now(), Instant::now());
    let (mut audio_n, mut frame_n) = (0u64, 0u64);
    loop {
        let mut wake = c.drain()?;
        let now = Instant::now();
        // str0m's timers (ICE keep-alives, RTCP) only run on `Input::Timeout`: feed it whenever
        // it is due, not only when the sleep below wins the race against a busy socket.
        if wake <= now {
            c.rtc.handle_input(Input::Timeout(now))?;
            continue;
        }
        if c.connected {
            if now >= next_audio {
                c.send_audio(now, audio_n, &source);
                audio_n += 1;
                next_audio = catch_up(next_audio + AUDIO_INTERVAL, now);
            }
            if now >= next_video {
                c.send_frame(now, frame_n, &source);
                frame_n += 1;
                next_video = catch_up(next_video + source.frame_interval, now);
            }
            wake = c.drain()?.min(next_audio).min(next_video);
        }
        tokio::select! {
            _ = stop.changed() => return Ok(()),
            received = c.socket.recv_from(&mut buf) => {
                let (n, from) = received?;
                c.receive(from, &buf[..n]);
                // Take whatever else is queued without going back to the reactor. Each input is
                // drained before the next: in RTP mode str0m holds one received packet at a time.
                c.drain()?;
                while let Ok((n, from)) = c.socket.try_recv_from(&mut buf) {
                    c.receive(from, &buf[..n]);
                    c.drain()?;
                }
            }
            frame = ws.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(_)) => continue,
                    Some(Err(e)) => bail!("call {call}: the WebSocket failed: {e}"),
                    None => bail!("call {call}: the server closed the WebSocket"),
                };
                let e: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                match e["type"].as_str() {
                    Some("call.answer") if e["call_id"] == call => {
                        let p = pending.take().context("an answer with no offer out")?;
                        let answer = SdpAnswer::from_sdp_string(e["data"]["sdp"].as_str().unwrap_or_default())?;
                        c.rtc.sdp_api().accept_answer(p, answer)?;
                        c.mark(|t| &mut t.answer);
                        // An offer that came while ours was out is applied now (the contract).
                        if let Some(sdp) = queued_offer.take() {
                            c.drain()?;
                            let answer = c.apply_offer(&sdp)?;
                            ws.send(Message::Text(answer_frame(call, &answer).into())).await?;
                        }
                    }
                    Some("call.offer") if e["call_id"] == call => {
                        c.mark(|t| &mut t.offer);
                        let sdp = e["data"]["sdp"].as_str().unwrap_or_default().to_string();
                        if pending.is_some() {
                            queued_offer = Some(sdp);
                        } else {
                            let answer = c.apply_offer(&sdp)?;
                            ws.send(Message::Text(answer_frame(call, &answer).into())).await?;
                        }
                    }
                    Some("call.error") if e["call_id"] == call => bail!("call {call}: call.error {}", e["data"]),
                    Some("call.updated") if e["data"]["id"] == call && e["data"]["status"] == "ended" => {
                        bail!("call {call} ended early: {}", e["data"]["end_reason"])
                    }
                    _ => {}
                }
            }
            () = tokio::time::sleep_until(wake.into()) => {
                c.rtc.handle_input(Input::Timeout(Instant::now()))?;
            }
        }
    }
}

fn answer_frame(call: i64, sdp: &str) -> String {
    json!({ "type": "call.answer", "call_id": call, "sdp": sdp }).to_string()
}

/// The next tick after `next`, skipping ticks more than a second late (an overloaded tool
/// should send less, not burst).
fn catch_up(next: Instant, now: Instant) -> Instant {
    if now.saturating_duration_since(next) > Duration::from_secs(1) {
        now
    } else {
        next
    }
}

impl Client {
    fn mark(&self, field: impl FnOnce(&mut Timeline) -> &mut Option<Duration>) {
        let mut timeline = self.timeline.lock().expect("timeline");
        let slot = field(&mut timeline);
        if slot.is_none() {
            *slot = Some(self.t0.elapsed());
        }
    }

    fn apply_offer(&mut self, sdp: &str) -> Result<String> {
        let offer = SdpOffer::from_sdp_string(sdp)?;
        Ok(self.rtc.sdp_api().accept_offer(offer)?.to_sdp_string())
    }

    fn receive(&mut self, source: SocketAddr, datagram: &[u8]) {
        let Ok(contents) = datagram.try_into() else { return };
        let input = Input::Receive(Instant::now(), Receive { proto: Protocol::Udp, source, destination: self.local, contents });
        // A datagram str0m refuses (late, garbled) is its business, as in a browser.
        let _ = self.rtc.handle_input(input);
    }

    /// Poll the `Rtc` until it wants time: send datagrams, handle events. Returns its timeout.
    fn drain(&mut self) -> Result<Instant> {
        loop {
            match self.rtc.poll_output()? {
                Output::Timeout(at) => return Ok(at),
                Output::Transmit(t) => {
                    if self.socket.try_send_to(&t.contents, t.destination).is_err() {
                        self.counters.send_errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Output::Event(Event::Connected) => {
                    self.connected = true;
                    self.mark(|t| &mut t.connected);
                }
                Output::Event(Event::RtpPacket(p)) => self.received(&p),
                Output::Event(Event::KeyframeRequest(_)) => self.keyframe_due = true,
                Output::Event(_) => {}
            }
        }
    }

    fn received(&mut self, p: &RtpPacket) {
        let seq = *p.seq_no;
        let new = match self.max_seq.get_mut(&p.header.ssrc) {
            None => {
                self.max_seq.insert(p.header.ssrc, seq);
                1
            }
            Some(max) if seq > *max => std::mem::replace(max, seq).abs_diff(seq),
            Some(_) => 0,
        };
        let c = &self.counters;
        c.expected.fetch_add(new, Ordering::Relaxed);
        c.recv_bytes.fetch_add(p.payload.len() as u64, Ordering::Relaxed);
        if p.header.payload_type == self.opus {
            c.recv_audio.fetch_add(1, Ordering::Relaxed);
        } else {
            c.recv_video.fetch_add(1, Ordering::Relaxed);
            self.mark(|t| &mut t.first_video);
        }
        self.mark(|t| &mut t.first_packet);
    }

    fn send_audio(&mut self, now: Instant, n: u64, source: &Source) {
        let payload = source.audio(n);
        let bytes = payload.len() as u64;
        // Sequence numbers start low so the receiver's SRTP rollover counter starts at 0.
        let write = RtpWrite::new(self.opus, (n + 1).into(), (n as u32).wrapping_mul(AUDIO_TICKS), now, payload);
        let mut api = self.rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(self.audio, None) else { return };
        tx.write_rtp(write);
        count_sent(&self.counters, 1, bytes);
    }

    fn send_frame(&mut self, now: Instant, n: u64, source: &Source) {
        let keyframe = std::mem::take(&mut self.keyframe_due);
        let packets = source.frame(n as u16, keyframe);
        let time = (n as u32).wrapping_mul(source.frame_ticks);
        let first_seq = self.video_seq;
        let bytes = packets.iter().map(|p| p.payload.len() as u64).sum();
        let count = packets.len() as u64;
        let mut api = self.rtc.direct_api();
        let Some(tx) = api.stream_tx_by_mid(self.video, None) else { return };
        for (i, packet) in packets.into_iter().enumerate() {
            let write =
                RtpWrite::new(self.vp8, (first_seq + i as u64).into(), time, now, packet.payload).marker(packet.marker).nackable(true);
            tx.write_rtp(write);
        }
        self.video_seq += count;
        count_sent(&self.counters, count, bytes);
        if keyframe {
            self.counters.keyframes_sent.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn count_sent(counters: &Counters, packets: u64, bytes: u64) {
    counters.sent_packets.fetch_add(packets, Ordering::Relaxed);
    counters.sent_bytes.fetch_add(bytes, Ordering::Relaxed);
}
