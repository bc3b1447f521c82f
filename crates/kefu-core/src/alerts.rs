//! Floor alerts: a group's live figures judged against its thresholds, with hysteresis so an
//! alert neither flaps around a threshold nor lingers once the line is healthy. Pure: the caller
//! passes the figures and the time, and stores and announces the changes it gets back.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::types::{GroupId, Millis};

/// What is watched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetric {
    /// Conversations in line (at or above the level is bad).
    Waiting,
    /// Seconds the first in line has waited (at or above the level is bad).
    LongestWait,
    /// Today's service level in percent (below the level is bad).
    ServiceLevel,
}

impl AlertMetric {
    /// Every metric, in display order.
    pub const ALL: [AlertMetric; 3] = [AlertMetric::Waiting, AlertMetric::LongestWait, AlertMetric::ServiceLevel];

    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertMetric::Waiting => "waiting",
            AlertMetric::LongestWait => "longest_wait",
            AlertMetric::ServiceLevel => "service_level",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<AlertMetric> {
        AlertMetric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// How bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    /// Worth a look.
    Warning,
    /// Act now.
    Critical,
}

impl AlertLevel {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertLevel::Warning => "warning",
            AlertLevel::Critical => "critical",
        }
    }

    /// Parse the stored form.
    pub fn parse(s: &str) -> Option<AlertLevel> {
        [AlertLevel::Warning, AlertLevel::Critical].into_iter().find(|l| l.as_str() == s)
    }
}

/// A warning and a critical level of one metric. 0 switches a level off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels {
    /// Warning level.
    pub warning: u32,
    /// Critical level.
    pub critical: u32,
}

/// One group's thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Conversations in line: warn at or above.
    pub waiting: Levels,
    /// Longest wait in seconds: warn at or above.
    pub longest_wait_secs: Levels,
    /// Service level today in percent: warn below.
    pub service_level_pct: Levels,
}

impl Default for Thresholds {
    /// Defaults for a group nobody configured: a line of 5 with nobody answering within a minute
    /// is worth a look anywhere; service level below 80% misses the usual 80/20 target.
    fn default() -> Self {
        Thresholds {
            waiting: Levels { warning: 5, critical: 10 },
            longest_wait_secs: Levels { warning: 60, critical: 180 },
            service_level_pct: Levels { warning: 80, critical: 60 },
        }
    }
}

/// Why thresholds were refused: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThresholdError {
    /// The offending field, as the API names it (`waiting_critical` ...).
    pub field: &'static str,
    /// What is wrong.
    pub message: &'static str,
}

impl Thresholds {
    /// The levels of one metric.
    pub fn levels(&self, metric: AlertMetric) -> Levels {
        match metric {
            AlertMetric::Waiting => self.waiting,
            AlertMetric::LongestWait => self.longest_wait_secs,
            AlertMetric::ServiceLevel => self.service_level_pct,
        }
    }

    /// Check that the levels make sense: critical is worse than warning (unless either is off),
    /// percentages are at most 100, seconds at most a day, counts at most 10,000.
    pub fn validate(&self) -> Result<(), ThresholdError> {
        let err = |field, message| Err(ThresholdError { field, message });
        if self.waiting.warning > 10_000 || self.waiting.critical > 10_000 {
            return err(if self.waiting.warning > 10_000 { "waiting_warning" } else { "waiting_critical" }, "at most 10000");
        }
        let l = self.longest_wait_secs;
        if l.warning > 86_400 || l.critical > 86_400 {
            return err(if l.warning > 86_400 { "longest_wait_warning_secs" } else { "longest_wait_critical_secs" }, "at most 86400");
        }
        let s = self.service_level_pct;
        if s.warning > 100 || s.critical > 100 {
            return err(if s.warning > 100 { "service_level_warning_pct" } else { "service_level_critical_pct" }, "at most 100");
        }
        let both = |l: Levels| l.warning > 0 && l.critical > 0;
        if both(self.waiting) && self.waiting.critical < self.waiting.warning {
            return err("waiting_critical", "must be at least the warning level");
        }
        if both(l) && l.critical < l.warning {
            return err("longest_wait_critical_secs", "must be at least the warning level");
        }
        if both(s) && s.critical > s.warning {
            return err("service_level_critical_pct", "must be at most the warning level (a lower service level is worse)");
        }
        Ok(())
    }
}

/// A group's figures now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FloorReading {
    /// Conversations in line.
    pub waiting: u32,
    /// Seconds the first in line has waited.
    pub longest_wait_secs: u32,
    /// Today's service level, 0..=1.
    pub service_level: f64,
    /// How many contacts today's service level judges (answered, abandoned, waiting past the
    /// target): below [`MIN_JUDGED`] it is not judged against its levels.
    pub service_level_judged: u64,
}

/// Contacts a service level must judge before it can raise an alert: the day's first abandoned
/// chat would otherwise read as 0% and raise a critical alert on a quiet floor.
pub const MIN_JUDGED: u64 = 10;

impl FloorReading {
    /// The metric's value in the unit of its thresholds (service level in whole percent,
    /// rounded down: 79.9% is below an 80% level; 100 until it judges [`MIN_JUDGED`] contacts).
    pub fn value(&self, metric: AlertMetric) -> u32 {
        match metric {
            AlertMetric::Waiting => self.waiting,
            AlertMetric::LongestWait => self.longest_wait_secs,
            AlertMetric::ServiceLevel if self.service_level_judged < MIN_JUDGED => 100,
            AlertMetric::ServiceLevel => (self.service_level.clamp(0.0, 1.0) * 100.0 + 1e-9).floor() as u32,
        }
    }
}

