//! The JSON shapes of the API (docs/api.md): every response body and WebSocket payload is a type
//! here, built from stored rows, so the OpenAPI document (and the TypeScript generated from it in
//! `web/packages/api`) says exactly what goes on the wire. Views only shape data: they load
//! nothing and decide nothing.

mod admin;
mod calls;
mod canned;
mod conversations;
mod events;
mod groups;
mod notes;
mod people;
mod recordings;
mod reports;
mod stats;
mod transfer;
mod vocab;
mod widgets;

pub use admin::*;
pub use calls::*;
pub use canned::*;
pub use conversations::*;
pub use events::*;
pub use groups::*;
pub use notes::*;
pub use people::*;
pub use recordings::*;
pub use reports::*;
pub use stats::*;
pub use transfer::*;
pub use vocab::*;
pub use widgets::*;
