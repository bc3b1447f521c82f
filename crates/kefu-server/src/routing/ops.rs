//! Operations the routes ask of the routing task. Each is checked by the router first; what it
//! changes is then written, and only then announced.

use kefu_core::{AgentId, AgentStatus, ConversationId, GroupId, Input, Millis, SkillLevel};
use kefu_core::{ClosedBy, ConversationStatus, Fact, ReturningBy, Strategy};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::clock::now_ms;
use crate::conversations::{announce_with, system_message, updated};
use crate::error::{ApiError, ApiResult, ErrorCode, ErrorParams};
use crate::routing::load::{agent_input, group_config};
use crate::routing::Engine;

/// What the routing task can be asked to do (plain data: it may travel to the owner node).
#[derive(Debug, Serialize, Deserialize)]
pub enum Op {
    /// A stored, queued conversation enters its group's line (carrying what its starter wrote,
    /// so the routing task does not read the conversation again).
    Enqueue(Queued),
    /// The agent accepts an offer.
    Accept { conversation: i64, agent: i64 },
    /// The agent declines an offer.
    Decline { conversation: i64, agent: i64 },
    /// Move to another group's line, with a note for the next agent.
    TransferToGroup { conversation: i64, group: i64, by: i64, note: Option<String> },
    /// Offer to one agent, with a note.
    TransferToAgent { conversation: i64, agent: i64, by: i64, note: Option<String> },
    /// A supervisor (接管) serves it from now on, from whoever held it or from the line.
    TakeOver { conversation: i64, by: i64 },
    /// The agent closes it with a wrap-up code.
    Close { conversation: i64, by: i64, code: String, note: Option<String> },
    /// The visitor gave up while waiting.
    Abandon { conversation: i64 },
    /// A supervisor (`by`; None for an API key) blocked the visitor: the conversation closes
    /// whoever holds it, with a system line carrying the reason.
    CloseBlocked { conversation: i64, by: Option<i64>, reason: String },
    /// An agent sets their status.
    SetStatus { agent: i64, status: AgentStatus },
    /// The agent's last workspace connection closed a while ago: a ready agent goes away.
    /// A socket of the agent closed at `closed_at` (ms) and none came back within the grace;
    /// the core decides (a status set since stands).
    AgentDisconnected { agent: i64, closed_at: i64 },
    /// An agent's capacity, memberships or enabled flag changed in the database.
    AgentChanged { agent: i64 },
    /// A group's settings changed in the database.
    GroupChanged { group: i64 },
    /// A group is about to be deleted: refused while the router holds conversations in it.
    RemoveGroup { group: i64 },
    /// Start a ringing call (`media`: video | voice; `started_by`: visitor | agent): refused
    /// unless the agent has a free call slot.
    StartCall { conversation: i64, media: String, started_by: String },
    /// The other side answers a ringing call.
    AnswerCall { call: i64 },
    /// End a call (only from status `only_if` when given); frees the agent's call slot.
    EndCall { call: i64, reason: String, only_if: Option<kefu_core::CallStatus> },
}

/// A queued conversation as the router needs it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Queued {
    pub conversation: i64,
    pub visitor: i64,
    pub group: i64,
    /// `chat`, `video` or `voice` (as stored).
    pub media: String,
    pub priority: i64,
    pub queued_at: i64,
    pub min_skill_level: i64,
    /// Taken back from an agent: it waits at the front of the line.
    pub front: bool,
}

impl Queued {
    /// From its stored row.
    pub fn of(c: &kefu_store::ConversationRow) -> Queued {
        Queued {
            conversation: c.id,
            visitor: c.visitor_id,
            group: c.group_id,
            media: c.media.clone(),
            priority: c.priority,
            queued_at: c.queued_at,
            min_skill_level: c.min_skill_level,
            front: c.returned_to_queue,
        }
    }
}

/// What the routing task keeps of a group to name the agent a customer waits for (read once,
/// replaced when the group changes: `Op::GroupChanged`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct GroupNaming {
    pub strategy: Strategy,
    pub returning_by: ReturningBy,
}

impl Engine {
    /// Feed one input to the router and apply what it decides.
    pub(crate) async fn input(&mut self, input: Input) -> ApiResult<()> {
        self.router.handle_input(Millis(now_ms()), input)?;
        self.drain().await;
        Ok(())
    }

