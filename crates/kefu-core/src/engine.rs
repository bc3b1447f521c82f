//! The router's behaviour: inputs change state, then `dispatch` fills free capacity in line order.
//!
//! Dispatch rule (first come, first served): repeatedly take, across all groups, the earliest
//! waiting conversation (priority, then arrival) that some available agent may serve, and offer
//! it to the agent the group's strategy picks. A conversation held for a named agent (returning
//! customer / designated) may be served only by that agent while the hold lasts; an agent who
//! declined or missed a conversation may not be offered it again for a while.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rand::{rngs::SmallRng, SeedableRng};

use crate::agent::{AgentState, AgentStatus, AwayReason, DISCONNECTED};
use crate::group::{GroupConfig, Strategy};
use crate::pick::{pick, Candidate};
use crate::router::*;
use crate::types::{AgentId, Capacity, ConversationId, GroupId, Media, Millis, SkillLevel};

const HANDLE_EWMA_WEIGHT: f64 = 0.2;

enum Pick {
    Named(AgentId),
    Among(Vec<Candidate>),
}

impl Router {
    /// An empty router.
    pub fn new(config: RouterConfig) -> Router {
        Router {
            rng: SmallRng::seed_from_u64(config.seed),
            config,
            agents: BTreeMap::new(),
            groups: BTreeMap::new(),
            convs: BTreeMap::new(),
            timers: BTreeSet::new(),
            outputs: VecDeque::new(),
            changed_groups: BTreeSet::new(),
        }
    }

    /// Apply one input at time `now`, then route whatever can be routed. On error nothing changed.
    pub fn handle_input(&mut self, now: Millis, input: Input) -> Result<(), CoreError> {
        match input {
            Input::GroupUpdated { group, config } => self.update_group(group, config)?,
            Input::GroupRemoved { group } => self.remove_group(group)?,
            Input::AgentUpdated { agent, capacity, groups } => self.update_agent(now, agent, capacity, groups)?,
            Input::AgentRemoved { agent } => self.remove_agent(agent)?,
            Input::AgentDisabled { agent } => self.disable_agent(now, agent)?,
            Input::AgentStatusSet { agent, status } => {
                self.set_status(now, agent, status)?;
                // Declared from outside; the router's own changes (a wrap-up ending, missed
                // offers) are not a choice a disconnect must respect.
                self.agents.get_mut(&agent).expect("set_status found the agent").status_since = now;
            }
            Input::AgentDisconnected { agent, closed_at } => self.disconnected(now, agent, closed_at)?,
            Input::ConversationQueued(w) => self.enqueue(now, w)?,
            Input::ConversationAssigned { conversation, group, media, agent, assigned_at } => {
                self.restore_assigned(conversation, group, media, agent, assigned_at)?
            }
            Input::OfferAccepted { conversation, agent } => self.accept(now, conversation, agent)?,
            Input::OfferDeclined { conversation, agent } => {
                self.check_offered(conversation, agent)?;
                self.withdraw(now, conversation, WithdrawReason::Declined);
            }
            Input::TransferToGroup { conversation, group } => self.transfer_to_group(now, conversation, group)?,
            Input::TransferToAgent { conversation, agent } => self.transfer_to_agent(now, conversation, agent)?,
            Input::TakeOver { conversation, agent } => self.take_over(now, conversation, agent)?,
            Input::CallStarted { conversation } => self.start_call(conversation)?,
            Input::CallEnded { conversation } => self.end_call(conversation)?,
            Input::ConversationEnded { conversation } => self.end(now, conversation)?,
            Input::Tick => self.fire_timers(now),
        }
        self.dispatch(now);
        for group in std::mem::take(&mut self.changed_groups) {
            self.outputs.push_back(Output::QueueChanged { group });
        }
        Ok(())
    }

    /// The next decision, or `Timeout` when there is none.
    pub fn poll_output(&mut self) -> Output {
        self.outputs.pop_front().unwrap_or_else(|| Output::Timeout(self.timers.first().map(|&(at, _)| at)))
    }

