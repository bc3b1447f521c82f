//! The JSON shapes of the API (docs/api.md): every response body and WebSocket payload is a type
//! here, built from stored rows, so the OpenAPI document (and the TypeScript generated from it in
//! `web/packages/api`) says exactly what goes on the wire. Views only shape data: they load
//! nothing and decide nothing.

mod admin;
mod audit;
mod calls;
mod canned;
mod conversations;
mod events;
mod floor;
mod groups;
mod insight;
mod notes;
mod people;
mod qa;
mod recordings;
mod reports;
mod search;
mod sentiment;
mod stats;
mod transfer;
mod vocab;
mod widgets;

pub mod planning;
pub use admin::*;
pub use audit::*;
pub use calls::*;
pub use canned::*;
pub use conversations::*;
pub use events::*;
pub use floor::*;
pub use groups::*;
pub use insight::*;
pub use notes::*;
pub use people::*;
pub use qa::*;
pub use recordings::*;
pub use reports::*;
pub use search::*;
pub use sentiment::*;
pub use stats::*;
pub use transfer::*;
pub use vocab::*;
pub use widgets::*;
