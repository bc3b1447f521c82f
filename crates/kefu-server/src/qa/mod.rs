//! Quality inspection (质检) in the server: scoring a closed conversation with the core's rules,
//! off the routing path (a task spawned after the close commits), and who may do what with QA.
//! The rules themselves live in `kefu_core::qa`; this module loads, calls and stores.

pub mod access;
pub mod sampling;
pub mod starter;

use kefu_core::qa::{inspect, Check, Line, Rule, Side, Transcript};
use kefu_core::ConversationStatus;
use kefu_store::{QaResultRow, Store, StoreError};

use crate::clock::now_ms;

/// Score a conversation later, on its own task: called after a close (or a survey answer)
/// commits, so neither the routing task nor the request waits for QA. A failure is logged; the
/// sweep (`score_missed`) scores it later, and the re-run endpoint can at once.
pub fn score_later(store: Store, conversation: i64) {
    tokio::spawn(async move {
        if let Err(e) = score(&store, conversation).await {
            tracing::warn!(conversation, error = %e, "automatic QA scoring failed");
        }
    });
}

/// Score every served, closed conversation without a result: the ones whose scoring task was
/// lost (the process died between the close and the score) or failed. Run at start-up and then
/// every `every`, so 100% of conversations get their automatic score. Several nodes may sweep
/// at once: a result is replaced, never doubled. Returns how many it scored.
pub async fn score_missed(store: &Store) -> usize {
    let (mut after, mut scored) = (0, 0);
    loop {
        let ids = match store.conversations_awaiting_qa(after, 200).await {
            Ok(ids) => ids,
            Err(e) => {
                tracing::warn!(error = %e, "could not look for conversations QA has not scored");
                return scored;
            }
        };
        let Some(&last) = ids.last() else { return scored };
        for id in ids {
            match score(store, id).await {
                Ok(_) => scored += 1,
                Err(e) => tracing::warn!(conversation = id, error = %e, "automatic QA scoring failed"),
            }
        }
        after = last;
    }
}

/// `score_missed` now and then every `every`, for the life of the process.
pub async fn sweep_every(store: Store, every: std::time::Duration) {
    loop {
        let n = score_missed(&store).await;
        if n > 0 {
            tracing::info!(scored = n, "QA scored conversations whose automatic score was missing");
        }
        tokio::time::sleep(every).await;
    }
}

/// Why a conversation cannot be scored.
#[derive(Debug, thiserror::Error)]
pub enum NotScored {
    /// Still open.
    #[error("the conversation is not closed")]
    Open,
    /// Closed with no agent (abandoned in the queue): nobody's work to score.
    #[error("no agent served the conversation")]
    NoAgent,
    /// From the store.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Check a closed conversation against the enabled rules and store the result (replacing any).
pub async fn score(store: &Store, conversation: i64) -> Result<QaResultRow, NotScored> {
    let c = store.conversation(conversation).await?;
    if c.status != ConversationStatus::Closed {
        return Err(NotScored::Open);
    }
    let agent = c.agent_id.ok_or(NotScored::NoAgent)?;
    let messages = store.messages_after(conversation, 0).await?;
    let lines = messages
        .iter()
        .map(|m| Line {
            id: m.id,
            side: match m.sender.as_str() {
                "visitor" => Side::Customer,
                "agent" => Side::Agent,
                _ => Side::System,
            },
            at: m.created_at,
            // An image or file counts as a message with its caption (or none) as text.
            text: if m.kind == "text" { m.body.clone() } else { String::new() },
        })
        .collect();
    let transfers = messages.iter().filter(|m| m.sender == "system" && m.body == "transferred").count();
    let transcript = Transcript {
        lines,
        assigned_at: c.assigned_at,
        closed_at: c.closed_at.unwrap_or(c.created_at),
        transfers: u32::try_from(transfers).unwrap_or(u32::MAX),
        wrap_up: c.wrap_up_code.clone(),
        csat: c.csat_score.and_then(|s| u8::try_from(s).ok()),
    };
    let rows = store.qa_rules(true).await?;
    // A rule whose stored definition no longer parses (written by a newer version) is skipped
    // rather than failing every score.
    let rules: Vec<(Rule, &str)> = rows
        .iter()
        .filter_map(|r| {
            let check: Check = serde_json::from_str(&r.definition).ok()?;
            let weight = u32::try_from(r.weight.clamp(0, 100)).unwrap_or(0);
            Some((Rule { id: r.id, weight, heavy: r.heavy, check }, r.name.as_str()))
        })
        .collect();
    let set: Vec<Rule> = rules.iter().map(|(r, _)| r.clone()).collect();
    let found = inspect(&transcript, &set);
    let hits: Vec<_> = found
        .hits
        .iter()
        .filter_map(|h| {
            let (rule, name) = rules.iter().find(|(r, _)| r.id == h.rule)?;
            Some((h.rule, name.to_string(), i64::from(rule.weight), h.message, h.detail.clone()))
        })
        .collect();
    let row = QaResultRow {
        conversation_id: conversation,
        agent_id: agent,
        score: i64::from(found.score),
        heavy_hit: found.heavy_hit,
        closed_at: transcript.closed_at,
        scored_at: now_ms(),
    };
    store.save_qa_result(&row, &hits).await?;
    Ok(row)
}
