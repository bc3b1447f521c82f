//! Customer sentiment (情绪): each visitor text message is scored by kefu-sentiment as it is
//! stored (before the transaction opens: microseconds, never on the routing task), the score is
//! written beside the message and shown to staff, and a supervisor is told live when a waiting
//! or served customer turns strongly negative (`sentiment.raised`), once per episode, until the
//! customer recovers or the conversation ends (`sentiment.cleared`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use kefu_core::ConversationStatus;
use kefu_sentiment::{MoodBook, MoodChange, Scorer, Sentiment};
use kefu_store::SentimentAlertRow;
use serde_json::Value;

use crate::clock::now_ms;
use crate::error::ApiResult;
use crate::realtime::frame;
use crate::state::AppState;
use crate::views::SentimentAlertView;

/// Both languages' lexicons, loaded once per process; Chinese is cut by the search index's jieba
/// (one copy of its dictionary in memory).
static SCORER: LazyLock<Scorer> = LazyLock::new(|| Scorer::with_jieba(kefu_store::search::terms::segmenter()));

/// How often alerts of conversations that ended are cleared.
const SWEEP: Duration = Duration::from_secs(2);
/// A mood with no alert and no customer message for this long is forgotten, so the book holds
/// the conversations customers are writing in, not every conversation since the start (a
/// customer who writes again after that starts a fresh trend).
const QUIET_MS: i64 = 30 * 60 * 1000;

/// Load the scorer now (a fraction of a second), so the first customer message after a start
/// does not wait for it.
pub fn warm() {
    LazyLock::force(&SCORER);
}

/// The sentiment of a message about to be stored, when it is one that is scored: a visitor's
/// text (agents' replies and system lines are not the customer's mood).
pub fn score(sender: &str, kind: &str, body: &str) -> Option<Sentiment> {
    (sender == "visitor" && kind == "text" && !body.trim().is_empty()).then(|| SCORER.score(body))
}

/// The moods of open conversations and their active alerts. Cheap to clone.
#[derive(Clone, Default)]
pub struct Moods {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    book: MoodBook,
    /// The active alert of each conversation.
    alerts: HashMap<i64, i64>,
    /// When each conversation in the book last had a scored message.
    seen: HashMap<i64, i64>,
}

impl Inner {
    /// Forget the moods without an alert that have been quiet since `before`.
    fn forget_quiet(&mut self, before: i64) {
        let quiet: Vec<i64> = self.seen.iter().filter(|(c, at)| **at < before && !self.alerts.contains_key(*c)).map(|(c, _)| *c).collect();
        for conversation in quiet {
            self.seen.remove(&conversation);
            self.book.forget(conversation);
        }
    }
}

impl Moods {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A poisoned lock only means a panic elsewhere mid-update; the book is still usable.
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut inner)
    }
}

/// A scored customer message was committed: move the conversation's mood, and raise or clear
/// its alert. Errors are logged: the message itself is already delivered.
pub async fn observe(state: &AppState, conversation: i64, message_id: i64, score: f64) {
    let thresholds = state.org.get().sentiment;
    let change = state.moods.with(|m| {
        m.seen.insert(conversation, now_ms());
        m.book.set_thresholds(thresholds);
        m.book.observe(conversation, score)
    });
    let result = match change {
        Some(MoodChange::Raised { trend, .. }) => raise(state, conversation, message_id, score, trend).await,
        Some(MoodChange::Cleared { .. }) => clear(state, conversation).await,
        None => Ok(()),
    };
    if let Err(e) = result {
        tracing::error!(error = ?e, conversation, "could not record a sentiment alert");
    }
}

async fn raise(state: &AppState, conversation: i64, message_id: i64, score: f64, trend: f64) -> ApiResult<()> {
    let id = state.store.insert_sentiment_alert(conversation, message_id, score, trend, now_ms()).await?;
    state.moods.with(|m| m.alerts.insert(conversation, id));
    tell(state, id, "sentiment.raised").await
}

async fn clear(state: &AppState, conversation: i64) -> ApiResult<()> {
    let Some(id) = state.moods.with(|m| m.alerts.remove(&conversation)) else { return Ok(()) };
    state.store.clear_sentiment_alert(id, now_ms()).await?;
    tell(state, id, "sentiment.cleared").await
}

/// The alert as supervisors see it.
pub async fn view(state: &AppState, r: &SentimentAlertRow) -> ApiResult<SentimentAlertView> {
    let c = state.store.conversation(r.conversation_id).await?;
    let group = state.store.group(c.group_id).await.map(|g| g.name).unwrap_or_default();
    let visitor = state.store.visitor(c.visitor_id).await?.name;
    let agent = match c.agent_id {
        Some(a) => Some(state.store.user(a).await?.name),
        None => None,
    };
    let body = state.store.message_body(r.message_id).await.unwrap_or_default();
    Ok(SentimentAlertView::build(r, (c.group_id, &group), &visitor, agent, &body))
}

/// Send an alert's frame to whoever watches its conversation's group (as floor alerts).
async fn tell(state: &AppState, id: i64, kind: &str) -> ApiResult<()> {
    let v = view(state, &state.store.sentiment_alert(id).await?).await?;
    let f = frame(kind, None, None, &serde_json::to_value(&v).unwrap_or(Value::Null));
    for user in crate::floor::recipients(state, v.group_id).await? {
        state.hub.to_user(user, &f);
    }
    Ok(())
}

/// Take over the alerts active when the server stopped, then clear, every few seconds, those
/// whose conversation ended (closing is the routing task's, which is not slowed by this).
pub async fn run(state: AppState) {
    match state.store.active_sentiment_alerts().await {
        Ok(rows) => state.moods.with(|m| {
            for r in rows {
                m.book.restore(r.conversation_id, r.trend);
                m.alerts.insert(r.conversation_id, r.id);
            }
        }),
        Err(e) => tracing::error!(error = ?e, "could not take over the active sentiment alerts"),
    }
    loop {
        tokio::time::sleep(SWEEP).await;
        state.moods.with(|m| m.forget_quiet(now_ms() - QUIET_MS));
        let active: Vec<i64> = state.moods.with(|m| m.alerts.keys().copied().collect());
        for conversation in active {
            let ended = match state.store.conversation(conversation).await {
                Ok(c) => c.status == ConversationStatus::Closed,
                Err(kefu_store::StoreError::NotFound) => true,
                Err(_) => false,
            };
            if ended {
                state.moods.with(|m| {
                    m.book.forget(conversation);
                    m.seen.remove(&conversation);
                });
                if let Err(e) = clear(&state, conversation).await {
                    tracing::error!(error = ?e, conversation, "could not clear a sentiment alert");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_moods_without_an_alert_are_forgotten_and_alerted_ones_kept() {
        let mut inner = Inner::default();
        for (conversation, at) in [(1, 1_000), (2, 1_000), (3, 9_000)] {
            inner.book.observe(conversation, -0.9);
            inner.seen.insert(conversation, at);
        }
        inner.alerts.insert(2, 77);
        inner.forget_quiet(5_000);
        assert!(inner.book.mood(1).is_none(), "quiet and not alerted: forgotten");
        assert!(inner.book.mood(2).is_some(), "an active alert keeps its mood");
        assert!(inner.book.mood(3).is_some(), "written in recently: kept");
        assert_eq!(inner.seen.len(), 2);
    }
}
