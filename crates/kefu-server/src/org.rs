//! The organisation's settings an admin changes at run time (`GET`/`PUT /api/v1/settings`): the
//! time zone reports count days in, the sentiment alert thresholds, and the message length limit. Kept as one JSON row
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
    /// The most characters a message text may have (Unicode code points after trimming): the
    /// server refuses longer ones, and the widget and workspace composers count against it.
    pub max_message_chars: usize,
}

/// The message length limit until an admin sets one.
pub const DEFAULT_MAX_MESSAGE_CHARS: usize = 5000;

/// What an admin may set the message length limit to: a few sentences at least, and at most what
/// a message bubble and the search index handle well.
pub const MESSAGE_CHARS_RANGE: std::ops::RangeInclusive<usize> = 100..=20_000;

/// The row as stored: only what an admin set.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    time_zone: Option<String>,
    sentiment_alert_at: Option<f64>,
    sentiment_clear_at: Option<f64>,
    max_message_chars: Option<usize>,
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
        let mut values =
            OrgValues { time_zone: default_zone, sentiment: Thresholds::default(), max_message_chars: DEFAULT_MAX_MESSAGE_CHARS };
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
            if let Some(max) = stored.max_message_chars.filter(|m| MESSAGE_CHARS_RANGE.contains(m)) {
                values.max_message_chars = max;
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

    /// The message length limit in force.
    pub fn max_message_chars(&self) -> usize {
        self.get().max_message_chars
    }

    /// Save and put in force.
    pub async fn save(&self, store: &Store, values: OrgValues) -> kefu_store::Result<()> {
        let stored = Stored {
            time_zone: Some(values.time_zone.name().to_string()),
            sentiment_alert_at: Some(values.sentiment.raise_at()),
            sentiment_clear_at: Some(values.sentiment.clear_at()),
            max_message_chars: Some(values.max_message_chars),
        };
        store.set_setting(KEY, &serde_json::to_string(&stored).unwrap_or_default()).await?;
        *self.inner.write().unwrap_or_else(|p| p.into_inner()) = values;
        Ok(())
    }
}
