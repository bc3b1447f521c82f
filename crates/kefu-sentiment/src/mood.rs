//! A customer's mood over a conversation, and when it is worth a supervisor's attention: each
//! scored customer message moves the conversation's trend (an exponentially weighted average,
//! so the latest messages count most), an alert is raised once when the latest message or the
//! trend falls to the raise level ([`RAISE_AT`] by default) and cleared only when it has recovered
//! to the clear level ([`CLEAR_AT`]) — one alert per episode, however many angry messages follow.

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

/// When an alert is raised and cleared: an organisation's setting, [`RAISE_AT`] and
/// [`CLEAR_AT`] unless an admin chose others.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    raise_at: f64,
    clear_at: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { raise_at: RAISE_AT, clear_at: CLEAR_AT }
    }
}

impl Thresholds {
    /// Checked: `raise_at` in -1..0 (a negative mood), `clear_at` above it and at most 1 (the gap
    /// keeps an alert from flapping). The error names the field.
    pub fn new(raise_at: f64, clear_at: f64) -> Result<Thresholds, String> {
        if !(raise_at.is_finite() && (-1.0..0.0).contains(&raise_at)) {
            return Err("sentiment_alert_at: from -1 up to (not including) 0".into());
        }
        if !(clear_at.is_finite() && clear_at <= 1.0) || clear_at <= raise_at {
            return Err(format!("sentiment_clear_at: above sentiment_alert_at ({raise_at}) and at most 1"));
        }
        Ok(Thresholds { raise_at, clear_at })
    }

    /// The score at or below which an alert is raised.
    pub fn raise_at(&self) -> f64 {
        self.raise_at
    }

    /// The trend at or above which an alert clears.
    pub fn clear_at(&self) -> f64 {
        self.clear_at
    }
}

/// The mood of every open conversation.
#[derive(Debug, Default, Clone)]
pub struct MoodBook {
    moods: HashMap<i64, Mood>,
    thresholds: Thresholds,
}

impl MoodBook {
    /// From now on, raise and clear at these (moods already alerted keep their alert until
    /// they recover past the new clear level).
    pub fn set_thresholds(&mut self, t: Thresholds) {
        self.thresholds = t;
    }

    /// A customer message of `conversation` scored `score`; returns what changed, if anything.
    pub fn observe(&mut self, conversation: i64, score: f64) -> Option<MoodChange> {
        let score = if score.is_finite() { score.clamp(-1.0, 1.0) } else { 0.0 };
        let m = self.moods.entry(conversation).or_insert(Mood { trend: score, messages: 0, alerted: false });
        if m.messages > 0 {
            m.trend = LATEST_WEIGHT * score + (1.0 - LATEST_WEIGHT) * m.trend;
        }
        m.messages += 1;
        let trend = m.trend;
        let Thresholds { raise_at, clear_at } = self.thresholds;
        if !m.alerted && (trend <= raise_at || score <= raise_at) {
            m.alerted = true;
            Some(MoodChange::Raised { conversation, trend })
        } else if m.alerted && trend >= clear_at && score > raise_at {
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
