//! QA (质检) set-up: automatic rules and scoring forms (admins write, reviewers read), the
//! reviewer permission (admins grant it), the starter set, and re-running a conversation's
//! automatic check (reviewers).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post, put};
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::paging::ListQuery;
use crate::audit::{record, Change};
use crate::auth::Staff;
use crate::clock::now_ms;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::qa::access::require_reviewer;
use crate::qa::{self, starter, NotScored};
use crate::state::AppState;
use crate::text::clean_line;
use crate::views::{
    ApiKeyScope as Scope, AuditAction, AuditEntity, QaAutoView, QaFormList, QaFormView, QaHitView, QaReviewerList, QaReviewerView,
    QaRuleList, QaRuleView,
};
use kefu_core::qa::{check_form, Check, FormItem};
use kefu_store::{QaRuleFields, StoreError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qa/rules", get(rules).post(create_rule))
        .route("/api/v1/qa/rules/{id}", patch(update_rule).delete(delete_rule))
        .route("/api/v1/qa/starter", post(add_starter))
        .route("/api/v1/qa/forms", get(forms).post(create_form))
        .route("/api/v1/qa/forms/{id}", patch(update_form))
        .route("/api/v1/qa/reviewers", get(reviewers))
        .route("/api/v1/qa/reviewers/{user_id}", put(grant_reviewer).delete(withdraw_reviewer))
        .route("/api/v1/qa/conversations/{id}/rescore", post(rescore))
}

#[utoipa::path(get, path = "/api/v1/qa/rules", tag = "qa", params(ListQuery), responses((status = 200, description = "every automatic rule (reviewers and admins)", body = QaRuleList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn rules(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<Json<QaRuleList>> {
    require_reviewer(&state, &staff).await?;
    let rules: Vec<QaRuleView> = state.store.qa_rules(false).await?.iter().filter_map(QaRuleView::of).collect();
    let page = q.page(rules, |r| r.id, |r| vec![r.name.as_str()])?;
    Ok(Json(QaRuleList { rules: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaRuleBody {
    /// 1 to 40 characters, unique. Required to create.
    name: Option<String>,
    /// What it checks. Required to create.
    check: Option<Check>,
    /// Points per hit, 0 to 100. Required to create.
    weight: Option<i64>,
    /// Any hit flags the conversation for review (default false).
    heavy: Option<bool>,
    /// Default true.
    enabled: Option<bool>,
}

fn checked_rule(name: &str, check: &Check, weight: i64) -> ApiResult<(String, String)> {
    let name = clean_line(name);
    if name.is_empty() || name.chars().count() > 40 {
        return Err(ApiError::invalid("name: 1 to 40 characters"));
    }
    if !(0..=100).contains(&weight) {
        return Err(ApiError::invalid("weight: 0 to 100"));
    }
    let phrases = match check {
        Check::ForbiddenWords { words } => Some(words),
        Check::Greeting { phrases, .. } | Check::Closing { phrases, .. } | Check::SupervisorRequest { phrases } => Some(phrases),
        _ => None,
    };
    if let Some(p) = phrases {
        if !p.iter().any(|w| !w.trim().is_empty()) || p.len() > 200 || p.iter().any(|w| w.chars().count() > 50) {
            return Err(ApiError::invalid("check: 1 to 200 words or phrases, each at most 50 characters"));
        }
    }
    let within = match check {
        Check::Greeting { within, .. } | Check::Closing { within, .. } => Some(*within),
        _ => None,
    };
    if within.is_some_and(|w| !(1..=20).contains(&w)) {
        return Err(ApiError::invalid("check.within: 1 to 20 messages"));
    }
    let limit = match check {
        Check::FirstResponse { limit_secs } | Check::ResponseTime { limit_secs } | Check::LongSilence { limit_secs } => Some(*limit_secs),
        _ => None,
    };
    if limit.is_some_and(|l| !(1..=86_400).contains(&l)) {
        return Err(ApiError::invalid("check.limit_secs: 1 to 86400"));
    }
    if matches!(check, Check::LowCsat { at_most } if !(1..=4).contains(at_most)) {
        return Err(ApiError::invalid("check.at_most: 1 to 4"));
    }
    let definition = serde_json::to_string(check).map_err(|e| ApiError::Internal(e.into()))?;
    Ok((name, definition))
}

fn taken(e: StoreError, what: &str, name: &str) -> ApiError {
    match e {
        StoreError::Conflict(_) => ApiError::Conflict(format!("name: a {what} named {name:?} already exists")),
        StoreError::NotFound => ApiError::not_found(what),
        e => e.into(),
    }
}

#[utoipa::path(post, path = "/api/v1/qa/rules", tag = "qa", request_body = QaRuleBody, responses((status = 201, description = "created (admin)", body = QaRuleView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_rule(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<QaRuleBody>,
) -> ApiResult<(StatusCode, Json<QaRuleView>)> {
    staff.require_scope(Scope::Admin)?;
    let name = b.name.ok_or_else(|| ApiError::invalid("name: required"))?;
    let check = b.check.ok_or_else(|| ApiError::invalid("check: required"))?;
    let weight = b.weight.ok_or_else(|| ApiError::invalid("weight: required"))?;
    let (name, definition) = checked_rule(&name, &check, weight)?;
    let fields =
        QaRuleFields { name: &name, definition: &definition, weight, heavy: b.heavy.unwrap_or(false), enabled: b.enabled.unwrap_or(true) };
    let id = state.store.create_qa_rule(&fields, now_ms()).await.map_err(|e| taken(e, "rule", &name))?;
    let view = rule_view(&state, id).await?;
    record(&state, &staff, Change::new(AuditEntity::QaRule, id, AuditAction::Created, &view.name).after(&*view)).await;
    Ok((StatusCode::CREATED, view))
}

async fn rule_view(state: &AppState, id: i64) -> ApiResult<Json<QaRuleView>> {
    let row = state.store.qa_rule(id).await.map_err(|_| ApiError::not_found("rule"))?;
    QaRuleView::of(&row).map(Json).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("rule {id} has an unreadable definition")))
}

