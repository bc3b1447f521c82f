//! The transaction of a batch of messages, with a few statements whatever its size: the batch's
//! conversations (locked on PostgreSQL) read once with the names of who may write in them, each
//! conversation's sequence numbers (and an agent's read marker) taken in one update, then one
//! multi-row insert per table: messages, their terms, scores, events, webhook rows.
//!
//! Why: on SQLite every statement is a round trip to the connection's worker thread, and on
//! PostgreSQL one over the socket; a dozen per message were most of the message path's cost.
//! What is written is what `batch::one` writes for each message alone (the fallback when a batch
//! fails), in the same order: a message, then (an agent's reply) the agent's read marker.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::conversations::batch::{limited, may_write, Job, Writer, Written};
use crate::conversations::Pending;
use crate::error::{ApiError, ApiResult};
use crate::views::{MessageRead, MessageSentimentView, MessageView};
use kefu_core::ConversationStatus;
use kefu_store::{MessageSentimentRow, NewEvent, Tx};

/// What happens to a job once its checks are done.
enum Plan {
    /// Answered without writing (a refusal, or a retry of a message stored before).
    Done(Box<ApiResult<Written>>),
    /// A retry of a message stored earlier in this batch (the index of that job).
    RetryOf(usize),
    /// To be written, under this sender name.
    Write(String),
}

impl Plan {
    fn done(answer: ApiResult<Written>) -> Plan {
        Plan::Done(Box::new(answer))
    }
}

