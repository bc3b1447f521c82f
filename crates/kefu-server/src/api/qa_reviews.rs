//! QA (质检) work: a conversation's QA page (transcript, automatic hits, review), the sampled
//! work queue, reviews with line comments, the agent's own results and their one appeal (申诉),
//! the supervisor's decision, and the report per agent and per rule.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::paging::ListQuery;
use crate::api::qa::auto_view;
use crate::auth::Staff;
use crate::clock::{now_ms, rfc3339, time_param};
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::qa::access::{is_reviewer, is_supervisor, require_appeal_judge, require_report_reader, require_reviewer, require_user};
use crate::state::AppState;
use crate::views::{
    QaAgentLine, QaAppealList, QaAppealView, QaConversationView, QaLineComment, QaLineView, QaMine, QaMyResult, QaQueue, QaQueueItem,
    QaReport, QaReviewView, QaRuleLine, QaSampleResult, QaScoredItem,
};
use kefu_core::qa::{draw_sample, review_score, FormItem, ItemMark, SampleReason, Scored};
use kefu_store::{NewQaReview, QaReviewInGroup, QaReviewRow, StoreError};

const DAY: i64 = 86_400_000;
/// The most rows a work list (queue, my results, appeals) reads before paging: a week's
/// sample or a year of one agent's results fits many times over.
const WORK_LIST_ROWS: i64 = 5000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/qa/conversations/{id}", get(conversation))
        .route("/api/v1/qa/conversations/{id}/review", post(review))
        .route("/api/v1/qa/queue", get(queue))
        .route("/api/v1/qa/samples", post(sample))
        .route("/api/v1/qa/mine", get(mine))
        .route("/api/v1/qa/reviews/{id}/appeal", post(appeal))
        .route("/api/v1/qa/appeals", get(appeals))
        .route("/api/v1/qa/appeals/{id}/decision", post(decide))
        .route("/api/v1/qa/report", get(report))
}

async fn names(state: &AppState) -> ApiResult<HashMap<i64, String>> {
    Ok(state.store.users().await?.into_iter().map(|u| (u.id, u.name)).collect())
}

fn name_of(names: &HashMap<i64, String>, id: i64) -> String {
    names.get(&id).cloned().unwrap_or_else(|| format!("#{id}"))
}

async fn review_view(state: &AppState, r: &QaReviewRow, names: &HashMap<i64, String>) -> ApiResult<QaReviewView> {
    let appeal = state.store.qa_appeal_of(r.id).await?.map(|a| QaAppealView::of(&a, r, name_of(names, a.agent_id)));
    Ok(QaReviewView::of(r, name_of(names, r.reviewer_id), appeal))
}

#[utoipa::path(get, path = "/api/v1/qa/conversations/{id}", tag = "qa", params(("id" = i64, Path, description = "conversation id")), responses((status = 200, description = "transcript, automatic hits and review: reviewers, supervisors, admins, and the conversation's own agent", body = QaConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn conversation(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<QaConversationView>> {
    let c = state.store.conversation(id).await.map_err(|_| ApiError::not_found("conversation"))?;
    let own = staff.is_user() && c.agent_id == Some(staff.id);
    if !(own || is_supervisor(&staff) || is_reviewer(&state, &staff).await?) {
        // Not "forbidden": an agent learns nothing about colleagues' conversations.
        return Err(ApiError::not_found("conversation"));
    }
    // A supervisor reads the reviews of the groups they oversee (reviewers are given the work).
    if !own && !is_reviewer(&state, &staff).await? {
        crate::oversight::require_group(&state, &staff, c.group_id, &format!("conversation {id}")).await?;
    }
    // A reviewer who is not a supervisor reads finished work only, not live chats.
    if c.status != kefu_core::ConversationStatus::Closed && !is_supervisor(&staff) {
        return Err(ApiError::Conflict("QA opens a conversation once it is closed".into()));
    }
    let names = names(&state).await?;
    let lines = state
        .store
        .messages_after(id, 0)
        .await?
        .into_iter()
        .map(|m| QaLineView {
            id: m.id,
            sender: m.sender,
            sender_name: m.sender_name,
            kind: m.kind,
            body: m.body,
            at: rfc3339(m.created_at),
        })
        .collect();
    let auto = state.store.qa_result(id).await?.map(|(row, hits)| auto_view(&row, &hits));
    let review = match state.store.qa_review_of(id).await? {
        Some(r) => Some(review_view(&state, &r, &names).await?),
        None => None,
    };
    Ok(Json(QaConversationView {
        conversation_id: id,
        agent_id: c.agent_id,
        agent_name: c.agent_id.map(|a| name_of(&names, a)),
        closed_at: c.closed_at.map(rfc3339),
        wrap_up_code: c.wrap_up_code,
        csat_score: c.csat_score,
        lines,
        auto,
        review,
    }))
}

