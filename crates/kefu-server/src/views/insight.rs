//! Shapes of the contact reasons report and the maturity assessment on the wire.

use std::collections::BTreeMap;

use kefu_insight::{DimensionScore, MaturityDimension, MaturityQuestion};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::views::ReportInterval;

/// A customer's CSAT comment on a conversation with the tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonCommentView {
    /// The conversation (open it to read the transcript).
    pub conversation_id: i64,
    /// Its CSAT score (1-5).
    #[schema(required = true)]
    pub score: Option<u8>,
    pub comment: String,
    /// When the conversation ended (RFC 3339).
    #[schema(required = true)]
    pub at: Option<String>,
}

/// One contact reason (tag) over the range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonView {
    pub tag_id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// Conversations carrying the tag.
    pub conversations: u64,
    /// conversations ÷ tagged conversations (0-1; several tags on one conversation make the
    /// shares add up to more than 1).
    #[schema(required = true)]
    pub share: Option<f64>,
    /// Conversations carrying the tag per interval of `intervals`.
    pub trend: Vec<u64>,
    /// CSAT answers of those conversations, their average and share of 4-5.
    pub csat_count: u64,
    #[schema(required = true)]
    pub csat_average: Option<f64>,
    #[schema(required = true)]
    pub csat_good_share: Option<f64>,
    /// Comments in all; `comments` holds the newest 50.
    pub comment_count: u64,
    pub comments: Vec<ReasonCommentView>,
}

/// `GET /api/v1/reports/reasons`: conversations that queued in the range, per tag.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReasonReport {
    pub from: String,
    pub to: String,
    pub time_zone: String,
    /// `15m`, `30m`, `day`, `week` or `month`.
    pub interval: String,
    pub intervals: Vec<ReportInterval>,
    /// Conversations in the range under the filters, tagged or not.
    pub conversations: u64,
    /// Of those, with at least one tag.
    pub tagged: u64,
    /// tagged ÷ conversations.
    #[schema(required = true)]
    pub coverage: Option<f64>,
    /// Most conversations first.
    pub reasons: Vec<ReasonView>,
}

/// A question of the self-assessment and its answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaturityQuestionView {
    pub question: MaturityQuestion,
    pub dimension: MaturityDimension,
    /// 0 not at all, 1 partly, 2 mostly, 3 fully; null when not answered yet.
    #[schema(required = true)]
    pub answer: Option<u8>,
}

/// `GET /api/v1/maturity`: the four dimensions scored, with their evidence and next steps.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaturityAssessment {
    /// The window of conversations the figures come from (RFC 3339): the last 30 days.
    pub window_from: String,
    pub window_to: String,
    pub dimensions: Vec<DimensionScore>,
    pub questions: Vec<MaturityQuestionView>,
}

/// `PUT /api/v1/maturity/answers`: answers to save (others keep theirs).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MaturityAnswers {
    /// MaturityQuestion → 0-3.
    pub answers: BTreeMap<String, i64>,
}