    pub(crate) async fn run(&mut self, op: Op) -> ApiResult<()> {
        let now = Millis(now_ms());
        match op {
            Op::Enqueue(queued) => {
                let input = self.queued_input(&queued).await;
                self.input(input).await
            }
            Op::Accept { conversation, agent } => {
                self.input(Input::OfferAccepted { conversation: ConversationId(conversation), agent: AgentId(agent) }).await
            }
            Op::Decline { conversation, agent } => {
                self.input(Input::OfferDeclined { conversation: ConversationId(conversation), agent: AgentId(agent) }).await
            }
            // A transfer is checked with the router, written, and only then made in the router:
            // a failed write leaves the router and the database agreeing.
            Op::TransferToGroup { conversation, group, by, note } => {
                let (id, to) = (ConversationId(conversation), GroupId(group));
                self.router.check_transfer_to_group(id, to)?;
                let group_name = self.store.group(group).await?.name;
                let detail = json!({ "to_group": group, "to_group_name": group_name, "note": note });
                self.record_transfer(conversation, by, None, &detail, (Some(group), None)).await?;
                self.apply_recorded(now, Input::TransferToGroup { conversation: id, group: to }).await
            }
            Op::TransferToAgent { conversation, agent, by, note } => {
                let (id, to) = (ConversationId(conversation), AgentId(agent));
                self.router.check_transfer_to_agent(id, to)?;
                let agent_name = self.store.user(agent).await?.name;
                let detail = json!({ "to_agent": agent, "to_agent_name": agent_name, "note": note });
                self.record_transfer(conversation, by, None, &detail, (None, Some(agent))).await?;
                self.apply_recorded(now, Input::TransferToAgent { conversation: id, agent: to }).await
            }
            // Written like a transfer to the supervisor (the customer reads who serves them now;
            // staff read that it was a take-over), then made in the router.
            Op::TakeOver { conversation, by } => {
                let (id, to) = (ConversationId(conversation), AgentId(by));
                self.router.check_take_over(id, to)?;
                let name = self.store.user(by).await?.name;
                let detail = json!({ "to_agent": by, "to_agent_name": name, "taken_over": true });
                let from = self.router.holder(id).map(|a| a.0);
                self.record_transfer(conversation, by, from, &detail, (None, Some(by))).await?;
                self.apply_recorded(now, Input::TakeOver { conversation: id, agent: to }).await
            }
            Op::Close { conversation, by, code, note } => {
                if self.router.holder(ConversationId(conversation)) != Some(AgentId(by)) {
                    if self.store.conversation(conversation).await?.status == ConversationStatus::Closed {
                        return Err(closed());
                    }
                    return Err(ApiError::Conflict("only the agent serving the conversation can close it".into()));
                }
                self.finish(conversation, Ending::Closed { code: &code, note: note.as_deref() }, Some(by)).await
            }
            Op::Abandon { conversation } => {
                if self.router.holder(ConversationId(conversation)).is_some() {
                    let c = self.store.conversation(conversation).await?;
                    if c.status == ConversationStatus::Assigned {
                        return Err(ApiError::Conflict("an agent is serving this conversation; the agent closes it".into()));
                    }
                }
                self.finish(conversation, Ending::Abandoned, None).await
            }
            Op::CloseBlocked { conversation, by, reason } => self.finish(conversation, Ending::Blocked { reason: &reason }, by).await,
            Op::SetStatus { agent, status } => {
                self.router.handle_input(now, Input::AgentStatusSet { agent: AgentId(agent), status: status.clone() })?;
                self.save_status(agent, &status).await;
                self.drain().await;
                Ok(())
            }
            Op::AgentDisconnected { agent, closed_at } => {
                // Unknown to the router (disabled meanwhile): nothing to undo.
                let Some(before) = self.router.agent(AgentId(agent)).map(|a| a.status) else { return Ok(()) };
                self.router.handle_input(now, Input::AgentDisconnected { agent: AgentId(agent), closed_at: Millis(closed_at) })?;
                let after = self.router.agent(AgentId(agent)).map(|a| a.status);
                if let Some(status) = after.filter(|s| *s != before) {
                    self.save_status(agent, &status).await;
                    self.drain().await;
                }
                Ok(())
            }
            Op::AgentChanged { agent } => {
                let u = self.store.user(agent).await?;
                let members = self.store.members().await?;
                let mine = members
                    .iter()
                    .filter(|m| m.agent_id == agent)
                    .filter_map(|m| Some((GroupId(m.group_id), SkillLevel::parse(m.skill_level)?)))
                    .collect();
                self.router.handle_input(now, agent_input(&u, mine))?;
                if !u.enabled {
                    // What they were serving goes back to the front of the line (Output::Requeued).
                    self.router.handle_input(now, Input::AgentDisabled { agent: AgentId(agent) })?;
                    self.save_status(agent, &AgentStatus::Offline).await;
                }
                self.drain().await;
                Ok(())
            }
            Op::GroupChanged { group } => {
                let g = self.store.group(group).await?;
                let config = group_config(&g).map_err(ApiError::Validation)?;
                self.groups.insert(group, GroupNaming { strategy: g.strategy, returning_by: g.returning_by });
                self.input(Input::GroupUpdated { group: GroupId(group), config }).await
            }
            Op::RemoveGroup { group } => {
                if !self.router.waiting_in(GroupId(group)).is_empty() {
                    return Err(ApiError::Conflict("the group still has waiting conversations".into()));
                }
                self.groups.remove(&group);
                match self.router.handle_input(now, Input::GroupRemoved { group: GroupId(group) }) {
                    Ok(()) | Err(kefu_core::CoreError::UnknownGroup(_)) => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }
            Op::StartCall { conversation, media, started_by } => self.start_call(conversation, &media, &started_by).await,
            Op::AnswerCall { call } => self.answer_call(call).await,
            Op::EndCall { call, reason, only_if } => self.end_call(call, &reason, only_if).await,
        }
    }

    /// The earlier agent a returning customer should wait for, per the group's setting.
    pub(crate) async fn named_agent(&mut self, visitor: i64, group: i64) -> Option<AgentId> {
        let g = match self.groups.get(&group) {
            Some(g) => *g,
            None => {
                let row = self.store.group(group).await.ok()?;
                let g = GroupNaming { strategy: row.strategy, returning_by: row.returning_by };
                self.groups.insert(group, g);
                g
            }
        };
        if g.strategy == Strategy::Designated {
            return self.store.visitor(visitor).await.ok()?.designated_agent_id.map(AgentId);
        }
        if g.strategy != Strategy::ReturningCustomer {
            return None;
        }
        let found = if g.returning_by == ReturningBy::Most {
            self.store.most_served_agent(visitor, group).await
        } else {
            self.store.last_agent(visitor, group).await
        };
        found.ok().flatten().map(AgentId)
    }

    /// Make a change the database already holds in the router too. The router was asked first,
    /// and nothing else reached it in between (this task is its only user), so a refusal here
    /// is a broken rule: logged loudly, and the database stays the truth a restart rebuilds.
    async fn apply_recorded(&mut self, now: Millis, input: Input) -> ApiResult<()> {
        if let Err(e) = self.router.handle_input(now, input) {
            tracing::error!(error = %e, "the router refused a change it had accepted a moment before");
            return Err(ApiError::Internal(anyhow::anyhow!("router refused a checked change: {e}")));
        }
        self.drain().await;
        Ok(())
    }

    /// `also`: who else hears of it (the agent a take-over takes it from), besides `by`; `to`: the group,
    /// or the agent, it goes to.
    async fn record_transfer(
        &mut self,
        conversation: i64,
        by: i64,
        also: Option<i64>,
        detail: &serde_json::Value,
        to: (Option<i64>, Option<i64>),
    ) -> ApiResult<()> {
        let (to_group, to_agent) = to;
        let now = now_ms();
        let by_name = self.store.user(by).await?.name;
        let mut tx = self.begin().await?;
        let c = tx.conversation(conversation).await?;
        tx.set_queued(conversation, to_group.unwrap_or(c.group_id)).await?;
        let fact = Fact::Transferred {
            conversation: ConversationId(conversation),
            // A take-over moves it from the agent it is taken from (`also`), not from its taker.
            from_agent: AgentId(also.unwrap_or(by)),
            to_group: to_group.map(GroupId),
            to_agent: to_agent.map(AgentId),
        };
        tx.record_fact(&fact, now).await?;
        let mut events = vec![system_message(&mut tx, conversation, "transferred", Some(&by_name), Some(detail), now).await?];
        events.push(updated(&mut tx, conversation, Some("conversation.transferred"), now).await?);
        tx.log_routing("transferred", Some(conversation), Some(by), to_group, detail, now).await?;
        tx.commit().await?;
        let told: Vec<i64> = std::iter::once(by).chain(also).collect();
        announce_with(&self.store, &self.hub, &self.links, events, &told).await;
        Ok(())
    }

    /// Close (by an agent or a block) or abandon (by the visitor): write, then tell the router.
    async fn finish(&mut self, conversation: i64, how: Ending<'_>, by: Option<i64>) -> ApiResult<()> {
        let now = now_ms();
        let c = self.store.conversation(conversation).await?;
        if !c.status.can_become(ConversationStatus::Closed) {
            return Err(closed());
        }
        let offered_to = c.offered_agent_id;
        let (abandoned, code, note, code_text, detail) = match how {
            Ending::Closed { code, note } => (false, Some(code), note, "closed", None),
            Ending::Abandoned => (true, None, None, "abandoned", None),
            Ending::Blocked { reason } => (false, None, None, "blocked", Some(json!({ "reason": reason }))),
        };
        let by_name = match by {
            Some(a) => Some(self.store.user(a).await?.name),
            None => None,
        };
        let mut tx = self.begin().await?;
        // Its call ends with it (and first, so the timeline reads in order).
        let call = crate::calls::record::end_open_call(&mut tx, conversation, "conversation_closed", now).await?;
        let (ended_call, mut events) = call.map_or((None, vec![]), |(row, events)| (Some(row.id), events));
        tx.set_closed(conversation, now, abandoned, code, note).await?;
        let fact = if abandoned {
            Fact::Abandoned {
                conversation: ConversationId(conversation),
                group: GroupId(c.group_id),
                waited_ms: (now - c.queued_at).max(0),
            }
        } else {
            let (visitor_messages, agent_messages) = tx.message_counts(conversation).await?;
            Fact::Closed {
                conversation: ConversationId(conversation),
                group: GroupId(c.group_id),
                agent: c.agent_id.map(AgentId),
                by: if code.is_some() { ClosedBy::Agent } else { ClosedBy::Block },
                wrap_up_code: code.map(str::to_string),
                visitor_messages,
                agent_messages,
            }
        };
        tx.record_fact(&fact, now).await?;
        events.push(system_message(&mut tx, conversation, code_text, by_name.as_deref(), detail.as_ref(), now).await?);
        events.push(updated(&mut tx, conversation, Some("conversation.closed"), now).await?);
        let log = detail.unwrap_or_else(|| json!({ "wrap_up_code": code }));
        tx.log_routing(code_text, Some(conversation), by, Some(c.group_id), &log, now).await?;
        tx.commit().await?;
        self.visitors.remove(&conversation);
        if self.router.contains(ConversationId(conversation)) {
            // Read the clock again: the agent's wrap-up starts now that the close is stored (on a
            // busy database the writes above can take a while, and a wrap-up timed from before
            // them would end early, or at once, while its status facts said it took no time).
            let ended = Input::ConversationEnded { conversation: ConversationId(conversation) };
            self.router.handle_input(Millis(now_ms()), ended)?;
        }
        if let Some(call) = ended_call {
            // The router freed the call slot with the conversation; the room still has to go.
            self.call_ended(call, conversation).await;
        }
        announce_with(&self.store, &self.hub, &self.links, events, &offered_to.into_iter().collect::<Vec<_>>()).await;
        if c.agent_id.is_some() {
            // Quality inspection runs on its own task: the routing task never waits for it.
            crate::qa::score_later(self.store.clone(), conversation);
        }
        if abandoned {
            self.metrics.abandoned.inc();
        }
        self.drain().await;
        Ok(())
    }
}

/// How a conversation ends.
enum Ending<'a> {
    /// By its agent, with a wrap-up code.
    Closed { code: &'a str, note: Option<&'a str> },
    /// By the visitor, while waiting.
    Abandoned,
    /// By a supervisor blocking the visitor.
    Blocked { reason: &'a str },
}

/// A second close (or a leave after the close): said as such, so a UI does not show a generic conflict.
fn closed() -> ApiError {
    ApiError::coded(ErrorCode::AlreadyClosed, "the conversation is already closed", ErrorParams::default())
}
