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
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, url, events, secret, active, created_at FROM webhooks ORDER BY id").fetch_all(pool).await?)
        })
    }

    /// One webhook.
    pub async fn webhook(&self, id: i64) -> Result<WebhookRow> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, url, events, secret, active, created_at FROM webhooks WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Create a webhook.
    pub async fn create_webhook(&self, url: &str, events: &str, secret: &str, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            Ok(sqlx::query_scalar("INSERT INTO webhooks (url, events, secret, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(url)
                .bind(events)
                .bind(secret)
                .bind(now)
                .fetch_one(&mut *conn)
                .await?)
        })
    }

    /// Change a webhook.
    pub async fn update_webhook(&self, id: i64, url: Option<&str>, events: Option<&str>, active: Option<bool>) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE webhooks SET url = COALESCE($1, url), events = COALESCE($2, events), active = COALESCE($3, active) WHERE id = $4",
            )
            .bind(url)
            .bind(events)
            .bind(active)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            touched(done.rows_affected())?;
            Ok(())
        })
    }

    /// Delete a webhook and its deliveries.
    pub async fn delete_webhook(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *conn).await?;
            let done = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())?;
            Ok(())
        })
    }

    /// A webhook's deliveries, newest first.
    pub async fn deliveries(&self, webhook_id: i64) -> Result<Vec<DeliveryRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT 200"
            ))
            .bind(webhook_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// One page of a webhook's deliveries, newest first: older than `before` (an id; None = from
    /// the newest), at most `limit`; new deliveries never shift a later page.
    pub async fn deliveries_page(&self, webhook_id: i64, before: Option<i64>, limit: i64) -> Result<Vec<DeliveryRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
            ))
            .bind(webhook_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many deliveries a webhook has.
    pub async fn delivery_count(&self, webhook_id: i64) -> Result<i64> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(webhook_id)
            .fetch_one(pool)
            .await?))
    }

    /// Claim up to `limit` deliveries due at `now`, oldest first: each is leased until
    /// `lease_until` (its `next_attempt_at` moves there), so another claimer — a second node, or
    /// this one's next round — does not take it while it is being delivered; if the deliverer
    /// dies, the row is due again when the lease ends. [`Store::record_attempt`] then sets the
    /// real next time. On PostgreSQL the claim skips rows another node is claiming at that
    /// moment (`FOR UPDATE SKIP LOCKED`); on SQLite the write gate serialises claimers.
    pub async fn claim_deliveries(&self, now: i64, limit: i64, lease_until: i64) -> Result<Vec<DeliveryRow>> {
        // The deliverer asks twice a second; a plain read keeps an idle outbox from taking the
        // write path (SQLite's one writer) each time.
        let due: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 LIMIT 1"
        )
        .bind(now)
        .fetch_optional(pool)
        .await?);
        if due.is_none() {
            return Ok(vec![]);
        }
        let mut claimed: Vec<DeliveryRow> = in_write!(self, |conn| {
            Ok(sqlx::query_as(&format!(
                "UPDATE webhook_deliveries SET next_attempt_at = $3 WHERE id IN (
                   SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY id LIMIT $2{})
                 RETURNING {DELIVERY_COLUMNS}",
                dialect::SKIP_LOCKED
            ))
            .bind(now)
            .bind(limit)
            .bind(lease_until)
            .fetch_all(&mut *conn)
            .await?)
        })?;
        claimed.sort_by_key(|d| d.id);
        Ok(claimed)
    }

    /// The earliest pending attempt time, to sleep until.
    pub async fn next_delivery_at(&self) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'").fetch_one(pool).await?)
        })
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
        in_write!(self, |conn| {
            sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, last_status_code = $2, last_error = $3, next_attempt_at = $4,
               delivered_at = CASE WHEN $5 = 'delivered' THEN $6 ELSE delivered_at END WHERE id = $7",
        )
        .bind(status)
        .bind(code)
        .bind(error)
        .bind(next_attempt_at)
        .bind(status)
        .bind(now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
            Ok(())
        })
    }
}
