//! # kefu-insight — figures folded from facts
//!
//! The reports an operations manager reads (offered, answered, abandoned, service level, ASA,
//! AHT, FCR, CSAT, agent states, occupancy) computed from Kefu's fact log (`kefu_core::Fact`).
//! Pure: no I/O, no clock — the caller loads the facts, passes `now` and the organisation's
//! time zone, and gets rows back. Nothing here runs on the routing path.
//!
//! Definitions (each has a unit test on a hand-built sequence):
//! - A conversation counts in the interval in which it **queued**, under the group and agent
//!   that last answered it (or the group where it was abandoned); intervals therefore add up to
//!   days, days to months.
//! - **Service level** = answered within the group's target ÷ (answered + abandoned − abandoned
//!   within the short-abandon limit, 5 s by default).
//! - **ASA** = wait of the answered ÷ answered; **AHT** = (talk + wrap-up) ÷ handled, talk being
//!   first answer to close and wrap-up the closing agent's 话后整理 after it.
//! - **FCR**: a handled conversation is resolved on first contact when the same customer starts
//!   no new conversation within the window (7 days by default) after its close.
//! - **Agent states** partition logged-in time into ready (idle), busy (serving), wrap-up and
//!   away per reason; occupancy = (busy + wrap-up) ÷ (ready + busy + wrap-up), utilisation =
//!   (busy + wrap-up) ÷ logged in.
//! - **Contact reasons** ([`reason_report`]): conversations per tag, shares of the tagged ones,
//!   the CSAT and comments of each tag's conversations.
//! - **Maturity** ([`assess`]): the four dimensions of the 2022 video customer service report's
//!   model scored on a ladder of checks over Kefu's figures and a short questionnaire.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod agents;
mod contacts;
mod figures;
mod interval;
mod maturity;
mod reasons;
mod report;

pub use agents::{segments, segments_of_moves, AgentFigures, AgentMove, Segment, State};
pub use contacts::{contacts, fold_contact, fold_log, Contact, ContactLog, Timed, Wrap, Wraps};
pub use figures::ConversationFigures;
pub use interval::Interval;
pub use maturity::{
    assess, CheckSource, DimensionScore, Evidence, MaturityCheck, MaturityDimension, MaturityLevel, MaturityQuestion, MAX_ANSWER, QUESTIONS,
};
pub use reasons::{
    reason_report, reason_report_of_sums, ReasonCell, ReasonComment, ReasonFigures, ReasonReport, ReasonSpec, TaggedContact,
};
pub use report::{
    agent_report, agent_report_of_moves, agent_report_of_sums, conversation_report, conversation_report_of, conversation_report_of_cells,
    Dimension, Key, Report, ReportSpec, Row, AGENT_FACTS, CONVERSATION_FACTS,
};
