//! Floor alerts: each group's alert thresholds (absent = the core's defaults) and the record of
//! alerts raised against them, so a supervisor can read today's alerts after the fact.

use crate::{touched, Result, Store};

/// A group's stored thresholds (levels of 0 are switched off).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ThresholdsRow {
    /// Group.
    pub group_id: i64,
    /// Conversations in line: warning level.
    pub waiting_warning: i64,
    /// Conversations in line: critical level.
    pub waiting_critical: i64,
    /// Longest wait (s): warning level.
    pub longest_wait_warning_secs: i64,
    /// Longest wait (s): critical level.
    pub longest_wait_critical_secs: i64,
    /// Service level today (%): warning below this.
    pub service_level_warning_pct: i64,
    /// Service level today (%): critical below this.
    pub service_level_critical_pct: i64,
    /// The admin who set them.
    pub updated_by: Option<i64>,
    /// When (ms).
    pub updated_at: i64,
}

/// One alert episode.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FloorAlertRow {
    /// Id.
    pub id: i64,
    /// Group.
    pub group_id: i64,
    /// `waiting`, `longest_wait` or `service_level`.
    pub metric: String,
    /// Current (or, once cleared, last) level: `warning` or `critical`.
    pub level: String,
    /// The worst level it reached.
    pub peak_level: String,
    /// The value when it was raised or last changed level.
    pub value: i64,
    /// The threshold of `level`.
    pub threshold: i64,
    /// Raised (ms).
    pub raised_at: i64,
    /// Cleared (ms); None while active.
    pub cleared_at: Option<i64>,
}

const THRESHOLD_COLUMNS: &str = "group_id, waiting_warning, waiting_critical, longest_wait_warning_secs, longest_wait_critical_secs,
    service_level_warning_pct, service_level_critical_pct, updated_by, updated_at";
const ALERT_COLUMNS: &str = "id, group_id, metric, level, peak_level, value, threshold, raised_at, cleared_at";

impl Store {
    /// Every group's stored thresholds (groups without a row use the defaults).
    pub async fn alert_thresholds(&self) -> Result<Vec<ThresholdsRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!("SELECT {THRESHOLD_COLUMNS} FROM group_alert_thresholds ORDER BY group_id"))
            .fetch_all(pool)
            .await?))
    }

    /// Set a group's thresholds (insert or replace).
    pub async fn set_alert_thresholds(&self, t: &ThresholdsRow) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM group_alert_thresholds WHERE group_id = $1").bind(t.group_id).execute(&mut *conn).await?;
            sqlx::query(&format!("INSERT INTO group_alert_thresholds ({THRESHOLD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
                .bind(t.group_id)
                .bind(t.waiting_warning)
                .bind(t.waiting_critical)
                .bind(t.longest_wait_warning_secs)
                .bind(t.longest_wait_critical_secs)
                .bind(t.service_level_warning_pct)
                .bind(t.service_level_critical_pct)
                .bind(t.updated_by)
                .bind(t.updated_at)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// Go back to the defaults for a group. NotFound when it had none of its own.
    pub async fn reset_alert_thresholds(&self, group_id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("DELETE FROM group_alert_thresholds WHERE group_id = $1").bind(group_id).execute(&mut *conn).await?;
            touched(done.rows_affected())
        })
    }

    /// Record a newly raised alert; returns its id.
    pub async fn insert_floor_alert(&self, group_id: i64, metric: &str, level: &str, value: i64, threshold: i64, at: i64) -> Result<i64> {
        in_write!(self, |conn| Ok(sqlx::query_scalar(
            "INSERT INTO floor_alerts (group_id, metric, level, peak_level, value, threshold, raised_at)
             VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id",
        )
        .bind(group_id)
        .bind(metric)
        .bind(level)
        .bind(value)
        .bind(threshold)
        .bind(at)
        .fetch_one(&mut *conn)
        .await?))
    }

    /// An active alert changed level; the peak keeps the worst.
    pub async fn relevel_floor_alert(&self, id: i64, level: &str, value: i64, threshold: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query(
                "UPDATE floor_alerts SET level = $1, value = $2, threshold = $3,
                   peak_level = CASE WHEN $1 = 'critical' THEN 'critical' ELSE peak_level END
                 WHERE id = $4",
            )
            .bind(level)
            .bind(value)
            .bind(threshold)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            touched(done.rows_affected())
        })
    }

    /// An alert cleared.
    pub async fn clear_floor_alert(&self, id: i64, at: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE floor_alerts SET cleared_at = $1 WHERE id = $2 AND cleared_at IS NULL")
                .bind(at)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// One alert.
    pub async fn floor_alert(&self, id: i64) -> Result<FloorAlertRow> {
        on_pool!(self, |pool| sqlx::query_as(&format!("SELECT {ALERT_COLUMNS} FROM floor_alerts WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?
            .ok_or(crate::StoreError::NotFound))
    }

    /// Alerts still active (after a restart, the evaluator takes them over).
    pub async fn active_floor_alerts(&self) -> Result<Vec<FloorAlertRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!("SELECT {ALERT_COLUMNS} FROM floor_alerts WHERE cleared_at IS NULL ORDER BY id"))
            .fetch_all(pool)
            .await?))
    }

    /// Alerts raised since `since` (ms), or still active, newest first, at most `limit`.
    pub async fn floor_alerts_since(&self, since: i64, limit: i64) -> Result<Vec<FloorAlertRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!(
            "SELECT {ALERT_COLUMNS} FROM floor_alerts WHERE raised_at >= $1 OR cleared_at IS NULL ORDER BY raised_at DESC, id DESC LIMIT $2"
        ))
        .bind(since)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }
}
