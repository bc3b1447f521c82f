//! Realtime delivery: the hub that fans events out to connected sockets, and the WebSocket
//! endpoint with resume-from-sequence. It never decides anything; it only delivers.

mod bus;
mod hub;
mod nodes;
pub mod ws;

pub use bus::Bus;
pub(crate) use bus::CloseTarget;
pub use hub::{frame, ConnGuard, Hub, Registration, TooManyConnections, Topic, Who};
