//! The checker: drives the router like the adapter does and checks every rule after each input.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Display;

use kefu_core::*;

pub(crate) const T0: Millis = Millis(1_700_000_000_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hold {
    Offered,
    Assigned,
}

/// What the outputs say about one live (queued, not ended) conversation.
#[derive(Debug, Clone)]
pub(crate) struct Live {
    pub(crate) group: GroupId,
    pub(crate) priority: Priority,
    pub(crate) queued_at: Millis,
    pub(crate) named: Option<AgentId>,
    pub(crate) holder: Option<(AgentId, Hold)>,
    /// Taken back from a disabled agent and not accepted since: ahead of the whole line.
    pub(crate) front: bool,
    /// The slot it waits for or holds.
    pub(crate) media: Media,
    /// A call is open on it: a chat then holds a call slot as well.
    pub(crate) call: bool,
}

pub(crate) type LineKey = (Reverse<bool>, Reverse<Priority>, Millis, ConversationId);

impl Live {
    /// The line order the router promises: conversations sent back to the front, then
    /// priority, then arrival, then id.
    pub(crate) fn key(&self, id: ConversationId) -> LineKey {
        (Reverse(self.front), Reverse(self.priority), self.queued_at, id)
    }
}

/// A router plus a model of it rebuilt from its outputs, checked after every input.
pub(crate) struct World {
    pub(crate) router: Router,
    pub(crate) now: Millis,
    /// The last `Output::Timeout`: when the router asked to be ticked.
    pub(crate) next_wake: Option<Millis>,
    pub(crate) groups: Vec<GroupId>,
    pub(crate) capacity: BTreeMap<AgentId, Capacity>,
    pub(crate) status: BTreeMap<AgentId, AgentStatus>,
    pub(crate) convs: BTreeMap<ConversationId, Live>,
    /// Conversations that were ever assigned.
    pub(crate) served: BTreeSet<ConversationId>,
    pub(crate) next_conv: i64,
    /// Inputs so far, to make a failure reproducible by hand.
    pub(crate) trace: Vec<String>,
}

impl World {
    pub(crate) fn new(config: RouterConfig) -> World {
        World {
            router: Router::new(config),
            now: T0,
            next_wake: None,
            groups: vec![],
            capacity: BTreeMap::new(),
            status: BTreeMap::new(),
            convs: BTreeMap::new(),
            served: BTreeSet::new(),
            next_conv: 1,
            trace: vec![],
        }
    }

    pub(crate) fn secs(&self) -> f64 {
        (self.now.0 - T0.0) as f64 / 1000.0
    }

    pub(crate) fn fail(&self, msg: impl Display) -> ! {
        let skip = self.trace.len().saturating_sub(300);
        panic!(
            "INVARIANT BROKEN at t={}s: {msg}\n--- inputs (t in seconds from start{}) ---\n{}",
            self.secs(),
            if skip > 0 { format!(", first {skip} omitted") } else { String::new() },
            self.trace[skip..].join("\n")
        )
    }

    /// Apply one input at `self.now`, drain the outputs into the model, then check every rule.
    pub(crate) fn apply(&mut self, input: Input) -> Result<Vec<Output>, CoreError> {
        self.trace.push(format!("t={:<8} {:?}", self.secs(), input));
        if let Err(e) = self.router.handle_input(self.now, input.clone()) {
            self.trace.last_mut().expect("pushed above").push_str(&format!("  -> Err({e:?})"));
            match self.router.poll_output() {
                Output::Timeout(_) => return Err(e),
                o => self.fail(format!("refused input ({e:?}) still produced {o:?}")),
            }
        }
        let mut outputs = vec![];
        loop {
            match self.router.poll_output() {
                Output::Timeout(at) => {
                    self.next_wake = at;
                    break;
                }
                o => outputs.push(o),
            }
        }

        // What the input itself did, before its consequences.
        match &input {
            Input::ConversationQueued(w) => {
                let live = Live {
                    group: w.group,
                    priority: w.priority,
                    queued_at: w.queued_at,
                    named: w.named_agent,
                    holder: None,
                    front: w.front,
                    media: w.media,
                    call: false,
                };
                self.convs.insert(w.conversation, live);
            }
            Input::TransferToGroup { conversation, group } => {
                let Some(live) = self.convs.get_mut(conversation) else {
                    self.fail(format!("transfer of unknown {conversation:?} accepted"))
                };
                // Taken from its agent without an output; an offer is withdrawn by an output.
                if live.call {
                    self.fail(format!("transfer of {conversation:?} accepted while its call is open"))
                }
                if let Some((_, Hold::Assigned)) = live.holder {
                    live.holder = None;
                }
                live.group = *group;
                live.named = None;
            }
            Input::TransferToAgent { conversation, .. } | Input::TakeOver { conversation, .. } => {
                let Some(live) = self.convs.get_mut(conversation) else {
                    self.fail(format!("transfer of unknown {conversation:?} accepted"))
                };
                if live.call {
                    self.fail(format!("transfer of {conversation:?} accepted while its call is open"))
                }
                if let Some((_, Hold::Assigned)) = live.holder {
                    live.holder = None;
                }
            }
            Input::AgentUpdated { agent, capacity, .. } => {
                self.capacity.insert(*agent, *capacity);
                self.status.entry(*agent).or_insert(AgentStatus::Offline);
            }
            Input::AgentStatusSet { agent, status } => {
                self.status.insert(*agent, status.clone());
            }
            Input::AgentRemoved { agent } => {
                self.capacity.remove(agent);
                self.status.remove(agent);
            }
            Input::AgentDisabled { agent } => {
                self.status.insert(*agent, AgentStatus::Offline);
            }
            &Input::ConversationAssigned { conversation, group, agent, media, .. } => {
                // A restored conversation counts as assigned, priority 0, in line from now.
                let live = Live {
                    group,
                    priority: Priority(0),
                    queued_at: self.now,
                    named: None,
                    holder: Some((agent, Hold::Assigned)),
                    front: false,
                    media,
                    call: media == Media::Call,
                };
                self.convs.insert(conversation, live);
                self.served.insert(conversation);
            }
            Input::GroupUpdated { group, .. } if !self.groups.contains(group) => self.groups.push(*group),
            Input::CallStarted { conversation } => {
                let Some(live) = self.convs.get(conversation) else { self.fail(format!("call on unknown {conversation:?} accepted")) };
                let Some((agent, Hold::Assigned)) = live.holder else {
                    self.fail(format!("call on {conversation:?} accepted while it is {:?}", live.holder))
                };
                if live.call {
                    self.fail(format!("a second call on {conversation:?} accepted"))
                }
                let needs_slot = live.media == Media::Chat;
                let calls = self.model_load(agent).call;
                if needs_slot && calls >= self.capacity[&agent].call {
                    self.fail(format!("call on {conversation:?} accepted though {agent:?} has {calls} calls"))
                }
                self.convs.get_mut(conversation).expect("live above").call = true;
            }
            Input::CallEnded { conversation } => {
                let Some(live) = self.convs.get(conversation) else { self.fail(format!("end of a call on unknown {conversation:?}")) };
                if !live.call {
                    self.fail(format!("end of a call on {conversation:?} accepted, but it had none"))
                }
                // A call-service conversation goes on as a chat when its agent has a chat slot.
                let converts = match live.holder {
                    Some((a, Hold::Assigned)) if live.media == Media::Call => self.model_load(a).chat < self.capacity[&a].chat,
                    _ => false,
                };
                let live = self.convs.get_mut(conversation).expect("live above");
                live.call = false;
                if converts {
                    live.media = Media::Chat;
                }
            }
            _ => {}
        }

        let mut strategy_offers = vec![];
        for o in &outputs {
            self.observe(&input, o, &mut strategy_offers);
        }
        let mut ended = None;
        if let Input::ConversationEnded { conversation } = input {
            match self.convs.remove(&conversation) {
                Some(Live { holder: Some((a, Hold::Offered)), .. }) => {
                    self.fail(format!("{conversation:?} ended while offered to {a:?}, but the offer was not withdrawn"))
                }
                Some(_) => ended = Some(conversation),
                None => self.fail(format!("end of unknown {conversation:?} accepted")),
            }
        }
        self.check(ended, &strategy_offers);
        Ok(outputs)
    }

    pub(crate) fn observe(&mut self, input: &Input, o: &Output, strategy_offers: &mut Vec<(ConversationId, AgentId)>) {
        match *o {
            Output::Offered { conversation: c, agent: a, group, reason, .. } => {
                let Some(live) = self.convs.get_mut(&c) else { self.fail(format!("offered {c:?}, which is not live")) };
                if let Some((b, how)) = live.holder {
                    self.fail(format!("{c:?} offered to {a:?} while {how:?} to {b:?} (no withdrawal or transfer first)"))
                }
                live.holder = Some((a, Hold::Offered));
                live.group = group;
                let named = live.named;
                match reason {
                    OfferReason::Strategy(_) => strategy_offers.push((c, a)),
                    OfferReason::NamedAgent(_) if named == Some(a) => {}
                    OfferReason::NamedAgent(_) => self.fail(format!("{c:?} offered to {a:?} as its named agent, but it names {named:?}")),
                    OfferReason::Transfer => {
                        if *input != (Input::TransferToAgent { conversation: c, agent: a }) {
                            self.fail(format!("{c:?} offered to {a:?} as a transfer without a transfer input"))
                        }
                    }
                }
            }
            Output::Assigned { conversation: c, agent: a, .. } => {
                // Assigned only by accepting an offer, or by a supervisor's take-over (no offer).
                let taken_over = *input == (Input::TakeOver { conversation: c, agent: a });
                if *input != (Input::OfferAccepted { conversation: c, agent: a }) && !taken_over {
                    self.fail(format!("{c:?} assigned to {a:?} without {a:?} accepting it"))
                }
                let was = self.convs.get(&c).and_then(|l| l.holder);
                if was != Some((a, Hold::Offered)) && !(taken_over && was.is_none()) {
                    self.fail(format!("{c:?} assigned to {a:?} but was {was:?}"))
                }
                let live = self.convs.get_mut(&c).expect("held above");
                live.holder = Some((a, Hold::Assigned));
                live.front = false;
                live.call = live.media == Media::Call;
                self.served.insert(c);
            }
            Output::OfferWithdrawn { conversation: c, agent: a, reason } => {
                let Some(live) = self.convs.get(&c) else { self.fail(format!("withdrew {c:?}, which is not live")) };
                if live.holder != Some((a, Hold::Offered)) {
                    self.fail(format!("withdrew {c:?} from {a:?} but it was {:?}", live.holder))
                }
                self.convs.get_mut(&c).expect("live above").holder = None;
                let fits = match reason {
                    WithdrawReason::Declined => *input == Input::OfferDeclined { conversation: c, agent: a },
                    WithdrawReason::Expired => *input == Input::Tick,
                    WithdrawReason::Ended => *input == Input::ConversationEnded { conversation: c },
                    WithdrawReason::Transferred => matches!(*input,
                        Input::TransferToGroup { conversation, .. } | Input::TransferToAgent { conversation, .. }
                            | Input::TakeOver { conversation, .. } if conversation == c),
                    WithdrawReason::AgentUnavailable => match input {
                        Input::Tick => true,
                        Input::AgentStatusSet { agent, status } => *agent == a && !matches!(status, AgentStatus::Ready),
                        Input::AgentDisabled { agent } => *agent == a,
                        _ => false,
                    },
                };
                if !fits {
                    self.fail(format!("{c:?} withdrawn from {a:?} as {reason:?} after input {input:?}"))
                }
            }
            Output::Requeued { conversation: c, agent: a, group } => {
                let Some(live) = self.convs.get_mut(&c) else { self.fail(format!("requeued {c:?}, which is not live")) };
                if *input != (Input::AgentDisabled { agent: a }) || live.holder != Some((a, Hold::Assigned)) || live.group != group {
                    let was = (live.holder, live.group);
                    self.fail(format!("{c:?} requeued from {a:?} in {group:?} after {input:?}, but it was {was:?}"))
                }
                live.holder = None;
                live.named = None;
                live.front = true;
                live.call = false;
            }
            Output::Overflowed { conversation: c, from, to } => {
                let Some(live) = self.convs.get(&c) else { self.fail(format!("overflowed {c:?}, which is not live")) };
                if live.holder.is_some() || live.group != from {
                    self.fail(format!("{c:?} overflowed from {from:?} but was {:?} in {:?}", live.holder, live.group))
                }
                self.convs.get_mut(&c).expect("live above").group = to;
            }
            Output::AgentStatusChanged { agent, ref status, .. } => {
                self.status.insert(agent, status.clone());
            }
            Output::QueueChanged { .. } => {}
            Output::Timeout(_) => unreachable!("drained above"),
        }
    }

    /// Where each waiting conversation stands, by the router's own lines.
    pub(crate) fn lines(&self) -> BTreeMap<ConversationId, GroupId> {
        let mut at = BTreeMap::new();
        for &g in &self.groups {
            for c in self.router.waiting_in(g) {
                if let Some(other) = at.insert(c, g) {
                    self.fail(format!("{c:?} waits in two lines: {other:?} and {g:?}"))
                }
            }
        }
        at
    }

    pub(crate) fn check(&self, ended: Option<ConversationId>, strategy_offers: &[(ConversationId, AgentId)]) {
        let now = self.now;
        let lines = self.lines();

        // Nothing lost, nothing held twice, and the router agrees with the outputs.
        if let Some(c) = ended {
            if self.router.contains(c) {
                self.fail(format!("{c:?} ended but the router still has it"))
            }
        }
        for (&c, live) in &self.convs {
            if !self.router.contains(c) {
                self.fail(format!("{c:?} was never ended but the router lost it"))
            }
            let holder = self.router.holder(c);
            if holder != live.holder.map(|h| h.0) {
                self.fail(format!("{c:?}: outputs say {:?}, router says holder {holder:?}", live.holder))
            }
            match (live.holder, lines.get(&c)) {
                (None, Some(&g)) if g == live.group => {}
                (None, Some(g)) => self.fail(format!("{c:?} waits in {g:?}, but the outputs put it in {:?}", live.group)),
                (None, None) => {
                    self.fail(format!("{c:?} is LOST: in the router, held by nobody, in no line (its group is {:?})", live.group))
                }
                (Some((a, how)), Some(g)) => self.fail(format!("{c:?} is {how:?} to {a:?} and waits in {g:?} as well")),
                (Some(_), None) => {}
            }
        }
        if let Some(c) = lines.keys().find(|c| !self.convs.contains_key(c)) {
            self.fail(format!("{c:?} waits in a line but was never queued or already ended"))
        }

        // Load is exactly what was offered and assigned, within capacity, per media: no agent is
        // ever over their chat or their call capacity.
        for (&a, &cap) in &self.capacity {
            let Some(snap) = self.router.agent(a) else { self.fail(format!("{a:?} unknown to the router")) };
            let mine = self.model_load(a);
            if snap.load != mine {
                self.fail(format!("{a:?}: router load {:?} but {mine:?} offered/assigned by the outputs", snap.load))
            }
            if mine.chat > cap.chat || mine.call > cap.call {
                self.fail(format!("{a:?} over capacity: {mine:?} > {cap:?}"))
            }
            if snap.status != self.status[&a] {
                self.fail(format!("{a:?}: router status {:?}, outputs and inputs say {:?}", snap.status, self.status[&a]))
            }
        }

        // First come, first served: a strategy offer skips no earlier conversation the agent could take.
        for &(c, x) in strategy_offers {
            let Some((kc, media)) = self.convs.get(&c).map(|l| (l.key(c), l.media)) else {
                continue;
            };
            for (&earlier, &g) in &lines {
                let live = &self.convs[&earlier];
                // Lines are per media: the agent had a free slot of this media, maybe not another.
                if live.media == media && live.key(earlier) < kc && self.router.may_serve(earlier, x, now) {
                    self.fail(format!(
                        "FCFS: {c:?} (priority {:?}, queued {}s) offered to {x:?} by strategy while {earlier:?} in {g:?} \
                         (priority {:?}, queued {}s) is earlier in line and {x:?} may serve it",
                        self.convs[&c].priority,
                        (self.convs[&c].queued_at.0 - T0.0) / 1000,
                        live.priority,
                        (live.queued_at.0 - T0.0) / 1000,
                    ))
                }
            }
        }

        self.check_maximal(&lines, "after the last input");
    }

    /// No waiting conversation that a ready agent with a free slot may serve.
    pub(crate) fn check_maximal(&self, lines: &BTreeMap<ConversationId, GroupId>, when: &str) {
        let free = |a: AgentId, media: Media| {
            let s = self.router.agent(a).expect("checked known");
            s.status == AgentStatus::Ready && s.load.of(media) < s.capacity.of(media)
        };
        for (&c, &g) in lines {
            let media = self.convs.get(&c).map_or(Media::Chat, |l| l.media);
            if let Some(a) = self.capacity.keys().find(|&&a| free(a, media) && self.router.may_serve(c, a, self.now)) {
                self.fail(format!(
                    "IDLE WORK {when}: {c:?} waits in {g:?} while {a:?} is ready with a free slot and may serve it \
                     (router asked to be woken at {:?})",
                    self.next_wake.map(|t| (t.0 - T0.0) as f64 / 1000.0)
                ))
            }
        }
    }

    /// Let time pass like a driver does: tick at every time the router asked for, up to `to`.
    /// Between those ticks the state must stay maximal (nothing may become servable unannounced).
    pub(crate) fn run_until(&mut self, to: Millis) {
        while let Some(at) = self.next_wake.filter(|&at| at <= to) {
            self.now = self.now.max(at);
            self.apply(Input::Tick).unwrap_or_else(|e| panic!("tick refused: {e:?}"));
        }
        self.now = self.now.max(to);
        let lines = self.lines();
        self.check_maximal(&lines, "between ticks (a time-based change with no timer)");
    }

    pub(crate) fn queue(&mut self, group: GroupId, priority: u8, min_skill: u8, named: Option<AgentId>) -> ConversationId {
        self.queue_at(group, priority, min_skill, named, self.now)
    }

    pub(crate) fn queue_at(
        &mut self,
        group: GroupId,
        priority: u8,
        min_skill: u8,
        named: Option<AgentId>,
        queued_at: Millis,
    ) -> ConversationId {
        self.queue_media_at(group, Media::Chat, priority, min_skill, named, queued_at)
    }

    pub(crate) fn queue_media_at(
        &mut self,
        group: GroupId,
        media: Media,
        priority: u8,
        min_skill: u8,
        named: Option<AgentId>,
        queued_at: Millis,
    ) -> ConversationId {
        let c = ConversationId(self.next_conv);
        self.next_conv += 1;
        let w = Waiting {
            conversation: c,
            group,
            media,
            priority: Priority(priority),
            queued_at,
            min_skill: SkillLevel::parse(i64::from(min_skill)).expect("1..=5"),
            named_agent: named,
            front: false,
        };
        if let Err(e) = self.apply(Input::ConversationQueued(w)) {
            self.fail(format!("enqueue refused: {e:?}"))
        }
        c
    }

    pub(crate) fn must(&mut self, input: Input) -> Vec<Output> {
        match self.apply(input.clone()) {
            Ok(out) => out,
            Err(e) => self.fail(format!("{input:?} refused: {e:?}")),
        }
    }

    pub(crate) fn load_of(&self, a: AgentId) -> u16 {
        self.router.agent(a).map_or(0, |s| s.load.chat)
    }

    /// Chat and call slots the router says the agent holds.
    pub(crate) fn total_load(&self, a: AgentId) -> u16 {
        self.router.agent(a).map_or(0, |s| s.load.chat + s.load.call)
    }

    /// Slots the outputs and inputs say the agent holds: one of each offered or assigned
    /// conversation's media, plus a call slot for a chat with a call open.
    pub(crate) fn model_load(&self, a: AgentId) -> Capacity {
        let mut load = Capacity::default();
        for live in self.convs.values().filter(|l| l.holder.is_some_and(|h| h.0 == a)) {
            match live.media {
                Media::Chat => load.chat += 1,
                Media::Call => load.call += 1,
            }
            if live.call && live.media == Media::Chat {
                load.call += 1;
            }
        }
        load
    }

    pub(crate) fn live_ids(&self, filter: impl Fn(&Live) -> bool) -> Vec<ConversationId> {
        self.convs.iter().filter(|(_, l)| filter(l)).map(|(&c, _)| c).collect()
    }
}