    // ---- configuration -------------------------------------------------------------------

    fn update_group(&mut self, id: GroupId, config: GroupConfig) -> Result<(), CoreError> {
        if config.overflow_to == Some(id) {
            return Err(CoreError::InvalidConfig("a group cannot overflow into itself".into()));
        }
        if config.overflow_after_secs.is_some() != config.overflow_to.is_some() {
            return Err(CoreError::InvalidConfig("overflow needs both a time and a target group".into()));
        }
        if config.overflow_after_secs == Some(0) {
            // Zero would let two groups pass a conversation back and forth forever.
            return Err(CoreError::InvalidConfig("overflow_after_secs must be at least 1".into()));
        }
        if let Some(to) = config.overflow_to.filter(|to| !self.groups.contains_key(to)) {
            return Err(CoreError::InvalidConfig(format!("overflow target group {} does not exist", to.0)));
        }
        if let Some(hours) = &config.business_hours {
            hours.validate().map_err(|e| CoreError::InvalidConfig(e.to_string()))?;
        }
        let avg = f64::from(self.config.default_handle_secs) * 1000.0;
        let group = self.groups.entry(id).or_insert_with(|| Group {
            config: config.clone(),
            members: BTreeMap::new(),
            queues: Default::default(),
            available: Default::default(),
            rr_last: None,
            avg_handle_ms: avg,
            dirty: true,
        });
        group.config = config;
        group.dirty = true;
        self.changed_groups.insert(id);
        Ok(())
    }

    fn remove_group(&mut self, id: GroupId) -> Result<(), CoreError> {
        if !self.groups.contains_key(&id) {
            return Err(CoreError::UnknownGroup(id));
        }
        let overflow_source = self.groups.values().any(|g| g.config.overflow_to == Some(id));
        if overflow_source || self.convs.values().any(|c| c.group == id) {
            return Err(CoreError::GroupInUse(id));
        }
        let group = self.groups.remove(&id).expect("checked above");
        for agent in group.members.keys() {
            if let Some(a) = self.agents.get_mut(agent) {
                a.groups.remove(&id);
            }
        }
        Ok(())
    }

    fn update_agent(&mut self, now: Millis, id: AgentId, capacity: Capacity, groups: Vec<(GroupId, SkillLevel)>) -> Result<(), CoreError> {
        if let Some((g, _)) = groups.iter().find(|(g, _)| !self.groups.contains_key(g)) {
            return Err(CoreError::UnknownGroup(*g));
        }
        let agent = self.agents.entry(id).or_insert_with(|| AgentState {
            status: AgentStatus::Offline,
            capacity,
            load: [0, 0],
            groups: BTreeMap::new(),
            last_offered_at: now,
            missed_in_row: 0,
            offers: BTreeSet::new(),
            status_since: now,
        });
        agent.capacity = capacity;
        let old: Vec<GroupId> = agent.groups.keys().copied().collect();
        agent.groups = groups.iter().copied().collect();
        for g in old {
            let group = self.groups.get_mut(&g).expect("memberships name existing groups");
            // A hold for this agent may stop applying there.
            group.dirty = true;
            group.members.remove(&id);
            for set in &mut group.available {
                set.remove(&id);
            }
        }
        for (g, level) in groups {
            let group = self.groups.get_mut(&g).expect("checked above");
            group.members.insert(id, level);
            group.dirty = true;
        }
        self.refresh_availability(id);
        Ok(())
    }

    fn remove_agent(&mut self, id: AgentId) -> Result<(), CoreError> {
        let agent = self.agents.get(&id).ok_or(CoreError::UnknownAgent(id))?;
        if agent.load.iter().any(|&l| l > 0) {
            return Err(CoreError::AgentInUse(id));
        }
        for g in agent.groups.keys() {
            let group = self.groups.get_mut(g).expect("memberships name existing groups");
            group.dirty = true;
            group.members.remove(&id);
            for set in &mut group.available {
                set.remove(&id);
            }
        }
        self.agents.remove(&id);
        Ok(())
    }