#[utoipa::path(get, path = "/api/v1/qa/queue", tag = "qa", params(ListQuery), responses((status = 200, description = "sampled conversations not reviewed yet, flagged first (reviewers)", body = QaQueue), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn queue(State(state): State<AppState>, staff: Staff, Query(page): Query<ListQuery>) -> ApiResult<Json<QaQueue>> {
    require_reviewer(&state, &staff).await?;
    let names = names(&state).await?;
    let items: Vec<QaQueueItem> = state
        .store
        .qa_queue(WORK_LIST_ROWS)
        .await?
        .into_iter()
        .map(|s| QaQueueItem {
            conversation_id: s.conversation_id,
            agent_id: s.agent_id,
            agent_name: name_of(&names, s.agent_id),
            reason: s.reason,
            score: s.score,
            closed_at: rfc3339(s.closed_at),
        })
        .collect();
    let page = page.page(items, |i| i.conversation_id, |i| vec![i.agent_name.as_str()])?;
    Ok(Json(QaQueue { items: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaSampleBody {
    /// The week's first moment (RFC 3339, in the centre's time zone); the week is 7 days from it.
    week_start: String,
    /// Share of each agent's closed conversations drawn at random, 0 to 100 (default 10); at
    /// least one per agent when above 0.
    percent: Option<u32>,
    /// Automatic scores below this are flagged and all queued (default 80); a heavy rule hit
    /// is flagged whatever the score.
    flag_below: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/qa/samples", tag = "qa", request_body = QaSampleBody, responses((status = 200, description = "the week's sample added to the work queue (reviewers)", body = QaSampleResult), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn sample(State(state): State<AppState>, staff: Staff, ApiJson(b): ApiJson<QaSampleBody>) -> ApiResult<Json<QaSampleResult>> {
    require_reviewer(&state, &staff).await?;
    let from = time_param("week_start", &b.week_start)?;
    let percent = b.percent.unwrap_or(10);
    if percent > 100 {
        return Err(ApiError::invalid("percent: 0 to 100"));
    }
    let flag_below = b.flag_below.unwrap_or(80);
    let results = state.store.qa_results_between(from, from + 7 * DAY).await?;
    let scored: Vec<Scored> = results
        .iter()
        .map(|r| Scored { conversation: r.conversation_id, agent: r.agent_id, score: r.score, heavy_hit: r.heavy_hit })
        .collect();
    // The weekly automatic sample's choice, seeded by the week's start: drawing the same week
    // again picks the same conversations.
    let drawn = draw_sample(&scored, percent, flag_below, from as u64);
    let picked: Vec<(i64, i64, &str)> = drawn.iter().map(|p| (p.conversation, p.agent, p.reason.as_str())).collect();
    let flagged = drawn.iter().filter(|p| p.reason == SampleReason::Flagged).count() as u64;
    let random = picked.len() as u64 - flagged;
    let added = state.store.add_qa_samples(&picked, now_ms()).await?;
    Ok(Json(QaSampleResult { added, random, flagged }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaReviewBody {
    /// An enabled form.
    form_id: i64,
    /// One mark per item of the form, in its order.
    items: Vec<ItemMark>,
    /// At most 2000 characters.
    comment: Option<String>,
    /// Comments on lines of this conversation's transcript (at most 100).
    #[serde(default)]
    line_comments: Vec<QaLineComment>,
}

#[utoipa::path(post, path = "/api/v1/qa/conversations/{id}/review", tag = "qa", params(("id" = i64, Path, description = "conversation id")), request_body = QaReviewBody, responses((status = 201, description = "reviewed (reviewers; once per conversation)", body = QaReviewView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn review(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<QaReviewBody>,
) -> ApiResult<(StatusCode, Json<QaReviewView>)> {
    require_reviewer(&state, &staff).await?;
    let reviewer = require_user(&staff)?;
    let c = state.store.conversation(id).await.map_err(|_| ApiError::not_found("conversation"))?;
    let agent = match (c.status, c.agent_id) {
        (kefu_core::ConversationStatus::Closed, Some(a)) => a,
        _ => return Err(ApiError::Conflict("only a closed conversation that an agent served can be reviewed".into())),
    };
    if agent == reviewer {
        return Err(ApiError::Forbidden("reviewers do not review their own conversations".into()));
    }
    let form = state.store.qa_form(b.form_id).await.map_err(|_| ApiError::invalid("form_id: no such form"))?;
    if !form.enabled {
        return Err(ApiError::invalid("form_id: the form is disabled"));
    }
    let items: Vec<FormItem> = serde_json::from_str(&form.items).map_err(|e| ApiError::Internal(e.into()))?;
    let (score, fatal) = review_score(&items, &b.items).map_err(|e| ApiError::invalid(e.0))?;
    let comment = b.comment.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if comment.as_ref().is_some_and(|c| c.chars().count() > 2000) {
        return Err(ApiError::invalid("comment: at most 2000 characters"));
    }
    if b.line_comments.len() > 100 {
        return Err(ApiError::invalid("line_comments: at most 100"));
    }
    let ids: Vec<i64> = state.store.messages_after(id, 0).await?.iter().map(|m| m.id).collect();
    let mut line_comments = Vec::new();
    for (i, lc) in b.line_comments.iter().enumerate() {
        let body = lc.body.trim();
        if body.is_empty() || body.chars().count() > 1000 {
            return Err(ApiError::invalid(format!("line_comments[{i}].body: 1 to 1000 characters")));
        }
        if !ids.contains(&lc.message_id) {
            return Err(ApiError::invalid(format!("line_comments[{i}].message_id: not a line of this conversation")));
        }
        line_comments.push(QaLineComment { message_id: lc.message_id, body: body.to_string() });
    }
    let scored: Vec<QaScoredItem> = items.into_iter().zip(b.items).map(|(item, mark)| QaScoredItem { item, mark }).collect();
    let new = NewQaReview {
        conversation_id: id,
        agent_id: agent,
        reviewer_id: reviewer,
        form: (form.id, &form.name),
        items: &to_json(&scored)?,
        line_comments: &to_json(&line_comments)?,
        comment: comment.as_deref(),
        score: i64::from(score),
        fatal,
    };
    let review_id = state.store.create_qa_review(&new, now_ms()).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::Conflict("the conversation is already reviewed".into()),
        e => e.into(),
    })?;
    let row = state.store.qa_review(review_id).await?;
    Ok((StatusCode::CREATED, Json(review_view(&state, &row, &names(&state).await?).await?)))
}

/// A review's snapshot as stored (plain data: a failure is a bug, answered as 500).
fn to_json<T: serde::Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::Internal(e.into()))
}

#[utoipa::path(get, path = "/api/v1/qa/mine", tag = "qa", params(ListQuery), responses((status = 200, description = "the caller's own automatic results and reviews, newest first", body = QaMine), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn mine(State(state): State<AppState>, staff: Staff, Query(page): Query<ListQuery>) -> ApiResult<Json<QaMine>> {
    let me = require_user(&staff)?;
    let names = names(&state).await?;
    let reviews: HashMap<i64, QaReviewRow> =
        state.store.qa_reviews_of_agent(me, WORK_LIST_ROWS).await?.into_iter().map(|r| (r.conversation_id, r)).collect();
    let hit_counts: HashMap<i64, i64> = state.store.qa_hit_counts_of(me).await?.into_iter().collect();
    let mut results = Vec::new();
    // `q` looks in the review's form name and comment.
    let rows = state.store.qa_results_of(me, WORK_LIST_ROWS).await?.into_iter().map(|r| (reviews.get(&r.conversation_id), r)).collect();
    let page = page.page(
        rows,
        |(_, r)| r.conversation_id,
        |(v, _)| v.map(|v| vec![v.form_name.as_str(), v.comment.as_deref().unwrap_or("")]).unwrap_or_default(),
    )?;
    for (review, r) in page.rows {
        let hits = hit_counts.get(&r.conversation_id).copied().unwrap_or(0);
        let review = match review {
            Some(row) => Some(review_view(&state, row, &names).await?),
            None => None,
        };
        results.push(QaMyResult { conversation_id: r.conversation_id, closed_at: rfc3339(r.closed_at), auto_score: r.score, hits, review });
    }
    let can_review = is_reviewer(&state, &staff).await?;
    Ok(Json(QaMine {
        results,
        total: page.total,
        next_after: page.next_after,
        can_review,
        can_judge: require_appeal_judge(&staff).is_ok(),
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaAppealBody {
    /// Why the review is wrong, 1 to 1000 characters.
    reason: String,
}

#[utoipa::path(post, path = "/api/v1/qa/reviews/{id}/appeal", tag = "qa", params(("id" = i64, Path, description = "review id")), request_body = QaAppealBody, responses((status = 201, description = "appealed (the reviewed agent; once per review)", body = QaAppealView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn appeal(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<QaAppealBody>,
) -> ApiResult<(StatusCode, Json<QaAppealView>)> {
    let me = require_user(&staff)?;
    let review = state.store.qa_review(id).await.map_err(|_| ApiError::not_found("review"))?;
    if review.agent_id != me {
        return Err(ApiError::Forbidden("only the reviewed agent can appeal a review".into()));
    }
    let reason = b.reason.trim();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(ApiError::invalid("reason: 1 to 1000 characters"));
    }
    let appeal = state.store.create_qa_appeal(id, me, reason, now_ms()).await.map_err(|e| match e {
        StoreError::Conflict(_) => ApiError::Conflict("already appealed: a review can be appealed once".into()),
        e => e.into(),
    })?;
    let row = state.store.qa_appeal(appeal).await?;
    Ok((StatusCode::CREATED, Json(QaAppealView::of(&row, &review, name_of(&names(&state).await?, me)))))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QaAppealQuery {
    /// open | upheld | rejected; all when absent.
    status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/qa/appeals", tag = "qa", params(QaAppealQuery, ListQuery), responses((status = 200, description = "appeals, oldest first (supervisors and admins)", body = QaAppealList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn appeals(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<QaAppealQuery>,
    Query(page): Query<ListQuery>,
) -> ApiResult<Json<QaAppealList>> {
    require_appeal_judge(&staff)?;
    if q.status.as_deref().is_some_and(|s| !["open", "upheld", "rejected"].contains(&s)) {
        return Err(ApiError::invalid("status: open, upheld or rejected"));
    }
    let names = names(&state).await?;
    let mine = crate::oversight::overseen(&state, &staff).await?;
    let status = q.status.as_deref();
    // Two reads, whatever the number of appeals: the appeals, and their reviews with groups.
    let reviews: HashMap<i64, QaReviewInGroup> =
        state.store.qa_appealed_reviews(status, WORK_LIST_ROWS).await?.into_iter().map(|r| (r.review.id, r)).collect();
    let mut appeals = Vec::new();
    for a in state.store.qa_appeals(status, WORK_LIST_ROWS).await? {
        // Only an appeal made between the two reads lacks its review here: it shows next time.
        let Some(r) = reviews.get(&a.review_id) else { continue };
        // A supervisor decides the appeals of the groups they oversee.
        if mine.as_ref().is_some_and(|mine| !mine.contains(&r.group_id)) {
            continue;
        }
        appeals.push(QaAppealView::of(&a, &r.review, name_of(&names, a.agent_id)));
    }
    let page = page.page(appeals, |a| a.id, |a| vec![a.agent_name.as_str(), a.reason.as_str()])?;
    Ok(Json(QaAppealList { appeals: page.rows, total: page.total, next_after: page.next_after }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct QaDecisionBody {
    /// upheld (the agent is right) or rejected.
    outcome: String,
    /// At most 1000 characters.
    note: Option<String>,
    /// Only when upheld: the score that replaces the review's, 0 to 100.
    new_score: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/qa/appeals/{id}/decision", tag = "qa", params(("id" = i64, Path, description = "appeal id")), request_body = QaDecisionBody, responses((status = 200, description = "decided (supervisors and admins; once)", body = QaAppealView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<QaDecisionBody>,
) -> ApiResult<Json<QaAppealView>> {
    require_appeal_judge(&staff)?;
    let a = state.store.qa_appeal(id).await.map_err(|_| ApiError::not_found("appeal"))?;
    let appealed = state.store.qa_review(a.review_id).await?;
    let group = state.store.conversation(appealed.conversation_id).await?.group_id;
    crate::oversight::require_group(&state, &staff, group, &format!("the conversation of appeal {id}")).await?;
    if !["upheld", "rejected"].contains(&b.outcome.as_str()) {
        return Err(ApiError::invalid("outcome: upheld or rejected"));
    }
    if b.new_score.is_some() && b.outcome != "upheld" {
        return Err(ApiError::invalid("new_score: only an upheld appeal changes the score"));
    }
    if b.new_score.is_some_and(|s| !(0..=100).contains(&s)) {
        return Err(ApiError::invalid("new_score: 0 to 100"));
    }
    let note = b.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::invalid("note: at most 1000 characters"));
    }
    if !state.store.decide_qa_appeal(id, &b.outcome, staff.id, note.as_deref(), b.new_score, now_ms()).await? {
        return Err(ApiError::Conflict("the appeal is already decided".into()));
    }
    let row = state.store.qa_appeal(id).await?;
    let review = state.store.qa_review(a.review_id).await?;
    Ok(Json(QaAppealView::of(&row, &review, name_of(&names(&state).await?, a.agent_id))))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct QaReportQuery {
    /// Start (RFC 3339), inclusive: conversations closed from then.
    from: String,
    /// End (RFC 3339), exclusive; at most 366 days after `from`.
    to: String,
}

#[utoipa::path(get, path = "/api/v1/qa/report", tag = "qa", params(QaReportQuery), responses((status = 200, description = "average scores and hits per agent and per rule (supervisors, reviewers, admins)", body = QaReport), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn report(State(state): State<AppState>, staff: Staff, Query(q): Query<QaReportQuery>) -> ApiResult<Json<QaReport>> {
    Ok(Json(qa_report(&state, &staff, &q).await?))
}

/// The QA report the caller may read (its export too).
pub(crate) async fn qa_report(state: &AppState, staff: &Staff, q: &QaReportQuery) -> ApiResult<QaReport> {
    require_report_reader(state, staff).await?;
    let (from, to) = (time_param("from", &q.from)?, time_param("to", &q.to)?);
    if to <= from || to - from > 366 * DAY {
        return Err(ApiError::invalid("to: after from, and at most 366 days after it"));
    }
    let names = names(state).await?;
    let avg = |sum: i64, n: i64| if n == 0 { 0.0 } else { (sum as f64 / n as f64 * 10.0).round() / 10.0 };
    // A supervisor who is not a reviewer reads the agents of the groups they oversee.
    let shown = if is_reviewer(state, staff).await? { None } else { crate::oversight::overseen_agents(state, staff).await? };
    let agents = state
        .store
        .qa_agent_totals(from, to)
        .await?
        .into_iter()
        .filter(|t| shown.as_ref().is_none_or(|s| s.contains(&t.agent_id)))
        .map(|t| QaAgentLine {
            agent_id: t.agent_id,
            agent_name: name_of(&names, t.agent_id),
            scored: t.scored,
            avg_auto_score: avg(t.auto_sum, t.scored),
            heavy_hits: t.heavy_hit,
            reviewed: t.reviewed,
            avg_review_score: (t.reviewed > 0).then(|| avg(t.review_sum, t.reviewed)),
        })
        .collect();
    // The rules' hits on the same agents' conversations, summed per rule.
    let mut rules: Vec<QaRuleLine> = Vec::new();
    for r in state.store.qa_rule_totals(from, to).await? {
        if shown.as_ref().is_some_and(|s| !s.contains(&r.agent_id)) {
            continue;
        }
        match rules.last_mut() {
            Some(line) if line.rule_id == r.rule_id => {
                line.hits += r.hits;
                line.conversations += r.conversations;
            }
            _ => rules.push(QaRuleLine { rule_id: r.rule_id, rule_name: r.rule_name, hits: r.hits, conversations: r.conversations }),
        }
    }
    rules.sort_by(|a, b| b.hits.cmp(&a.hits).then(a.rule_id.cmp(&b.rule_id)));
    Ok(QaReport { from: rfc3339(from), to: rfc3339(to), agents, rules })
}
