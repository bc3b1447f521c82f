//! Group commit for conversation starts: one writer task stores the starts that arrive together
//! in one transaction (one multi-row insert of the conversations, then their events, opening
//! messages, webhook rows and facts), announces them to their visitors after the commit, hands
//! them to the routing task in the order they were stored, and answers each starter only then.
//!
//! Why: a transaction per start paid the write gate (SQLite) or the round trips and commit
//! (PostgreSQL) once per start, and each start then went to the router alone, so every start
//! also cost the router a settle and an offer transaction. Now a batch shares one commit, one
//! settle of the router and one read of the line.
//!
//! What does not change: each start is stored before anything about it is announced; a visitor
//! has at most one open conversation (the database's partial unique index decides: the insert
//! skips a visitor who has one, who then gets that one, as before); a batch whose write fails is
//! written again one start per transaction, so one bad row fails only its own request with the
//! error it had before. All the starts of a batch take the batch's time as their arrival, and
//! their ids in arrival order: the line orders them as they came.

use std::sync::Arc;

use kefu_core::QueueInfo;
use tokio::sync::{mpsc, oneshot};

use crate::clock::now_ms;
use crate::conversations::links::AttachmentLinks;
use crate::conversations::{announce_people, starts_tx};
use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::realtime::Hub;
use crate::routing::{Op, Queued, Routing};
use crate::views::ConversationView;
use kefu_store::{Backend, Store, VisitorRow};

/// Most starts in one transaction: bounds how long one commit keeps the other writers waiting.
const MAX_BATCH: usize = 128;
/// Writer tasks on PostgreSQL (of the pool's 16 connections); a visitor always goes to the
/// same one.
const POSTGRES_WRITERS: usize = 4;
/// Starts waiting for the writer before new ones wait to be queued (back pressure).
const QUEUE: usize = 8192;

/// One conversation to start, checked by the route.
pub struct NewStart {
    /// Its visitor, as the route read it (renamed when the start asked to).
    pub visitor: VisitorRow,
    pub group_id: i64,
    pub business_type_id: Option<i64>,
    pub min_skill_level: i64,
    pub topic: Option<String>,
    /// `web`, `h5`, `app` or `api`.
    pub channel: &'static str,
    /// `chat`, `video` or `voice`.
    pub media: &'static str,
    pub left_message: bool,
    /// The opening message, with its sentiment (scored before it reaches the writer).
    pub opening: Option<(String, Option<kefu_sentiment::Sentiment>)>,
}

/// What became of a start.
pub enum Started {
    /// Not stored: the visitor already has an open conversation (another tab's start won).
    Open,
    /// Stored, announced and handed to the router.
    New(Box<NewlyStarted>),
}

/// A conversation started now.
pub struct NewlyStarted {
    /// The answer, as a read after the commit would give it (without its place in line).
    pub answer: ConversationView,
    /// Its place in line once the router took it (None: offered at once, or gone meanwhile).
    pub queue: Option<QueueInfo>,
    /// The opening message's id and score, for the customer's mood.
    pub scored: Option<(i64, f64)>,
}

pub(super) struct Job {
    pub(super) start: NewStart,
    done: oneshot::Sender<ApiResult<Started>>,
}

/// The handle the route starts conversations through. Cheap to clone.
#[derive(Clone)]
pub struct StartWriter {
    /// One queue per writer task; a visitor always goes to the same one.
    queues: Arc<[mpsc::Sender<Job>]>,
}

/// What a writer task needs.
#[derive(Clone)]
pub struct Starter {
    pub store: Store,
    pub routing: Routing,
    pub hub: Hub,
    pub links: AttachmentLinks,
    pub metrics: Metrics,
}

