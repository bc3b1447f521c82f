//! The floor as a wall display and the alert panel see it: per group the line, the agents by
//! status, today's service level, the group's alert thresholds, and the alerts raised.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_core::{AlertLevel, AlertMetric, Levels, Thresholds};
use kefu_store::{FloorAlertRow, ThresholdsRow};

/// What an alert watches: `waiting` (conversations in line), `longest_wait` (seconds the first
/// in line has waited), `service_level` (today's, in percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertMetricView {
    Waiting,
    LongestWait,
    ServiceLevel,
}

/// How bad: `warning` or `critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevelView {
    Warning,
    Critical,
}

impl From<AlertMetric> for AlertMetricView {
    fn from(m: AlertMetric) -> Self {
        match m {
            AlertMetric::Waiting => AlertMetricView::Waiting,
            AlertMetric::LongestWait => AlertMetricView::LongestWait,
            AlertMetric::ServiceLevel => AlertMetricView::ServiceLevel,
        }
    }
}

impl From<AlertLevel> for AlertLevelView {
    fn from(l: AlertLevel) -> Self {
        match l {
            AlertLevel::Warning => AlertLevelView::Warning,
            AlertLevel::Critical => AlertLevelView::Critical,
        }
    }
}

/// A group's alert thresholds. Waiting and longest wait alert at or above their level; service
/// level alerts below its level. A level of 0 is switched off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdsView {
    pub group_id: i64,
    pub waiting_warning: u32,
    pub waiting_critical: u32,
    pub longest_wait_warning_secs: u32,
    pub longest_wait_critical_secs: u32,
    pub service_level_warning_pct: u32,
    pub service_level_critical_pct: u32,
    /// False: the group uses the defaults (no admin has set its own).
    pub custom: bool,
}

impl ThresholdsView {
    pub fn build(group_id: i64, t: &Thresholds, custom: bool) -> ThresholdsView {
        ThresholdsView {
            group_id,
            waiting_warning: t.waiting.warning,
            waiting_critical: t.waiting.critical,
            longest_wait_warning_secs: t.longest_wait_secs.warning,
            longest_wait_critical_secs: t.longest_wait_secs.critical,
            service_level_warning_pct: t.service_level_pct.warning,
            service_level_critical_pct: t.service_level_pct.critical,
            custom,
        }
    }

    /// The levels as the core judges them.
    pub fn levels(&self) -> Thresholds {
        Thresholds {
            waiting: Levels { warning: self.waiting_warning, critical: self.waiting_critical },
            longest_wait_secs: Levels { warning: self.longest_wait_warning_secs, critical: self.longest_wait_critical_secs },
            service_level_pct: Levels { warning: self.service_level_warning_pct, critical: self.service_level_critical_pct },
        }
    }
}

/// The core's thresholds of a stored row (values out of range are clamped: the API refused them).
pub fn thresholds_of(r: &ThresholdsRow) -> Thresholds {
    let u = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
    Thresholds {
        waiting: Levels { warning: u(r.waiting_warning), critical: u(r.waiting_critical) },
        longest_wait_secs: Levels { warning: u(r.longest_wait_warning_secs), critical: u(r.longest_wait_critical_secs) },
        service_level_pct: Levels { warning: u(r.service_level_warning_pct), critical: u(r.service_level_critical_pct) },
    }
}

/// `GET /api/v1/alert-thresholds`: every group's thresholds, and the defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ThresholdsList {
    pub groups: Vec<ThresholdsView>,
    /// What a group without its own uses (`group_id` 0).
    pub defaults: ThresholdsView,
    /// Groups matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// Agents of a group by status (an agent in several groups counts in each).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatusCounts {
    /// Ready with free capacity.
    pub ready: u32,
    /// Ready but serving as many as they can take.
    pub busy: u32,
    /// Away (break, meeting, missed offers ...).
    pub away: u32,
    /// In wrap-up (话后整理).
    pub wrap_up: u32,
    /// Members not logged in.
    pub offline: u32,
}

/// One group on the floor now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FloorGroup {
    pub id: i64,
    pub name: String,
    /// Conversations in line.
    pub waiting: u32,
    /// How long the first in line has waited (seconds, when the figures were taken).
    pub longest_wait_secs: u32,
    /// Since when the first in line has waited: displays tick the longest wait from it.
    #[schema(format = DateTime, required = true)]
    pub waiting_since: Option<String>,
    pub agents: StatusCounts,
    /// Today's service level of the group, 0..1 (customers waiting past the target count as missed).
    pub service_level: f64,
    /// The group's service-level target (answer within this many seconds): its own, else the
    /// server's default. A display judges the group's wait against it.
    pub service_level_target_secs: u32,
    /// Contacts that service level judges (answered, abandoned, waiting past the target); it is
    /// coloured and alerted on only from `service_level_min_judged` of them.
    pub service_level_judged: u64,
    /// Conversations that entered the group's line today.
    pub offered: u64,
    /// Of those, answered.
    pub answered: u64,
    pub thresholds: ThresholdsView,
}

/// `GET /api/v1/stats/floor` and the `floor.updated` frame: every group now.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FloorView {
    /// Each with its own service-level target.
    pub groups: Vec<FloorGroup>,
    /// A group's service level is judged against its levels from this many contacts on.
    pub service_level_min_judged: u64,
    #[schema(format = DateTime)]
    pub as_of: String,
}

/// A floor alert: raised when a group's line crossed a level, cleared when it is healthy again.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AlertView {
    pub id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub metric: AlertMetricView,
    /// Its level now (or when it cleared).
    pub level: AlertLevelView,
    /// The worst level it reached.
    pub peak_level: AlertLevelView,
    /// The value that crossed (count, seconds or percent, as the metric).
    pub value: u32,
    /// The level's threshold.
    pub threshold: u32,
    #[schema(format = DateTime)]
    pub raised_at: String,
    #[schema(format = DateTime, required = true)]
    pub cleared_at: Option<String>,
}

impl AlertView {
    pub fn build(r: &FloorAlertRow, group_name: &str) -> AlertView {
        let level = |s: &str| AlertLevel::parse(s).unwrap_or(AlertLevel::Warning).into();
        let u = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        AlertView {
            id: r.id,
            group_id: r.group_id,
            group_name: group_name.to_string(),
            metric: AlertMetric::parse(&r.metric).unwrap_or(AlertMetric::Waiting).into(),
            level: level(&r.level),
            peak_level: level(&r.peak_level),
            value: u(r.value),
            threshold: u(r.threshold),
            raised_at: rfc3339(r.raised_at),
            cleared_at: r.cleared_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/alerts`: today's alerts, newest first, the active ones included.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertList {
    pub alerts: Vec<AlertView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
