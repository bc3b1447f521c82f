//! Accepted offers, stored a run at a time: concurrent accepts share one transaction and a few
//! statements in all (`kefu_store::assign_batch`), not a dozen each, then each is announced.
//! Every assignment writes what one accept always wrote: the conversation assigned, its
//! `assigned` system message and `conversation.updated` event (with the webhook), the
//! `answered` fact, the routing log line and, for a call, the answered call.
//!
//! What does not change: stored before announced, the transaction fenced (`Engine::begin`),
//! and a run whose write fails is written again one accept per transaction, so one bad row
//! never sinks the others.

use std::collections::BTreeSet;

use kefu_core::{Fact, Output};
use kefu_store::{ConversationRow, NewAssignment, NewCall, NewEvent, NewMessage, RoutingLine};
use serde_json::{json, Value};

use crate::calls::record::record;
use crate::clock::now_ms;
use crate::conversations::{announce_to, view_from_parts, Pending};
use crate::error::{ApiError, ApiResult};
use crate::routing::Engine;
use crate::views::MessageView;

/// Sequence numbers each assignment takes: its system message, then `conversation.updated`.
const SEQS: i64 = 2;

/// An assignment written, to announce after the commit.
struct Assigned {
    /// The conversation as the transaction left it (who to tell).
    row: ConversationRow,
    events: Vec<Pending>,
    agent: i64,
    /// A call was answered with it (the active-calls figure changes).
    call: bool,
}

impl Engine {
    /// Store assignments, then announce each. Returns the agents whose load changed.
    pub(crate) async fn assign_all(&mut self, outs: &[Output]) -> Vec<i64> {
        let now = now_ms();
        let mut done = Vec::with_capacity(outs.len());
        match self.write_assigned(outs, now).await {
            Ok(written) => done = written,
            Err(e) if outs.len() > 1 => {
                tracing::warn!(error = ?e, assignments = outs.len(), "a batch of assignments failed; writing each alone");
                for out in outs {
                    match self.write_assigned(std::slice::from_ref(out), now).await {
                        Ok(written) => done.extend(written),
                        Err(e) => tracing::error!(output = ?out, error = ?e, "could not store an assignment"),
                    }
                }
            }
            Err(e) => tracing::error!(output = ?outs.first(), error = ?e, "could not store an assignment"),
        }
        let mut agents = Vec::with_capacity(done.len());
        let mut calls = false;
        for a in done {
            announce_to(&self.hub, &self.links, &a.row, a.events, &[]);
            self.metrics.assignments.inc();
            calls |= a.call;
            agents.push(a.agent);
        }
        if calls {
            crate::calls::refresh_metric(&self.store, &self.metrics).await;
        }
        agents
    }

