//! `/api/v1/agents`: the live list, one's own status, and admin management of staff.

use crate::views::{parse_word, SettableStatus};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use kefu_core::{AgentStatus, AwayReason};
use serde::Deserialize;

use crate::agents::build;
use crate::audit::{record, Change};
use crate::auth::{check_password_rules, hash_password_blocking, Role, Staff};
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routing::Op;
use crate::state::AppState;
use crate::views::{AgentList, AgentView, ApiKeyScope as Scope, AuditAction, AuditEntity, SessionEndReason, Slots};
use kefu_store::{NewUser, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/agents", get(list).post(create))
        .route("/api/v1/agents/me", get(me))
        .route("/api/v1/agents/me/status", put(set_status))
        .route("/api/v1/agents/{id}/status", put(set_status_of))
        .route("/api/v1/agents/{id}", patch(update))
}

/// Live views of the given agents (all when `only` is None).
pub async fn agent_views(state: &AppState, only: Option<i64>) -> ApiResult<Vec<AgentView>> {
    let users = state.store.users().await?;
    let members = state.store.members().await?;
    let ids: Vec<i64> = users.iter().map(|u| u.id).filter(|id| only.is_none_or(|o| o == *id)).collect();
    let snaps: std::collections::HashMap<i64, _> = ids.clone().into_iter().zip(state.routing.agents(ids).await?).collect();
    Ok(users
        .iter()
        .filter(|u| only.is_none_or(|o| o == u.id))
        .map(|u| build(u, &members, snaps.get(&u.id).and_then(|s| s.as_ref())))
        .collect())
}

/// Which agents to list; every filter narrows. Without `limit`, every matching agent at once.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct AgentQuery {
    /// Text inside the name or email (case-insensitive).
    q: Option<String>,
    role: Option<Role>,
    /// Members of this skill group.
    group_id: Option<i64>,
    /// Enabled (true) or disabled (false) accounts; admins only see disabled ones.
    enabled: Option<bool>,
    /// `next_after` of the previous page: agents are listed by id, so one created meanwhile lands
    /// on a later page and no page repeats or skips a row.
    after: Option<i64>,
    /// Page size, 1 to 200.
    limit: Option<i64>,
}

impl AgentQuery {
    fn admits(&self, a: &AgentView, text: Option<&str>) -> bool {
        text.is_none_or(|t| a.name.to_lowercase().contains(t) || a.email.to_lowercase().contains(t))
            && self.role.is_none_or(|r| a.role == r.as_str())
            && self.group_id.is_none_or(|g| a.groups.iter().any(|m| m.group_id == g))
            && self.enabled.is_none_or(|e| a.enabled == e)
    }
}

#[utoipa::path(get, path = "/api/v1/agents", tag = "agents", params(AgentQuery), responses((status = 200, description = "the agents matching the filters by id (admins also see disabled ones), a page at a time with `limit`", body = AgentList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<AgentQuery>) -> ApiResult<Json<AgentList>> {
    staff.require_scope(Scope::AgentsRead)?;
    if q.limit.is_some_and(|l| !(1..=200).contains(&l)) {
        return Err(ApiError::invalid("limit: 1 to 200"));
    }
    let text = q.q.as_deref().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty());
    let mut agents = agent_views(&state, None).await?;
    if staff.role < Role::Admin {
        agents.retain(|a| a.enabled);
    }
    agents.sort_by_key(|a| a.id);
    agents.retain(|a| q.admits(a, text.as_deref()));
    let total = agents.len() as i64;
    agents.retain(|a| q.after.is_none_or(|after| a.id > after));
    let mut next_after = None;
    if let Some(limit) = q.limit {
        if agents.len() as i64 > limit {
            agents.truncate(limit as usize);
            next_after = agents.last().map(|a| a.id);
        }
    }
    Ok(Json(AgentList { agents, total, next_after }))
}

