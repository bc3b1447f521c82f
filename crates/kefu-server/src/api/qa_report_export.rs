//! `/api/v1/qa/report/export`: the QA report (质检报表) as a CSV or XLSX file, per agent or per
//! rule, for the same callers as the report itself; each export is logged with the report
//! exports.

use axum::extract::{Query, RawQuery, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use super::qa_reviews::{qa_report, QaReportQuery};
use crate::auth::Staff;
use crate::error::{ApiError, ApiResult};
use crate::reports::export::{Cell, Table};
use crate::state::AppState;
use crate::views::QaReport;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/qa/report/export", get(export))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QaExportPart {
    /// `agents` (default: a line per agent) or `rules` (a line per rule).
    part: Option<String>,
}

/// One part of the report as a table, headers in Chinese or English.
fn table(r: &QaReport, rules: bool, zh: bool) -> Table {
    let words = |pairs: &[(&str, &str)]| pairs.iter().map(|(z, e)| if zh { z } else { e }.to_string()).collect();
    let n = |v: i64| Cell::Number(v as f64);
    if rules {
        let headers = words(&[("规则", "Rule"), ("命中次数", "Hits"), ("命中会话数", "Conversations")]);
        let rows = r.rules.iter().map(|l| vec![Cell::Text(l.rule_name.clone()), n(l.hits), n(l.conversations)]).collect();
        return Table { headers, rows };
    }
    let headers = words(&[
        ("坐席", "Agent"),
        ("自动评分会话数", "Scored"),
        ("平均自动得分", "Average automatic score"),
        ("严重命中会话数", "Heavy hits"),
        ("人工复核数", "Reviewed"),
        ("平均复核得分", "Average review score"),
    ]);
    let rows = r
        .agents
        .iter()
        .map(|l| {
            vec![
                Cell::Text(l.agent_name.clone()),
                n(l.scored),
                Cell::Number(l.avg_auto_score),
                n(l.heavy_hits),
                n(l.reviewed),
                l.avg_review_score.map_or(Cell::Empty, Cell::Number),
            ]
        })
        .collect();
    Table { headers, rows }
}

#[utoipa::path(get, path = "/api/v1/qa/report/export", tag = "qa", params(QaReportQuery, QaExportPart, crate::api::reports::ExportParams),
    responses((status = 200, description = "the QA report's lines per agent or per rule as a CSV (UTF-8 with BOM) or XLSX file; logged with the report exports", content_type = "application/octet-stream", body = Vec<u8>), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<QaReportQuery>,
    Query(p): Query<QaExportPart>,
    Query(e): Query<crate::api::reports::ExportParams>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let (zh, as_xlsx) = e.form()?;
    let rules = match p.part.as_deref() {
        None | Some("agents") => false,
        Some("rules") => true,
        Some(other) => return Err(ApiError::invalid(format!("part: {other:?} is not one of agents, rules"))),
    };
    let report = qa_report(&state, &staff, &q).await?;
    let table = table(&report, rules, zh);
    let name = if rules { "qa_rules" } else { "qa_agents" };
    let day = |t: &str| t.get(..10).unwrap_or_default().to_string();
    let span = format!("{}_{}", day(&report.from), day(&report.to));
    crate::api::reports::send_export(&state, &staff, &table, name, as_xlsx, raw.unwrap_or_default(), &span).await
}
