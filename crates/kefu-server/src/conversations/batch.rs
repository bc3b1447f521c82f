//! Group commit for messages: one writer task stores the messages sent concurrently, many to a
//! transaction, and answers each sender only after the transaction holding its message commits
//! ("stored before delivered" holds per message; what is acknowledged survives a crash).
//!
//! Why: a transaction per message paid the write gate (SQLite) or the round trips and commit
//! (PostgreSQL) once per message, and under load senders queued behind each other's commits.
//! Now the queue drains into one transaction: the commit cost is shared by the batch.
//!
//! A message that is refused before it writes anything (its conversation closed meanwhile, its
//! sender over the rate limit) is answered with its error and the batch goes on. A message whose
//! writes fail midway (a statement error) would leave the transaction half-done (PostgreSQL
//! aborts it): the batch is rolled back and every message in it is written again alone, in its
//! own transaction, so one bad message never sinks the others.
//!
//! In a cluster a visitor's message also takes the cluster-wide rate quota, which may ask
//! PostgreSQL: that is done for the whole batch before its transaction opens, so no round trip
//! of the limiter runs while the batch holds its row locks. A quota taken for a message that is
//! not stored after all (a retry, a closed conversation) goes back to the node's share.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::conversations::messages::{insert_with, Outgoing};
use crate::conversations::Pending;
use crate::error::{ApiError, ApiResult};
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::views::{MessageRead, MessageView};
use kefu_core::ConversationStatus;
use kefu_store::{Backend, ConversationRow, MessageRow, Store, StoreError, Tx};

/// Most messages in one transaction: bounds how long one commit keeps the others waiting.
const MAX_BATCH: usize = 128;
/// Writer tasks on PostgreSQL (of the pool's 16 connections).
const POSTGRES_WRITERS: usize = 4;
/// Sends waiting for the writer before new ones wait to be queued (back pressure).
const QUEUE: usize = 8192;

/// One message to store.
pub struct NewMessage {
    pub conversation: i64,
    /// `visitor` or `agent`.
    pub sender: &'static str,
    pub sender_id: i64,
    /// The sender's display name; `None`: the writer reads it (a batch reads all its senders'
    /// names at once).
    pub sender_name: Option<String>,
    pub kind: String,
    pub body: String,
    pub attachment_id: Option<i64>,
    pub client_id: Option<String>,
    /// The customer's sentiment, stored with the message (customer text only).
    pub sentiment: Option<kefu_sentiment::Sentiment>,
    pub now: i64,
}

/// What the writer did with a message.
pub enum Written {
    /// Not stored: the conversation does not exist, or the sender may not write in it now (its
    /// visitor, or the agent holding it assigned, may). The writer checks this on the row it
    /// reads anyway; the route then finds out which answer (404, 403) the caller gets.
    NotWriter,
    /// The sender already stored it under this client id (a retry): that message, unchanged.
    Retried(MessageRow),
    /// Stored now: its view, the conversation as the transaction saw it (who to tell), and the
    /// committed events to announce (the message, then the agent's read marker).
    New { view: MessageView, conversation: Box<ConversationRow>, events: Vec<Pending> },
}

pub(super) struct Job {
    pub(super) msg: NewMessage,
    /// The visitor's rate limit was charged (a message written again alone is not charged twice).
    pub(super) charged: bool,
    /// The cluster-wide quota was taken for it, before the transaction.
    quota: bool,
    done: oneshot::Sender<ApiResult<Written>>,
}

/// The handle routes send messages through. Cheap to clone.
#[derive(Clone)]
pub struct MessageWriter {
    /// One queue per writer task; a conversation always goes to the same one (its order kept).
    queues: Arc<[mpsc::Sender<Job>]>,
}

/// What a writer task needs.
#[derive(Clone)]
pub struct Writer {
    pub store: Store,
    pub limits: Arc<Limits>,
    pub metrics: Metrics,
}

impl MessageWriter {
    /// Start the writer tasks (they end when every handle is dropped). SQLite has one writer at
    /// a time anyway: one task. PostgreSQL commits side by side: a few tasks, each with its own
    /// conversations (disjoint row locks), so the round trips of one batch overlap another's.
    pub fn start(writer: Writer) -> MessageWriter {
        let tasks = match writer.store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_WRITERS,
        };
        let queues = (0..tasks)
            .map(|_| {
                let (queue, rx) = mpsc::channel(QUEUE);
                tokio::spawn(run(writer.clone(), rx));
                queue
            })
            .collect();
        MessageWriter { queues }
    }

    /// Store `msg`; returns once its transaction committed (or it was refused).
    pub async fn write(&self, msg: NewMessage) -> ApiResult<Written> {
        let (done, answer) = oneshot::channel();
        let stopped = || ApiError::Internal(anyhow::anyhow!("the message writer stopped"));
        let queue = &self.queues[msg.conversation.rem_euclid(self.queues.len() as i64) as usize];
        queue.send(Job { msg, charged: false, quota: false, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(w: Writer, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        write_batch(&w, std::mem::take(&mut jobs)).await;
    }
}

/// Store a batch, then answer every sender.
async fn write_batch(w: &Writer, jobs: Vec<Job>) {
    let mut jobs = take_quotas(w, jobs).await;
    // Conversation rows are locked (PostgreSQL) in id order: two nodes' batches cannot deadlock.
    // The sort is stable, so one conversation's messages keep their arrival order.
    jobs.sort_by_key(|j| j.msg.conversation);
    // Even one message goes the batch's way: its statements are no more than writing it alone.
    // A failed batch of one is written again alone (the same rows, through the simple path).
    match together(w, &mut jobs).await {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                answer(w, job, result);
            }
            return;
        }
        Err(e) => tracing::warn!(error = %e, messages = jobs.len(), "a batch of messages failed; writing each alone"),
    }
    for mut job in jobs {
        let result = alone(w, &mut job).await;
        answer(w, job, result);
    }
}

