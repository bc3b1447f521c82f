//! Quality inspection (质检) as the API shows it: rules, forms, automatic results with their
//! hits, reviews, appeals, the work queue and the report. Staff only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_core::qa::{Check, FormItem, ItemMark};
use kefu_store::{QaAppealRow, QaFormRow, QaHitRow, QaReviewRow, QaRuleRow};

/// An automatic rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaRuleView {
    pub id: i64,
    pub name: String,
    /// What it checks, with its parameters.
    pub check: Check,
    /// Points each hit subtracts from 100.
    pub weight: i64,
    /// Any hit puts the conversation in the reviewers' queue.
    pub heavy: bool,
    pub enabled: bool,
}

impl QaRuleView {
    /// None for a stored definition this version cannot read.
    pub fn of(r: &QaRuleRow) -> Option<QaRuleView> {
        let check = serde_json::from_str(&r.definition).ok()?;
        Some(QaRuleView { id: r.id, name: r.name.clone(), check, weight: r.weight, heavy: r.heavy, enabled: r.enabled })
    }
}

/// `GET /api/v1/qa/rules`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaRuleList {
    pub rules: Vec<QaRuleView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A scoring form (评分表).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaFormView {
    pub id: i64,
    pub name: String,
    pub items: Vec<FormItem>,
    /// Offered to reviewers.
    pub enabled: bool,
}

impl From<&QaFormRow> for QaFormView {
    fn from(f: &QaFormRow) -> Self {
        QaFormView { id: f.id, name: f.name.clone(), items: serde_json::from_str(&f.items).unwrap_or_default(), enabled: f.enabled }
    }
}

/// `GET /api/v1/qa/forms`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaFormList {
    pub forms: Vec<QaFormView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A user holding the QA reviewer permission.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaReviewerView {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

/// `GET /api/v1/qa/reviewers`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaReviewerList {
    pub reviewers: Vec<QaReviewerView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A fault the automatic check found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaHitView {
    pub rule_id: i64,
    /// The rule's name when it was found.
    pub rule_name: String,
    /// Points it cost.
    pub weight: i64,
    /// The transcript line (`QaLineView.id`) it marks, if any.
    pub message_id: Option<i64>,
    /// What was found (the word, the wait ...).
    pub detail: String,
}

impl From<&QaHitRow> for QaHitView {
    fn from(h: &QaHitRow) -> Self {
        QaHitView {
            rule_id: h.rule_id,
            rule_name: h.rule_name.clone(),
            weight: h.weight,
            message_id: h.message_id,
            detail: h.detail.clone(),
        }
    }
}

/// The automatic result of a closed conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaAutoView {
    /// 100 minus the weights of the hits, at least 0.
    pub score: i64,
    /// A heavy rule hit.
    pub heavy_hit: bool,
    #[schema(format = DateTime)]
    pub scored_at: String,
    pub hits: Vec<QaHitView>,
}

/// A line of the transcript as QA shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaLineView {
    /// Message id.
    pub id: i64,
    /// visitor | agent | system.
    pub sender: String,
    pub sender_name: Option<String>,
    /// text | image | file | event (a system event's body is its code).
    pub kind: String,
    pub body: String,
    #[schema(format = DateTime)]
    pub at: String,
}

/// A reviewer's comment on a transcript line.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaLineComment {
    /// The line (`QaLineView.id`).
    pub message_id: i64,
    /// 1 to 1000 characters.
    pub body: String,
}

/// A scored item of a review: the form's item with the mark given.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QaScoredItem {
    #[serde(flatten)]
    pub item: FormItem,
    #[serde(flatten)]
    pub mark: ItemMark,
}

/// An appeal (申诉) of a review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaAppealView {
    pub id: i64,
    pub review_id: i64,
    pub conversation_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub reason: String,
    /// open | upheld | rejected.
    pub status: String,
    /// The supervisor's note.
    pub note: Option<String>,
    /// The score an upheld appeal set (none: the review's stands).
    pub new_score: Option<i64>,
    /// The review's score as given.
    pub review_score: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub decided_at: Option<String>,
}

