//! Applying the router's decisions: each is written (with its reason in the routing log) before
//! it is announced. A failed write is logged; the database stays the truth for the next restart.

use kefu_core::ConversationStatus;
use std::collections::BTreeSet;

use kefu_core::{AgentStatus, Fact, GroupId, Output, StatusFact};
use kefu_store::StatusChange;
use serde_json::json;

use crate::calls::record::end_open_call;
use crate::clock::now_ms;
use crate::conversations::{announce_with, system_message, updated};
use crate::error::ApiResult;
use crate::realtime::frame;
use crate::routing::load::status_text;
use crate::routing::Engine;
use crate::views::{OfferRevoked, QueueView};

impl Engine {
    /// Apply every pending output of the router (runs of offers and of assignments share a
    /// transaction: `batch.rs`).
    pub(crate) async fn drain(&mut self) {
        let mut changed: BTreeSet<GroupId> = BTreeSet::new();
        let mut outs = Vec::new();
        loop {
            match self.router.poll_output() {
                Output::Timeout(at) => {
                    self.next_tick = at;
                    break;
                }
                Output::QueueChanged { group } => {
                    changed.insert(group);
                }
                out => outs.push(out),
            }
        }
        self.apply_all(outs).await;
        if !changed.is_empty() {
            self.floor.poke();
        }
        for group in changed {
            self.announce_positions(group);
        }
    }

    pub(crate) async fn apply(&mut self, out: &Output) -> ApiResult<()> {
        let now = now_ms();
        match out {
            Output::Offered { .. } => self.offer_all(std::slice::from_ref(out)).await,
            Output::Assigned { .. } => {
                for agent in self.assign_all(std::slice::from_ref(out)).await {
                    self.announce_agent(agent).await;
                }
            }
            Output::OfferWithdrawn { conversation, agent, reason } => {
                let mut tx = self.begin().await?;
                let c = tx.conversation(conversation.0).await?;
                if c.status == ConversationStatus::Offered {
                    tx.set_queued(conversation.0, c.group_id).await?;
                }
                tx.log_routing("offer_withdrawn", Some(conversation.0), Some(agent.0), Some(c.group_id), &json!({ "reason": reason }), now)
                    .await?;
                tx.commit().await?;
                let revoked = serde_json::to_value(OfferRevoked { reason: (*reason).into() }).unwrap_or_default();
                self.hub.to_user(agent.0, &frame("offer.revoked", Some(conversation.0), None, &revoked));
                self.announce_agent(agent.0).await;
            }
            Output::Requeued { conversation, agent, group } => {
                let name = self.store.user(agent.0).await?.name;
                let mut tx = self.begin().await?;
                // Its call cannot go on without the agent (the router already freed the slot).
                let call = end_open_call(&mut tx, conversation.0, "failed", now).await?;
                let (ended_call, mut events) = call.map_or((None, vec![]), |(row, events)| (Some(row.id), events));
                tx.set_returned(conversation.0).await?;
                tx.record_fact(&Fact::Requeued { conversation: *conversation, agent: *agent }, now).await?;
                events.push(system_message(&mut tx, conversation.0, "requeued", Some(&name), None, now).await?);
                events.push(updated(&mut tx, conversation.0, None, now).await?);
                tx.log_routing("requeued", Some(conversation.0), Some(agent.0), Some(group.0), &json!({ "reason": "agent_disabled" }), now)
                    .await?;
                tx.commit().await?;
                let c = self.store.conversation(conversation.0).await?;
                // Its visitor hears queue positions again.
                self.visitors.insert(conversation.0, c.visitor_id);
                if let Some(call) = ended_call {
                    self.calls.close(call);
                    crate::calls::refresh_metric(&self.store, &self.metrics).await;
                }
                announce_with(&self.store, &self.hub, &self.links, events, &[]).await;
            }
            Output::Overflowed { conversation, from, to } => {
                let mut tx = self.begin().await?;
                tx.set_queued(conversation.0, to.0).await?;
                tx.record_fact(&Fact::Overflowed { conversation: *conversation, from: *from, to: *to }, now).await?;
                let event = updated(&mut tx, conversation.0, None, now).await?;
                tx.log_routing("overflowed", Some(conversation.0), None, Some(to.0), &json!({ "from": from.0, "to": to.0 }), now).await?;
                tx.commit().await?;
                announce_with(&self.store, &self.hub, &self.links, vec![event], &[]).await;
            }
            Output::AgentStatusChanged { agent, status, reason } => {
                self.save_status(agent.0, status).await;
                let mut tx = self.begin().await?;
                tx.log_routing(
                    "agent_status",
                    None,
                    Some(agent.0),
                    None,
                    &json!({ "status": status_text(status).0, "reason": reason }),
                    now,
                )
                .await?;
                tx.commit().await?;
            }
            Output::QueueChanged { .. } | Output::Timeout(_) => {}
        }
        Ok(())
    }