/// Whether the sender may write in the conversation now: its visitor, or the agent holding it
/// assigned (`access::can_write`, on the row the writer read).
pub(super) fn may_write(m: &NewMessage, c: &ConversationRow) -> bool {
    match m.sender {
        "visitor" => c.visitor_id == m.sender_id,
        _ => c.agent_id == Some(m.sender_id) && c.status == ConversationStatus::Assigned,
    }
}

/// Whether a job is a visitor's text message (what the message limit counts; files are
/// counted by their upload).
pub(super) fn limited(m: &NewMessage) -> bool {
    m.sender == "visitor" && m.attachment_id.is_none()
}

/// In a cluster: take each visitor message's cluster-wide quota before the transaction opens.
/// Refused ones are answered at once; the others go on to be written.
async fn take_quotas(w: &Writer, jobs: Vec<Job>) -> Vec<Job> {
    if !w.limits.messages_shared() {
        return jobs;
    }
    let mut kept = Vec::with_capacity(jobs.len());
    for mut job in jobs {
        if limited(&job.msg) && !job.quota {
            if let Err(e) = w.limits.visitor_message_shared(job.msg.sender_id).await {
                let _ = job.done.send(Err(e));
                continue;
            }
            job.quota = true;
        }
        kept.push(job);
    }
    kept
}

/// Answer the sender; a quota taken for a message not stored now goes back.
fn answer(w: &Writer, job: Job, result: ApiResult<Written>) {
    if job.quota && !matches!(result, Ok(Written::New { .. })) {
        w.limits.refund_visitor_message_shared(job.msg.sender_id);
    }
    let _ = job.done.send(result);
}

/// All jobs in one transaction. `Err` when a write failed (nothing of the batch committed).
async fn together(w: &Writer, jobs: &mut [Job]) -> ApiResult<Vec<ApiResult<Written>>> {
    let mut tx = w.store.begin().await?;
    let results = super::batch_tx::write_all(&mut tx, w, jobs).await?;
    tx.commit().await?;
    w.metrics.message_batches.inc();
    Ok(results)
}

/// One job in its own transaction.
async fn alone(w: &Writer, job: &mut Job) -> ApiResult<Written> {
    let mut tx = w.store.begin().await?;
    let written = one(&mut tx, w, job, true).await??;
    tx.commit().await?;
    w.metrics.message_batches.inc();
    Ok(written)
}

/// Write one message inside `tx`. The outer error is a failed write (the transaction is spoilt);
/// the inner one a refusal made before anything was written (the transaction goes on).
async fn one(tx: &mut Tx, w: &Writer, job: &mut Job, webhooks: bool) -> ApiResult<ApiResult<Written>> {
    let m = &job.msg;
    // Locks the row on PostgreSQL; the status is the one this transaction decides on.
    let conversation = match tx.conversation(m.conversation).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Ok(Ok(Written::NotWriter)),
        Err(e) => return Err(e.into()),
    };
    if !may_write(m, &conversation) {
        return Ok(Ok(Written::NotWriter));
    }
    if conversation.status == ConversationStatus::Closed {
        return Ok(Err(ApiError::Conflict("the conversation is closed".into())));
    }
    if let Some(cid) = &m.client_id {
        // Also finds a message stored earlier in this same batch.
        if let Some(existing) = tx.message_by_client_id(m.conversation, m.sender, cid).await? {
            return Ok(Ok(Written::Retried(existing)));
        }
    }
    // After the retry check: a retried message costs nothing. Files are counted by the upload.
    // Only the node's own limiter here (memory, no wait); the cluster's was taken before.
    if limited(m) && !job.charged {
        job.charged = true;
        if let Err(e) = w.limits.visitor_message_here(m.sender_id) {
            return Ok(Err(e));
        }
    }
    let name = match &m.sender_name {
        Some(n) => n.clone(),
        None if m.sender == "visitor" => tx.visitor(m.sender_id).await?.name,
        None => tx.user_name(m.sender_id).await?,
    };
    let out = Outgoing { kind: &m.kind, body: &m.body, attachment_id: m.attachment_id, client_id: m.client_id.as_deref() };
    let (view, created) = insert_with(tx, m.conversation, (m.sender, m.sender_id, &name), &out, m.sentiment, m.now, webhooks).await?;
    let mut events = vec![created];
    if m.sender == "agent" {
        // The agent has read everything up to their own reply (same commit as the reply).
        if let Some(upto) = tx.mark_read(m.conversation, false, view.seq).await? {
            let data = serde_json::to_value(MessageRead { reader: "agent".into(), seq: upto }).map_err(|e| ApiError::Internal(e.into()))?;
            let seq = tx.append_event(m.conversation, "message.read", &data, m.now).await?;
            events.push(Pending { conversation: m.conversation, seq, kind: "message.read", data });
        }
    }
    Ok(Ok(Written::New { view, conversation: Box::new(conversation), events }))
}