    /// The agent goes offline (their offers wait again in their usual place) and every
    /// conversation in service with them goes back to the front of its group's line.
    fn disable_agent(&mut self, now: Millis, id: AgentId) -> Result<(), CoreError> {
        self.set_status(now, id, AgentStatus::Offline)?;
        let held: Vec<ConversationId> =
            self.convs.iter().filter(|(_, c)| c.phase == Phase::Assigned { agent: id }).map(|(&c, _)| c).collect();
        for c in held {
            let conv = self.convs.get_mut(&c).expect("listed above");
            let (group, media, call) = (conv.group, conv.media, conv.call);
            conv.front = true;
            conv.named_agent = None;
            conv.assigned_at = None;
            // Its call (if any) cannot go on without its agent: the adapter ends it.
            conv.call = false;
            if call && media == Media::Chat {
                self.release(id, c, Media::Call);
            }
            self.release(id, c, media);
            self.outputs.push_back(Output::Requeued { conversation: c, agent: id, group });
            // Its overflow clock starts again: it was answered, so its old wait does not count.
            self.enter_group(c, group, now);
            self.put_in_line(now, c);
        }
        Ok(())
    }

    /// A socket of the agent closed at `closed_at` and none came back in time: a ready (or
    /// wrapping up) agent goes away (`disconnected`), unless their status was set since the
    /// socket closed — a choice made after it (over REST, from another device) stands.
    fn disconnected(&mut self, now: Millis, id: AgentId, closed_at: Millis) -> Result<(), CoreError> {
        let agent = self.agents.get(&id).ok_or(CoreError::UnknownAgent(id))?;
        if !matches!(agent.status, AgentStatus::Ready | AgentStatus::WrapUp { .. }) || agent.status_since > closed_at {
            return Ok(());
        }
        self.set_status(now, id, AgentStatus::Away(AwayReason::Other(DISCONNECTED.into())))
    }

    fn set_status(&mut self, now: Millis, id: AgentId, status: AgentStatus) -> Result<(), CoreError> {
        let agent = self.agents.get_mut(&id).ok_or(CoreError::UnknownAgent(id))?;
        if !agent.status.is_logged_in() && status.is_logged_in() {
            agent.last_offered_at = now;
        }
        if status == AgentStatus::Ready {
            agent.missed_in_row = 0;
        }
        if let AgentStatus::WrapUp { until } = status {
            self.timers.insert((until, Timer::WrapUpEnd(id)));
        }
        let leaving = !matches!(status, AgentStatus::Ready | AgentStatus::WrapUp { .. });
        agent.status = status;
        // A hold for this agent may start or stop applying in their groups.
        for g in agent.groups.keys() {
            self.groups.get_mut(g).expect("memberships name existing groups").dirty = true;
        }
        let agent = self.agents.get_mut(&id).expect("checked above");
        let offers: Vec<ConversationId> = if leaving { agent.offers.iter().copied().collect() } else { vec![] };
        for c in offers {
            self.withdraw(now, c, WithdrawReason::AgentUnavailable);
        }
        self.refresh_availability(id);
        Ok(())
    }

    // ---- conversations -------------------------------------------------------------------

    fn enqueue(&mut self, now: Millis, w: Waiting) -> Result<(), CoreError> {
        if self.convs.contains_key(&w.conversation) {
            return Err(CoreError::DuplicateConversation(w.conversation));
        }
        if !self.groups.contains_key(&w.group) {
            return Err(CoreError::UnknownGroup(w.group));
        }
        let conv = Conv {
            group: w.group,
            media: w.media,
            priority: w.priority,
            queued_at: w.queued_at,
            min_skill: w.min_skill,
            named_agent: w.named_agent,
            front: w.front,
            hold_until: None,
            overflow_at: None,
            phase: Phase::Waiting,
            excluded: Vec::new(),
            assigned_at: None,
            call: false,
        };
        self.convs.insert(w.conversation, conv);
        // A restored conversation entered its group when it was queued; a new one now.
        self.enter_group(w.conversation, w.group, w.queued_at.min(now));
        self.put_in_line(now, w.conversation);
        Ok(())
    }

