//! Many routing decisions to one transaction. When agents go ready in front of a long line the
//! router makes dozens of offers from one input, and concurrent accepts arrive together; each
//! run of offers, or of assignments, is written in one transaction and then announced, instead
//! of a transaction and a handful of reads per decision (the task answers nobody while it waits
//! on the database, so those round trips were the routing throughput).
//!
//! What does not change: every decision is stored before it is announced (the announcements
//! follow the commit); each transaction is fenced (`Engine::begin`); the router decided each
//! offer once, and they are written in the order it made them. A batch whose write fails is
//! written again one decision per transaction, so one bad row never sinks the others.

use std::collections::{BTreeSet, HashMap};

use kefu_core::{AgentId, AgentStatus, ConversationId, Input, Millis, Output};
use kefu_store::NewOffer;
use serde_json::json;
use tokio::sync::oneshot;

use crate::clock::{now_ms, rfc3339};
use crate::conversations::view_from_parts;
use crate::error::ApiResult;
use crate::realtime::frame;
use crate::routing::{Command, Engine, Op};
use crate::views::{MessageView, OfferCreated};

/// Most decisions in one transaction: bounds how long one commit keeps the other writers (the
/// message path) waiting behind SQLite's write gate.
pub(crate) const MAX_BATCH: usize = 128;

/// A reply owed to a caller once its decisions are stored.
type Reply = oneshot::Sender<ApiResult<()>>;

impl Engine {
    /// Commands that arrived together, in their order. Starts, accepts and declines only feed
    /// the router and then share one drain, so what they decide is written together; any other
    /// command first settles them (it sees, and a query answers from, what they left stored).
    /// Each caller is answered only after its decisions were stored and announced.
    pub(crate) async fn handle(&mut self, cmds: impl Iterator<Item = Command>) {
        let mut fed = Fed::default();
        for cmd in cmds {
            match cmd {
                Command::Op(op, reply) if feeds_only(&op) => {
                    if !fed.joins(&op) {
                        self.settle(&mut fed).await;
                    }
                    match self.feed(op, &mut fed.statuses).await {
                        Ok(()) => fed.replies.push(reply),
                        Err(e) => {
                            let _ = reply.send(Err(e));
                        }
                    }
                }
                Command::Op(op, reply) => {
                    self.settle(&mut fed).await;
                    let _ = reply.send(self.run(op).await);
                }
                Command::Query(q, reply) => {
                    self.settle(&mut fed).await;
                    let _ = reply.send(q.answer(&self.router, Millis(now_ms())));
                }
            }
        }
        self.settle(&mut fed).await;
    }

    /// Give a start, an accept, a decline or a status to the router, without applying what it
    /// decides yet (a status is kept in `statuses`, to be stored before what it led to).
    async fn feed(&mut self, op: Op, statuses: &mut Vec<(i64, AgentStatus)>) -> ApiResult<()> {
        let input = match op {
            Op::Enqueue(queued) => self.queued_input(&queued).await,
            Op::Accept { conversation, agent } => {
                Input::OfferAccepted { conversation: ConversationId(conversation), agent: AgentId(agent) }
            }
            Op::Decline { conversation, agent } => {
                Input::OfferDeclined { conversation: ConversationId(conversation), agent: AgentId(agent) }
            }
            Op::SetStatus { agent, status } => {
                self.router.handle_input(Millis(now_ms()), Input::AgentStatusSet { agent: AgentId(agent), status: status.clone() })?;
                statuses.push((agent, status));
                return Ok(());
            }
            other => return self.run(other).await,
        };
        self.router.handle_input(Millis(now_ms()), input)?;
        Ok(())
    }

    /// Store the statuses fed, apply what the fed commands decided, then answer their callers.
    async fn settle(&mut self, fed: &mut Fed) {
        if fed.replies.is_empty() {
            return;
        }
        if !fed.statuses.is_empty() {
            let statuses = std::mem::take(&mut fed.statuses);
            self.save_statuses(&statuses).await;
        }
        self.drain().await;
        for reply in fed.replies.drain(..) {
            let _ = reply.send(Ok(()));
        }
        // A settle that wrote nothing (a line growing: starts only) awaited no I/O, and a batch
        // is many settles: without a yield the task held its worker thread for the whole batch,
        // and on PostgreSQL (whose client I/O runs on the same runtime) starts fell from ~1,470/s
        // to ~650/s. Yielding here gave them back (debug build: 870-1,200/s).
        tokio::task::yield_now().await;
    }

