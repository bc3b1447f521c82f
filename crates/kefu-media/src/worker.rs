//! One media worker thread: owns its rooms' `Rtc`s (an [`Sfu`]) and one socket of the media
//! port's `SO_REUSEPORT` group, feeds them datagrams, commands and time, and carries out the
//! rooms' decisions. Datagrams its socket reads for another worker's participants are handed to
//! that worker in batches (see `directory::Steer`).

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use crate::api::{Command, MediaEvent};
use crate::directory::{Directory, Route, Steer};
use crate::ids::LeaveReason;
use crate::peer::Transmit;
use crate::sfu::Sfu;
use crate::tcp;
use crate::udp::MediaSocket;

/// A datagram (or a TCP connection's frame) for a worker's participant.
#[derive(Clone, Debug)]
pub(crate) struct Received {
    pub tcp: bool,
    pub source: SocketAddr,
    pub contents: Vec<u8>,
}

/// Datagrams read by one worker for another (or frames of a worker's TCP connection), sent as
/// one message.
pub(crate) type Handoff = Vec<Received>;

/// Handoff batches that may wait for a worker; more are dropped, as a full socket buffer would.
pub(crate) const HANDOFF_BATCHES: usize = 1024;

/// Everything one worker thread owns.
pub(crate) struct Worker {
    pub me: usize,
    pub sfu: Sfu,
    pub socket: UdpSocket,
    pub loopback_only: bool,
    pub commands: mpsc::UnboundedReceiver<Command>,
    pub handoffs: mpsc::Receiver<Handoff>,
    /// Every worker's handoff sender (its own included, unused).
    pub peers: Vec<mpsc::Sender<Handoff>>,
    pub directory: Arc<Directory>,
    pub events: mpsc::UnboundedSender<MediaEvent>,
}

/// Receive batches read per wake-up of the media loop before the transmits they caused go out
/// (each batch is up to `quinn_udp::BATCH_SIZE` datagrams).
const RECV_BATCHES: usize = 4;

/// With nothing scheduled, the loop still wakes this often (nothing depends on it).
const IDLE_TICK: Duration = Duration::from_secs(1);

/// How often a worker forgets the source addresses of participants who left.
const PRUNE_EVERY: Duration = Duration::from_secs(10);

impl Worker {
    /// Runs until `Command::Shutdown` (or every handle is dropped).
    pub(crate) fn run(self) {
        // One thread, one current-thread runtime: the socket, the commands and the timer are
        // awaited together, and the media work never competes with the API's tasks for tokio's
        // workers.
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => {
                tracing::error!(error = %e, "media: cannot start the runtime");
                return;
            }
        };
        runtime.block_on(self.serve());
    }

    async fn serve(self) {
        let Worker { me, mut sfu, socket, loopback_only, mut commands, mut handoffs, peers, directory, events } = self;
        let mut socket = match MediaSocket::new(socket) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::error!(error = %e, "media: cannot use the UDP socket");
                return;
            }
        };
        // With one worker every datagram is its own: no steering at all.
        let mut steer = (peers.len() > 1).then(|| Steer::new(me, directory.clone()));
        let mut foreign: Vec<Handoff> = vec![Vec::new(); peers.len()];
        let mut next_prune = Instant::now() + PRUNE_EVERY;
        // The TCP connections this worker took over, by remote address: where to write.
        let mut tcp_out: HashMap<SocketAddr, mpsc::Sender<Vec<u8>>> = HashMap::new();
        loop {
            catch_up(&mut sfu);
            let mut transmits = sfu.take_transmits();
            crate::udp::group_by_destination(&mut transmits);
            send_tcp(&transmits, &mut tcp_out);
            socket.send_all(&transmits).await;
            sfu.recycle_transmits(transmits);
            while let Some(event) = sfu.poll_event() {
                match &event {
                    MediaEvent::ParticipantLeft { participant, .. } => directory.forget_participant(*participant),
                    MediaEvent::RoomClosed { room } => directory.forget_room(*room),
                    _ => {}
                }
                // The server dropped its receiver: it is shutting down; keep serving until told.
                let _ = events.send(event);
            }
            let deadline = sfu.poll_timeout().unwrap_or_else(|| Instant::now() + IDLE_TICK);
            tokio::select! {
                readable = socket.readable() => {
                    if let Err(e) = readable {
                        tracing::debug!(error = %e, "media: socket not readable");
                        continue;
                    }
                    // A few batches per wake-up, then what they caused is sent.
                    for _ in 0..RECV_BATCHES {
                        let now = Instant::now();
                        let read = socket.try_recv_batch(|source, datagram| {
                            if loopback_only && !source.ip().is_loopback() {
                                return;
                            }
                            match steer.as_mut().map_or(Route::Here, |s| s.route(source, datagram)) {
                                Route::Here => sfu.handle_datagram(now, false, source, datagram),
                                Route::There(worker) => {
                                    foreign[worker].push(Received { tcp: false, source, contents: datagram.to_vec() })
                                }
                            }
                        });
                        match read {
                            Ok(0) => break,
                            Ok(_) => {}
                            // Linux reports an earlier send's ICMP "port unreachable" here.
                            Err(e) => tracing::debug!(error = %e, "media: receive failed"),
                        }
                    }
                    hand_off(&mut foreign, &peers);
                },
                Some(batch) = handoffs.recv() => {
                    let now = Instant::now();
                    for r in &batch {
                        sfu.handle_datagram(now, r.tcp, r.source, &r.contents);
                    }
                },
                command = commands.recv() => match command {
                    None | Some(Command::Shutdown) => break,
                    Some(Command::Tcp { stream, remote, first, rest }) => {
                        match tcp::serve_connection(stream, remote, rest, peers[me].clone()) {
                            Ok(out) => {
                                tcp_out.insert(remote, out);
                                sfu.handle_datagram(Instant::now(), true, remote, &first);
                            }
                            Err(e) => tracing::debug!(error = %e, "media: cannot take over a TCP connection"),
                        }
                    }
                    Some(command) => dispatch(&mut sfu, &directory, me, Instant::now(), command),
                },
                () = tokio::time::sleep_until(deadline.into()) => {
                    // What is due is handled by `catch_up` at the top of the loop.
                    let now = Instant::now();
                    if now >= next_prune {
                        next_prune = now + PRUNE_EVERY;
                        if let Some(steer) = steer.as_mut() {
                            steer.prune();
                        }
                        tcp_out.retain(|_, out| !out.is_closed());
                    }
                },
            }
        }
    }
}

