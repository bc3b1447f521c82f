//! `/api/v1/groups` and `/api/v1/business-types`: skill groups with their routing settings and
//! members, and the business types that map a visitor's choice to a group.

use std::collections::BTreeMap;

use crate::views::parse_word;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, put};
use axum::{Json, Router};
use kefu_core::Millis;
use serde::Deserialize;

use crate::api::list_filters::{GroupFilter, StrategyFilter};
use crate::api::paging::ListQuery;
use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routing::{group_config, Op};
use crate::state::AppState;
use crate::text::{clean_line, clean_message, localized};
use crate::views::{
    ApiKeyScope as Scope, AuditAction, AuditEntity, BusinessHoursView, BusinessTypeList, BusinessTypeView, ClosedReason, GroupList,
    GroupMember, GroupView,
};
use kefu_store::{BusinessTypeRow, GroupRow};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/groups", get(list).post(create))
        .route("/api/v1/groups/{id}", patch(update).delete(remove))
        .route("/api/v1/groups/{id}/members", put(set_members))
        .route("/api/v1/business-types", get(list_types).post(create_type))
        .route("/api/v1/business-types/{id}", patch(update_type).delete(remove_type))
}

/// Whether visitors of this group can chat now (None) or why not: outside business hours, or
/// nobody of the group logged in.
pub async fn availability(state: &AppState, g: &GroupRow, now: i64) -> ApiResult<Option<ClosedReason>> {
    let config = group_config(g).map_err(ApiError::Validation)?;
    if config.business_hours.as_ref().is_some_and(|h| !h.is_open(Millis(now))) {
        return Ok(Some(ClosedReason::OutsideHours));
    }
    let line = state.routing.groups(vec![g.id]).await?.pop();
    let staffed = line.and_then(|l| l.snapshot).is_some_and(|s| s.agents_logged_in > 0);
    Ok((!staffed).then_some(ClosedReason::NoAgent))
}