impl StartWriter {
    /// Start the writer tasks (they end when every handle is dropped). SQLite has one writer at
    /// a time anyway: one task. PostgreSQL commits side by side: a few tasks.
    pub fn spawn(starter: Starter) -> StartWriter {
        let tasks = match starter.store.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => POSTGRES_WRITERS,
        };
        let queues = (0..tasks)
            .map(|_| {
                let (queue, rx) = mpsc::channel(QUEUE);
                tokio::spawn(run(starter.clone(), rx));
                queue
            })
            .collect();
        StartWriter { queues }
    }

    /// Start a conversation; returns once it is stored, announced and in the router's hands
    /// (or refused).
    pub async fn start(&self, start: NewStart) -> ApiResult<Started> {
        let (done, answer) = oneshot::channel();
        let stopped = || ApiError::Internal(anyhow::anyhow!("the start writer stopped"));
        let queue = &self.queues[start.visitor.id.rem_euclid(self.queues.len() as i64) as usize];
        queue.send(Job { start, done }).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

async fn run(s: Starter, mut rx: mpsc::Receiver<Job>) {
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        write_batch(&s, std::mem::take(&mut jobs)).await;
    }
}

/// Store a batch, announce it, hand it to the router; the starters are answered by a task of
/// its own once the router has it, while this one goes on with the next batch.
async fn write_batch(s: &Starter, jobs: Vec<Job>) {
    let now = now_ms();
    let outcomes: Vec<ApiResult<starts_tx::Outcome>> = match together(s, &jobs, now).await {
        Ok(outcomes) => outcomes.into_iter().map(Ok).collect(),
        Err(e) => {
            tracing::warn!(error = %e, starts = jobs.len(), "a batch of starts failed; writing each alone");
            let mut outcomes = Vec::with_capacity(jobs.len());
            for job in &jobs {
                outcomes.push(match together(s, std::slice::from_ref(job), now).await {
                    Ok(mut one) => one.pop().ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a start was not written"))),
                    Err(e) => Err(e),
                });
            }
            outcomes
        }
    };
    // Announced before the router may offer them: the visitor hears of the conversation first.
    let mut enqueue = vec![];
    let mut answers = Vec::with_capacity(jobs.len());
    for (job, outcome) in jobs.into_iter().zip(outcomes) {
        match outcome {
            Ok(starts_tx::Outcome::New(w)) => {
                let starts_tx::Written { row, answer, events, scored } = *w;
                s.metrics.conversations_created.inc();
                if scored.is_some() {
                    s.metrics.messages.inc();
                }
                announce_people(&s.hub, &s.links, row.visitor_id, vec![], events);
                enqueue.push(Op::Enqueue(Queued {
                    conversation: row.id,
                    visitor: row.visitor_id,
                    group: row.group_id,
                    media: row.media.clone(),
                    priority: row.priority,
                    queued_at: row.queued_at,
                    min_skill_level: row.min_skill_level,
                    front: false,
                }));
                answers.push((job.done, Ok(Some(NewlyStarted { answer, queue: None, scored }))));
            }
            Ok(starts_tx::Outcome::Open) => answers.push((job.done, Ok(None))),
            Err(e) => answers.push((job.done, Err(e))),
        }
    }
    // Sent now, in the order stored; awaited by the answering task.
    let routed = s.routing.submit(enqueue).await;
    let routing = s.routing.clone();
    tokio::spawn(async move {
        let mut results = routed.wait(&routing).await.into_iter();
        let ids: Vec<i64> = answers.iter().filter_map(|(_, a)| a.as_ref().ok().and_then(|n| n.as_ref()).map(|n| n.answer.id)).collect();
        let mut lines = match routing.queue_infos(ids.clone()).await {
            Ok(lines) => lines.into_iter(),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the line of started conversations");
                vec![None; ids.len()].into_iter()
            }
        };
        for (done, answer) in answers {
            let _ = done.send(match answer {
                Ok(Some(mut n)) => {
                    let routed = results.next().unwrap_or(Ok(()));
                    n.queue = lines.next().flatten();
                    routed.map(|()| Started::New(Box::new(n)))
                }
                Ok(None) => Ok(Started::Open),
                Err(e) => Err(e),
            });
        }
    });
}

/// All jobs in one transaction. `Err` when a write failed (nothing of the batch committed).
async fn together(s: &Starter, jobs: &[Job], now: i64) -> ApiResult<Vec<starts_tx::Outcome>> {
    let mut tx = s.store.begin().await?;
    let starts: Vec<&NewStart> = jobs.iter().map(|j| &j.start).collect();
    let outcomes = starts_tx::write_all(&mut tx, &starts, now).await?;
    tx.commit().await?;
    s.metrics.start_batches.inc();
    Ok(outcomes)
}
