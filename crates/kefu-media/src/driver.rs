//! The media thread: owns the UDP socket and every participant's str0m `Rtc`, feeds them
//! datagrams, commands and time, and carries out the room's decisions.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Once;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use str0m::Candidate;
use tokio::sync::mpsc;

use crate::api::{Command, MediaEvent, MediaEvents, MediaHandle};
use crate::config::MediaConfig;
use crate::ids::LeaveReason;
use crate::peer::PeerSetup;
use crate::room::RoomConfig;
use crate::sfu::Sfu;
use crate::udp::MediaSocket;

/// A running media server: one thread, one UDP socket. Dropping it stops the thread.
#[derive(Debug)]
pub struct MediaServer {
    handle: MediaHandle,
    local_addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl MediaServer {
    /// Bind the UDP socket and start the media thread. Fails if the socket cannot be bound.
    /// Events arrive on the returned [`MediaEvents`]; the server must keep reading them.
    pub fn start(config: MediaConfig) -> io::Result<(MediaServer, MediaEvents)> {
        install_crypto();
        let socket = bind(config.udp_bind)?;
        let local_addr = socket.local_addr()?;
        let setup = peer_setup(&config, local_addr)?;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let thread =
            std::thread::Builder::new().name("kefu-media".into()).spawn(move || run(config, setup, socket, command_rx, event_tx))?;
        let server = MediaServer { handle: MediaHandle { commands }, local_addr, thread: Some(thread) };
        Ok((server, MediaEvents { events }))
    }

    /// A handle to send commands; clone it freely.
    pub fn handle(&self) -> MediaHandle {
        self.handle.clone()
    }

    /// The address the UDP socket is bound to (the port chosen when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stop the media thread and wait for it. Every participant is dropped.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.handle.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the media thread panicked");
            }
        }
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// What every connection advertises and the address str0m sees datagrams arrive on.
fn peer_setup(config: &MediaConfig, local_addr: SocketAddr) -> io::Result<PeerSetup> {
    let invalid = |e: &dyn std::fmt::Display| io::Error::new(io::ErrorKind::InvalidInput, e.to_string());
    let mut ips = config.host_ips.clone();
    if ips.is_empty() {
        if local_addr.ip().is_unspecified() {
            return Err(invalid(&"media: binding 0.0.0.0 needs host_ips to advertise"));
        }
        ips.push(local_addr.ip());
    }
    // str0m matches a datagram to a candidate by its destination. Without IP_PKTINFO we cannot
    // tell which local address a datagram hit, so a socket bound to 0.0.0.0 is taken to receive
    // on the first advertised address.
    let base = if local_addr.ip().is_unspecified() { SocketAddr::new(ips[0], local_addr.port()) } else { local_addr };
    let mut candidates = Vec::new();
    for ip in &ips {
        let addr = SocketAddr::new(*ip, local_addr.port());
        candidates.push(Candidate::host(addr, "udp").map_err(|e| invalid(&e))?);
    }
    // The 1:1 NAT's address is advertised as one more host candidate: the server is ICE-lite,
    // and str0m's ICE-lite agent drops every candidate that is not a host (a server-reflexive
    // one never reached the browser, so `public_ip` did nothing). Checks through the NAT arrive
    // addressed to `base`, whose candidate answers them.
    if let Some(public) = config.public_ip {
        let addr = SocketAddr::new(public, local_addr.port());
        if !candidates.iter().any(|c| c.addr() == addr) {
            candidates.push(Candidate::host(addr, "udp").map_err(|e| invalid(&e))?);
        }
    }
    let dtls_cert = str0m::crypto::from_feature_flags().dtls_provider.generate_certificate();
    if dtls_cert.is_none() {
        tracing::warn!("media: no shared DTLS certificate; each connection generates its own");
    }
    Ok(PeerSetup { local_addr: base, candidates, stats_interval: config.stats_interval, dtls_cert, rtx_cache: config.rtx_cache })
}

fn run(
    config: MediaConfig,
    setup: PeerSetup,
    socket: UdpSocket,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<MediaEvent>,
) {
    // One thread, one current-thread runtime: the socket, the commands and the timer are awaited
    // together, and the media work never competes with the API's tasks for tokio's workers.
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "media: cannot start the runtime");
            return;
        }
    };
    runtime.block_on(serve(config, setup, socket, commands, events));
}

