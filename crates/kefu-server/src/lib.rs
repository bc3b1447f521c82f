//! # kefu-server — the `kefu` binary's library
//!
//! The adapters around the pure core: the HTTP/WebSocket API (`api`, `realtime`), the routing
//! task that owns the router (`routing`), conversation services (`conversations`), webhooks
//! (`integrations`), start-up (`app`, `config`, `serve`) and the embedded UIs. `main.rs` stays thin.
#![forbid(unsafe_code)]

pub mod agents;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod calls;
pub mod clock;
pub mod config;
pub mod conversations;
pub mod customers;
pub mod demo;
pub mod error;
pub mod floor;
pub mod integrations;
pub mod limits;
pub mod metrics;
pub mod org;
pub mod oversight;
pub mod planning;
pub mod qa;
pub mod realtime;
pub mod reports;
pub mod routing;
pub mod sentiment;
pub mod serve;
pub mod session_cache;
pub mod state;
pub mod text;
pub mod views;

pub use app::Application;
pub use config::Config;