    /// Apply the router's outputs in the order it made them: runs of offers, and runs of
    /// assignments, share a transaction; the rest are applied one by one. Each agent whose
    /// load changed is announced once at the end.
    pub(crate) async fn apply_all(&mut self, outs: Vec<Output>) {
        let mut agents = BTreeSet::new();
        let mut rest = &outs[..];
        while let Some(first) = rest.first() {
            let kind = std::mem::discriminant(first);
            let run = rest.iter().take(MAX_BATCH).take_while(|o| std::mem::discriminant(*o) == kind).count();
            let (these, later) = rest.split_at(run);
            match first {
                Output::Offered { .. } => self.offer_all(these).await,
                Output::Assigned { .. } => agents.extend(self.assign_all(these).await),
                _ => {
                    for out in these {
                        if let Err(e) = self.apply(out).await {
                            tracing::error!(output = ?out, error = ?e, "could not apply a routing decision");
                        }
                    }
                }
            }
            rest = later;
        }
        self.announce_agents(&agents.into_iter().collect::<Vec<_>>()).await;
    }

    /// Store offers, then send each to its agent with the conversation as it now is.
    pub(crate) async fn offer_all(&mut self, outs: &[Output]) {
        let now = now_ms();
        let offers: Vec<NewOffer> = outs
            .iter()
            .filter_map(|o| match o {
                Output::Offered { conversation, agent, group, expires_at, reason } => Some(NewOffer {
                    conversation_id: conversation.0,
                    agent_id: agent.0,
                    group_id: group.0,
                    expires_at: expires_at.0,
                    detail: json!({ "reason": reason }),
                }),
                _ => None,
            })
            .collect();
        let mut stored = Vec::with_capacity(outs.len());
        match self.write_offers(&offers, now).await {
            Ok(()) => stored.extend(outs),
            Err(e) if offers.len() > 1 => {
                tracing::warn!(error = ?e, offers = offers.len(), "a batch of offers failed; writing each alone");
                for (out, offer) in outs.iter().zip(&offers) {
                    match self.write_offers(std::slice::from_ref(offer), now).await {
                        Ok(()) => stored.push(out),
                        Err(e) => tracing::error!(output = ?out, error = ?e, "could not store an offer"),
                    }
                }
            }
            Err(e) => tracing::error!(output = ?outs.first(), error = ?e, "could not store an offer"),
        }
        if stored.is_empty() {
            return;
        }
        let ids: Vec<i64> = stored.iter().filter_map(|o| offered(o).map(|(c, ..)| c)).collect();
        let parts = match self.store.view_parts(&ids).await {
            Ok(parts) => parts.into_iter().map(|p| (p.conversation.id, p)).collect::<HashMap<_, _>>(),
            Err(e) => {
                tracing::error!(error = ?e, "could not read offered conversations");
                return;
            }
        };
        for out in stored {
            let (Some((conversation, agent, expires_at)), Output::Offered { reason, .. }) = (offered(out), out) else { continue };
            let Some(p) = parts.get(&conversation) else { continue };
            let mut view = view_from_parts(p);
            // The agent decides on the offer by what the customer asked.
            view.first_message = p.first_visitor_message.as_ref().map(|m| MessageView::build(m, None));
            let offer = OfferCreated { conversation: view, expires_at: rfc3339(expires_at), reason: (*reason).into() };
            let data = serde_json::to_value(offer).unwrap_or_default();
            self.hub.to_user(agent, &frame("offer.created", Some(conversation), None, &data));
            self.metrics.offers.inc();
        }
    }

    async fn write_offers(&self, offers: &[NewOffer], now: i64) -> ApiResult<()> {
        let mut tx = self.begin().await?;
        tx.record_offers(offers, now).await?;
        tx.commit().await?;
        self.metrics.offer_batches.inc();
        Ok(())
    }
}

/// Whether an operation only feeds the router (its writes are the router's decisions, and a
/// status).
fn feeds_only(op: &Op) -> bool {
    matches!(op, Op::Enqueue(_) | Op::Accept { .. } | Op::Decline { .. } | Op::SetStatus { .. })
}

/// Commands fed to the router whose decisions are not applied yet.
#[derive(Default)]
struct Fed {
    replies: Vec<Reply>,
    /// The statuses set, in order: stored (in one transaction) before anything they led to is
    /// written or announced.
    statuses: Vec<(i64, AgentStatus)>,
}

impl Fed {
    /// Whether `op` may share this settle. Statuses settle apart from starts, accepts and
    /// declines, and an agent's second status apart from its first: what is stored then reads
    /// in the order the router took it (all statuses are written before the decisions).
    fn joins(&self, op: &Op) -> bool {
        if self.replies.is_empty() {
            return true;
        }
        let only_statuses = self.statuses.len() == self.replies.len();
        match op {
            Op::SetStatus { agent, .. } => only_statuses && !self.statuses.iter().any(|(a, _)| a == agent),
            _ => self.statuses.is_empty(),
        }
    }
}

/// (conversation, agent, expires at) of an offer.
fn offered(out: &Output) -> Option<(i64, i64, i64)> {
    match out {
        Output::Offered { conversation, agent, expires_at, .. } => Some((conversation.0, agent.0, expires_at.0)),
        _ => None,
    }
}
