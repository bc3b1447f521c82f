//! Kefu's workforce planning: forecast contact volume and handle time per interval, turn them
//! into agents required (Erlang C, chat concurrency, shrinkage), and suggest shifts that cover
//! the requirement. Pure computation: no I/O, no clock — the server reads history and the time
//! and hands both in, exactly as it does for `kefu-core`.
//!
//! - [`erlang`]: the M/M/c figures (probability of wait, service level, ASA, servers needed).
//! - [`staffing`]: agents required per interval for calls and chat, and shrinkage.
//! - [`forecast`]: per-series model choice by backtest (MSTL, ETS, seasonal naive).
//! - [`schedule`]: shifts from agents' contracts covering a requirement curve.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod erlang;
pub mod forecast;
pub mod schedule;
pub mod staffing;
