//! The transaction of a batch of starts, with a few statements whatever its size: the
//! conversations in one insert, the reply target of each group once, their sequence numbers in
//! one update, then one multi-row insert per table: opening messages, their terms and scores,
//! events, webhook rows. The report facts are written at the commit (`Tx::commit`).
//!
//! What is written for each start is what a start alone wrote before: the conversation, its
//! `conversation.updated` event (seq 1) with the `conversation.created` and
//! `conversation.queued` webhooks, the opening message (seq 2) with its event and webhook, and
//! the `Queued` fact. Nothing just written is read back: the first view is built from the row
//! the insert returned.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};

use crate::conversations::starts::NewStart;
use crate::conversations::Pending;
use crate::error::{ApiError, ApiResult};
use crate::views::{ConversationView, MessageSentimentView, MessageView};
use kefu_core::{ConversationId, Fact, GroupId};
use kefu_store::{ConversationRow, MessageSentimentRow, NewConversation, NewEvent, Tx};

/// What the transaction did with a start.
pub enum Outcome {
    /// Not written: its visitor has an open conversation (stored before, or earlier in this
    /// batch).
    Open,
    New(Box<Written>),
}

/// A start written.
pub struct Written {
    /// The conversation as inserted (who to tell, what to queue).
    pub row: ConversationRow,
    /// The starter's answer, as a read after the commit would give it.
    pub answer: ConversationView,
    /// Its events, to announce after the commit.
    pub events: Vec<Pending>,
    /// The opening message's id and score, when it was scored.
    pub scored: Option<(i64, f64)>,
}

fn internal(e: impl Into<anyhow::Error>) -> ApiError {
    ApiError::Internal(e.into())
}

