//! Webhook subscriptions and their delivery outbox.

use crate::{touched, Result, Store, StoreError};

/// A webhook subscription.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    /// Id.
    pub id: i64,
    /// Target URL.
    pub url: String,
    /// JSON array of event names.
    pub events: String,
    /// HMAC key (needed in clear to sign).
    pub secret: String,
    /// Paused when false.
    pub active: bool,
    /// Created.
    pub created_at: i64,
}

/// One delivery (attempted or not).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeliveryRow {
    /// Id.
    pub id: i64,
    /// Webhook.
    pub webhook_id: i64,
    /// Event name.
    pub event: String,
    /// JSON body.
    pub payload: String,
    /// pending | delivered | failed.
    pub status: String,
    /// Attempts so far.
    pub attempts: i64,
    /// When to try next.
    pub next_attempt_at: i64,
    /// Last HTTP status.
    pub last_status_code: Option<i64>,
    /// Last error.
    pub last_error: Option<String>,
    /// Created.
    pub created_at: i64,
}

const DELIVERY_COLUMNS: &str =
    "id, webhook_id, event, payload, status, attempts, next_attempt_at, last_status_code, last_error, created_at";

impl Store {
    /// All webhooks.
    pub async fn webhooks(&self) -> Result<Vec<WebhookRow>> {
        Ok(sqlx::query_as("SELECT id, url, events, secret, active, created_at FROM webhooks ORDER BY id").fetch_all(&self.pool).await?)
    }

    /// One webhook.
    pub async fn webhook(&self, id: i64) -> Result<WebhookRow> {
        sqlx::query_as("SELECT id, url, events, secret, active, created_at FROM webhooks WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Create a webhook.
    pub async fn create_webhook(&self, url: &str, events: &str, secret: &str, now: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("INSERT INTO webhooks (url, events, secret, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(url)
            .bind(events)
            .bind(secret)
            .bind(now)
            .fetch_one(&self.pool)
            .await?)
    }

    /// Change a webhook.
    pub async fn update_webhook(&self, id: i64, url: Option<&str>, events: Option<&str>, active: Option<bool>) -> Result<()> {
        let done = sqlx::query(
            "UPDATE webhooks SET url = COALESCE(?, url), events = COALESCE(?, events), active = COALESCE(?, active) WHERE id = ?",
        )
        .bind(url)
        .bind(events)
        .bind(active)
        .bind(id)
        .execute(&self.pool)
        .await?;
        touched(&done)?;
        Ok(())
    }

    /// Delete a webhook and its deliveries.
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        let (_gate, mut tx) = self.write().await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = ?").bind(id).execute(&mut *tx).await?;
        let done = sqlx::query("DELETE FROM webhooks WHERE id = ?").bind(id).execute(&mut *tx).await?;
        touched(&done)?;
        tx.commit().await?;
        Ok(())
    }

    /// A webhook's deliveries, newest first.
    pub async fn deliveries(&self, webhook_id: i64) -> Result<Vec<DeliveryRow>> {
        Ok(sqlx::query_as(&format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? ORDER BY id DESC LIMIT 200"))
            .bind(webhook_id)
            .fetch_all(&self.pool)
            .await?)
    }

    /// Deliveries due now, oldest first.
    pub async fn due_deliveries(&self, now: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
        Ok(sqlx::query_as(&format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?"
        ))
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest pending attempt time, to sleep until.
    pub async fn next_delivery_at(&self) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'").fetch_one(&self.pool).await?)
    }

    /// Record an attempt's outcome.
    pub async fn record_attempt(
        &self,
        id: i64,
        status: &str,
        code: Option<i64>,
        error: Option<&str>,
        next_attempt_at: i64,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_status_code = ?, last_error = ?, next_attempt_at = ?,
               delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?",
        )
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(next_attempt_at)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