    /// Store an agent's status and announce it to the agent and supervisors.
    /// The change and its fact commit together; an unchanged status writes no fact.
    pub(crate) async fn save_status(&mut self, agent: i64, status: &AgentStatus) {
        self.save_statuses(&[(agent, status.clone())]).await;
    }

    /// Store agents' statuses (in the order set) in one transaction, then announce each agent
    /// once. A batch that fails is written again one status per transaction, so one bad row
    /// never sinks the others.
    pub(crate) async fn save_statuses(&mut self, statuses: &[(i64, AgentStatus)]) {
        match self.write_statuses(statuses).await {
            Ok(()) => {}
            Err(e) if statuses.len() > 1 => {
                tracing::warn!(error = ?e, statuses = statuses.len(), "a batch of agent statuses failed; writing each alone");
                for one in statuses {
                    if let Err(e) = self.write_statuses(std::slice::from_ref(one)).await {
                        tracing::error!(agent = one.0, error = ?e, "could not store an agent status");
                    }
                }
            }
            Err(e) => tracing::error!(agent = statuses.first().map(|s| s.0), error = ?e, "could not store an agent status"),
        }
        let agents: BTreeSet<i64> = statuses.iter().map(|s| s.0).collect();
        self.announce_agents(&agents.into_iter().collect::<Vec<_>>()).await;
    }

    /// The statuses with one read and one update in all, and a fact for each that changed.
    async fn write_statuses(&mut self, statuses: &[(i64, AgentStatus)]) -> ApiResult<()> {
        let now = now_ms();
        let changes: Vec<StatusChange> = statuses
            .iter()
            .map(|(agent, status)| {
                let (text, reason, until) = status_text(status);
                StatusChange { agent_id: *agent, status: text, away_reason: reason, wrap_up_until: until }
            })
            .collect();
        let mut tx = self.begin().await?;
        let before = tx.set_user_statuses(&changes).await?;
        for ((agent, status), (was, was_reason)) in statuses.iter().zip(before) {
            let from = StatusFact { status: was, reason: was_reason };
            let to = StatusFact::of(status);
            if from != to {
                tx.record_fact(&Fact::AgentStatus { agent: kefu_core::AgentId(*agent), from, to }, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Send the agent's live view to them and to supervisors.
    pub(crate) async fn announce_agent(&self, agent: i64) {
        self.announce_agents(&[agent]).await;
    }

    /// Send each agent's live view to them and to supervisors: two reads, whatever their number.
    pub(crate) async fn announce_agents(&self, agents: &[i64]) {
        if agents.is_empty() {
            return;
        }
        let (Ok(users), Ok(members)) = (self.store.users_in(agents).await, self.store.members().await) else { return };
        for u in &users {
            let view = crate::agents::build(u, &members, self.router.agent(kefu_core::AgentId(u.id)).as_ref());
            let f = frame("agent.status", None, None, &serde_json::to_value(view).unwrap_or_default());
            self.hub.to_user(u.id, &f);
            self.hub.to_supervisors(&f);
        }
        self.floor.poke();
    }

    /// Tell waiting visitors whose place or estimate changed where they stand now (the others
    /// were told already; a visitor who reconnects reads it with their conversation).
    fn announce_positions(&mut self, group: GroupId) {
        let before = self.told.remove(&group).unwrap_or_default();
        let mut now = std::collections::HashMap::new();
        for (conversation, info) in self.router.queue_positions(group) {
            now.insert(conversation.0, info);
            if before.get(&conversation.0) == Some(&info) {
                continue;
            }
            let data = serde_json::to_value(QueueView { position: info.position, estimated_wait_secs: info.estimated_wait_secs })
                .unwrap_or_default();
            let f = frame("queue.position", Some(conversation.0), None, &data);
            if let Some(visitor) = self.waiting_visitor(conversation.0) {
                self.hub.to_visitor(visitor, &f);
            }
        }
        if !now.is_empty() {
            self.told.insert(group, now);
        }
    }
}
