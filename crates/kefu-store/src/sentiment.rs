//! Customer message sentiment: the score stored beside each scored message (written in the
//! message's transaction) and the "turned strongly negative" alert episodes. Scoring itself is
//! kefu-sentiment's; this module only keeps the results.

use crate::{touched, Result, Store, Tx};

/// A scored message.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MessageSentimentRow {
    /// The message.
    pub message_id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// `zh` or `en`.
    pub lang: String,
    /// -1 ..= 1.
    pub score: f64,
}

/// One alert episode.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SentimentAlertRow {
    /// Id.
    pub id: i64,
    /// The conversation.
    pub conversation_id: i64,
    /// The customer message that raised it.
    pub message_id: i64,
    /// That message's score.
    pub score: f64,
    /// The conversation's trend then.
    pub trend: f64,
    /// Raised (ms).
    pub raised_at: i64,
    /// Cleared (ms); None while active.
    pub cleared_at: Option<i64>,
}

const SENTIMENT_COLUMNS: &str = "message_id, conversation_id, lang, score";
const ALERT_COLUMNS: &str = "id, conversation_id, message_id, score, trend, raised_at, cleared_at";

impl Tx {
    /// Store a message's score, in the transaction that inserts the message.
    pub async fn insert_message_sentiment(&mut self, s: &MessageSentimentRow) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query(&format!("INSERT INTO message_sentiments ({SENTIMENT_COLUMNS}) VALUES ($1, $2, $3, $4)"))
                .bind(s.message_id)
                .bind(s.conversation_id)
                .bind(&s.lang)
                .bind(s.score)
                .execute(&mut *db)
                .await?;
            Ok(())
        })
    }
}

impl Store {
    /// The scores of a conversation's messages, in message order.
    pub async fn message_sentiments(&self, conversation_id: i64) -> Result<Vec<MessageSentimentRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!(
            "SELECT {SENTIMENT_COLUMNS} FROM message_sentiments WHERE conversation_id = $1 ORDER BY message_id"
        ))
        .bind(conversation_id)
        .fetch_all(pool)
        .await?))
    }

    /// Record a newly raised alert; returns its id.
    pub async fn insert_sentiment_alert(&self, conversation_id: i64, message_id: i64, score: f64, trend: f64, at: i64) -> Result<i64> {
        in_write!(self, |conn| Ok(sqlx::query_scalar(
            "INSERT INTO sentiment_alerts (conversation_id, message_id, score, trend, raised_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(conversation_id)
        .bind(message_id)
        .bind(score)
        .bind(trend)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?))
    }

    /// An alert cleared. NotFound when it was not active.
    pub async fn clear_sentiment_alert(&self, id: i64, at: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE sentiment_alerts SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// One alert.
    pub async fn sentiment_alert(&self, id: i64) -> Result<SentimentAlertRow> {
        on_pool!(self, |pool| sqlx::query_as(&format!("SELECT {ALERT_COLUMNS} FROM sentiment_alerts WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(crate::StoreError::NotFound))
    }

    /// A message's text (what an alert quotes).
    pub async fn message_body(&self, id: i64) -> Result<String> {
        on_pool!(self, |pool| sqlx::query_scalar("SELECT body FROM messages WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(crate::StoreError::NotFound))
    }

    /// Alerts still active, oldest first.
    pub async fn active_sentiment_alerts(&self) -> Result<Vec<SentimentAlertRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!(
            "SELECT {ALERT_COLUMNS} FROM sentiment_alerts WHERE cleared_at IS NULL ORDER BY id"
        ))
        .fetch_all(pool)
        .await?))
    }
}
