//! `/api/v1/stats/live`: the supervisor's floor view: queues, agents, today's service level.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use kefu_core::{ContactRecord, Millis, ServiceStats};

use crate::floor::figures::{record_of, sl_rules};

use crate::api::agents::agent_views;
use crate::auth::Caller;
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::metrics::GroupFigures;
use crate::state::AppState;
use crate::views::{AgentDay, ApiKeyScope as Scope, GroupLive, LiveStats, TodayStats};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/stats/live", get(live)).route("/api/v1/stats/agents/{id}", get(agent_day))
}

/// Live figures per group (shared with `/metrics`).
pub async fn group_figures(state: &AppState) -> ApiResult<Vec<(i64, GroupFigures, u32)>> {
    let groups = state.store.groups().await?;
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let snaps = state.routing.groups(ids).await?.into_iter().map(|line| line.snapshot);
    Ok(groups
        .iter()
        .zip(snaps)
        .map(|(g, s)| {
            let s = s.unwrap_or(kefu_core::GroupSnapshot { waiting: 0, longest_wait_secs: 0, agents_ready: 0, agents_logged_in: 0 });
            (
                g.id,
                GroupFigures {
                    name: g.name.clone(),
                    waiting: s.waiting,
                    longest_wait_secs: s.longest_wait_secs,
                    agents_ready: s.agents_ready,
                },
                s.agents_logged_in,
            )
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/stats/live", tag = "stats", responses((status = 200, description = "queues, agents and today's service level (supervisor)", body = LiveStats), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn live(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<LiveStats>> {
    staff.require_scope(Scope::StatsRead)?;
    let now = now_ms();
    let rules = sl_rules(&state).await?;
    // A supervisor sees the groups they watch (their own; none when in none: crate::oversight), as on the wallboard.
    let mine = crate::floor::watched_groups(&state, &staff).await?;
    let shown = |group: i64| mine.as_ref().is_none_or(|m| m.contains(&group));
    let records: Vec<ContactRecord> = today_records(&state, now, None).await?.into_iter().filter(|r| shown(r.group)).collect();
    let today = TodayStats::build(&ServiceStats::compute(&records, &rules, Millis(now)), rules.default_target_secs);
    let groups = group_figures(&state)
        .await?
        .into_iter()
        .filter(|(id, _, _)| shown(*id))
        .map(|(id, f, agents_logged_in)| GroupLive {
            id,
            name: f.name,
            waiting: f.waiting,
            longest_wait_secs: f.longest_wait_secs,
            agents_ready: f.agents_ready,
            agents_logged_in,
            service_level_target_secs: rules.target_secs(id),
        })
        .collect();
    let agents =
        agent_views(&state, None).await?.into_iter().filter(|a| mine.is_none() || a.groups.iter().any(|m| shown(m.group_id))).collect();
    let waiting = waiting_list(&state, &staff, &shown).await?;
    Ok(Json(LiveStats { groups, agents, today, waiting }))
}

/// Rows of the live waiting list at most.
const WAITING_ROWS: usize = 200;

/// The waiting list: who waits in the groups shown, since when, longest waiting first.
async fn waiting_list(state: &AppState, staff: &Staff, shown: &impl Fn(i64) -> bool) -> ApiResult<Vec<crate::views::ConversationView>> {
    use kefu_core::ConversationStatus::{Offered, Queued};
    let mut rows = state.store.conversations_by_status(Some(Queued), None).await?;
    rows.extend(state.store.conversations_by_status(Some(Offered), None).await?);
    rows.retain(|c| shown(c.group_id));
    rows.sort_by_key(|c| (c.queued_at, c.id));
    // Every supervisor's page asks every few seconds, and each row is a full view: the longest
    // waiting rows only (the group lines still count everyone who waits).
    rows.truncate(WAITING_ROWS);
    let caller = Caller::Staff(staff.clone());
    let mut out = Vec::with_capacity(rows.len());
    for c in &rows {
        out.push(crate::api::conversations::view_of(state, &caller, c).await?);
    }
    Ok(out)
}

/// Today's contacts as the core reads them; only those `agent` served when given.
async fn today_records(state: &AppState, now: i64, agent: Option<i64>) -> ApiResult<Vec<ContactRecord>> {
    // Today starts at the organisation's local midnight, as the reports' days do.
    let since = state.org.time_zone().day_start(now);
    Ok(state.store.contacts_since(since).await?.iter().filter(|c| agent.is_none() || c.agent_id == agent).map(record_of).collect())
}

#[utoipa::path(get, path = "/api/v1/stats/agents/{id}", tag = "stats", params(("id" = i64, Path, description = "agent id")),
    responses((status = 200, description = "one agent's row opened by a supervisor: status, the conversations they serve now, today's figures", body = AgentDay), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn agent_day(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<AgentDay>> {
    staff.require_scope(Scope::StatsRead)?;
    let agent = agent_views(&state, Some(id)).await?.pop().ok_or_else(|| ApiError::not_found("agent"))?;
    crate::oversight::require_agent(&state, &staff, id).await?;
    let now = now_ms();
    let rules = sl_rules(&state).await?;
    let today = TodayStats::build(
        &ServiceStats::compute(&today_records(&state, now, Some(id)).await?, &rules, Millis(now)),
        rules.default_target_secs,
    );
    let caller = Caller::Staff(staff);
    let mut conversations = vec![];
    for c in state.store.conversations_by_status(Some(kefu_core::ConversationStatus::Assigned), Some(id)).await? {
        conversations.push(crate::api::conversations::view_of(&state, &caller, &c).await?);
    }
    Ok(Json(AgentDay { agent, today, conversations }))
}