    fn restore_assigned(
        &mut self,
        id: ConversationId,
        group: GroupId,
        media: Media,
        agent: AgentId,
        assigned_at: Millis,
    ) -> Result<(), CoreError> {
        if self.convs.contains_key(&id) {
            return Err(CoreError::DuplicateConversation(id));
        }
        if !self.groups.contains_key(&group) {
            return Err(CoreError::UnknownGroup(group));
        }
        let a = self.agents.get_mut(&agent).ok_or(CoreError::UnknownAgent(agent))?;
        a.load[media.index()] += 1;
        self.convs.insert(
            id,
            Conv {
                group,
                media,
                priority: Default::default(),
                queued_at: assigned_at,
                min_skill: SkillLevel::MIN,
                named_agent: None,
                front: false,
                hold_until: None,
                overflow_at: None,
                phase: Phase::Assigned { agent },
                excluded: Vec::new(),
                assigned_at: Some(assigned_at),
                // A conversation restored as a call holds its call slot as its media slot.
                call: media == Media::Call,
            },
        );
        self.refresh_availability(agent);
        Ok(())
    }

    /// Set the group-dependent timers of a conversation entering `group` at `entered`.
    fn enter_group(&mut self, id: ConversationId, group: GroupId, entered: Millis) {
        let config = &self.groups[&group].config;
        let hold_until = match self.convs[&id].named_agent {
            Some(_) if config.strategy.names_agent() => Some(entered.plus_secs(config.hold_secs)),
            _ => None,
        };
        let overflow_at = match (config.overflow_after_secs, config.overflow_to) {
            (Some(after), Some(_)) => Some(entered.plus_secs(after)),
            _ => None,
        };
        let conv = self.convs.get_mut(&id).expect("caller inserted it");
        conv.group = group;
        conv.hold_until = hold_until;
        conv.overflow_at = overflow_at;
        if let Some(at) = hold_until {
            self.timers.insert((at, Timer::Recheck));
        }
        if let Some(at) = overflow_at {
            self.timers.insert((at, Timer::Overflow(id)));
        }
    }

    /// Put a conversation (back) in its group's line, or overflow it if its time is up.
    fn put_in_line(&mut self, now: Millis, id: ConversationId) {
        let conv = self.convs.get_mut(&id).expect("caller knows it exists");
        conv.phase = Phase::Waiting;
        let (due, group) = (conv.overflow_at.is_some_and(|at| at <= now), conv.group);
        if due && self.overflow_target(group).is_some() {
            self.overflow(now, id);
            return;
        }
        let conv = &self.convs[&id];
        let key = conv.key(id);
        let (group, media) = (conv.group, conv.media);
        let g = self.groups.get_mut(&group).expect("conversations name existing groups");
        g.queues[media.index()].insert(key);
        g.dirty = true;
        self.changed_groups.insert(group);
    }

    /// Where a group's long waiters go, if that group exists.
    fn overflow_target(&self, group: GroupId) -> Option<GroupId> {
        self.groups.get(&group)?.config.overflow_to.filter(|to| self.groups.contains_key(to))
    }

    fn take_out_of_line(&mut self, id: ConversationId) {
        let conv = &self.convs[&id];
        let key = conv.key(id);
        if let Some(g) = self.groups.get_mut(&conv.group) {
            if g.queues[conv.media.index()].remove(&key) {
                self.changed_groups.insert(conv.group);
            }
        }
    }

    /// Move a waiting conversation to its group's overflow target (the caller checked there is one).
    fn overflow(&mut self, now: Millis, id: ConversationId) {
        let from = self.convs[&id].group;
        let Some(to) = self.overflow_target(from) else { return };
        self.take_out_of_line(id);
        self.enter_group(id, to, now);
        self.outputs.push_back(Output::Overflowed { conversation: id, from, to });
        self.put_in_line(now, id);
    }