/// Write every job of the batch inside `tx`; one answer per job, in order. The outer error is
/// a failed write (the transaction is spoilt: the caller writes each message alone).
pub async fn write_all(tx: &mut Tx, w: &Writer, jobs: &mut [Job]) -> ApiResult<Vec<ApiResult<Written>>> {
    let ids: Vec<i64> = jobs.iter().map(|j| j.msg.conversation).collect();
    // With the names of the only people who may write in each: its visitor and its agent.
    let convs = tx.conversations_for_write(&ids).await?;

    // The checks, in arrival order (as writing each alone would make them).
    let mut plans = Vec::with_capacity(jobs.len());
    let mut client_ids: HashMap<(i64, &'static str, String), usize> = HashMap::new();
    for (i, job) in jobs.iter_mut().enumerate() {
        let m = &job.msg;
        let Some(target) = convs.get(&m.conversation).filter(|t| may_write(m, &t.conversation)) else {
            plans.push(Plan::done(Ok(Written::NotWriter)));
            continue;
        };
        if target.conversation.status == ConversationStatus::Closed {
            plans.push(Plan::done(Err(ApiError::Conflict("the conversation is closed".into()))));
            continue;
        }
        if let Some(cid) = &m.client_id {
            if let Some(first) = client_ids.get(&(m.conversation, m.sender, cid.clone())) {
                plans.push(Plan::RetryOf(*first));
                continue;
            }
            if let Some(existing) = tx.message_by_client_id(m.conversation, m.sender, cid).await? {
                plans.push(Plan::done(Ok(Written::Retried(existing))));
                continue;
            }
        }
        if limited(m) && !job.charged {
            job.charged = true;
            if let Err(e) = w.limits.visitor_message_here(m.sender_id) {
                plans.push(Plan::done(Err(e)));
                continue;
            }
        }
        let m = &job.msg;
        // `may_write`: a visitor's conversation, or one assigned to this agent.
        let name = match (&m.sender_name, m.sender) {
            (Some(n), _) => n.clone(),
            (None, "visitor") => target.visitor_name.clone(),
            (None, _) => target.agent_name.clone().unwrap_or_default(),
        };
        if let Some(cid) = &m.client_id {
            client_ids.insert((m.conversation, m.sender, cid.clone()), i);
        }
        plans.push(Plan::Write(name));
    }

    // Sequence numbers: a message takes one, an agent's reply one more for its read marker,
    // counted on from the `last_seq` this transaction read (the row is its own till the end).
    let mut counts: Vec<(i64, i64, Option<i64>)> = vec![];
    let mut next: HashMap<i64, i64> = HashMap::new();
    for (job, plan) in jobs.iter().zip(&plans) {
        if let Plan::Write(_) = plan {
            let c = job.msg.conversation;
            let seq = next.entry(c).or_insert_with(|| convs.get(&c).map_or(0, |t| t.conversation.last_seq) + 1);
            let reply = job.msg.sender == "agent";
            let read = reply.then_some(*seq);
            *seq += if reply { 2 } else { 1 };
            match counts.last_mut() {
                // Jobs are sorted by conversation: its messages are next to each other.
                Some((id, total, upto)) if *id == c => {
                    *total += if reply { 2 } else { 1 };
                    *upto = read.or(*upto);
                }
                _ => counts.push((c, if reply { 2 } else { 1 }, read)),
            }
        }
    }
    let first = tx.take_seqs(&counts).await?;
    let mut next: HashMap<i64, i64> = HashMap::new();
    for (c, _, _) in &counts {
        let expected = convs.get(c).map_or(0, |t| t.conversation.last_seq) + 1;
        if first.get(c) != Some(&expected) {
            return Err(ApiError::Internal(anyhow::anyhow!("conversation {c}: its sequence moved under the batch")));
        }
        next.insert(*c, expected);
    }
    let mut seqs = vec![0; jobs.len()];
    let mut rows = vec![];
    for (i, (job, plan)) in jobs.iter().zip(&plans).enumerate() {
        if let Plan::Write(name) = plan {
            let m = &job.msg;
            let seq = next.get_mut(&m.conversation).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no sequence taken")))?;
            seqs[i] = *seq;
            *seq += if m.sender == "agent" { 2 } else { 1 };
            let new = kefu_store::NewMessage {
                conversation_id: m.conversation,
                sender: m.sender,
                sender_id: Some(m.sender_id),
                sender_name: Some(name),
                kind: &m.kind,
                body: &m.body,
                attachment_id: m.attachment_id,
                client_id: m.client_id.as_deref(),
                data: None,
            };
            rows.push((new, seqs[i], m.now));
        }
    }
    let mut stored = tx.insert_messages(&rows).await?.into_iter();
    drop(rows);
    let by_job: Vec<Option<kefu_store::MessageRow>> =
        plans.iter().map(|p| if matches!(p, Plan::Write(_)) { stored.next() } else { None }).collect();

    // Views, scores, events, read markers and webhook rows of what was stored.
    let mut written: Vec<Option<(MessageView, Vec<Pending>, i64)>> = (0..jobs.len()).map(|_| None).collect();
    let mut scores = vec![];
    for (i, (job, row)) in jobs.iter().zip(&by_job).enumerate() {
        let Some(row) = row else { continue };
        let m = &job.msg;
        let attachment = match m.attachment_id {
            Some(a) => Some(tx.attachment(a).await?),
            None => None,
        };
        let mut view = MessageView::build(row, attachment.as_ref());
        if let Some(s) = m.sentiment {
            let v = MessageSentimentView::new(s);
            let lang = kefu_sentiment::Lang::as_str(s.lang).to_string();
            scores.push(MessageSentimentRow { message_id: row.id, conversation_id: m.conversation, lang, score: v.score });
            view.sentiment = Some(v);
        }
        let data = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
        let mut events = vec![Pending { conversation: m.conversation, seq: seqs[i], kind: "message.created", data }];
        if m.sender == "agent" {
            // The agent has read everything up to their own reply (same commit as the reply).
            let data =
                serde_json::to_value(MessageRead { reader: "agent".into(), seq: seqs[i] }).map_err(|e| ApiError::Internal(e.into()))?;
            events.push(Pending { conversation: m.conversation, seq: seqs[i] + 1, kind: "message.read", data });
        }
        written[i] = Some((view, events, m.now));
    }
    tx.insert_message_sentiments(&scores).await?;
    let all: Vec<(&Pending, i64)> = written.iter().flatten().flat_map(|(_, events, at)| events.iter().map(|p| (p, *at))).collect();
    let rows: Vec<NewEvent> =
        all.iter().map(|(p, at)| NewEvent { conversation_id: p.conversation, seq: p.seq, kind: p.kind, data: &p.data, at: *at }).collect();
    tx.insert_events(&rows).await?;
    // No check first whether a webhook wants them: the insert selects the webhooks itself.
    {
        let payloads: Vec<(Value, i64)> = all
            .iter()
            .filter(|(p, _)| p.kind == "message.created")
            .map(|(p, at)| (json!({ "event": "message.created", "message": p.data }), *at))
            .collect();
        tx.enqueue_webhooks_each("message.created", &payloads).await?;
    }

    // The answers, in order.
    let missing = || ApiError::Internal(anyhow::anyhow!("a message of the batch was not stored"));
    let mut answers: Vec<ApiResult<Written>> = Vec::with_capacity(jobs.len());
    for (i, plan) in plans.into_iter().enumerate() {
        answers.push(match plan {
            Plan::Done(answer) => *answer,
            // Answered with the message stored moments ago in this same transaction.
            Plan::RetryOf(first) => Ok(Written::Retried(by_job[first].clone().ok_or_else(missing)?)),
            Plan::Write(_) => {
                let (view, events, _) = written[i].take().ok_or_else(missing)?;
                let conversation = Box::new(convs.get(&jobs[i].msg.conversation).ok_or_else(missing)?.conversation.clone());
                Ok(Written::New { view, conversation, events })
            }
        });
    }
    Ok(answers)
}