impl QaAppealView {
    pub fn of(a: &QaAppealRow, review: &QaReviewRow, agent_name: String) -> QaAppealView {
        QaAppealView {
            id: a.id,
            review_id: a.review_id,
            conversation_id: review.conversation_id,
            agent_id: a.agent_id,
            agent_name,
            reason: a.reason.clone(),
            status: a.status.clone(),
            note: a.note.clone(),
            new_score: a.new_score,
            review_score: review.score,
            created_at: rfc3339(a.created_at),
            decided_at: a.decided_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/qa/appeals`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaAppealList {
    pub appeals: Vec<QaAppealView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A review of a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaReviewView {
    pub id: i64,
    pub conversation_id: i64,
    pub agent_id: i64,
    pub reviewer_id: i64,
    pub reviewer_name: String,
    pub form_id: i64,
    pub form_name: String,
    pub items: Vec<QaScoredItem>,
    pub line_comments: Vec<QaLineComment>,
    pub comment: Option<String>,
    /// 0-100 as reviewed.
    pub score: i64,
    /// A fatal item failed (the score is 0).
    pub fatal: bool,
    /// The score that counts: an upheld appeal's new score, else the review's.
    pub final_score: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Its appeal, if the agent filed one.
    pub appeal: Option<QaAppealView>,
}

impl QaReviewView {
    pub fn of(r: &QaReviewRow, reviewer_name: String, appeal: Option<QaAppealView>) -> QaReviewView {
        let upheld = appeal.as_ref().filter(|a| a.status == "upheld").and_then(|a| a.new_score);
        QaReviewView {
            id: r.id,
            conversation_id: r.conversation_id,
            agent_id: r.agent_id,
            reviewer_id: r.reviewer_id,
            reviewer_name,
            form_id: r.form_id,
            form_name: r.form_name.clone(),
            items: serde_json::from_str(&r.items).unwrap_or_default(),
            line_comments: serde_json::from_str(&r.line_comments).unwrap_or_default(),
            comment: r.comment.clone(),
            score: r.score,
            fatal: r.fatal,
            final_score: upheld.unwrap_or(r.score),
            created_at: rfc3339(r.created_at),
            appeal,
        }
    }
}

/// `GET /api/v1/qa/conversations/{id}`: everything QA knows about a closed conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaConversationView {
    pub conversation_id: i64,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    pub wrap_up_code: Option<String>,
    pub csat_score: Option<i64>,
    pub lines: Vec<QaLineView>,
    /// None until scored (a moment after the close).
    pub auto: Option<QaAutoView>,
    pub review: Option<QaReviewView>,
}

/// A conversation waiting for review.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaQueueItem {
    pub conversation_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    /// random | flagged.
    pub reason: String,
    /// The automatic score.
    pub score: i64,
    #[schema(format = DateTime)]
    pub closed_at: String,
}

/// `GET /api/v1/qa/queue`: flagged first, then oldest.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaQueue {
    pub items: Vec<QaQueueItem>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// `POST /api/v1/qa/samples`: what was added to the queue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaSampleResult {
    /// Newly queued conversations (already queued ones are not counted).
    pub added: u64,
    /// Drawn at random.
    pub random: u64,
    /// Flagged (score below the threshold or a heavy hit).
    pub flagged: u64,
}

/// One of the agent's own results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaMyResult {
    pub conversation_id: i64,
    #[schema(format = DateTime)]
    pub closed_at: String,
    pub auto_score: i64,
    pub hits: i64,
    /// The review, if reviewed (with its appeal).
    pub review: Option<QaReviewView>,
}

/// `GET /api/v1/qa/mine`: the caller's own results, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaMine {
    pub results: Vec<QaMyResult>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
    /// The caller may review (the QA reviewer permission, or admin): the pages show the queue.
    pub can_review: bool,
    /// The caller decides appeals and reads the report (supervisor or admin).
    pub can_judge: bool,
}

/// An agent's line of the QA report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaAgentLine {
    pub agent_id: i64,
    pub agent_name: String,
    /// Conversations scored automatically.
    pub scored: i64,
    pub avg_auto_score: f64,
    /// Conversations with a heavy rule hit.
    pub heavy_hits: i64,
    pub reviewed: i64,
    /// Average final review score; none without reviews.
    pub avg_review_score: Option<f64>,
}

/// A rule's line of the QA report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaRuleLine {
    pub rule_id: i64,
    pub rule_name: String,
    pub hits: i64,
    /// Conversations with at least one hit.
    pub conversations: i64,
}

/// `GET /api/v1/qa/report`: conversations closed in [from, to).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QaReport {
    #[schema(format = DateTime)]
    pub from: String,
    #[schema(format = DateTime)]
    pub to: String,
    pub agents: Vec<QaAgentLine>,
    pub rules: Vec<QaRuleLine>,
}
