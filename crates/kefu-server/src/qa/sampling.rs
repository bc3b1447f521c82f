//! The weekly automatic QA sample: a background task that, once the organisation's ISO week
//! is over, queues every flagged conversation of that week and N% of each agent's at random
//! (the choice is `kefu_core::qa::draw_sample`). The setting lives in the `settings` table
//! (every node reads the same); the week's marker row makes the draw happen once however many
//! nodes run this task and however often they restart.

use std::time::Duration;

use kefu_core::qa::{draw_sample, week_before, Scored};
use kefu_core::ZoneName;
use kefu_store::{Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::clock::now_ms;

/// The settings key.
const KEY: &str = "qa_sampling";
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

/// Store the setting.
pub async fn set_setting(store: &Store, s: &QaSampling) -> Result<(), StoreError> {
    // Plain data: serialising cannot fail.
    store.set_setting(KEY, &serde_json::to_string(s).unwrap_or_default()).await
}

/// A week's draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeekDraw {
    /// `2026-W48`.
    pub week: String,
    /// Conversations added to the queue.
    pub added: u64,
}

/// Draw the week before `now`'s (less [`GRACE`]) if sampling is on and that week has not been
/// drawn: what the background task calls. None when off or already drawn.
pub async fn draw_due_week(store: &Store, zone: &ZoneName, now: i64) -> Result<Option<WeekDraw>, StoreError> {
    let s = setting(store).await?;
    if !s.enabled {
        return Ok(None);
    }
    let Some(week) = week_before(now - GRACE, zone.zone()) else { return Ok(None) };
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
        match draw_due_week(&store, &zone, now_ms()).await {
            Ok(Some(d)) => tracing::info!(week = %d.week, added = d.added, "weekly QA sample drawn"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "weekly QA sample failed; trying again later"),
        }
        tokio::time::sleep(TICK).await;
    }
}