    /// Write a run of assignments in one transaction.
    async fn write_assigned(&self, outs: &[Output], now: i64) -> ApiResult<Vec<Assigned>> {
        let run: Vec<(NewAssignment, i64)> = outs
            .iter()
            .filter_map(|o| match o {
                Output::Assigned { conversation, agent, group } => {
                    Some((NewAssignment { conversation_id: conversation.0, agent_id: agent.0 }, group.0))
                }
                _ => None,
            })
            .collect();
        let distinct: BTreeSet<i64> = run.iter().map(|(a, _)| a.conversation_id).collect();
        if distinct.len() != run.len() {
            // The same conversation twice in a run (it never happens: an accept ends the
            // offer): one at a time keeps their order.
            return Err(ApiError::Internal(anyhow::anyhow!("a conversation was assigned twice in one run")));
        }
        let mut tx = self.begin().await?;
        tx.lock_conversations(&distinct.iter().copied().collect::<Vec<_>>()).await?;
        let new: Vec<NewAssignment> = run.iter().map(|(a, _)| *a).collect();
        let stored = tx.set_assigned_many(&new, SEQS, now).await?;
        let agents: Vec<i64> = new.iter().map(|a| a.agent_id).collect::<BTreeSet<_>>().into_iter().collect();
        let names = tx.user_names(&agents).await?;
        let name_of = |agent: i64| names.get(&agent).map(String::as_str).ok_or(kefu_store::StoreError::NotFound);
        // The `assigned` line in the chat, with the agent's name.
        let messages = stored
            .iter()
            .zip(&new)
            .map(|((row, seq), a)| {
                let m = NewMessage {
                    conversation_id: row.id,
                    sender: "system",
                    sender_id: None,
                    sender_name: Some(name_of(a.agent_id)?),
                    kind: "event",
                    body: "assigned",
                    attachment_id: None,
                    client_id: None,
                    data: None,
                };
                Ok((m, *seq, now))
            })
            .collect::<kefu_store::Result<Vec<_>>>()?;
        let messages = tx.insert_messages(&messages).await?;
        // Each view is of the row as it was after its message and before its update event.
        let rows: Vec<ConversationRow> = stored
            .iter()
            .map(|(row, seq)| {
                let mut row = row.clone();
                row.last_seq = *seq;
                row
            })
            .collect();
        let parts = tx.view_parts_of(rows.clone(), &names).await?;
        if parts.len() != rows.len() {
            return Err(kefu_store::StoreError::NotFound.into());
        }
        let message_data: Vec<Value> = messages.iter().map(|m| json_of(&MessageView::build(m, None))).collect::<ApiResult<_>>()?;
        let view_data: Vec<Value> = parts.iter().map(|p| json_of(&view_from_parts(p))).collect::<ApiResult<_>>()?;
        let mut events = Vec::with_capacity(2 * rows.len());
        for ((row, seq), (message, view)) in stored.iter().zip(message_data.iter().zip(&view_data)) {
            events.push(NewEvent { conversation_id: row.id, seq: *seq, kind: "message.created", data: message, at: now });
            events.push(NewEvent { conversation_id: row.id, seq: seq + 1, kind: "conversation.updated", data: view, at: now });
        }
        tx.insert_events(&events).await?;
        let hooks: Vec<(Value, i64)> =
            view_data.iter().map(|v| (json!({ "event": "conversation.assigned", "conversation": v }), now)).collect();
        tx.enqueue_webhooks_each("conversation.assigned", &hooks).await?;
        let mut done = Vec::with_capacity(rows.len());
        let mut lines = Vec::with_capacity(rows.len());
        let seqs = stored.iter().map(|s| s.1);
        for (((row, seq), (message, view)), (a, group)) in rows.into_iter().zip(seqs).zip(message_data.into_iter().zip(view_data)).zip(&run)
        {
            let mut announced =
                vec![Pending::new(row.id, seq, "message.created", message), Pending::new(row.id, seq + 1, "conversation.updated", view)];
            // A conversation queued for a call: taking the offer answers it (the router holds
            // the call slot from the offer on).
            let call = row.media == "video" || row.media == "voice";
            if call {
                let new = NewCall { conversation_id: row.id, media: &row.media, started_by: "visitor", answered: true };
                let call = tx.insert_call(&new, now).await?;
                announced.extend(record(&mut tx, &call, now).await?);
            }
            let answered = Fact::Answered {
                conversation: kefu_core::ConversationId(row.id),
                agent: kefu_core::AgentId(a.agent_id),
                group: kefu_core::GroupId(*group),
            };
            tx.record_fact(&answered, now).await?;
            lines.push(RoutingLine {
                conversation_id: Some(row.id),
                agent_id: Some(a.agent_id),
                group_id: Some(*group),
                detail: json!({}),
            });
            done.push(Assigned { row, events: announced, agent: a.agent_id, call });
        }
        tx.log_routing_many("assigned", &lines, now).await?;
        tx.commit().await?;
        Ok(done)
    }
}

/// A view as the JSON its event and webhook carry.
fn json_of(v: &impl serde::Serialize) -> ApiResult<Value> {
    serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into()))
}
