//! `/api/v1/reports/…`: conversation and agent state reports, their CSV/XLSX exports (each one
//! logged), and the log of exports. Supervisors see their own groups, admins all, agents none.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::auth::Staff;
use crate::clock::{now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::reports::export::{agent_table, conversation_table, csv, reason_table, xlsx, Table};
use crate::reports::{self, ReportParams};
use crate::state::AppState;
use crate::views::{AgentReport, ApiKeyScope as Scope, ConversationReport, ReasonReport, ReportExportList, ReportExportView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/reports/conversations", get(conversations))
        .route("/api/v1/reports/agents", get(agents))
        .route("/api/v1/reports/reasons", get(reasons))
        .route("/api/v1/reports/{report}/export", get(export))
        .route("/api/v1/reports/exports", get(exports))
}

#[utoipa::path(get, path = "/api/v1/reports/conversations", tag = "reports", params(ReportParams),
    responses((status = 200, description = "offered, answered, abandoned, service level, ASA, AHT, FCR, CSAT per interval and key (supervisor: own groups; admin: all)", body = ConversationReport), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn conversations(
    State(state): State<AppState>,
    staff: Staff,
    Query(p): Query<ReportParams>,
) -> ApiResult<Json<ConversationReport>> {
    staff.require_scope(Scope::StatsRead)?;
    Ok(Json(reports::conversations(&state, &staff, &p).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/agents", tag = "reports", params(ReportParams),
    responses((status = 200, description = "each agent's logged-in time split into ready, busy, wrap-up and away per reason; occupancy, utilisation", body = AgentReport), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn agents(State(state): State<AppState>, staff: Staff, Query(p): Query<ReportParams>) -> ApiResult<Json<AgentReport>> {
    staff.require_scope(Scope::StatsRead)?;
    Ok(Json(reports::agents(&state, &staff, &p).await?))
}

#[utoipa::path(get, path = "/api/v1/reports/reasons", tag = "reports", params(ReportParams),
    responses((status = 200, description = "contact reasons: conversations per tag with share, trend per interval, CSAT average and the customers' comments newest first (supervisor: own groups; admin: all)", body = ReasonReport), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn reasons(State(state): State<AppState>, staff: Staff, Query(p): Query<ReportParams>) -> ApiResult<Json<ReasonReport>> {
    staff.require_scope(Scope::StatsRead)?;
    Ok(Json(reports::reasons::reasons(&state, &staff, &p).await?))
}

/// The export's form and language.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// `csv` (default) or `xlsx`.
    format: Option<String>,
    /// Header language: `zh-CN` (default) or `en`.
    locale: Option<String>,
}

impl ExportParams {
    /// (headers in Chinese, XLSX rather than CSV), checked.
    pub(crate) fn form(&self) -> ApiResult<(bool, bool)> {
        let zh = match self.locale.as_deref() {
            None | Some("zh-CN") => true,
            Some("en") => false,
            Some(other) => return Err(ApiError::invalid(format!("locale: {other:?} is not one of zh-CN, en"))),
        };
        let xlsx = match self.format.as_deref() {
            None | Some("csv") => false,
            Some("xlsx") => true,
            Some(other) => return Err(ApiError::invalid(format!("format: {other:?} is not one of csv, xlsx"))),
        };
        Ok((zh, xlsx))
    }
}

#[utoipa::path(get, path = "/api/v1/reports/{report}/export", tag = "reports",
    params(("report" = String, Path, description = "`conversations`, `agents` or `reasons`"), ReportParams, ExportParams),
    responses((status = 200, description = "the report's rows and totals as a CSV (UTF-8 with BOM) or XLSX file; every export is logged", content_type = "application/octet-stream", body = Vec<u8>), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<AppState>,
    staff: Staff,
    Path(report): Path<String>,
    Query(p): Query<ReportParams>,
    Query(e): Query<ExportParams>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    staff.require_scope(Scope::StatsRead)?;
    let (zh, xlsx_asked) = e.form()?;
    let (table, span) = match report.as_str() {
        "conversations" => {
            let r = reports::conversations(&state, &staff, &p).await?;
            (conversation_table(&r, zh), format!("{}_{}", r.from, r.to))
        }
        "agents" => {
            let r = reports::agents(&state, &staff, &p).await?;
            (agent_table(&r, zh), format!("{}_{}", r.from, r.to))
        }
        "reasons" => {
            let r = reports::reasons::reasons(&state, &staff, &p).await?;
            (reason_table(&r, zh), format!("{}_{}", r.from, r.to))
        }
        _ => return Err(ApiError::not_found("report")),
    };
    send_export(&state, &staff, &table, &report, xlsx_asked, raw.unwrap_or_default(), &span).await
}

/// Answer with `table` as a file (XLSX when asked, else CSV) named `kefu-{report}-{span}`, after
/// logging the export (who, which report, the query it answered, how many rows): every export
/// endpoint ends here.
pub(crate) async fn send_export(
    state: &AppState,
    staff: &Staff,
    table: &Table,
    report: &str,
    xlsx_asked: bool,
    query: String,
    span: &str,
) -> ApiResult<Response> {
    let (format, body, mime) = if xlsx_asked {
        ("xlsx", xlsx(table, report)?, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else {
        ("csv", csv(table), "text/csv; charset=utf-8")
    };
    state
        .store
        .log_export(&kefu_store::ExportRow {
            user_id: staff.is_user().then_some(staff.id),
            api_key_id: staff.api_key,
            report: report.into(),
            format: format.into(),
            query,
            rows: table.rows.len() as i64,
            created_at: now_ms(),
        })
        .await?;
    let name = format!("kefu-{report}-{span}.{format}");
    Ok(([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body)
        .into_response())
}

/// Paging of the export log: newest first, by id.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct ExportPage {
    /// `next_after` of the previous page.
    after: Option<i64>,
    /// Page size, 1 to 200 (default 200).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/reports/exports", tag = "reports", params(ExportPage),
    responses((status = 200, description = "report exports, newest first, a page at a time (`after`, `limit`; 200 by default): who, what, when (admin)", body = ReportExportList), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn exports(State(state): State<AppState>, staff: Staff, Query(q): Query<ExportPage>) -> ApiResult<Json<ReportExportList>> {
    staff.require_scope(Scope::Admin)?;
    let limit = crate::api::paging::limit_of(q.limit, 200)?;
    let (rows, next_after) = crate::api::paging::split_page(state.store.report_exports_page(q.after, limit + 1).await?, limit, |e| e.id);
    let exports = rows
        .into_iter()
        .map(|kefu_store::ExportEntry { id, export: e }| ReportExportView {
            id,
            user_id: e.user_id,
            api_key_id: e.api_key_id,
            report: e.report,
            format: e.format,
            query: e.query,
            rows: e.rows,
            created_at: rfc3339(e.created_at),
        })
        .collect();
    Ok(Json(ReportExportList { exports, next_after }))
}