    fn check_offered(&self, id: ConversationId, agent: AgentId) -> Result<(), CoreError> {
        match self.convs.get(&id).map(|c| c.phase) {
            None => Err(CoreError::UnknownConversation(id)),
            Some(Phase::Offered { agent: a, .. }) if a == agent => Ok(()),
            Some(_) => Err(CoreError::NotOffered(id, agent)),
        }
    }

    fn accept(&mut self, now: Millis, id: ConversationId, agent: AgentId) -> Result<(), CoreError> {
        // An accept sent again by the agent it made the server (a client's retry after a lost
        // answer, or a request re-sent to the next routing owner after the first stored the accept
        // and died) changes nothing and succeeds: the caller answers as the first accept did.
        if self.convs.get(&id).is_some_and(|c| matches!(c.phase, Phase::Assigned { agent: a } if a == agent)) {
            return Ok(());
        }
        self.check_offered(id, agent)?;
        let conv = self.convs.get_mut(&id).expect("checked above");
        if let Phase::Offered { expires_at, .. } = conv.phase {
            self.timers.remove(&(expires_at, Timer::OfferExpiry(id)));
        }
        conv.phase = Phase::Assigned { agent };
        conv.assigned_at = Some(now);
        conv.front = false;
        // Taking a call offer is answering the call.
        conv.call = conv.media == Media::Call;
        let group = conv.group;
        let a = self.agents.get_mut(&agent).expect("offers go to known agents");
        a.offers.remove(&id);
        a.missed_in_row = 0;
        self.outputs.push_back(Output::Assigned { conversation: id, agent, group });
        Ok(())
    }

    /// End an offer without acceptance; the conversation waits again unless it ended.
    fn withdraw(&mut self, now: Millis, id: ConversationId, reason: WithdrawReason) {
        let conv = self.convs.get_mut(&id).expect("caller checked");
        let Phase::Offered { agent, expires_at } = conv.phase else { return };
        self.timers.remove(&(expires_at, Timer::OfferExpiry(id)));
        let media = conv.media;
        if matches!(reason, WithdrawReason::Declined | WithdrawReason::Expired) {
            self.exclude(now, id, agent);
        }
        self.release(agent, id, media);
        self.outputs.push_back(Output::OfferWithdrawn { conversation: id, agent, reason });
        if reason != WithdrawReason::Ended {
            self.put_in_line(now, id);
        }
    }

    /// Keep `agent` from being offered `id` again for a while; a hold for that agent ends.
    pub(crate) fn exclude(&mut self, now: Millis, id: ConversationId, agent: AgentId) {
        let until = now.plus_secs(self.config.reoffer_after_secs);
        let conv = self.convs.get_mut(&id).expect("caller checked");
        conv.excluded.retain(|&(a, end)| a != agent && end > now);
        conv.excluded.push((agent, until));
        if conv.named_agent == Some(agent) {
            conv.hold_until = None;
        }
        self.timers.insert((until, Timer::Recheck));
    }

