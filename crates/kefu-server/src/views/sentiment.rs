//! Customer sentiment as staff see it: a customer message's score, and the alert a supervisor
//! gets when a customer turns strongly negative.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::{MessageSentimentRow, SentimentAlertRow};

/// A customer text message's sentiment (staff only): `score` from -1 (angry) to 1 (pleased),
/// scored in the language detected for that message (`zh` or `en`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageSentimentView {
    pub lang: SentimentLang,
    pub score: f64,
}

/// The language a message was scored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SentimentLang {
    Zh,
    En,
}

impl MessageSentimentView {
    pub fn new(s: kefu_sentiment::Sentiment) -> MessageSentimentView {
        let lang = match s.lang {
            kefu_sentiment::Lang::Zh => SentimentLang::Zh,
            kefu_sentiment::Lang::En => SentimentLang::En,
        };
        // Three decimals are all anyone reads; the wire and the stored events stay short.
        MessageSentimentView { lang, score: (s.score * 1000.0).round() / 1000.0 }
    }

    pub fn build(r: &MessageSentimentRow) -> MessageSentimentView {
        let lang = if r.lang == "zh" { SentimentLang::Zh } else { SentimentLang::En };
        MessageSentimentView { lang, score: r.score }
    }
}

/// A customer who turned strongly negative (`sentiment.raised`), or recovered or whose
/// conversation ended (`sentiment.cleared`, with `cleared_at`). Supervisors of the
/// conversation's group and admins get it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SentimentAlertView {
    pub id: i64,
    pub conversation_id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub visitor_name: String,
    /// The agent serving the conversation; null while it waits in line.
    #[schema(required = true)]
    pub agent_name: Option<String>,
    /// The message that raised the alert (at most 120 characters).
    pub excerpt: String,
    /// That message's score.
    pub score: f64,
    /// The conversation's weighted trend then (the latest messages count most).
    pub trend: f64,
    #[schema(format = DateTime)]
    pub raised_at: String,
    #[schema(format = DateTime, required = true)]
    pub cleared_at: Option<String>,
}

impl SentimentAlertView {
    /// From the alert row and the names around it.
    pub fn build(r: &SentimentAlertRow, group: (i64, &str), visitor_name: &str, agent_name: Option<String>, message: &str) -> Self {
        SentimentAlertView {
            id: r.id,
            conversation_id: r.conversation_id,
            group_id: group.0,
            group_name: group.1.to_string(),
            visitor_name: visitor_name.to_string(),
            agent_name,
            excerpt: message.chars().take(120).collect(),
            score: r.score,
            trend: r.trend,
            raised_at: rfc3339(r.raised_at),
            cleared_at: r.cleared_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/sentiment-alerts`: the active alerts, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentimentAlertList {
    pub alerts: Vec<SentimentAlertView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
