//! How the media server is set up: its one UDP socket, the addresses it advertises, intervals.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The default of [`MediaConfig::rtx_cache`]: a NACK answered later than this rarely helps.
pub const DEFAULT_RTX_CACHE: Duration = Duration::from_secs(1);

/// Settings for [`crate::MediaServer::start`].
#[derive(Clone, Debug)]
pub struct MediaConfig {
    /// The one UDP socket all WebRTC traffic of all rooms goes through. Port 0 picks a free
    /// port (tests); [`crate::MediaServer::local_addr`] tells which.
    pub udp_bind: SocketAddr,
    /// Addresses advertised as host candidates. Empty means the bound address, which must then
    /// not be unspecified (`0.0.0.0`): str0m does not enumerate interfaces, and a browser cannot
    /// reach `0.0.0.0`.
    pub host_ips: Vec<IpAddr>,
    /// The public address of a 1:1 NAT (a cloud VM's elastic IP) in front of `udp_bind`:
    /// advertised as one more host candidate with the same port (ICE-lite has no other kind).
    pub public_ip: Option<IpAddr>,
    /// Drop datagrams whose source is not a loopback address. For tests and local development:
    /// browsers probe from every interface they have (see notes/webrtc-testing.md).
    pub loopback_only: bool,
    /// How often each participant's [`crate::MediaEvent::Stats`] is reported. `None`: never.
    pub stats_interval: Option<Duration>,
    /// A participant whose ICE has not connected this long after `join` is dropped with
    /// [`crate::LeaveReason::Timeout`].
    pub connect_timeout: Duration,
    /// The longest each forwarded video stream keeps its sent packets to answer NACKs (str0m's
    /// default is 3 s; most of the memory per subscribed stream); until the subscriber's RTT is
    /// known it keeps 500 ms (at most this), then a few round trips (see `rtx`). Loss older than
    /// that is repaired by a keyframe instead.
    pub rtx_cache: Duration,
    /// Media worker threads. Each owns whole rooms (a room's forwarding stays on one thread) and
    /// one socket of the UDP port's `SO_REUSEPORT` group; at least 1.
    pub threads: usize,
    /// Also accept ICE over TCP (RFC 6544, passive host candidates) on the port number of
    /// `udp_bind`, for networks that block UDP. Media over TCP suffers from its retransmissions
    /// and head-of-line blocking: a fallback, not a peer of UDP (browsers prefer UDP pairs).
    pub tcp: bool,
}

impl MediaConfig {
    /// A configuration for `udp_bind` with the defaults: no public IP, every source accepted,
    /// stats every 5 s, 30 s to connect, one media thread per core.
    pub fn new(udp_bind: SocketAddr) -> Self {
        MediaConfig {
            udp_bind,
            host_ips: Vec::new(),
            public_ip: None,
            loopback_only: false,
            stats_interval: Some(Duration::from_secs(5)),
            connect_timeout: Duration::from_secs(30),
            rtx_cache: DEFAULT_RTX_CACHE,
            threads: default_threads(),
            tcp: false,
        }
    }

    /// A configuration for tests: `127.0.0.1:0`, loopback only.
    pub fn loopback() -> Self {
        let mut config = MediaConfig::new(SocketAddr::from(([127, 0, 0, 1], 0)));
        config.loopback_only = true;
        config
    }
}

/// One media worker per available core.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