async fn serve(
    config: MediaConfig,
    setup: PeerSetup,
    socket: UdpSocket,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<MediaEvent>,
) {
    let mut socket = match MediaSocket::new(socket) {
        Ok(socket) => socket,
        Err(e) => {
            tracing::error!(error = %e, "media: cannot use the UDP socket");
            return;
        }
    };
    let mut sfu = Sfu::new(setup, RoomConfig { connect_timeout: config.connect_timeout });
    loop {
        let transmits = sfu.take_transmits();
        socket.send_all(&transmits).await;
        sfu.recycle_transmits(transmits);
        while let Some(event) = sfu.poll_event() {
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
                        if !config.loopback_only || source.ip().is_loopback() {
                            sfu.handle_datagram(now, source, datagram);
                        }
                    });
                    match read {
                        Ok(0) => break,
                        Ok(_) => {}
                        // Linux reports an earlier send's ICMP "port unreachable" here.
                        Err(e) => tracing::debug!(error = %e, "media: receive failed"),
                    }
                }
                // Under a steady stream of datagrams the timer branch may lose the race: what is
                // due (pacing, feedback, keep-alives) is handled here too.
                let now = Instant::now();
                if sfu.poll_timeout().is_some_and(|at| at <= now) {
                    sfu.handle_timeout(now);
                }
            },
            command = commands.recv() => match command {
                None | Some(Command::Shutdown) => break,
                Some(command) => dispatch(&mut sfu, Instant::now(), command),
            },
            () = tokio::time::sleep_until(deadline.into()) => sfu.handle_timeout(Instant::now()),
        }
    }
}

/// Receive batches read per wake-up of the media loop before the transmits they caused go out
/// (each batch is up to `quinn_udp::BATCH_SIZE` datagrams).
const RECV_BATCHES: usize = 4;

/// The media socket's receive buffer. Every participant's datagrams arrive on this one socket:
/// at 100 calls (~17,000 datagrams/s) the kernel's default ~208 KiB holds ~10 ms, and any longer
/// pause of the media thread dropped packets — a third of them on a busy machine, ICE keep-alives
/// included, which ended calls (measured with tools/media-load). The kernel caps the request at
/// `net.core.rmem_max`.
const RECV_BUFFER: usize = 8 * 1024 * 1024;

/// With nothing scheduled, the loop still wakes this often (nothing depends on it).
const IDLE_TICK: Duration = Duration::from_secs(1);

fn dispatch(sfu: &mut Sfu, now: Instant, command: Command) {
    // A dropped reply means the caller gave up waiting; the command still took effect.
    match command {
        Command::OpenRoom { room, reply } => {
            let _ = reply.send(sfu.open_room(room));
        }
        Command::CloseRoom { room, reply } => {
            let _ = reply.send(sfu.close_room(now, room));
        }
        Command::Join { room, participant, offer, reply } => {
            let _ = reply.send(sfu.join(now, room, participant, &offer));
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
        Command::Shutdown => {}
    }
}

/// Bind the media socket with a receive buffer of [`RECV_BUFFER`] (as far as the kernel allows).
fn bind(addr: SocketAddr) -> io::Result<UdpSocket> {
    let socket = UdpSocket::bind(addr)?;
    if let Err(e) = socket2::SockRef::from(&socket).set_recv_buffer_size(RECV_BUFFER) {
        tracing::warn!(error = %e, "media: cannot enlarge the UDP receive buffer");
    }
    Ok(socket)
}

/// str0m needs a process-wide crypto provider; installing it again is a no-op.
pub(crate) fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_ip_of_a_nat_is_in_the_answer() {
        install_crypto();
        let mut config = MediaConfig::loopback();
        config.public_ip = Some("203.0.113.7".parse().expect("literal"));
        let setup = peer_setup(&config, "127.0.0.1:40000".parse().expect("literal")).expect("a valid setup");
        let mut sfu = Sfu::new(setup, RoomConfig { connect_timeout: Duration::from_secs(10) });
        let room = crate::ids::RoomId(1);
        sfu.open_room(room).expect("a new room");
        let now = Instant::now();
        let (client, offer) = crate::sfu_tests::Client::with_layers(now, 1, 40001, &[]);
        let answer = sfu.join(now, room, client.id, &offer).expect("join accepted");
        let candidates: Vec<&str> = answer.lines().filter(|l| l.starts_with("a=candidate")).collect();
        assert!(candidates.iter().any(|l| l.contains("203.0.113.7 40000 typ host")), "{candidates:?}");
        assert!(candidates.iter().any(|l| l.contains("127.0.0.1 40000 typ host")), "{candidates:?}");
    }

    #[test]
    fn the_media_socket_gets_a_large_receive_buffer() {
        let socket = bind(SocketAddr::from(([127, 0, 0, 1], 0))).expect("binds");
        let size = socket2::SockRef::from(&socket).recv_buffer_size().expect("readable");
        // Linux caps the request at net.core.rmem_max (and reports twice what it keeps).
        let max = std::fs::read_to_string("/proc/sys/net/core/rmem_max").ok().and_then(|v| v.trim().parse().ok());
        assert!(size >= RECV_BUFFER.min(max.unwrap_or(RECV_BUFFER)), "receive buffer {size} bytes");
    }
}
