//! Rules the router must keep after every input, whatever came before: checked against random
//! event sequences (proptest) and against eight simulated hours of traffic.
//!
//! The checker (`World`) drives the router exactly as the adapter does: one input, then drain
//! outputs until `Timeout`, and it only ticks when that timeout says so (plus the steps the test
//! itself asks for). From the outputs alone it rebuilds who holds what, and after every input
//! compares that with the router's own view:
//!
//! - a conversation is offered to or held by at most one agent, and only an `OfferWithdrawn` or
//!   a transfer moves it on;
//! - each agent's load equals the offers and conversations it was given, per media (a chat
//!   with a call open holds a call slot as well), and stays within its chat and call capacity;
//! - no conversation is lost: every queued, unended conversation is in exactly one line (its own
//!   group's) or held by the agent the outputs say;
//! - first come, first served: a conversation offered by strategy never skipped an earlier one
//!   (priority, then arrival; in any group, since dispatch orders all lines together) that the
//!   same agent may serve; named-agent and transfer offers are the documented exceptions;
//! - dispatch is maximal: no waiting conversation is left while a ready agent with a free slot
//!   may serve it — also at any moment between ticks, so the router must ask to be woken
//!   whenever a hold or an exclusion ends.
//!
//! Core bugs found this way are kept in `regressions.rs`, each as the shortest input sequence
//! that showed it.

mod regressions;
mod sequences;
mod simulation;
mod world;