#[utoipa::path(patch, path = "/api/v1/qa/rules/{id}", tag = "qa", params(("id" = i64, Path, description = "rule id")), request_body = QaRuleBody, responses((status = 200, description = "updated (admin): enable, disable, re-weigh, change the check", body = QaRuleView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update_rule(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<QaRuleBody>,
) -> ApiResult<Json<QaRuleView>> {
    staff.require_scope(Scope::Admin)?;
    let row = state.store.qa_rule(id).await.map_err(|_| ApiError::not_found("rule"))?;
    let old = QaRuleView::of(&row).ok_or_else(|| ApiError::invalid("check: the stored rule is unreadable; send a new check"));
    let check = match b.check {
        Some(c) => c,
        None => old?.check,
    };
    let weight = b.weight.unwrap_or(row.weight);
    let (name, definition) = checked_rule(b.name.as_deref().unwrap_or(&row.name), &check, weight)?;
    let fields = QaRuleFields {
        name: &name,
        definition: &definition,
        weight,
        heavy: b.heavy.unwrap_or(row.heavy),
        enabled: b.enabled.unwrap_or(row.enabled),
    };
    state.store.update_qa_rule(id, &fields, now_ms()).await.map_err(|e| taken(e, "rule", &name))?;
    let view = rule_view(&state, id).await?;
    let change = Change::new(AuditEntity::QaRule, id, AuditAction::Updated, &view.name).after(&*view);
    record(&state, &staff, audited_before(change, &row)).await;
    Ok(view)
}

/// A rule as it was, for the audit log: its view, or the stored row when unreadable.
fn audited_before(change: Change, row: &kefu_store::QaRuleRow) -> Change {
    match QaRuleView::of(row) {
        Some(v) => change.before(&v),
        None => change.before(&serde_json::json!({ "name": row.name, "definition": row.definition, "weight": row.weight })),
    }
}

