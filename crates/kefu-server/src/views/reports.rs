//! Report views: the figures of `kefu-insight` with names for their keys and times in RFC 3339.

use kefu_insight::{AgentFigures, ConversationFigures};
use serde::Serialize;
use utoipa::ToSchema;

/// What a row is about: a group, business type or agent (id and name), a channel (name only),
/// everything (`total`), or nothing (no business type; never answered): id null, name "".
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportKey {
    #[schema(required = true)]
    pub id: Option<i64>,
    pub name: String,
}

/// One interval of the range: its start and its label in the organisation's time zone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportInterval {
    pub start: String,
    /// `2026-12-01 08:15` (15m, 30m), `2026-12-01` (day, week: its Monday), `2026-12` (month).
    pub label: String,
}

/// A row of the conversation report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationReportRow {
    /// Interval start (the range start for totals).
    pub start: String,
    pub label: String,
    pub key: ReportKey,
    pub figures: ConversationFigures,
}

/// `GET /api/v1/reports/conversations`: conversations counted in the interval they queued in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationReport {
    /// First local day (YYYY-MM-DD).
    pub from: String,
    /// Last local day, included.
    pub to: String,
    /// The organisation's time zone (IANA name) the days and labels are in.
    pub time_zone: String,
    /// `15m`, `30m`, `day`, `week` or `month`.
    pub interval: String,
    /// `total`, `group`, `business_type`, `channel` or `agent`.
    pub by: String,
    /// Every interval of the range (a chart's axis), rows or not.
    pub intervals: Vec<ReportInterval>,
    /// Per interval and key, only those with conversations.
    pub rows: Vec<ConversationReportRow>,
    /// Per key over the range.
    pub totals: Vec<ConversationReportRow>,
    /// Over the range.
    pub overall: ConversationFigures,
    /// A customer who gave up within this many seconds is a short abandon (`abandoned_short`):
    /// left out of the service level (the deployment's `short_abandon_secs`).
    pub short_abandon_secs: u32,
}

/// A row of the agent state report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentReportRow {
    pub start: String,
    pub label: String,
    /// The agent.
    pub key: ReportKey,
    pub figures: AgentFigures,
}

/// `GET /api/v1/reports/agents`: how agents' logged-in time split into states.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentReport {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    pub interval: String,
    pub intervals: Vec<ReportInterval>,
    pub rows: Vec<AgentReportRow>,
    pub totals: Vec<AgentReportRow>,
    pub overall: AgentFigures,
}

/// One report export, for the audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportExportView {
    pub id: i64,
    /// The user who exported (null for an API key).
    #[schema(required = true)]
    pub user_id: Option<i64>,
    #[schema(required = true)]
    pub api_key_id: Option<i64>,
    /// `conversations` or `agents`.
    pub report: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// The query string of the export.
    pub query: String,
    pub rows: i64,
    pub created_at: String,
}

/// `GET /api/v1/reports/exports`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportExportList {
    pub exports: Vec<ReportExportView>,
    /// `after` for the next (older) page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