    /// Free the agent's slot held by `id`.
    fn release(&mut self, agent: AgentId, id: ConversationId, media: Media) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.load[media.index()] = a.load[media.index()].saturating_sub(1);
            a.offers.remove(&id);
            self.refresh_availability(agent);
        }
    }

    /// Take a conversation away from whoever has it, so it can go somewhere else.
    pub(crate) fn detach(&mut self, id: ConversationId) -> Result<Option<AgentId>, CoreError> {
        let conv = self.convs.get(&id).ok_or(CoreError::UnknownConversation(id))?;
        Ok(match conv.phase {
            Phase::Waiting => {
                self.take_out_of_line(id);
                None
            }
            Phase::Offered { agent, expires_at } => {
                self.timers.remove(&(expires_at, Timer::OfferExpiry(id)));
                let media = conv.media;
                self.release(agent, id, media);
                self.outputs.push_back(Output::OfferWithdrawn { conversation: id, agent, reason: WithdrawReason::Transferred });
                None
            }
            Phase::Assigned { agent } => {
                let media = conv.media;
                self.release(agent, id, media);
                Some(agent)
            }
        })
    }

    /// Whether `Input::TransferToGroup` would be taken now, without taking it: the server writes
    /// the transfer first and changes the router after, so a failed write leaves both as they
    /// were. The transfer itself checks the same.
    pub fn check_transfer_to_group(&self, id: ConversationId, group: GroupId) -> Result<(), CoreError> {
        if !self.groups.contains_key(&group) {
            return Err(CoreError::UnknownGroup(group));
        }
        self.check_no_call(id)
    }

    /// Whether `Input::TransferToAgent` would be taken now, without taking it: no open call, and
    /// the agent exists, does not already have it, and has room for its media.
    pub fn check_transfer_to_agent(&self, id: ConversationId, target: AgentId) -> Result<(), CoreError> {
        self.check_no_call(id)?;
        let conv = self.convs.get(&id).ok_or(CoreError::UnknownConversation(id))?;
        let a = self.agents.get(&target).ok_or(CoreError::UnknownAgent(target))?;
        let already_theirs = matches!(conv.phase, Phase::Assigned { agent } | Phase::Offered { agent, .. } if agent == target);
        if already_theirs || !a.available_for(conv.media) {
            return Err(CoreError::AgentUnavailable(target));
        }
        Ok(())
    }

    fn transfer_to_group(&mut self, now: Millis, id: ConversationId, group: GroupId) -> Result<(), CoreError> {
        self.check_transfer_to_group(id, group)?;
        let previous = self.detach(id)?;
        let conv = self.convs.get_mut(&id).expect("detach checked");
        conv.named_agent = None;
        conv.assigned_at = None;
        if let Some(agent) = previous {
            // The agent who passed it on should not get it straight back.
            self.exclude(now, id, agent);
        }
        self.enter_group(id, group, now);
        self.put_in_line(now, id);
        Ok(())
    }

    fn transfer_to_agent(&mut self, now: Millis, id: ConversationId, target: AgentId) -> Result<(), CoreError> {
        self.check_transfer_to_agent(id, target)?;
        let previous = self.detach(id)?;
        let conv = self.convs.get_mut(&id).expect("detach checked");
        conv.assigned_at = None;
        let group = conv.group;
        if let Some(agent) = previous {
            self.exclude(now, id, agent);
        }
        self.make_offer(now, id, group, target, OfferReason::Transfer);
        Ok(())
    }

    fn end(&mut self, now: Millis, id: ConversationId) -> Result<(), CoreError> {
        let conv = self.convs.get(&id).ok_or(CoreError::UnknownConversation(id))?;
        match conv.phase {
            Phase::Waiting => self.take_out_of_line(id),
            Phase::Offered { .. } => self.withdraw(now, id, WithdrawReason::Ended),
            Phase::Assigned { agent } => {
                let (group, media, assigned_at) = (conv.group, conv.media, conv.assigned_at);
                if conv.call && media == Media::Chat {
                    self.release(agent, id, Media::Call);
                }
                self.release(agent, id, media);
                if let Some(g) = self.groups.get_mut(&group) {
                    if let Some(start) = assigned_at {
                        let handle = now.since(start) as f64;
                        g.avg_handle_ms += HANDLE_EWMA_WEIGHT * (handle - g.avg_handle_ms);
                    }
                    let wrap = g.config.wrap_up_secs;
                    let a = self.agents.get_mut(&agent).expect("assigned to a known agent");
                    if wrap > 0 && a.status == AgentStatus::Ready {
                        let status = AgentStatus::WrapUp { until: now.plus_secs(wrap) };
                        self.outputs.push_back(Output::AgentStatusChanged {
                            agent,
                            status: status.clone(),
                            reason: StatusReason::WrapUpStarted,
                        });
                        self.set_status(now, agent, status).expect("agent exists");
                    }
                }
            }
        }
        self.convs.remove(&id);
        Ok(())
    }

    // ---- calls ---------------------------------------------------------------------------

    pub(crate) fn check_no_call(&self, id: ConversationId) -> Result<(), CoreError> {
        match self.convs.get(&id) {
            None => Err(CoreError::UnknownConversation(id)),
            Some(c) if c.call => Err(CoreError::CallOpen(id)),
            Some(_) => Ok(()),
        }
    }

    fn start_call(&mut self, id: ConversationId) -> Result<(), CoreError> {
        self.check_no_call(id)?;
        let conv = &self.convs[&id];
        let Phase::Assigned { agent } = conv.phase else { return Err(CoreError::NotAssigned(id)) };
        if conv.media == Media::Chat {
            let a = self.agents.get_mut(&agent).ok_or(CoreError::UnknownAgent(agent))?;
            if a.free(Media::Call) == 0 {
                return Err(CoreError::AgentUnavailable(agent));
            }
            a.load[Media::Call.index()] += 1;
            self.refresh_availability(agent);
        }
        self.convs.get_mut(&id).expect("checked above").call = true;
        Ok(())
    }

    fn end_call(&mut self, id: ConversationId) -> Result<(), CoreError> {
        let conv = self.convs.get_mut(&id).ok_or(CoreError::UnknownConversation(id))?;
        if !conv.call {
            return Err(CoreError::NoCall(id));
        }
        conv.call = false;
        let (media, phase) = (conv.media, conv.phase);
        let Phase::Assigned { agent } = phase else { return Ok(()) };
        let Some(a) = self.agents.get_mut(&agent) else { return Ok(()) };
        if media == Media::Call {
            // It came in as a call and goes on as a chat, if a chat slot is free.
            if a.free(Media::Chat) == 0 {
                return Ok(());
            }
            a.load[Media::Chat.index()] += 1;
            self.convs.get_mut(&id).expect("found above").media = Media::Chat;
        }
        a.load[Media::Call.index()] = a.load[Media::Call.index()].saturating_sub(1);
        self.refresh_availability(agent);
        Ok(())
    }

    // ---- time ----------------------------------------------------------------------------

    fn fire_timers(&mut self, now: Millis) {
        while let Some(&(at, timer)) = self.timers.first() {
            if at > now {
                break;
            }
            self.timers.pop_first();
            match timer {
                Timer::OfferExpiry(id) => self.expire_offer(now, id),
                Timer::Recheck => self.groups.values_mut().for_each(|g| g.dirty = true),
                Timer::Overflow(id) => {
                    let due = self.convs.get(&id).is_some_and(|c| c.phase == Phase::Waiting && c.overflow_at.is_some_and(|t| t <= now));
                    if due {
                        self.overflow(now, id);
                    }
                }
                Timer::WrapUpEnd(agent) => {
                    let due = self.agents.get(&agent).is_some_and(|a| matches!(a.status, AgentStatus::WrapUp { until } if until <= now));
                    if due {
                        self.set_status(now, agent, AgentStatus::Ready).expect("agent exists");
                        self.outputs.push_back(Output::AgentStatusChanged {
                            agent,
                            status: AgentStatus::Ready,
                            reason: StatusReason::WrapUpEnded,
                        });
                    }
                }
            }
        }
    }

    fn expire_offer(&mut self, now: Millis, id: ConversationId) {
        let Some(Phase::Offered { agent, .. }) = self.convs.get(&id).map(|c| c.phase) else { return };
        let max_missed = self.groups.get(&self.convs[&id].group).map_or(0, |g| g.config.max_missed_offers);
        self.withdraw(now, id, WithdrawReason::Expired);
        let a = self.agents.get_mut(&agent).expect("offers go to known agents");
        a.missed_in_row += 1;
        if max_missed > 0 && a.missed_in_row >= max_missed && a.status == AgentStatus::Ready {
            let status = AgentStatus::Away(AwayReason::MissedOffers);
            self.set_status(now, agent, status.clone()).expect("agent exists");
            self.outputs.push_back(Output::AgentStatusChanged { agent, status, reason: StatusReason::MissedOffers });
        }
    }

    // ---- dispatch ------------------------------------------------------------------------

    pub(crate) fn refresh_availability(&mut self, id: AgentId) {
        let Some(agent) = self.agents.get(&id) else { return };
        for g in agent.groups.keys() {
            let group = self.groups.get_mut(g).expect("memberships name existing groups");
            for media in Media::ALL {
                if agent.available_for(media) {
                    group.dirty |= group.available[media.index()].insert(id);
                } else {
                    group.available[media.index()].remove(&id);
                }
            }
        }
    }

    fn dispatch(&mut self, now: Millis) {
        loop {
            let mut best: Option<(QueueKey, GroupId, Pick)> = None;
            for (&gid, group) in self.groups.iter().filter(|(_, g)| g.dirty) {
                for media in Media::ALL {
                    let bound = best.as_ref().map(|b| b.0);
                    if let Some((key, choice)) = self.first_servable(group, media, now, bound) {
                        best = Some((key, gid, choice));
                    }
                }
            }
            let Some((key, gid, choice)) = best else {
                // Every dirty group was scanned to its end and holds nothing servable now.
                for g in self.groups.values_mut() {
                    g.dirty = false;
                }
                break;
            };
            let (agent, reason) = match choice {
                Pick::Named(agent) => (agent, OfferReason::NamedAgent(self.groups[&gid].config.strategy)),
                Pick::Among(candidates) => {
                    let group = &self.groups[&gid];
                    let mut strategy = if group.config.strategy.names_agent() { group.config.fallback } else { group.config.strategy };
                    if strategy.names_agent() {
                        // A naming fallback has no one to name: it balances the load, and says so.
                        strategy = Strategy::LoadBalance;
                    }
                    let agent = pick(strategy, &candidates, group.rr_last, &mut self.rng);
                    (agent, OfferReason::Strategy(strategy))
                }
            };
            self.groups.get_mut(&gid).expect("found above").rr_last = Some(agent);
            self.take_out_of_line(key.3);
            self.make_offer(now, key.3, gid, agent, reason);
        }
    }

    /// The earliest conversation of this group's line (before `bound`) that an available agent
    /// may serve, with who may serve it.
    fn first_servable(&self, group: &Group, media: Media, now: Millis, bound: Option<QueueKey>) -> Option<(QueueKey, Pick)> {
        let available = &group.available[media.index()];
        if available.is_empty() {
            return None;
        }
        for &key in &group.queues[media.index()] {
            if bound.is_some_and(|b| key >= b) {
                return None;
            }
            let conv = &self.convs[&key.3];
            let may_serve =
                |agent: AgentId| group.members.get(&agent).is_some_and(|&level| level >= conv.min_skill) && !conv.excludes(agent, now);
            if let Some(named) = self.active_hold_for(key.3, now) {
                if available.contains(&named) && may_serve(named) {
                    return Some((key, Pick::Named(named)));
                }
                continue;
            }
            let candidates: Vec<Candidate> = available
                .iter()
                .filter(|&&a| may_serve(a))
                .map(|&a| Candidate::new(a, &self.agents[&a], media, group.members[&a]))
                .collect();
            if !candidates.is_empty() {
                return Some((key, Pick::Among(candidates)));
            }
        }
        None
    }

    fn make_offer(&mut self, now: Millis, id: ConversationId, group: GroupId, agent: AgentId, reason: OfferReason) {
        let timeout = self.groups[&group].config.offer_timeout_secs;
        let expires_at = now.plus_secs(timeout);
        let conv = self.convs.get_mut(&id).expect("dispatch found it");
        conv.phase = Phase::Offered { agent, expires_at };
        let media = conv.media;
        let a = self.agents.get_mut(&agent).expect("available agents exist");
        a.load[media.index()] += 1;
        a.last_offered_at = now;
        a.offers.insert(id);
        self.refresh_availability(agent);
        self.timers.insert((expires_at, Timer::OfferExpiry(id)));
        self.outputs.push_back(Output::Offered { conversation: id, agent, group, expires_at, reason });
    }
}