/// Rounds of [`catch_up`] per turn of the loop at most (a stuck deadline cannot starve the socket).
const CATCH_UP_ROUNDS: usize = 32;

/// Handles what is due, again and again while something is due at the clock's new reading.
/// str0m's pacer releases one packet per timeout and asks for the next 1 µs later: a subscriber's
/// burst (a video frame's packets) is thus released in a few rounds here, and sent together,
/// instead of one turn of the loop per packet — each waiting for tokio's timer, whose 1 ms ticks
/// round a deadline 1 µs away up to the next millisecond, or for the next datagram to arrive.
fn catch_up(sfu: &mut Sfu) {
    for _ in 0..CATCH_UP_ROUNDS {
        let now = Instant::now();
        if sfu.poll_timeout().is_none_or(|at| at > now) {
            return;
        }
        sfu.handle_timeout(now);
    }
}

/// Sends each worker the datagrams read for it; a worker too far behind loses them.
fn hand_off(foreign: &mut [Handoff], peers: &[mpsc::Sender<Handoff>]) {
    for (worker, batch) in foreign.iter_mut().enumerate() {
        if batch.is_empty() {
            continue;
        }
        if peers[worker].try_send(std::mem::take(batch)).is_err() {
            tracing::debug!(worker, "media: a worker is behind; datagrams dropped");
        }
    }
}

/// Writes the TCP transmits to their connections (a full or closed one loses them).
fn send_tcp(transmits: &[Transmit], connections: &mut HashMap<SocketAddr, mpsc::Sender<Vec<u8>>>) {
    for t in transmits.iter().filter(|t| t.tcp) {
        let Some(out) = connections.get(&t.destination) else { continue };
        let Some(framed) = tcp::frame(&t.contents) else { continue };
        if let Err(mpsc::error::TrySendError::Closed(_)) = out.try_send(framed) {
            connections.remove(&t.destination);
        }
    }
}

fn dispatch(sfu: &mut Sfu, directory: &Directory, me: usize, now: Instant, command: Command) {
    // A dropped reply means the caller gave up waiting; the command still took effect.
    match command {
        Command::OpenRoom { room, reply } => {
            let _ = reply.send(sfu.open_room(room));
        }
        Command::CloseRoom { room, reply } => {
            let _ = reply.send(sfu.close_room(now, room));
        }
        Command::Join { room, participant, offer, reply } => {
            let answer = sfu.join(now, room, participant, &offer);
            // Known before the answer leaves, so before the client's first STUN request.
            if let Some(ufrag) = sfu.local_ufrag(participant) {
                directory.add_ufrag(ufrag.to_owned(), me, participant);
            }
            let _ = reply.send(answer);
        }
        Command::Renegotiate { participant, offer, reply } => {
            let _ = reply.send(sfu.renegotiate(now, participant, &offer));
        }
        Command::Answer { participant, sdp, reply } => {
            let _ = reply.send(sfu.answer(now, participant, &sdp));
        }
        Command::Leave { participant, reply } => {
            let _ = reply.send(sfu.leave(now, participant, LeaveReason::Hangup));
        }
        Command::RequestKeyframe { participant, reply } => {
            let _ = reply.send(sfu.request_keyframe(now, participant));
        }
        Command::StartRecording { participant, path, video, lead, reply } => {
            // The file's time zero; an Instant cannot go before the process's first.
            let zero = now.checked_sub(lead).unwrap_or(now);
            let _ = reply.send(sfu.start_recording(zero, now, participant, path, video));
        }
        Command::StopRecording { participant, reply } => {
            let _ = reply.send(sfu.recorders.stop(participant));
        }
        Command::PauseRecording { participant, paused, reply } => {
            let _ = reply.send(sfu.recorders.pause(participant, paused));
        }
        Command::Shutdown | Command::Tcp { .. } => {}
    }
}
