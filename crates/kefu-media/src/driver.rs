//! The media server: binds the media port, starts the worker threads (see `worker`) and stops
//! them. Each worker owns whole rooms and one socket of the port's `SO_REUSEPORT` group.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;

use socket2::{Domain, Protocol, Socket, Type};
use str0m::net::TcpType;
use str0m::Candidate;
use tokio::sync::{mpsc, watch};

use crate::api::{MediaEvents, MediaHandle};
use crate::config::MediaConfig;
use crate::directory::Directory;
use crate::peer::PeerSetup;
use crate::room::RoomConfig;
use crate::sfu::Sfu;
use crate::tcp;
use crate::worker::{Worker, HANDOFF_BATCHES};

/// A running media server: [`MediaConfig::threads`] worker threads on one UDP port. Dropping it
/// stops them.
#[derive(Debug)]
pub struct MediaServer {
    handle: MediaHandle,
    local_addr: SocketAddr,
    threads: Vec<JoinHandle<()>>,
    /// Stops the TCP listener's thread, if there is one.
    stop_tcp: Option<watch::Sender<bool>>,
}

impl MediaServer {
    /// Bind the UDP port and start the media threads. Fails if the port cannot be bound.
    /// Events arrive on the returned [`MediaEvents`]; the server must keep reading them.
    pub fn start(config: MediaConfig) -> io::Result<(MediaServer, MediaEvents)> {
        install_crypto();
        let workers = config.threads.max(1);
        let sockets = bind_group(config.udp_bind, workers)?;
        let local_addr = sockets[0].local_addr()?;
        // ICE over TCP listens on the same port number as UDP (another protocol, another port space).
        let tcp_listener = if config.tcp {
            let listener = std::net::TcpListener::bind(SocketAddr::new(config.udp_bind.ip(), local_addr.port()))?;
            listener.set_nonblocking(true)?;
            Some(listener)
        } else {
            None
        };
        let setup = peer_setup(&config, local_addr)?;
        let directory = Arc::new(Directory::new(workers));
        let (event_tx, events) = mpsc::unbounded_channel();
        let (handoff_txs, handoff_rxs): (Vec<_>, Vec<_>) = (0..workers).map(|_| mpsc::channel(HANDOFF_BATCHES)).unzip();
        let mut commands = Vec::with_capacity(workers);
        let mut threads = Vec::with_capacity(workers);
        for (me, (socket, handoffs)) in sockets.into_iter().zip(handoff_rxs).enumerate() {
            let (command_tx, command_rx) = mpsc::unbounded_channel();
            commands.push(command_tx);
            let worker = Worker {
                me,
                sfu: Sfu::new(setup.clone(), RoomConfig { connect_timeout: config.connect_timeout }).with_track_ids(me, workers),
                socket,
                loopback_only: config.loopback_only,
                commands: command_rx,
                handoffs,
                peers: handoff_txs.clone(),
                directory: directory.clone(),
                events: event_tx.clone(),
            };
            let name = if workers == 1 { "kefu-media".to_owned() } else { format!("kefu-media-{me}") };
            match std::thread::Builder::new().name(name).spawn(move || worker.run()) {
                Ok(thread) => threads.push(thread),
                Err(e) => {
                    let mut started = MediaServer { handle: MediaHandle::new(commands, directory), local_addr, threads, stop_tcp: None };
                    started.stop();
                    return Err(e);
                }
            }
        }
        let mut server = MediaServer { handle: MediaHandle::new(commands.clone(), directory.clone()), local_addr, threads, stop_tcp: None };
        if let Some(listener) = tcp_listener {
            let (stop, stopped) = watch::channel(false);
            let loopback_only = config.loopback_only;
            let run = move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                match runtime {
                    Ok(runtime) => runtime.block_on(async move {
                        match tokio::net::TcpListener::from_std(listener) {
                            Ok(listener) => tcp::listen(listener, directory, commands, loopback_only, stopped).await,
                            Err(e) => tracing::error!(error = %e, "media: cannot use the TCP listener"),
                        }
                    }),
                    Err(e) => tracing::error!(error = %e, "media: cannot start the TCP runtime"),
                }
            };
            server.threads.push(std::thread::Builder::new().name("kefu-media-tcp".into()).spawn(run)?);
            server.stop_tcp = Some(stop);
        }
        Ok((server, MediaEvents { events }))
    }

    /// A handle to send commands; clone it freely.
    pub fn handle(&self) -> MediaHandle {
        self.handle.clone()
    }

    /// The address the UDP port is bound to (the port chosen when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stop the media threads and wait for them. Every participant is dropped.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.handle.shutdown();
        if let Some(stop) = self.stop_tcp.take() {
            let _ = stop.send(true);
        }
        for thread in self.threads.drain(..) {
            if thread.join().is_err() {
                tracing::error!("a media thread panicked");
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
    if config.tcp {
        // Passive: the browser connects (its candidates are active). Same addresses and port
        // number as UDP; str0m tells the two apart by the protocol of each `Receive`.
        for ip in &ips {
            let addr = SocketAddr::new(*ip, local_addr.port());
            let tcp = Candidate::builder().tcp().host(addr).tcptype(TcpType::Passive).build();
            candidates.push(tcp.map_err(|e| invalid(&e))?);
        }
        if let Some(public) = config.public_ip {
            let addr = SocketAddr::new(public, local_addr.port());
            let tcp = Candidate::builder().tcp().server_reflexive(addr, base).tcptype(TcpType::Passive).build();
            candidates.push(tcp.map_err(|e| invalid(&e))?);
        }
    }
    let dtls_cert = str0m::crypto::from_feature_flags().dtls_provider.generate_certificate();
    if dtls_cert.is_none() {
        tracing::warn!("media: no shared DTLS certificate; each connection generates its own");
    }
    Ok(PeerSetup { local_addr: base, candidates, stats_interval: config.stats_interval, dtls_cert, rtx_cache: config.rtx_cache })
}

/// The media socket's receive buffer. Every participant's datagrams arrive on this one socket:
/// at 100 calls (~17,000 datagrams/s) the kernel's default ~208 KiB holds ~10 ms, and any longer
/// pause of the media thread dropped packets — a third of them on a busy machine, ICE keep-alives
/// included, which ended calls (measured with tools/media-load). The kernel caps the request at
/// `net.core.rmem_max`.
const RECV_BUFFER: usize = 8 * 1024 * 1024;

/// Bind `workers` sockets on one address and port, each with a receive buffer of
/// [`RECV_BUFFER`] (as far as the kernel allows). More than one form an `SO_REUSEPORT` group: the
/// kernel spreads source addresses over them by a hash, the same source always to the same
/// socket. A plain bind first checks the port is free, so that a second server on the same port
/// fails instead of silently sharing it (a reuse-port group admits any socket of the same user).
fn bind_group(addr: SocketAddr, workers: usize) -> io::Result<Vec<UdpSocket>> {
    if workers <= 1 {
        return Ok(vec![bind(addr, false)?]);
    }
    let addr = UdpSocket::bind(addr)?.local_addr()?;
    (0..workers).map(|_| bind(addr, true)).collect()
}

fn bind(addr: SocketAddr, reuse_port: bool) -> io::Result<UdpSocket> {
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if reuse_port {
        socket.set_reuse_port(true)?;
    }
    if let Err(e) = socket.set_recv_buffer_size(RECV_BUFFER) {
        tracing::warn!(error = %e, "media: cannot enlarge the UDP receive buffer");
    }
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

/// str0m needs a process-wide crypto provider; installing it again is a no-op.
pub(crate) fn install_crypto() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| str0m::crypto::from_feature_flags().install_process_default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

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
        let socket = bind(SocketAddr::from(([127, 0, 0, 1], 0)), false).expect("binds");
        let size = socket2::SockRef::from(&socket).recv_buffer_size().expect("readable");
        // Linux caps the request at net.core.rmem_max (and reports twice what it keeps).
        let max = std::fs::read_to_string("/proc/sys/net/core/rmem_max").ok().and_then(|v| v.trim().parse().ok());
        assert!(size >= RECV_BUFFER.min(max.unwrap_or(RECV_BUFFER)), "receive buffer {size} bytes");
    }
}
