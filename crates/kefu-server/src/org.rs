//! The organisation's settings an admin changes at run time (`GET`/`PUT /api/v1/settings`): the
//! time zone reports count days in, and the sentiment alert thresholds. Kept as one JSON row
//! (`org`) of the settings table and read from memory; the config file's `time_zone` and the
//! built-in thresholds hold until an admin saves others.

use std::sync::{Arc, RwLock};

use kefu_core::ZoneName;
use kefu_sentiment::Thresholds;
use kefu_store::Store;
use serde::{Deserialize, Serialize};

/// The settings row's key.
const KEY: &str = "org";

/// What is in force now.
#[derive(Debug, Clone)]
pub struct OrgValues {
    pub time_zone: ZoneName,
    pub sentiment: Thresholds,
}

/// The row as stored: only what an admin set.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    time_zone: Option<String>,
    sentiment_alert_at: Option<f64>,
    sentiment_clear_at: Option<f64>,
}

/// The organisation's settings, shared by every request. Cheap to clone.
#[derive(Clone)]
pub struct Org {
    inner: Arc<RwLock<OrgValues>>,
}

impl Org {
    /// Those saved, over the defaults (`default_zone` from the config file). A row that no longer
    /// reads (a zone removed from the database) is logged and the default used.
    pub async fn load(store: &Store, default_zone: ZoneName) -> anyhow::Result<Org> {
        let mut values = OrgValues { time_zone: default_zone, sentiment: Thresholds::default() };
        if let Some(text) = store.setting(KEY).await? {
            let stored: Stored = serde_json::from_str(&text).unwrap_or_default();
            if let Some(zone) = stored.time_zone.as_deref() {
                match ZoneName::new(zone) {
                    Ok(z) => values.time_zone = z,
                    Err(e) => tracing::warn!(zone, error = %e, "the organisation's saved time zone is unknown; the default is used"),
                }
            }
            let (alert, clear) = (stored.sentiment_alert_at, stored.sentiment_clear_at);
            if let (Some(a), Some(c)) = (alert, clear) {
                values.sentiment = Thresholds::new(a, c).unwrap_or_default();
            }
        }
        Ok(Org { inner: Arc::new(RwLock::new(values)) })
    }

    /// What is in force now.
    pub fn get(&self) -> OrgValues {
        // A poisoned lock only means a panic elsewhere mid-update; the values are still whole.
        self.inner.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The time zone reports count days in.
    pub fn time_zone(&self) -> ZoneName {
        self.get().time_zone
    }

    /// Save and put in force.
    pub async fn save(&self, store: &Store, values: OrgValues) -> kefu_store::Result<()> {
        let stored = Stored {
            time_zone: Some(values.time_zone.name().to_string()),
            sentiment_alert_at: Some(values.sentiment.raise_at()),
            sentiment_clear_at: Some(values.sentiment.clear_at()),
        };
        store.set_setting(KEY, &serde_json::to_string(&stored).unwrap_or_default()).await?;
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = values;
        Ok(())
    }
}
