//! A customer's mood over a conversation, and when it is worth a supervisor's attention: each
//! scored customer message moves the conversation's trend (an exponentially weighted average,
//! so the latest messages count most), an alert is raised once when the latest message or the
//! trend falls to [`RAISE_AT`] and cleared only when it has recovered to [`CLEAR_AT`] — one alert per episode,
//! however many angry messages follow.

use std::collections::HashMap;

/// The score (of the latest message, or the trend) at or below which a customer is "strongly negative". VADER calls -0.05 negative;
/// -0.5 is a clearly angry message ("This is terrible, I want a refund now").
pub const RAISE_AT: f64 = -0.5;
/// The trend at or above which an alerted customer has recovered (the gap avoids flapping).
pub const CLEAR_AT: f64 = -0.1;
/// The weight of the newest message in the trend.
pub const LATEST_WEIGHT: f64 = 0.6;

/// One conversation's mood.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mood {
    /// The weighted trend, -1..=1.
    pub trend: f64,
    /// Scored customer messages so far.
    pub messages: u32,
    /// Whether an alert is active.
    pub alerted: bool,
}

/// What a message changed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MoodChange {
    /// The customer turned strongly negative: raise an alert.
    Raised {
        /// The conversation.
        conversation: i64,
        /// The trend now.
        trend: f64,
    },
    /// The customer recovered: clear it.
    Cleared {
        /// The conversation.
        conversation: i64,
        /// The trend now.
        trend: f64,
    },
}

/// The mood of every open conversation.
#[derive(Debug, Default, Clone)]
pub struct MoodBook {
    moods: HashMap<i64, Mood>,
}

impl MoodBook {
    /// A customer message of `conversation` scored `score`; returns what changed, if anything.
    pub fn observe(&mut self, conversation: i64, score: f64) -> Option<MoodChange> {
        let score = if score.is_finite() { score.clamp(-1.0, 1.0) } else { 0.0 };
        let m = self.moods.entry(conversation).or_insert(Mood { trend: score, messages: 0, alerted: false });
        if m.messages > 0 {
            m.trend = LATEST_WEIGHT * score + (1.0 - LATEST_WEIGHT) * m.trend;
        }
        m.messages += 1;
        let trend = m.trend;
        if !m.alerted && (trend <= RAISE_AT || score <= RAISE_AT) {
            m.alerted = true;
            Some(MoodChange::Raised { conversation, trend })
        } else if m.alerted && trend >= CLEAR_AT && score > RAISE_AT {
            m.alerted = false;
            Some(MoodChange::Cleared { conversation, trend })
        } else {
            None
        }
    }

    /// The conversation ended: forget it; returns whether an alert was active (to clear it).
    pub fn forget(&mut self, conversation: i64) -> bool {
        self.moods.remove(&conversation).is_some_and(|m| m.alerted)
    }

    /// Take over an alert raised before a restart (so it is not raised a second time).
    pub fn restore(&mut self, conversation: i64, trend: f64) {
        self.moods.insert(conversation, Mood { trend, messages: 1, alerted: true });
    }

    /// A conversation's mood, if any customer message was scored.
    pub fn mood(&self, conversation: i64) -> Option<Mood> {
        self.moods.get(&conversation).copied()
    }
}