/// Write every start inside `tx`, all arriving at `now`; one outcome per start, in order. An
/// error is a failed write (the transaction is spoilt: the caller writes each start alone).
pub async fn write_all(tx: &mut Tx, starts: &[&NewStart], now: i64) -> ApiResult<Vec<Outcome>> {
    // A visitor starts once per batch: a second start of theirs (another tab) gets the first's.
    let mut seen = HashSet::new();
    let fresh: Vec<bool> = starts.iter().map(|s| seen.insert(s.visitor.id)).collect();
    let new: Vec<NewConversation> = starts
        .iter()
        .zip(&fresh)
        .filter(|(_, f)| **f)
        .map(|(s, _)| NewConversation {
            visitor_id: s.visitor.id,
            group_id: s.group_id,
            business_type_id: s.business_type_id,
            channel: s.channel,
            priority: s.visitor.vip_level,
            min_skill_level: s.min_skill_level,
            topic: s.topic.as_deref(),
            left_message: s.left_message,
            media: s.media,
        })
        .collect();
    let mut inserted = tx.insert_conversations(&new, now).await?.into_iter();
    let rows: Vec<Option<ConversationRow>> = fresh.iter().map(|f| if *f { inserted.next().flatten() } else { None }).collect();

    // The reply target is the group's: read once per group.
    let mut targets: HashMap<i64, i64> = HashMap::new();
    for row in rows.iter().flatten() {
        if let std::collections::hash_map::Entry::Vacant(e) = targets.entry(row.group_id) {
            e.insert(tx.reply_target(row.id).await?);
        }
    }
    // Seq 1: the conversation's first event; seq 2: the opening message.
    let counts: Vec<(i64, i64, Option<i64>)> =
        starts.iter().zip(&rows).filter_map(|(s, r)| r.as_ref().map(|r| (r.id, 1 + i64::from(s.opening.is_some()), None))).collect();
    let first = tx.take_seqs(&counts).await?;
    if counts.iter().any(|(id, _, _)| first.get(id) != Some(&1)) {
        return Err(internal(anyhow::anyhow!("a new conversation's sequence did not start at 1")));
    }

    // First views, their events and webhook payloads; the opening messages.
    let mut created = vec![];
    let mut queued = vec![];
    let mut views: Vec<Option<(ConversationView, Value)>> = Vec::with_capacity(starts.len());
    let mut messages = vec![];
    for (s, row) in starts.iter().zip(&rows) {
        let Some(row) = row else {
            views.push(None);
            continue;
        };
        // A new conversation has no agent, call, tag or reply wait yet.
        let mut first = ConversationView::build(row, &s.visitor, None, None);
        first.reply_target_secs = targets.get(&row.group_id).copied().unwrap_or(60);
        let data = serde_json::to_value(&first).map_err(internal)?;
        created.push((json!({ "event": "conversation.created", "conversation": data }), now));
        let mut view = data.clone();
        view["last_seq"] = json!(1);
        queued.push((json!({ "event": "conversation.queued", "conversation": view }), now));
        views.push(Some((first, data)));
        if let Some((text, _)) = &s.opening {
            let m = kefu_store::NewMessage {
                conversation_id: row.id,
                sender: "visitor",
                sender_id: Some(s.visitor.id),
                sender_name: Some(s.visitor.name.as_str()),
                kind: "text",
                body: text,
                attachment_id: None,
                client_id: None,
                data: None,
            };
            messages.push((m, 2, now));
        }
        tx.record_fact(
            &Fact::Queued {
                conversation: ConversationId(row.id),
                customer: s.visitor.id,
                group: GroupId(row.group_id),
                business_type: s.business_type_id,
                channel: s.channel.to_string(),
                vip: s.visitor.vip_level > 0,
                left_message: s.left_message,
            },
            now,
        )
        .await?;
    }
    let mut stored = tx.insert_messages(&messages).await?.into_iter();
    drop(messages);

    let mut scores = vec![];
    let mut said = vec![];
    let mut out = Vec::with_capacity(starts.len());
    for ((s, row), view) in starts.iter().zip(rows).zip(views) {
        let (Some(row), Some((first, data))) = (row, view) else {
            out.push(None);
            continue;
        };
        let mut events = vec![Pending { conversation: row.id, seq: 1, kind: "conversation.updated", data }];
        let mut answer = first;
        answer.last_seq = 1;
        let mut scored = None;
        if s.opening.is_some() {
            let m = stored.next().ok_or_else(|| internal(anyhow::anyhow!("an opening message was not stored")))?;
            let mut view = MessageView::build(&m, None);
            if let Some(sentiment) = s.opening.as_ref().and_then(|o| o.1) {
                let v = MessageSentimentView::new(sentiment);
                let lang = kefu_sentiment::Lang::as_str(sentiment.lang).to_string();
                scores.push(MessageSentimentRow { message_id: m.id, conversation_id: row.id, lang, score: v.score });
                scored = Some((m.id, v.score));
                view.sentiment = Some(v);
            }
            let data = serde_json::to_value(&view).map_err(internal)?;
            said.push((json!({ "event": "message.created", "message": data }), now));
            events.push(Pending { conversation: row.id, seq: 2, kind: "message.created", data });
            answer.last_seq = 2;
            answer.awaiting_reply_since = Some(view.created_at.clone());
            answer.last_message = Some(MessageView { sentiment: None, ..view });
        }
        out.push(Some(Written { row, answer, events, scored }));
    }
    tx.insert_message_sentiments(&scores).await?;
    {
        let all: Vec<&Pending> = out.iter().flatten().flat_map(|w| &w.events).collect();
        let rows: Vec<NewEvent> =
            all.iter().map(|p| NewEvent { conversation_id: p.conversation, seq: p.seq, kind: p.kind, data: &p.data, at: now }).collect();
        tx.insert_events(&rows).await?;
    }
    // No check first whether a webhook wants them: the inserts select the webhooks themselves.
    tx.enqueue_webhooks_each("conversation.created", &created).await?;
    tx.enqueue_webhooks_each("conversation.queued", &queued).await?;
    tx.enqueue_webhooks_each("message.created", &said).await?;
    Ok(out.into_iter().map(|w| w.map_or(Outcome::Open, |w| Outcome::New(Box::new(w)))).collect())
}