#[utoipa::path(delete, path = "/api/v1/qa/rules/{id}", tag = "qa", params(("id" = i64, Path, description = "rule id")), responses((status = 204, description = "deleted (admin); past hits keep its name"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn delete_rule(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let row = state.store.qa_rule(id).await.map_err(|_| ApiError::not_found("rule"))?;
    state.store.delete_qa_rule(id).await.map_err(|_| ApiError::not_found("rule"))?;
    record(&state, &staff, audited_before(Change::new(AuditEntity::QaRule, id, AuditAction::Deleted, &row.name), &row)).await;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/qa/starter", tag = "qa", responses((status = 200, description = "the starter rules and a standard form added (admin); names already taken are skipped", body = QaRuleList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn add_starter(State(state): State<AppState>, staff: Staff) -> ApiResult<Json<QaRuleList>> {
    staff.require_scope(Scope::Admin)?;
    let now = now_ms();
    for (name, check, weight, heavy) in starter::rules() {
        let definition = serde_json::to_string(&check).map_err(|e| ApiError::Internal(e.into()))?;
        let fields = QaRuleFields { name, definition: &definition, weight: i64::from(weight), heavy, enabled: true };
        match state.store.create_qa_rule(&fields, now).await {
            Ok(id) => {
                if let Ok(view) = rule_view(&state, id).await {
                    record(&state, &staff, Change::new(AuditEntity::QaRule, id, AuditAction::Created, name).after(&*view)).await;
                }
            }
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let (name, items) = starter::form();
    let items = serde_json::to_string(&items).map_err(|e| ApiError::Internal(e.into()))?;
    match state.store.save_qa_form(None, name, &items, true, now).await {
        Ok(id) => {
            let view = QaFormView::from(&state.store.qa_form(id).await?);
            record(&state, &staff, Change::new(AuditEntity::QaForm, id, AuditAction::Created, name).after(&view)).await;
        }
        Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let rules: Vec<QaRuleView> = state.store.qa_rules(false).await?.iter().filter_map(QaRuleView::of).collect();
    Ok(Json(QaRuleList { total: rules.len() as i64, rules, next_after: None }))
}

#[utoipa::path(get, path = "/api/v1/qa/forms", tag = "qa", params(ListQuery), responses((status = 200, description = "every scoring form (reviewers and admins)", body = QaFormList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn forms(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<Json<QaFormList>> {
    require_reviewer(&state, &staff).await?;
    let forms: Vec<QaFormView> = state.store.qa_forms(false).await?.iter().map(QaFormView::from).collect();
    let page = q.page(forms, |f| f.id, |f| vec![f.name.as_str()])?;
    Ok(Json(QaFormList { forms: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaFormBody {
    /// 1 to 40 characters, unique. Required to create.
    name: Option<String>,
    /// 1 to 30 items; a fatal item weighs 0. Required to create; replaces all items (reviews
    /// keep the items they were scored with).
    items: Option<Vec<FormItem>>,
    /// Default true.
    enabled: Option<bool>,
}

async fn save_form(state: &AppState, id: Option<i64>, name: &str, items: &[FormItem], enabled: bool) -> ApiResult<Json<QaFormView>> {
    let name = clean_line(name);
    if name.is_empty() || name.chars().count() > 40 {
        return Err(ApiError::invalid("name: 1 to 40 characters"));
    }
    check_form(items).map_err(|e| ApiError::invalid(e.0))?;
    let items: Vec<FormItem> = items.iter().map(|i| FormItem { label: clean_line(&i.label), ..i.clone() }).collect();
    let json = serde_json::to_string(&items).map_err(|e| ApiError::Internal(e.into()))?;
    let id = state.store.save_qa_form(id, &name, &json, enabled, now_ms()).await.map_err(|e| taken(e, "form", &name))?;
    Ok(Json(QaFormView::from(&state.store.qa_form(id).await?)))
}

#[utoipa::path(post, path = "/api/v1/qa/forms", tag = "qa", request_body = QaFormBody, responses((status = 201, description = "created (admin)", body = QaFormView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create_form(
    State(state): State<AppState>,
    staff: Staff,
    ApiJson(b): ApiJson<QaFormBody>,
) -> ApiResult<(StatusCode, Json<QaFormView>)> {
    staff.require_scope(Scope::Admin)?;
    let name = b.name.ok_or_else(|| ApiError::invalid("name: required"))?;
    let items = b.items.ok_or_else(|| ApiError::invalid("items: required"))?;
    let view = save_form(&state, None, &name, &items, b.enabled.unwrap_or(true)).await?;
    record(&state, &staff, Change::new(AuditEntity::QaForm, view.id, AuditAction::Created, &view.name).after(&*view)).await;
    Ok((StatusCode::CREATED, view))
}

#[utoipa::path(patch, path = "/api/v1/qa/forms/{id}", tag = "qa", params(("id" = i64, Path, description = "form id")), request_body = QaFormBody, responses((status = 200, description = "updated (admin)", body = QaFormView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn update_form(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<QaFormBody>,
) -> ApiResult<Json<QaFormView>> {
    staff.require_scope(Scope::Admin)?;
    let old = QaFormView::from(&state.store.qa_form(id).await.map_err(|_| ApiError::not_found("form"))?);
    let view = save_form(
        &state,
        Some(id),
        b.name.as_deref().unwrap_or(&old.name),
        b.items.as_deref().unwrap_or(&old.items),
        b.enabled.unwrap_or(old.enabled),
    )
    .await?;
    record(&state, &staff, Change::new(AuditEntity::QaForm, id, AuditAction::Updated, &view.name).before(&old).after(&*view)).await;
    Ok(view)
}

#[utoipa::path(get, path = "/api/v1/qa/reviewers", tag = "qa", params(ListQuery), responses((status = 200, description = "users holding the QA reviewer permission (admin)", body = QaReviewerList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn reviewers(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<Json<QaReviewerList>> {
    staff.require_scope(Scope::Admin)?;
    let ids = state.store.qa_reviewers().await?;
    let users = state.store.users().await?;
    let reviewers = users
        .iter()
        .filter(|u| ids.contains(&u.id))
        .map(|u| QaReviewerView { user_id: u.id, name: u.name.clone(), email: u.email.clone() })
        .collect();
    let page = q.page(reviewers, |r| r.user_id, |r| vec![r.name.as_str(), r.email.as_str()])?;
    Ok(Json(QaReviewerList { reviewers: page.rows, total: page.total, next_after: page.next_after }))
}

async fn set_reviewer(state: &AppState, staff: &Staff, user: i64, reviewer: bool) -> ApiResult<StatusCode> {
    staff.require_scope(Scope::Admin)?;
    let u = state.store.user(user).await.map_err(|_| ApiError::not_found("user"))?;
    let was = state.store.is_qa_reviewer(user).await?;
    state.store.set_qa_reviewer(user, reviewer, now_ms()).await?;
    // Granting twice (or withdrawing what was not granted) changes nothing and logs nothing.
    if was != reviewer {
        let view = QaReviewerView { user_id: u.id, name: u.name.clone(), email: u.email.clone() };
        let change =
            Change::new(AuditEntity::QaReviewer, user, if reviewer { AuditAction::Created } else { AuditAction::Deleted }, &u.name);
        record(state, staff, if reviewer { change.after(&view) } else { change.before(&view) }).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/v1/qa/reviewers/{user_id}", tag = "qa", params(("user_id" = i64, Path, description = "user id")), responses((status = 204, description = "the user may review (admin; idempotent)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn grant_reviewer(State(state): State<AppState>, staff: Staff, Path(user): Path<i64>) -> ApiResult<StatusCode> {
    set_reviewer(&state, &staff, user, true).await
}

#[utoipa::path(delete, path = "/api/v1/qa/reviewers/{user_id}", tag = "qa", params(("user_id" = i64, Path, description = "user id")), responses((status = 204, description = "the user may no longer review (admin; idempotent)"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn withdraw_reviewer(State(state): State<AppState>, staff: Staff, Path(user): Path<i64>) -> ApiResult<StatusCode> {
    set_reviewer(&state, &staff, user, false).await
}

#[utoipa::path(post, path = "/api/v1/qa/conversations/{id}/rescore", tag = "qa", params(("id" = i64, Path, description = "conversation id")), responses((status = 200, description = "checked again with today's rules (reviewers and admins)", body = QaAutoView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn rescore(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<QaAutoView>> {
    require_reviewer(&state, &staff).await?;
    match qa::score(&state.store, id).await {
        Ok(_) => {}
        Err(NotScored::Store(StoreError::NotFound)) => return Err(ApiError::not_found("conversation")),
        Err(NotScored::Store(e)) => return Err(e.into()),
        Err(e) => return Err(ApiError::Conflict(e.to_string())),
    }
    let (row, hits) = state.store.qa_result(id).await?.ok_or_else(|| ApiError::not_found("result"))?;
    Ok(Json(auto_view(&row, &hits)))
}

/// The automatic result as shown.
pub fn auto_view(row: &kefu_store::QaResultRow, hits: &[kefu_store::QaHitRow]) -> QaAutoView {
    QaAutoView {
        score: row.score,
        heavy_hit: row.heavy_hit,
        scored_at: crate::clock::rfc3339(row.scored_at),
        hits: hits.iter().map(QaHitView::from).collect(),
    }
}
