//! Workforce-planning storage: imported interval history, per-group planning settings and saved
//! schedule suggestions. The figures themselves are computed by `kefu-plan`, never here.

use crate::{Result, Store};

/// One imported interval of a group's history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct HistoryRow {
    /// Group.
    pub group_id: i64,
    /// Interval start, ms since the epoch.
    pub interval_start: i64,
    /// Contacts offered.
    pub offered: i64,
    /// Mean handle time in seconds, when known.
    pub aht_secs: Option<f64>,
}

/// A group's planning settings.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PlanningSettingsRow {
    /// Group.
    pub group_id: i64,
    /// Share of scheduled time lost to breaks, training and absence, 0..1.
    pub shrinkage: f64,
    /// Contacts an agent serves at once (1 for calls and video, more for chat).
    pub concurrency: i64,
    /// Service-level goal, 0..1.
    pub service_level: f64,
    /// Within this many seconds.
    pub within_secs: i64,
}

/// A saved schedule suggestion.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScheduleRow {
    /// Id.
    pub id: i64,
    /// Group.
    pub group_id: i64,
    /// First interval of the plan, ms.
    pub starts_at: i64,
    /// The suggestion as JSON (contracts, shifts, coverage).
    pub body: String,
    /// Who asked for it.
    pub created_by: Option<i64>,
    /// When.
    pub created_at: i64,
}

impl Store {
    /// Insert or replace imported intervals (a re-import of the same interval overwrites it).
    pub async fn import_history(&self, rows: &[HistoryRow]) -> Result<()> {
        in_write!(self, |conn| {
            for r in rows {
                sqlx::query(
                    "INSERT INTO planning_history (group_id, interval_start, offered, aht_secs) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (group_id, interval_start) DO UPDATE SET offered = excluded.offered, aht_secs = excluded.aht_secs",
                )
                .bind(r.group_id)
                .bind(r.interval_start)
                .bind(r.offered)
                .bind(r.aht_secs)
                .execute(&mut *conn)
                .await?;
            }
            Ok(())
        })
    }

    /// The start of the group's latest imported interval.
    pub async fn latest_history(&self, group_id: i64) -> Result<Option<i64>> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT MAX(interval_start) FROM planning_history WHERE group_id = $1")
            .bind(group_id)
            .fetch_one(pool)
            .await?))
    }

    /// A group's imported intervals from `since` (ms), oldest first.
    pub async fn history(&self, group_id: i64, since: i64) -> Result<Vec<HistoryRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT group_id, interval_start, offered, aht_secs FROM planning_history
             WHERE group_id = $1 AND interval_start >= $2 ORDER BY interval_start"
        )
        .bind(group_id)
        .bind(since)
        .fetch_all(pool)
        .await?))
    }

    /// When each of the group's conversations queued since `since` was queued, answered and
    /// closed, with its wrap-up time (ms, from the conversation report's model; 0 when none):
    /// the raw material of Kefu's own interval history.
    pub async fn group_contacts_since(&self, group_id: i64, since: i64) -> Result<Vec<(i64, Option<i64>, Option<i64>, i64)>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT c.queued_at, c.assigned_at, c.closed_at, COALESCE(r.wrap_ms, 0) FROM conversations c
             LEFT JOIN report_contacts r ON r.conversation_id = c.id
             WHERE c.group_id = $1 AND c.queued_at >= $2 AND c.left_message = FALSE ORDER BY c.queued_at"
        )
        .bind(group_id)
        .bind(since)
        .fetch_all(pool)
        .await?))
    }

    /// A group's planning settings, if set.
    pub async fn planning_settings(&self, group_id: i64) -> Result<Option<PlanningSettingsRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT group_id, shrinkage, concurrency, service_level, within_secs FROM planning_settings WHERE group_id = $1"
        )
        .bind(group_id)
        .fetch_optional(pool)
        .await?))
    }

    /// Set a group's planning settings.
    pub async fn save_planning_settings(&self, s: &PlanningSettingsRow, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query(
                "INSERT INTO planning_settings (group_id, shrinkage, concurrency, service_level, within_secs, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (group_id) DO UPDATE SET shrinkage = excluded.shrinkage, concurrency = excluded.concurrency,
                   service_level = excluded.service_level, within_secs = excluded.within_secs, updated_at = excluded.updated_at",
            )
            .bind(s.group_id)
            .bind(s.shrinkage)
            .bind(s.concurrency)
            .bind(s.service_level)
            .bind(s.within_secs)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(())
        })
    }

    /// Save a schedule suggestion; returns its id.
    pub async fn save_schedule(&self, group_id: i64, starts_at: i64, body: &str, created_by: Option<i64>, now: i64) -> Result<i64> {
        in_write!(self, |conn| Ok(sqlx::query_scalar(
            "INSERT INTO planning_schedules (group_id, starts_at, body, created_by, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id"
        )
        .bind(group_id)
        .bind(starts_at)
        .bind(body)
        .bind(created_by)
        .bind(now)
        .fetch_one(&mut *conn)
        .await?))
    }

    /// The group's most recent saved schedule.
    pub async fn latest_schedule(&self, group_id: i64) -> Result<Option<ScheduleRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, group_id, starts_at, body, created_by, created_at FROM planning_schedules
             WHERE group_id = $1 ORDER BY id DESC LIMIT 1"
        )
        .bind(group_id)
        .fetch_optional(pool)
        .await?))
    }

    /// The group's saved schedules starting before `before` (ms), newest first, at most `limit`.
    pub async fn schedules(&self, group_id: i64, before: i64, limit: i64) -> Result<Vec<ScheduleRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, group_id, starts_at, body, created_by, created_at FROM planning_schedules
             WHERE group_id = $1 AND starts_at < $2 ORDER BY id DESC LIMIT $3"
        )
        .bind(group_id)
        .bind(before)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }

    /// One of the group's saved schedules.
    pub async fn schedule(&self, group_id: i64, id: i64) -> Result<Option<ScheduleRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(
            "SELECT id, group_id, starts_at, body, created_by, created_at FROM planning_schedules WHERE group_id = $1 AND id = $2"
        )
        .bind(group_id)
        .bind(id)
        .fetch_optional(pool)
        .await?))
    }
}