/// The level a value reaches, without hysteresis (what a wallboard tile is coloured by).
pub fn level_of(metric: AlertMetric, levels: Levels, value: u32) -> Option<AlertLevel> {
    let breached = |t: u32| {
        t > 0
            && match metric {
                AlertMetric::ServiceLevel => value < t,
                _ => value >= t,
            }
    };
    if breached(levels.critical) {
        Some(AlertLevel::Critical)
    } else if breached(levels.warning) {
        Some(AlertLevel::Warning)
    } else {
        None
    }
}

/// Whether `value` is clear of the level `t` by the hysteresis band: the line must be clearly
/// better than the threshold, not a hair under it, before an alert steps down.
fn clear_of(metric: AlertMetric, t: u32, value: u32) -> bool {
    match metric {
        // A count is discrete: one fewer than the level is clear.
        AlertMetric::Waiting => value < t,
        // Seconds: 10% under the level (at least 1 s).
        AlertMetric::LongestWait => value.saturating_add((t / 10).max(1)) <= t,
        // Percent: 2 points above the level.
        AlertMetric::ServiceLevel => value >= t.saturating_add(2),
    }
}

/// How long the line must stay clear before an alert steps down or clears.
pub const SETTLE_MS: i64 = 5_000;

/// One active alert.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActiveAlert {
    /// Its current level.
    pub level: AlertLevel,
    /// When it was raised (first reached any level in this episode).
    pub raised_at: Millis,
    /// Since when the figures have been clear of the current level (None: not clear).
    clear_since: Option<Millis>,
}

/// What changed for one group and metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertChange {
    /// Raised, or its level changed (up at once, down after settling).
    Raised {
        /// Which group.
        group: GroupId,
        /// Which metric.
        metric: AlertMetric,
        /// Its level now.
        level: AlertLevel,
        /// The value that crossed.
        value: u32,
        /// The level's threshold.
        threshold: u32,
        /// Whether this is a new episode (false: an active alert changed level).
        new: bool,
    },
    /// The figures have been clear of every level for [`SETTLE_MS`].
    Cleared {
        /// Which group.
        group: GroupId,
        /// Which metric.
        metric: AlertMetric,
        /// The value now.
        value: u32,
    },
}

/// The active alerts of every group, and the judge of new readings.
#[derive(Debug, Default, Clone)]
pub struct AlertBook {
    active: BTreeMap<(GroupId, AlertMetric), ActiveAlert>,
}

impl AlertBook {
    /// Judge one group's reading at `now`; returns what changed. Going up happens at once; going
    /// down (or clearing) only after the figures have stayed clear of the current level, by its
    /// hysteresis band, for [`SETTLE_MS`].
    pub fn evaluate(&mut self, group: GroupId, thresholds: &Thresholds, reading: &FloorReading, now: Millis) -> Vec<AlertChange> {
        let mut changes = vec![];
        for metric in AlertMetric::ALL {
            let levels = thresholds.levels(metric);
            let value = reading.value(metric);
            let reached = level_of(metric, levels, value);
            let key = (group, metric);
            let threshold_of = |l: AlertLevel| match l {
                AlertLevel::Warning => levels.warning,
                AlertLevel::Critical => levels.critical,
            };
            match (self.active.get_mut(&key), reached) {
                (None, None) => {}
                (None, Some(level)) => {
                    self.active.insert(key, ActiveAlert { level, raised_at: now, clear_since: None });
                    changes.push(AlertChange::Raised { group, metric, level, value, threshold: threshold_of(level), new: true });
                }
                (Some(a), _) if reached > Some(a.level) => {
                    let level = reached.unwrap_or(a.level);
                    a.level = level;
                    a.clear_since = None;
                    changes.push(AlertChange::Raised { group, metric, level, value, threshold: threshold_of(level), new: false });
                }
                (Some(a), _) => {
                    // The level was switched off (0) or the figures are clear of it by the band.
                    let t = threshold_of(a.level);
                    let clear = t == 0 || clear_of(metric, t, value);
                    if !clear {
                        a.clear_since = None;
                        continue;
                    }
                    let since = *a.clear_since.get_or_insert(now);
                    if now.since(since) < SETTLE_MS {
                        continue;
                    }
                    match reached {
                        Some(level) if level < a.level => {
                            a.level = level;
                            a.clear_since = None;
                            let threshold = threshold_of(level);
                            changes.push(AlertChange::Raised { group, metric, level, value, threshold, new: false });
                        }
                        _ => {
                            self.active.remove(&key);
                            changes.push(AlertChange::Cleared { group, metric, value });
                        }
                    }
                }
            }
        }
        changes
    }

    /// Clear every alert of a group at once (the group is gone).
    pub fn forget(&mut self, group: GroupId) -> Vec<AlertMetric> {
        let gone: Vec<_> = self.active.keys().filter(|(g, _)| *g == group).copied().collect();
        gone.iter().filter_map(|k| self.active.remove(k).map(|_| k.1)).collect()
    }

    /// The active alerts.
    pub fn active(&self) -> impl Iterator<Item = (GroupId, AlertMetric, &ActiveAlert)> {
        self.active.iter().map(|((g, m), a)| (*g, *m, a))
    }

    /// Take over an alert raised before a restart (so it clears rather than being raised twice).
    pub fn restore(&mut self, group: GroupId, metric: AlertMetric, level: AlertLevel, raised_at: Millis) {
        self.active.insert((group, metric), ActiveAlert { level, raised_at, clear_since: None });
    }
}

#[cfg(test)]
#[path = "alerts_tests.rs"]
mod tests;