async fn views(state: &AppState) -> ApiResult<Vec<GroupView>> {
    let members = state.store.members().await?;
    let targets: std::collections::HashMap<i64, i64> = state.store.reply_targets().await?.into_iter().collect();
    let sl: std::collections::HashMap<i64, Option<i64>> = state.store.service_level_targets().await?.into_iter().collect();
    Ok(state
        .store
        .groups()
        .await?
        .iter()
        .map(|g| {
            let mine =
                members.iter().filter(|m| m.group_id == g.id).map(|m| GroupMember { agent_id: m.agent_id, skill_level: m.skill_level });
            let mut v = GroupView::build(g, mine.collect());
            v.reply_target_secs = targets.get(&g.id).copied().unwrap_or(v.reply_target_secs);
            v.service_level_target_secs = sl.get(&g.id).copied().flatten();
            v
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/groups", tag = "groups", params(ListQuery, StrategyFilter), responses((status = 200, description = "the skill groups with their members, by id (`q`: in the name; `strategy`: those routing so), a page at a time with `limit`", body = GroupList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(f): Query<StrategyFilter>,
) -> ApiResult<Json<GroupList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let mut all = views(&state).await?;
    all.retain(|g| f.strategy.is_none_or(|s| s == g.strategy));
    let page = q.page(all, |g| g.id, |g| vec![g.name.as_str()])?;
    Ok(Json(GroupList { groups: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema, Default)]
pub struct GroupBody {
    /// 1 to 64 characters; required to create.
    name: Option<String>,
    /// Default `load_balance`.
    #[schema(value_type = Option<crate::views::Strategy>)]
    strategy: Option<String>,
    /// Used when `strategy` names no available agent; must not itself name an agent.
    #[schema(value_type = Option<crate::views::Strategy>)]
    fallback_strategy: Option<String>,
    /// Default `last`.
    #[schema(value_type = Option<crate::views::ReturningBy>)]
    returning_by: Option<String>,
    /// 0 to 3600 (default 30).
    returning_window_secs: Option<i64>,
    /// 0 to 600, raised to at least 5 (default 30).
    offer_timeout_secs: Option<i64>,
    /// 0 to 100, 0 = never set away (default 2).
    max_missed_offers: Option<i64>,
    /// 0 to 86400; null = no overflow.
    overflow_after_secs: Option<Option<i64>>,
    /// The group overflow goes to; null = none.
    overflow_group_id: Option<Option<i64>>,
    /// 0 to 3600 (default 0).
    wrap_up_secs: Option<i64>,
    /// null = always open.
    business_hours: Option<Option<BusinessHoursView>>,
    /// An http(s) URL (or a path) with `{external_id}`; null = no CRM panel.
    crm_url_template: Option<Option<String>>,
    /// 10 to 3600 (default 60): how soon agents should answer a customer's message.
    reply_target_secs: Option<i64>,
    /// 1 to 3600: the service-level target of this group ("80 % in 20 s" has 20 here); null =
    /// the server's `service_level_target_secs`.
    service_level_target_secs: Option<Option<i64>>,
    /// Welcome message by language (`zh-CN`, `en`; up to 500 characters each, blank = none),
    /// shown at the top of the customer's chat.
    welcome: Option<BTreeMap<String, String>>,
}

/// The service-level target asked for, checked: None = unchanged, Some(None) = the default.
fn sl_target(b: &GroupBody) -> ApiResult<Option<Option<i64>>> {
    match b.service_level_target_secs {
        Some(Some(t)) if !(1..=3600).contains(&t) => Err(ApiError::invalid("service_level_target_secs: 1 to 3600")),
        t => Ok(t),
    }
}

/// The reply target asked for, checked.
fn reply_target(b: &GroupBody) -> ApiResult<Option<i64>> {
    match b.reply_target_secs {
        Some(t) if !(10..=3600).contains(&t) => Err(ApiError::invalid("reply_target_secs: 10 to 3600")),
        t => Ok(t),
    }
}

fn apply(g: &mut GroupRow, b: GroupBody) -> ApiResult<()> {
    if let Some(n) = b.name {
        let n = n.trim().to_string();
        if n.is_empty() || n.chars().count() > 64 {
            return Err(ApiError::invalid("name: 1 to 64 characters"));
        }
        g.name = n;
    }
    if let Some(s) = b.strategy {
        g.strategy = parse_word(&s).ok_or_else(|| ApiError::invalid(format!("strategy: unknown value {s:?}")))?;
    }
    if let Some(s) = b.fallback_strategy {
        g.fallback_strategy = parse_word(&s).ok_or_else(|| ApiError::invalid(format!("fallback_strategy: unknown value {s:?}")))?;
    }
    if let Some(r) = b.returning_by {
        g.returning_by = parse_word(&r).ok_or_else(|| ApiError::invalid("returning_by: last or most"))?;
    }
    let range =
        |v: i64, field: &str, max: i64| if (0..=max).contains(&v) { Ok(v) } else { Err(ApiError::invalid(format!("{field}: 0 to {max}"))) };
    if let Some(v) = b.returning_window_secs {
        g.hold_secs = range(v, "returning_window_secs", 3600)?;
    }
    if let Some(v) = b.offer_timeout_secs {
        g.offer_timeout_secs = range(v, "offer_timeout_secs", 600)?.max(5);
    }
    if let Some(v) = b.max_missed_offers {
        g.max_missed_offers = range(v, "max_missed_offers", 100)?;
    }
    if let Some(v) = b.overflow_after_secs {
        g.overflow_after_secs = v.map(|v| range(v, "overflow_after_secs", 86_400)).transpose()?;
    }
    if let Some(v) = b.overflow_group_id {
        g.overflow_group_id = v;
    }
    if let Some(v) = b.wrap_up_secs {
        g.wrap_up_secs = range(v, "wrap_up_secs", 3600)?;
    }
    if let Some(h) = b.business_hours {
        g.business_hours = h.map(|h| serde_json::to_string(&h).unwrap_or_default());
    }
    if let Some(t) = b.crm_url_template {
        if let Some(t) = &t {
            if !(t.starts_with("https://") || t.starts_with("http://") || t.starts_with('/')) || t.len() > 1000 {
                return Err(ApiError::invalid("crm_url_template: an http(s) URL, e.g. https://crm.example/customer?id={external_id}"));
            }
        }
        g.crm_url_template = t;
    }
    if let Some(w) = b.welcome {
        let w = localized("welcome", w, 500, clean_message).map_err(ApiError::invalid)?;
        g.welcome = serde_json::to_string(&w).unwrap_or_else(|_| "{}".into());
    }
    group_config(g).map_err(ApiError::Validation)?;
    Ok(())
}

/// The overflow target must be a group: the database refuses others, which would be a 500.
async fn check_overflow_target(state: &AppState, b: &GroupBody) -> ApiResult<()> {
    if let Some(Some(target)) = b.overflow_group_id {
        state.store.group(target).await.map_err(|_| ApiError::invalid(format!("overflow_group_id: no skill group {target}")))?;
    }
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/groups", tag = "groups", request_body = GroupBody, responses((status = 201, description = "created (admin)", body = GroupView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<GroupBody>,
) -> ApiResult<(StatusCode, Json<GroupView>)> {
    staff.require_scope(Scope::Admin)?;
    let mut g = GroupRow::new("");
    if body.name.is_none() {
        return Err(ApiError::invalid("name: required"));
    }
    check_overflow_target(&state, &body).await?;
    let target = reply_target(&body)?;
    let sl = sl_target(&body)?;
    apply(&mut g, body)?;
    let id = state.store.save_group(&g, now_ms()).await?;
    if let Some(t) = target {
        state.store.set_reply_target(id, t).await?;
    }
    if let Some(t) = sl {
        state.store.set_service_level_target(id, t).await?;
    }
    if let Err(e) = state.routing.run(Op::GroupChanged { group: id }).await {
        let _ = state.store.delete_group(id).await;
        return Err(e);
    }
    let v = views(&state).await?.into_iter().find(|v| v.id == id).ok_or_else(|| ApiError::not_found("group"))?;
    record(&state, &staff, Change::new(AuditEntity::Group, id, AuditAction::Created, &v.name).after(&v)).await;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = i64, Path, description = "id")), request_body = GroupBody, responses((status = 200, description = "updated (admin)", body = GroupView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GroupBody>,
) -> ApiResult<Json<GroupView>> {
    staff.require_scope(Scope::Admin)?;
    let mut g = state.store.group(id).await.map_err(|_| ApiError::not_found("group"))?;
    let before = g.clone();
    let before_view = views(&state).await?.into_iter().find(|v| v.id == id);
    check_overflow_target(&state, &body).await?;
    let target = reply_target(&body)?;
    let sl = sl_target(&body)?;
    apply(&mut g, body)?;
    state.store.save_group(&g, now_ms()).await?;
    if let Some(t) = target {
        state.store.set_reply_target(id, t).await?;
    }
    if let Some(t) = sl {
        state.store.set_service_level_target(id, t).await?;
    }
    if let Err(e) = state.routing.run(Op::GroupChanged { group: id }).await {
        state.store.save_group(&before, now_ms()).await?;
        return Err(e);
    }
    let v = views(&state).await?.into_iter().find(|v| v.id == id).ok_or_else(|| ApiError::not_found("group"))?;
    record(&state, &staff, Change::new(AuditEntity::Group, id, AuditAction::Updated, &v.name).before(&before_view).after(&v)).await;
    Ok(Json(v))
}

#[utoipa::path(delete, path = "/api/v1/groups/{id}", tag = "groups", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn remove(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    state.store.group(id).await.map_err(|_| ApiError::not_found("group"))?;
    let before = views(&state).await?.into_iter().find(|v| v.id == id);
    state.routing.run(Op::RemoveGroup { group: id }).await?;
    state.store.delete_group(id).await?;
    let name = before.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    record(&state, &staff, Change::new(AuditEntity::Group, id, AuditAction::Deleted, name).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct MemberBody {
    agent_id: i64,
    /// 1 to 5.
    skill_level: i64,
}

#[utoipa::path(put, path = "/api/v1/groups/{id}/members", tag = "groups", params(("id" = i64, Path, description = "id")), request_body = Vec<MemberBody>, responses((status = 200, description = "members replaced (admin)", body = GroupView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn set_members(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Vec<MemberBody>>,
) -> ApiResult<Json<GroupView>> {
    staff.require_scope(Scope::Admin)?;
    state.store.group(id).await.map_err(|_| ApiError::not_found("group"))?;
    if body.iter().any(|m| !(1..=5).contains(&m.skill_level)) {
        return Err(ApiError::invalid("skill_level: 1 to 5"));
    }
    let users = state.store.users().await?;
    if let Some(m) = body.iter().find(|m| !users.iter().any(|u| u.id == m.agent_id)) {
        return Err(ApiError::invalid(format!("agent_id: no agent {}", m.agent_id)));
    }
    let members_before: Vec<(i64, i64)> =
        state.store.members().await?.iter().filter(|m| m.group_id == id).map(|m| (m.agent_id, m.skill_level)).collect();
    let before: Vec<i64> = members_before.iter().map(|m| m.0).collect();
    let pairs: Vec<(i64, i64)> = body.iter().map(|m| (m.agent_id, m.skill_level)).collect();
    state.store.set_members(id, &pairs).await?;
    let mut touched: Vec<i64> = before.into_iter().chain(pairs.iter().map(|p| p.0)).collect();
    touched.sort_unstable();
    touched.dedup();
    for agent in touched {
        state.routing.run(Op::AgentChanged { agent }).await?;
    }
    let v = views(&state).await?.into_iter().find(|v| v.id == id).ok_or_else(|| ApiError::not_found("group"))?;
    let after: Vec<(i64, i64)> = pairs;
    let change = Change::new(AuditEntity::GroupMembers, id, AuditAction::Updated, &v.name).before(&members_before).after(&after);
    record(&state, &staff, change).await;
    Ok(Json(v))
}

#[utoipa::path(get, path = "/api/v1/business-types", tag = "groups", params(ListQuery, GroupFilter), responses((status = 200, description = "the business types by id (`q`: in any of their names; `group_id`: those routed to that group), a page at a time with `limit`", body = BusinessTypeList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list_types(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<ListQuery>,
    Query(f): Query<GroupFilter>,
) -> ApiResult<Json<BusinessTypeList>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let all = state
        .store
        .business_types()
        .await?
        .iter()
        .map(BusinessTypeView::from)
        .filter(|t| f.group_id.is_none_or(|g| g == t.group_id))
        .collect();
    let page = q.page(all, |t| t.id, |t| std::iter::once(t.name.as_str()).chain(t.names.values().map(String::as_str)).collect())?;
    Ok(Json(BusinessTypeList { business_types: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TypeBody {
    /// Shown to visitors, 1 to 64 characters.
    name: Option<String>,
    /// The group that serves it; required to create.
    group_id: Option<i64>,
    /// 1 to 5 (default 1).
    min_skill_level: Option<i64>,
    /// The name by language (`zh-CN`, `en`; up to 64 characters each, blank = use `name`).
    names: Option<BTreeMap<String, String>>,
}

async fn save_type(state: &AppState, mut t: BusinessTypeRow, b: TypeBody) -> ApiResult<BusinessTypeView> {
    if let Some(n) = b.name {
        t.name = n.trim().to_string();
    }
    if t.name.is_empty() || t.name.chars().count() > 64 {
        return Err(ApiError::invalid("name: 1 to 64 characters"));
    }
    if let Some(g) = b.group_id {
        state.store.group(g).await.map_err(|_| ApiError::invalid(format!("group_id: no skill group {g}")))?;
        t.group_id = g;
    }
    if let Some(l) = b.min_skill_level {
        if !(1..=5).contains(&l) {
            return Err(ApiError::invalid("min_skill_level: 1 to 5"));
        }
        t.min_skill_level = l;
    }
    if let Some(names) = b.names {
        let names = localized("names", names, 64, clean_line).map_err(ApiError::invalid)?;
        t.names = serde_json::to_string(&names).unwrap_or_else(|_| "{}".into());
    }
    t.id = state.store.save_business_type(&t).await?;
    Ok(BusinessTypeView::from(&t))
}

#[utoipa::path(post, path = "/api/v1/business-types", tag = "groups", request_body = TypeBody, responses((status = 201, description = "created (admin)", body = BusinessTypeView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_type(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(body): ApiJson<TypeBody>,
) -> ApiResult<(StatusCode, Json<BusinessTypeView>)> {
    staff.require_scope(Scope::Admin)?;
    if body.group_id.is_none() {
        return Err(ApiError::invalid("group_id: required"));
    }
    let t = BusinessTypeRow { id: 0, name: String::new(), group_id: 0, min_skill_level: 1, names: "{}".into() };
    let v = save_type(&state, t, body).await?;
    record(&state, &staff, Change::new(AuditEntity::BusinessType, v.id, AuditAction::Created, &v.name).after(&v)).await;
    Ok((StatusCode::CREATED, Json(v)))
}

#[utoipa::path(patch, path = "/api/v1/business-types/{id}", tag = "groups", params(("id" = i64, Path, description = "id")), request_body = TypeBody, responses((status = 200, description = "updated (admin)", body = BusinessTypeView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update_type(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TypeBody>,
) -> ApiResult<Json<BusinessTypeView>> {
    staff.require_scope(Scope::Admin)?;
    let t = state.store.business_types().await?.into_iter().find(|t| t.id == id).ok_or_else(|| ApiError::not_found("business type"))?;
    let before = BusinessTypeView::from(&t);
    let v = save_type(&state, t, body).await?;
    record(&state, &staff, Change::new(AuditEntity::BusinessType, id, AuditAction::Updated, &v.name).before(&before).after(&v)).await;
    Ok(Json(v))
}

#[utoipa::path(delete, path = "/api/v1/business-types/{id}", tag = "groups", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "deleted (admin)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn remove_type(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let before = state.store.business_types().await?.iter().find(|t| t.id == id).map(BusinessTypeView::from);
    state.store.delete_business_type(id).await?;
    let name = before.as_ref().map(|v| v.name.clone()).unwrap_or_default();
    record(&state, &staff, Change::new(AuditEntity::BusinessType, id, AuditAction::Deleted, name).before(&before)).await;
    Ok(StatusCode::NO_CONTENT)
}
