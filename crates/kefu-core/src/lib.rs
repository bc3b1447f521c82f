//! # kefu-core — who serves whom, decided without I/O
//!
//! This crate owns Kefu's routing rules: agents and their statuses and capacity, skill groups and
//! their strategies, the queues where conversations wait, offers that time out, overflow between
//! groups, wrap-up, and the service-level arithmetic supervisors read. It must not touch the
//! network, the disk, the clock or an async runtime: time comes in as an argument ([`Millis`]),
//! randomness from a seeded generator, and every decision goes out as an [`Output`] carrying its
//! reason.
//!
//! The shape follows str0m's sans-IO model:
//!
//! ```
//! use kefu_core::{Router, RouterConfig, Input, Output, Millis};
//! let mut router = Router::new(RouterConfig::default());
//! let now = Millis(1_000);
//! router.handle_input(now, Input::Tick).unwrap();
//! loop {
//!     match router.poll_output() {
//!         Output::Timeout(_next_tick) => break,
//!         _decision => { /* persist, then announce */ }
//!     }
//! }
//! ```
//!
//! Capacity is per media. A conversation queued for a call waits for an agent with a free call
//! slot; a chat in service may start a call ([`Input::CallStarted`]) only when its agent has a
//! free call slot, held on top of the chat slot until [`Input::CallEnded`]: an agent takes one
//! call at a time while keeping their chats.
//!
//! The adapter (kefu-server) persists each decision before announcing it and rebuilds the router
//! from the database after a restart (conversations keep their arrival time and so their place).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod agent;
mod alerts;
mod engine;
mod fact;
mod group;
mod hours;
mod pick;
pub mod qa;
mod queries;
mod router;
mod stats;
mod takeover;
mod types;
mod vocab;

pub use agent::{AgentStatus, AwayReason, DISCONNECTED};
pub use alerts::{
    level_of, ActiveAlert, AlertBook, AlertChange, AlertLevel, AlertMetric, FloorReading, Levels, ThresholdError, Thresholds, MIN_JUDGED,
    SETTLE_MS,
};
pub use fact::{CallMedia, ClosedBy, Fact, FactKind, StatusFact};
pub use group::{GroupConfig, Strategy};
pub use hours::{parse_minute, BusinessHours, DayHours, HoursError, MakeUpDay, ZoneName};
pub use router::{
    AgentSnapshot, CoreError, GroupSnapshot, Input, OfferReason, Output, QueueInfo, Router, RouterConfig, StatusReason, Waiting,
    WithdrawReason,
};
pub use stats::{service_level, ContactRecord, ServiceStats, SlRule, SlRules, Verdict, Wait};
pub use types::{AgentId, Capacity, ConversationId, GroupId, Media, Millis, Priority, SkillLevel};
pub use vocab::{AgentStatusKind, CallEndReason, CallStatus, ConversationStatus, ReturningBy, Role};
