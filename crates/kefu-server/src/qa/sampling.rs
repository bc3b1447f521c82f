//! The weekly automatic QA sample: a background task that, once the organisation's ISO week
//! is over, queues every flagged conversation of that week and N% of each agent's at random
//! (the choice is `kefu_core::qa::draw_sample`). The setting lives in the `settings` table
//! (every node reads the same); the week's marker row makes the draw happen once however many
//! nodes run this task and however often they restart. Weeks missed while the server was down
//! or the sample was off are drawn late, up to [`CATCH_UP`] weeks back, never before the sample
//! was first turned on.

use std::time::Duration;

use kefu_core::qa::{draw_sample, weeks_due, IsoWeek, Scored};
use kefu_core::ZoneName;
use kefu_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::clock::now_ms;

/// The settings key.
const KEY: &str = "qa_sampling";
/// When the sample was first turned on (`{"at": ms}`): weeks that ended before are never drawn.
/// Kept apart from the setting, which is the API's shape, and kept when it is turned off, so
/// the weeks it was off are caught up when it is on again.
const SINCE_KEY: &str = "qa_sampling_since";
/// The most weeks a draw goes back: two months of samples at once is already a lot of queue.
const CATCH_UP: usize = 8;
/// How often a node looks whether a week is due: the draw waits at most this long after
/// [`GRACE`]; looking is one indexed read.
const TICK: Duration = Duration::from_secs(10 * 60);
/// A week is drawn this long after it ends, so conversations closed in its last minutes are
/// scored first (scoring runs on its own task after the close).
const GRACE: i64 = 60 * 60 * 1000;

/// The weekly sample's setting (admins write it on the QA settings page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct QaSampling {
    /// Draw every week. Off until an admin turns it on.
    pub enabled: bool,
    /// Share of each agent's scored conversations of the week drawn at random, 0 to 100,
    /// rounded up per agent.
    pub percent: u32,
    /// Automatic scores below this are flagged and all queued, 0 to 100; a heavy rule hit is
    /// flagged whatever the score.
    pub flag_below: i64,
}

impl Default for QaSampling {
    fn default() -> Self {
        QaSampling { enabled: false, percent: 10, flag_below: 80 }
    }
}

/// The stored setting, or the default (a value written by a newer version that no longer
/// parses also reads as the default, which is off).
pub async fn setting(store: &Store) -> Result<QaSampling, StoreError> {
    Ok(store.setting(KEY).await?.and_then(|s| serde_json::from_str(&s).ok()).unwrap_or_default())
}

/// Store the setting; the first time it is turned on, remember when (`now`).
pub async fn set_setting(store: &Store, s: &QaSampling, now: i64) -> Result<(), StoreError> {
    if s.enabled && since(store).await?.is_none() {
        store.set_setting(SINCE_KEY, &serde_json::json!({ "at": now }).to_string()).await?;
    }
    // Plain data: serialising cannot fail.
    store.set_setting(KEY, &serde_json::to_string(s).unwrap_or_default()).await
}

/// When the sample was first turned on, if it was.
async fn since(store: &Store) -> Result<Option<i64>, StoreError> {
    let stored = store.setting(SINCE_KEY).await?;
    Ok(stored.and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()).and_then(|v| v["at"].as_i64()))
}

/// A week's draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekDraw {
    /// `2026-W48`.
    pub week: String,
    /// Conversations added to the queue.
    pub added: u64,
}

/// Draw the weeks due at `now` (less [`GRACE`]) that have not been drawn, oldest first, if
/// sampling is on: what the background task calls. Empty when off or all drawn.
pub async fn draw_due_weeks(store: &Store, zone: &ZoneName, now: i64) -> Result<Vec<WeekDraw>, StoreError> {
    let s = setting(store).await?;
    if !s.enabled {
        return Ok(Vec::new());
    }
    // Turned on by a version that did not remember when: no catching up.
    let since = since(store).await?.unwrap_or(now);
    let mut drawn = Vec::new();
    for week in weeks_due(now - GRACE, zone.zone(), since, CATCH_UP) {
        if let Some(d) = draw_week(store, &s, &week, now).await? {
            drawn.push(d);
        }
    }
    Ok(drawn)
}

/// One week's draw, unless its marker row says it was drawn.
async fn draw_week(store: &Store, s: &QaSampling, week: &IsoWeek, now: i64) -> Result<Option<WeekDraw>, StoreError> {
    let key = week.key();
    if store.qa_week_drawn(&key).await? {
        return Ok(None);
    }
    let scored: Vec<Scored> = store
        .qa_results_between(week.from, week.to)
        .await?
        .iter()
        .map(|r| Scored { conversation: r.conversation_id, agent: r.agent_id, score: r.score, heavy_hit: r.heavy_hit })
        .collect();
    let picked = draw_sample(&scored, s.percent, s.flag_below, week.seed());
    let rows: Vec<(i64, i64, &str)> = picked.iter().map(|p| (p.conversation, p.agent, p.reason.as_str())).collect();
    // Another node may have drawn between the look and here: the marker decides.
    Ok(store.draw_qa_week(&key, i64::from(s.percent), &rows, now).await?.map(|added| WeekDraw { week: key, added }))
}

/// The background task: look every [`TICK`], from start-up on.
pub async fn run(store: Store, zone: ZoneName) {
    loop {
        match draw_due_weeks(&store, &zone, now_ms()).await {
            Ok(drawn) => {
                for d in drawn {
                    tracing::info!(week = %d.week, added = d.added, "weekly QA sample drawn");
                }
            }
            Err(e) => tracing::warn!(error = %e, "weekly QA sample failed; trying again later"),
        }
        tokio::time::sleep(TICK).await;
    }
}
