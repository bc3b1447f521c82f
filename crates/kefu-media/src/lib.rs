//! Kefu's media server: an SFU inside the `kefu` process, on [str0m](https://docs.rs/str0m).
//!
//! It owns rooms, their participants (one WebRTC connection each), the tracks they publish
//! (audio, camera, screen) and the forwarding of RTP from each publisher to each subscriber. It
//! imports neither the store nor the server: the server's `calls/` area does signalling over the
//! WebSocket, TURN credentials and room lifecycle, and talks to this crate only through
//! [`MediaHandle`] (commands) and [`MediaEvents`] (events). No str0m type crosses that wall.
//!
//! # Shape
//!
//! - [`room`] is the pure core: who is in a room, what they publish, who receives what, and
//!   the forwarding decisions as data. No I/O, no clock (time is an argument), no str0m.
//! - The driver runs [`MediaConfig::threads`] media worker threads. Each owns whole rooms (a
//!   room is placed on the worker with the fewest open rooms; all its participants' str0m `Rtc`s,
//!   in RTP mode, live there, so forwarding never crosses threads) and one socket of the media
//!   port's `SO_REUSEPORT` group. Each datagram reaches its participant through maps (by remote
//!   address once known, by the STUN username's ufrag before), never by asking every participant
//!   in turn; one the kernel steered to another worker's socket is handed to the owner in
//!   batches.
//!
//! # Signalling: who offers when
//!
//! The server relays SDP between the client (over the WebSocket) and this crate; it never edits
//! it. The rules avoid glare (both sides offering at once) without rollback in the browser:
//!
//! 1. **The client makes the first offer.** It adds a `sendrecv` transceiver per track it
//!    publishes (audio, camera; `recvonly` if it only watches), creates the offer, calls
//!    `setLocalDescription`, and sends it with the mids of any screen-share transceivers
//!    ([`ClientOffer`]). The server calls [`MediaHandle::join`] and sends back the answer.
//! 2. **The server offers only to add or remove forwarded tracks** (another participant
//!    publishes or leaves): it emits [`MediaEvent::Offer`]. The media server has at most one
//!    offer out per participant, and makes one only when that participant is connected and has
//!    no exchange in flight; changes that arrive meanwhile are folded into the next offer. The
//!    client applies the offer (`setRemoteDescription`, `createAnswer`, `setLocalDescription`)
//!    and the server returns its answer with [`MediaHandle::answer`].
//! 3. **The client may offer again** (start/stop screen share) with
//!    [`MediaHandle::renegotiate`], but only when its `signalingState` is `stable`. The server
//!    is the polite side: if its own offer is still out, the client's offer wins — the server's
//!    offer is dropped (a late answer to it gets [`MediaError::NoPendingOffer`], which the
//!    server can ignore) and its changes are offered again after the client's exchange.
//! 4. **The client ignores a server offer that arrives while its own offer is out**
//!    (`signalingState` is `have-local-offer`): by rule 3 the server has dropped it and will
//!    offer again.
//!
//! So the client never rolls back, and the server never has two exchanges at once.
//!
//! **Order when relaying.** A `join`/`renegotiate` reply is given before any later
//! [`MediaEvent::Offer`] for that participant is emitted, and the media server offers at once
//! (it used to wait 200 ms, which delayed every join's first packet). The server relays answers
//! and offers on different tasks, so a client may see the offer before the answer to its own:
//! Kefu's client (`@kefu/realtime` CallSession) queues such an offer and applies the newest one
//! right after the answer, instead of ignoring it as rule 4 allows.
//!
//! # Transport
//!
//! One UDP port ([`MediaConfig::udp_bind`]), host candidates for the configured addresses plus
//! [`MediaConfig::public_ip`] for a 1:1 NAT. With [`MediaConfig::tcp`], ICE over TCP too: a
//! listener on the same port number, passive TCP candidates next to the UDP ones, RFC 4571
//! framing, for networks that block UDP. The server is ICE-lite (it answers checks, the
//! browser nominates), DTLS-SRTP only. Codecs: Opus (in-band FEC, DTX), VP8, H.264 constrained
//! baseline packetization-mode 1.
//!
//! # Simulcast and adaptive quality
//!
//! Browsers publish their camera in three simulcast layers (rids `l`, `m`, `h`: a quarter, half
//! and full resolution). Each subscriber receives one layer of each video track, chosen by the
//! [`allocator`] from str0m's bandwidth estimate towards it (transport-wide congestion
//! control): the best that fits, down at once, up with headroom, and no video at all (audio goes
//! on) while not even the lowest fits — it resumes by itself, since the estimator keeps probing
//! for the next step. A switch waits for a keyframe of the new layer (asked for with a PLI), and
//! the subscriber's sequence numbers, RTP timestamps and VP8 picture ids are rewritten so it
//! sees one continuous stream. Layers no subscriber receives are paused at the source: the
//! media server emits [`MediaEvent::LayersWanted`], which the server relays to the publisher
//! (`call.layers`), whose page sets `active` on its encodings — the browser then stops encoding
//! them, which RTCP cannot ask for.
//!
//! # Recording
//!
//! [`MediaHandle::start_recording`] taps a participant's published audio and camera into a WebM
//! file (see the `recorder` module): a bounded hand-off from the media thread to a writer thread,
//! so a slow or full disk never stalls forwarding; [`MediaEvent::RecordingEnded`] reports the end.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod allocator;
mod api;
mod codec;
mod config;
mod deadlines;
mod demux;
mod directory;
mod driver;
mod estimate;
mod forward;
mod ids;
mod meter;
mod peer;
mod recorder;
mod repair;
mod report;
pub mod room;
mod rtx;
mod send_plan;
mod sfu;
#[cfg(test)]
mod sfu_simulcast_tests;
#[cfg(test)]
mod sfu_tests;
#[cfg(test)]
mod sfu_weak_link_tests;
mod tcp;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod udp;
mod worker;

pub use api::{ClientOffer, MediaError, MediaEvent, MediaEvents, MediaHandle, ParticipantStats, RecordingEnded, VideoLayerStats};
pub use config::{default_threads, MediaConfig};
pub use driver::MediaServer;
pub use forward::Layer;
pub use ids::{LeaveReason, ParticipantId, RoomId, TrackId, TrackKind};