#[utoipa::path(get, path = "/api/v1/agents/me", tag = "agents", responses((status = 200, description = "the caller as an agent", body = AgentView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn me(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<AgentView>> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys are not agents".into()));
    }
    agent_views(&state, Some(staff.id)).await?.pop().map(Json).ok_or_else(|| ApiError::not_found("agent"))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusBody {
    #[schema(value_type = crate::views::SettableStatus)]
    status: String,
    /// Why the agent is away (at most 64 characters); only with `away`.
    reason: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/agents/me/status", tag = "agents", request_body = StatusBody, responses((status = 200, description = "status set", body = AgentView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn set_status(State(state): State<AppState>, staff: Staff, ApiJson(body): ApiJson<StatusBody>) -> ApiResult<Json<AgentView>> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys are not agents".into()));
    }
    let status = parse_status(&body.status, body.reason.as_deref())?;
    state.routing.run(Op::SetStatus { agent: staff.id, status }).await?;
    me(State(state), staff).await
}

fn parse_status(status: &str, reason: Option<&str>) -> ApiResult<AgentStatus> {
    Ok(match parse_word::<SettableStatus>(status) {
        Some(SettableStatus::Ready) => AgentStatus::Ready,
        Some(SettableStatus::Offline) => AgentStatus::Offline,
        Some(SettableStatus::Away) => {
            let reason = reason.map(str::trim).filter(|r| !r.is_empty()).unwrap_or("other");
            if reason.chars().count() > 64 {
                return Err(ApiError::invalid("reason: at most 64 characters"));
            }
            AgentStatus::Away(AwayReason::Other(reason.to_string()))
        }
        None => return Err(ApiError::invalid(format!("status: {status:?} is not one of ready, away, offline"))),
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct StatusOfBody {
    #[schema(value_type = crate::views::SettableStatus)]
    status: String,
    /// The away reason shown to everyone (only with `away`; at most 64 characters).
    reason: Option<String>,
    /// Why the supervisor changes it (1 to 200 characters): kept in the audit log.
    note: String,
}

#[utoipa::path(put, path = "/api/v1/agents/{id}/status", tag = "agents", params(("id" = i64, Path, description = "agent id")), request_body = StatusOfBody,
    responses((status = 200, description = "a supervisor set the agent's status (e.g. away for a coaching session); audited", body = AgentView), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn set_status_of(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StatusOfBody>,
) -> ApiResult<Json<AgentView>> {
    // People, not integrations, move a colleague's status: API keys are refused.
    if !staff.is_user() || staff.role < Role::Supervisor {
        return Err(ApiError::Forbidden("this needs the supervisor role".into()));
    }
    let note = body.note.trim();
    if note.is_empty() || note.chars().count() > 200 {
        return Err(ApiError::invalid("note: why the status is changed, 1 to 200 characters"));
    }
    let status = parse_status(&body.status, body.reason.as_deref())?;
    state.store.user(id).await.map_err(|_| ApiError::not_found("agent"))?;
    crate::oversight::require_agent(&state, &staff, id).await?;
    state.routing.run(Op::SetStatus { agent: id, status }).await?;
    let mut tx = state.store.begin().await?;
    let detail = serde_json::json!({ "by": staff.id, "status": body.status, "reason": body.reason, "note": note });
    tx.log_routing("agent_status_set", None, Some(id), None, &detail, now_ms()).await?;
    tx.commit().await?;
    agent_views(&state, Some(id)).await?.pop().map(Json).ok_or_else(|| ApiError::not_found("agent"))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateAgent {
    /// Login; unique.
    email: String,
    /// Display name, 1 to 64 characters.
    name: String,
    /// 8 characters to 256 bytes.
    password: String,
    role: Role,
    /// Conversations the agent serves at once; chat 0 to 50, call 0 to 5 (default chat 5, call 1).
    capacity: Option<Slots>,
}

fn check_capacity(c: &Slots) -> ApiResult<()> {
    if !(0..=50).contains(&c.chat) || !(0..=5).contains(&c.call) {
        return Err(ApiError::invalid("capacity: chat 0 to 50, call 0 to 5"));
    }
    Ok(())
}

fn check_name(name: &str) -> ApiResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(ApiError::invalid("name: 1 to 64 characters"));
    }
    Ok(name)
}

#[utoipa::path(post, path = "/api/v1/agents", tag = "agents", request_body = CreateAgent, responses((status = 201, description = "created (admin)", body = AgentView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<CreateAgent>,
) -> ApiResult<(StatusCode, Json<AgentView>)> {
    staff.require_scope(Scope::Admin)?;
    let email = body.email.trim();
    if !email.contains('@') || email.len() > 254 || email.contains(char::is_whitespace) {
        return Err(ApiError::invalid("email: not an email address"));
    }
    check_password_rules(&body.password)?;
    let capacity = body.capacity.unwrap_or(Slots { chat: 5, call: 1 });
    check_capacity(&capacity)?;
    let hash = hash_password_blocking(body.password.clone(), state.config.password_cost).await.map_err(ApiError::Internal)?;
    let id = state
        .store
        .create_user(
            NewUser {
                email,
                name: check_name(&body.name)?,
                role: body.role,
                password_hash: &hash,
                capacity_chat: capacity.chat,
                capacity_call: capacity.call,
            },
            now_ms(),
        )
        .await?;
    state.routing.run(Op::AgentChanged { agent: id }).await?;
    let view = agent_views(&state, Some(id)).await?.pop().ok_or_else(|| ApiError::not_found("agent"))?;
    record(&state, &staff, Change::new(AuditEntity::Agent, id, AuditAction::Created, &view.name).after(&view)).await;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct UpdateAgent {
    /// Display name, 1 to 64 characters.
    name: Option<String>,
    /// An admin cannot demote themself, and nobody can demote the last enabled admin. A new role
    /// ends the user's sessions (they sign in again).
    role: Option<Role>,
    /// A new password ends the agent's sessions.
    password: Option<String>,
    /// chat 0 to 50, call 0 to 5.
    capacity: Option<Slots>,
    /// false = cannot log in (sessions end; conversations in service go back to the front of
    /// the queue); an admin cannot disable themself, and nobody can disable the last enabled admin.
    enabled: Option<bool>,
}

#[utoipa::path(patch, path = "/api/v1/agents/{id}", tag = "agents", params(("id" = i64, Path, description = "id")), request_body = UpdateAgent, responses((status = 200, description = "updated (admin)", body = AgentView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<UpdateAgent>,
) -> ApiResult<Json<AgentView>> {
    staff.require_scope(Scope::Admin)?;
    if staff.id == id && (body.enabled == Some(false) || body.role.is_some_and(|r| r < Role::Admin)) {
        return Err(ApiError::Conflict("you cannot disable or demote yourself".into()));
    }
    let name = body.name.as_deref().map(check_name).transpose()?;
    if let Some(c) = &body.capacity {
        check_capacity(c)?;
    }
    let before = state.store.user(id).await.map_err(|_| ApiError::not_found("agent"))?;
    let before_view = agent_views(&state, Some(id)).await?.pop();
    let hash = match &body.password {
        Some(p) => {
            check_password_rules(p)?;
            Some(hash_password_blocking(p.clone(), state.config.password_cost).await.map_err(ApiError::Internal)?)
        }
        None => None,
    };
    state.store.update_user(id, name, body.role, hash.as_deref(), body.capacity.map(|c| (c.chat, c.call)), body.enabled).await.map_err(
        |e| match e {
            StoreError::NotFound => ApiError::not_found("agent"),
            other => other.into(),
        },
    )?;
    // Each of these ends the user's sessions everywhere at once, open sockets included.
    let ended = if body.enabled == Some(false) && before.enabled {
        Some(SessionEndReason::Disabled)
    } else if hash.is_some() {
        Some(SessionEndReason::PasswordChanged)
    } else if body.role.is_some_and(|r| r != before.role) {
        Some(SessionEndReason::RoleChanged)
    } else {
        None
    };
    if let Some(reason) = ended {
        state.store.revoke_user_sessions(id, now_ms()).await?;
        state.hub.close_user(id, None, reason).await;
    }
    // A disabled agent goes offline and their conversations go back to the front of the line.
    state.routing.run(Op::AgentChanged { agent: id }).await?;
    let view = agent_views(&state, Some(id)).await?.pop().ok_or_else(|| ApiError::not_found("agent"))?;
    // The password itself is never logged; that it was reset is.
    let summary = if hash.is_some() { format!("{} (password reset)", view.name) } else { view.name.clone() };
    record(&state, &staff, Change::new(AuditEntity::Agent, id, AuditAction::Updated, summary).before(&before_view).after(&view)).await;
    Ok(Json(view))
}
