//! Quality inspection (质检), the automatic part: a closed conversation's transcript and events
//! checked against a rule set, giving hits and a score. Pure: no I/O, no clock; the server loads
//! the conversation, calls [`inspect`] and stores the [`Inspection`].
//!
//! **Score.** Every conversation starts at 100; each hit subtracts its rule's weight, and the
//! score never goes below 0: `score = max(0, 100 - Σ weight(rule of hit))`. A rule that can hit
//! several times (a forbidden word in three messages, three slow replies) subtracts its weight
//! for each hit, so repeated faults weigh more than one. A rule marked `heavy` flags the
//! conversation for review whatever the score.
//!
//! **Matching.** Phrases match anywhere inside a message, ignoring case (Latin letters) and
//! full-width/half-width forms: Chinese has no spaces between words, so no word boundaries are
//! assumed. The flip side is that an English word also matches inside a longer one; list the
//! form you mean ("damn " or "stupid") when that matters.

mod checks;
mod form;
mod sample;
#[cfg(test)]
mod sample_tests;
#[cfg(test)]
mod tests;

pub use form::{check_form, review_score, FormError, FormItem, ItemMark};
pub use sample::{draw_sample, week_before, weeks_due, IsoWeek, SampleReason, Sampled, Scored};

use serde::{Deserialize, Serialize};

/// Who wrote a transcript line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The customer (访客).
    Customer,
    /// An agent (坐席).
    Agent,
    /// Kefu itself (joined, transferred ...): ignored by every rule.
    System,
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The message id, named by hits on this line.
    pub id: i64,
    /// Who wrote it.
    pub side: Side,
    /// When (ms).
    pub at: i64,
    /// Its text (empty for an attachment without caption).
    pub text: String,
}

/// A closed conversation as QA sees it.
#[derive(Debug, Clone, Default)]
pub struct Transcript {
    /// Lines in the order they were written.
    pub lines: Vec<Line>,
    /// When an agent first took it (ms): the first-response clock starts here, or at the
    /// customer's first message if later (the customer may not have written yet).
    pub assigned_at: Option<i64>,
    /// When it closed (ms): a customer still waiting then waited until now.
    pub closed_at: i64,
    /// How many times it was transferred.
    pub transfers: u32,
    /// The wrap-up code (服务小结) the agent chose, if any.
    pub wrap_up: Option<String>,
    /// The customer's satisfaction score 1-5, if they answered the survey.
    pub csat: Option<u8>,
}

/// What a rule checks, with its parameters. Stored as JSON (`{"kind":"forbidden_words",...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// An agent message contains one of the words (one hit per message).
    ForbiddenWords {
        /// Words or phrases.
        words: Vec<String>,
    },
    /// None of the first `within` agent messages contains one of the phrases (the greeting).
    Greeting {
        /// Accepted greetings.
        phrases: Vec<String>,
        /// How many of the agent's first messages may carry it.
        within: u32,
    },
    /// None of the last `within` agent messages contains one of the phrases (the closing).
    Closing {
        /// Accepted closings.
        phrases: Vec<String>,
        /// How many of the agent's last messages may carry it.
        within: u32,
    },
    /// The agent's first message came later than `limit_secs` after the clock started, or never
    /// while the customer had written.
    FirstResponse {
        /// Seconds.
        limit_secs: u32,
    },
    /// A later reply (not the first) came more than `limit_secs` after the customer's first
    /// unanswered message (one hit per slow reply).
    ResponseTime {
        /// Seconds.
        limit_secs: u32,
    },
    /// The customer waited `limit_secs` or more with no agent message at all, answered later or
    /// never (until close): one hit per silence.
    LongSilence {
        /// Seconds.
        limit_secs: u32,
    },
    /// The customer asked for a supervisor or to complain (one hit per message).
    SupervisorRequest {
        /// Phrases such as 投诉, 找你们领导, supervisor.
        phrases: Vec<String>,
    },
    /// Transferred more than `max` times.
    Transfers {
        /// Transfers allowed.
        max: u32,
    },
    /// Closed without a wrap-up code.
    WrapUpMissing,
    /// The customer rated the service `at_most` or lower (only when rated).
    LowCsat {
        /// 1-5.
        at_most: u8,
    },
}

/// A rule of the set: a check with its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Its id, named by hits.
    pub id: i64,
    /// Points each hit subtracts from 100.
    pub weight: u32,
    /// Any hit flags the conversation for review.
    pub heavy: bool,
    /// What it checks.
    pub check: Check,
}

/// One fault found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The rule.
    pub rule: i64,
    /// The line it is about, if any (a missing wrap-up is about none).
    pub message: Option<i64>,
    /// What was found, for the reviewer: the word, the wait in seconds ...
    pub detail: String,
}

/// The result of [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Every hit, rule by rule in the order of the set.
    pub hits: Vec<Hit>,
    /// 0 to 100.
    pub score: u8,
    /// A heavy rule hit.
    pub heavy_hit: bool,
}

/// Check a closed conversation against the rules (see the module doc for the score).
pub fn inspect(transcript: &Transcript, rules: &[Rule]) -> Inspection {
    let mut hits = Vec::new();
    let mut lost: u64 = 0;
    let mut heavy_hit = false;
    for rule in rules {
        let found = checks::run(&rule.check, transcript);
        lost += u64::from(rule.weight) * found.len() as u64;
        heavy_hit |= rule.heavy && !found.is_empty();
        hits.extend(found.into_iter().map(|(message, detail)| Hit { rule: rule.id, message, detail }));
    }
    // `lost` is capped at 100 first, so the difference fits a u8.
    let score = (100 - lost.min(100)) as u8;
    Inspection { hits, score, heavy_hit }
}

/// Normalise text for matching: full-width ASCII forms (Ａ, ！) to half-width, then lower case.
pub(crate) fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}
