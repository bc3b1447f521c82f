//! Rules the router must keep after every input, whatever came before: checked against random
//! event sequences (proptest) and against eight simulated hours of traffic.
//!
//! The checker (`World`) drives the router exactly as the adapter does: one input, then drain
//! outputs until `Timeout`, and it only ticks when that timeout says so (plus the steps the test
//! itself asks for). From the outputs alone it rebuilds who holds what, and after every input
//! compares that with the router's own view:
//!
//! - a conversation is offered to or held by at most one agent, and only an `OfferWithdrawn` or
//!   a transfer moves it on;
//! - each agent's load equals the offers and conversations it was given, and stays within
//!   capacity;
//! - no conversation is lost: every queued, unended conversation is in exactly one line (its own
//!   group's) or held by the agent the outputs say;
//! - first come, first served: a conversation offered by strategy never skipped an earlier one
//!   (priority, then arrival; in any group, since dispatch orders all lines together) that the
//!   same agent may serve; named-agent and transfer offers are the documented exceptions;
//! - dispatch is maximal: no waiting conversation is left while a ready agent with a free slot
//!   may serve it — also at any moment between ticks, so the router must ask to be woken
//!   whenever a hold or an exclusion ends.
//!
//! Core bugs found this way are at the end of the file as ignored tests, each the shortest input
//! sequence that shows it; the `KNOWN_BUG_*` constants keep the random tests away from exactly
//! those cases until they are fixed.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::fmt::Display;

use kefu_core::*;
use proptest::prelude::{any, prop, prop_oneof, proptest, Just, ProptestConfig};
use proptest::strategy::Strategy as _;
use rand::{rngs::SmallRng, Rng, SeedableRng};

/// Start of simulated time (any value works; far from 0 so `queued_at` arithmetic is honest).
const T0: Millis = Millis(1_700_000_000_000);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    Offered,
    Assigned,
}

/// What the outputs say about one live (queued, not ended) conversation.
#[derive(Debug, Clone)]
struct Live {
    group: GroupId,
    priority: Priority,
    queued_at: Millis,
    named: Option<AgentId>,
    holder: Option<(AgentId, Hold)>,
}

type LineKey = (Reverse<Priority>, Millis, ConversationId);

impl Live {
    /// The line order the router promises: priority first, then arrival, then id.
    fn key(&self, id: ConversationId) -> LineKey {
        (Reverse(self.priority), self.queued_at, id)
    }
}

/// A router plus a model of it rebuilt from its outputs, checked after every input.
struct World {
    router: Router,
    now: Millis,
    /// The last `Output::Timeout`: when the router asked to be ticked.
    next_wake: Option<Millis>,
    groups: Vec<GroupId>,
    capacity: BTreeMap<AgentId, u16>,
    status: BTreeMap<AgentId, AgentStatus>,
    convs: BTreeMap<ConversationId, Live>,
    /// Conversations that were ever assigned.
    served: BTreeSet<ConversationId>,
    next_conv: i64,
    /// Inputs so far, to make a failure reproducible by hand.
    trace: Vec<String>,
    /// The router's re-offer delay: how long a transferring agent is kept from the conversation.
    reoffer_after_secs: u32,
    /// (conversation, agent who transferred it away) -> when that agent may take it again.
    /// Only used while `KNOWN_BUG_TRANSFER_EXCLUSION_HAS_NO_TIMER` is set.
    transfer_exclusions: BTreeMap<(ConversationId, AgentId), Millis>,
    /// Current settings of each group, as last sent.
    configs: BTreeMap<GroupId, GroupConfig>,
}

/// KNOWN CORE BUG (see `core_bug_transfer_exclusion_end_has_no_timer`): the exclusion that keeps
/// a transferring agent from getting the conversation straight back ends without a timer, so the
/// router never asks to be woken for it. While this is `true`, the "between ticks" maximality
/// check forgives exactly that case (and nothing else). Set to `false` once the core is fixed.
const KNOWN_BUG_TRANSFER_EXCLUSION_HAS_NO_TIMER: bool = false;

/// KNOWN CORE BUG (see `core_bug_overflow_without_a_target_loses_the_conversation`): a
/// conversation whose overflow time has passed, put back in line when its group no longer
/// overflows (or overflows into a missing group), is in no line at all. While this is `true`,
/// group edits never take overflow away from a group that has it. Set to `false` once fixed.
const KNOWN_BUG_OVERFLOW_WITHOUT_TARGET_LOSES_CONVERSATION: bool = false;

impl World {
    fn new(config: RouterConfig) -> World {
        World {
            reoffer_after_secs: config.reoffer_after_secs,
            transfer_exclusions: BTreeMap::new(),
            configs: BTreeMap::new(),
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

    fn secs(&self) -> f64 {
        (self.now.0 - T0.0) as f64 / 1000.0
    }

    fn fail(&self, msg: impl Display) -> ! {
        let skip = self.trace.len().saturating_sub(300);
        panic!(
            "INVARIANT BROKEN at t={}s: {msg}\n--- inputs (t in seconds from start{}) ---\n{}",
            self.secs(),
            if skip > 0 { format!(", first {skip} omitted") } else { String::new() },
            self.trace[skip..].join("\n")
        )
    }

    /// Apply one input at `self.now`, drain the outputs into the model, then check every rule.
    fn apply(&mut self, input: Input) -> Result<Vec<Output>, CoreError> {
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
                let live = Live { group: w.group, priority: w.priority, queued_at: w.queued_at, named: w.named_agent, holder: None };
                self.convs.insert(w.conversation, live);
            }
            Input::TransferToGroup { conversation, group } => {
                let Some(live) = self.convs.get_mut(conversation) else {
                    self.fail(format!("transfer of unknown {conversation:?} accepted"))
                };
                // Taken from its agent without an output; an offer is withdrawn by an output.
                if let Some((from, Hold::Assigned)) = live.holder {
                    live.holder = None;
                    let until = self.now.plus_secs(self.reoffer_after_secs);
                    self.transfer_exclusions.insert((*conversation, from), until);
                }
                live.group = *group;
                live.named = None;
            }
            Input::TransferToAgent { conversation, .. } => {
                let Some(live) = self.convs.get_mut(conversation) else {
                    self.fail(format!("transfer of unknown {conversation:?} accepted"))
                };
                if let Some((from, Hold::Assigned)) = live.holder {
                    live.holder = None;
                    let until = self.now.plus_secs(self.reoffer_after_secs);
                    self.transfer_exclusions.insert((*conversation, from), until);
                }
            }
            Input::AgentUpdated { agent, capacity, .. } => {
                self.capacity.insert(*agent, capacity.chat);
                self.status.entry(*agent).or_insert(AgentStatus::Offline);
            }
            Input::AgentStatusSet { agent, status } => {
                self.status.insert(*agent, status.clone());
            }
            Input::AgentRemoved { agent } => {
                self.capacity.remove(agent);
                self.status.remove(agent);
            }
            &Input::ConversationAssigned { conversation, group, agent, .. } => {
                // A restored conversation counts as assigned, priority 0, in line from now.
                let live = Live { group, priority: Priority(0), queued_at: self.now, named: None, holder: Some((agent, Hold::Assigned)) };
                self.convs.insert(conversation, live);
                self.served.insert(conversation);
            }
            Input::GroupUpdated { group, config } => {
                if !self.groups.contains(group) {
                    self.groups.push(*group);
                }
                self.configs.insert(*group, config.clone());
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

    fn observe(&mut self, input: &Input, o: &Output, strategy_offers: &mut Vec<(ConversationId, AgentId)>) {
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
                if *input != (Input::OfferAccepted { conversation: c, agent: a }) {
                    self.fail(format!("{c:?} assigned to {a:?} without {a:?} accepting it"))
                }
                let was = self.convs.get(&c).and_then(|l| l.holder);
                if was != Some((a, Hold::Offered)) {
                    self.fail(format!("{c:?} assigned to {a:?} but was {was:?}"))
                }
                self.convs.get_mut(&c).expect("held above").holder = Some((a, Hold::Assigned));
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
                        Input::TransferToGroup { conversation, .. } | Input::TransferToAgent { conversation, .. } if conversation == c),
                    WithdrawReason::AgentUnavailable => match input {
                        Input::Tick => true,
                        Input::AgentStatusSet { agent, status } => *agent == a && !matches!(status, AgentStatus::Ready),
                        _ => false,
                    },
                };
                if !fits {
                    self.fail(format!("{c:?} withdrawn from {a:?} as {reason:?} after input {input:?}"))
                }
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
    fn lines(&self) -> BTreeMap<ConversationId, GroupId> {
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

    fn check(&self, ended: Option<ConversationId>, strategy_offers: &[(ConversationId, AgentId)]) {
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

        // Load is exactly what was offered and assigned, within capacity.
        let mut load: BTreeMap<AgentId, u16> = BTreeMap::new();
        for live in self.convs.values() {
            if let Some((a, _)) = live.holder {
                *load.entry(a).or_default() += 1;
            }
        }
        for (&a, &cap) in &self.capacity {
            let Some(snap) = self.router.agent(a) else { self.fail(format!("{a:?} unknown to the router")) };
            let mine = load.get(&a).copied().unwrap_or(0);
            if snap.load.chat != mine {
                self.fail(format!("{a:?}: router load {} but {mine} conversations offered/assigned by the outputs", snap.load.chat))
            }
            if mine > cap {
                self.fail(format!("{a:?} over capacity: {mine} > {cap}"))
            }
            if snap.status != self.status[&a] {
                self.fail(format!("{a:?}: router status {:?}, outputs and inputs say {:?}", snap.status, self.status[&a]))
            }
        }

        // First come, first served: a strategy offer skips no earlier conversation the agent could take.
        for &(c, x) in strategy_offers {
            let Some(kc) = self.convs.get(&c).map(|l| l.key(c)) else {
                continue;
            };
            for (&earlier, &g) in &lines {
                let live = &self.convs[&earlier];
                if live.key(earlier) < kc && self.router.may_serve(earlier, x, now) {
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

        self.check_maximal(&lines, "after the last input", false);
    }

    /// No waiting conversation that a ready agent with a free slot may serve. `between_ticks`:
    /// no input since the last one, so only the known timer bug may excuse a pair.
    fn check_maximal(&self, lines: &BTreeMap<ConversationId, GroupId>, when: &str, between_ticks: bool) {
        let free: Vec<AgentId> = self
            .capacity
            .keys()
            .copied()
            .filter(|&a| {
                let s = self.router.agent(a).expect("checked known");
                s.status == AgentStatus::Ready && s.load.chat < s.capacity.chat
            })
            .collect();
        let excused = |c: ConversationId, a: AgentId| {
            between_ticks
                && KNOWN_BUG_TRANSFER_EXCLUSION_HAS_NO_TIMER
                && self.transfer_exclusions.get(&(c, a)).is_some_and(|&until| until <= self.now)
        };
        for (&c, &g) in lines {
            if let Some(a) = free.iter().find(|&&a| self.router.may_serve(c, a, self.now) && !excused(c, a)) {
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
    fn run_until(&mut self, to: Millis) {
        while let Some(at) = self.next_wake.filter(|&at| at <= to) {
            self.now = self.now.max(at);
            self.apply(Input::Tick).unwrap_or_else(|e| panic!("tick refused: {e:?}"));
        }
        self.now = self.now.max(to);
        let lines = self.lines();
        self.check_maximal(&lines, "between ticks (a time-based change with no timer)", true);
    }

    fn queue(&mut self, group: GroupId, priority: u8, min_skill: u8, named: Option<AgentId>) -> ConversationId {
        self.queue_at(group, priority, min_skill, named, self.now)
    }

    fn queue_at(&mut self, group: GroupId, priority: u8, min_skill: u8, named: Option<AgentId>, queued_at: Millis) -> ConversationId {
        let c = ConversationId(self.next_conv);
        self.next_conv += 1;
        let w = Waiting {
            conversation: c,
            group,
            media: Media::Chat,
            priority: Priority(priority),
            queued_at,
            min_skill: SkillLevel::parse(i64::from(min_skill)).expect("1..=5"),
            named_agent: named,
        };
        if let Err(e) = self.apply(Input::ConversationQueued(w)) {
            self.fail(format!("enqueue refused: {e:?}"))
        }
        c
    }

    fn must(&mut self, input: Input) -> Vec<Output> {
        match self.apply(input.clone()) {
            Ok(out) => out,
            Err(e) => self.fail(format!("{input:?} refused: {e:?}")),
        }
    }

    fn load_of(&self, a: AgentId) -> u16 {
        self.router.agent(a).map_or(0, |s| s.load.chat)
    }

    fn live_ids(&self, filter: impl Fn(&Live) -> bool) -> Vec<ConversationId> {
        self.convs.iter().filter(|(_, l)| filter(l)).map(|(&c, _)| c).collect()
    }
}

// ---- random sequences ----------------------------------------------------------------------

#[derive(Debug, Clone)]
struct GroupSpec {
    strategy: Strategy,
    fallback: Strategy,
    hold_secs: u32,
    offer_timeout_secs: u32,
    max_missed_offers: u32,
    /// (after seconds, target group index) — the target is taken modulo the group count.
    overflow: Option<(u32, usize)>,
    wrap_up_secs: u32,
}

#[derive(Debug, Clone)]
struct AgentSpec {
    chats: u16,
    /// (group index, skill level); indexes are taken modulo the group count.
    groups: Vec<(usize, u8)>,
    /// 0 ready, 1 away, 2 offline.
    status: u8,
}

#[derive(Debug, Clone)]
enum Op {
    Status {
        agent: usize,
        status: u8,
    },
    /// `waited_secs` > 0: restored after a restart, queued that long ago.
    Enqueue {
        group: usize,
        priority: u8,
        min_skill: u8,
        named: Option<usize>,
        waited_secs: u32,
    },
    Accept(usize),
    Decline(usize),
    TransferToGroup {
        conv: usize,
        group: usize,
    },
    TransferToAgent {
        conv: usize,
        agent: usize,
    },
    End(usize),
    Advance(u32),
    Reconfigure {
        agent: usize,
        chats: u16,
        groups: Vec<(usize, u8)>,
    },
    /// An admin edits a group's settings while conversations wait in it.
    Regroup {
        group: usize,
        spec: GroupSpec,
    },
    /// Refused unless the agent holds nothing.
    RemoveAgent(usize),
    /// A restart restores an accepted conversation onto an agent with a free slot.
    Restore {
        agent: usize,
        group: usize,
    },
}

fn strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    prop::sample::select(Strategy::ALL.to_vec())
}

#[allow(clippy::disallowed_types)] // `prop_oneof!` expands to `Arc`s; the no-`Arc` rule is the core's
fn group_spec() -> impl proptest::strategy::Strategy<Value = GroupSpec> {
    (
        strategy(),
        strategy(),
        0u32..60,
        5u32..60,
        0u32..4,
        prop::option::weighted(0.4, (1u32..120, 0usize..3)),
        prop_oneof![3 => Just(0u32), 1 => 1u32..30],
    )
        .prop_map(|(strategy, fallback, hold_secs, offer_timeout_secs, max_missed_offers, overflow, wrap_up_secs)| GroupSpec {
            strategy,
            fallback,
            hold_secs,
            offer_timeout_secs,
            max_missed_offers,
            overflow,
            wrap_up_secs,
        })
}

fn memberships() -> impl proptest::strategy::Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((0usize..3, 1u8..=5), 0..=3)
}

fn agent_spec() -> impl proptest::strategy::Strategy<Value = AgentSpec> {
    (0u16..=4, memberships(), 0u8..3).prop_map(|(chats, groups, status)| AgentSpec { chats, groups, status })
}

#[allow(clippy::disallowed_types)] // `prop_oneof!` expands to `Arc`s; the no-`Arc` rule is the core's
fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..8, 0u8..4).prop_map(|(agent, status)| Op::Status { agent, status }),
        4 => (
            0usize..3,
            0u8..=2,
            prop_oneof![3 => Just(1u8), 1 => 2u8..=4],
            prop::option::weighted(0.3, 0usize..8),
            prop_oneof![4 => Just(0u32), 1 => 1u32..300],
        )
            .prop_map(|(group, priority, min_skill, named, waited_secs)| Op::Enqueue { group, priority, min_skill, named, waited_secs }),
        3 => any::<u16>().prop_map(|i| Op::Accept(i.into())),
        1 => any::<u16>().prop_map(|i| Op::Decline(i.into())),
        1 => (any::<u16>(), 0usize..3).prop_map(|(i, group)| Op::TransferToGroup { conv: i.into(), group }),
        1 => (any::<u16>(), 0usize..8).prop_map(|(i, agent)| Op::TransferToAgent { conv: i.into(), agent }),
        2 => any::<u16>().prop_map(|i| Op::End(i.into())),
        2 => (0u32..10).prop_map(Op::Advance),
        1 => (10u32..=90).prop_map(Op::Advance),
        1 => (0usize..8, 0u16..=4, memberships()).prop_map(|(agent, chats, groups)| Op::Reconfigure { agent, chats, groups }),
        1 => (0usize..3, group_spec()).prop_map(|(group, spec)| Op::Regroup { group, spec }),
        1 => (0usize..8).prop_map(Op::RemoveAgent),
        1 => (0usize..8, 0usize..3).prop_map(|(agent, group)| Op::Restore { agent, group }),
    ]
}

fn scenario() -> impl proptest::strategy::Strategy<Value = (u64, Vec<GroupSpec>, Vec<AgentSpec>, Vec<Op>)> {
    (
        any::<u64>(),
        prop::collection::vec(group_spec(), 1..=3),
        prop::collection::vec(agent_spec(), 1..=8),
        prop::collection::vec(op(), 1..250),
    )
}

fn memberships_of(spec: &[(usize, u8)], n_groups: usize) -> Vec<(GroupId, SkillLevel)> {
    let by_group: BTreeMap<usize, u8> = spec.iter().map(|&(g, l)| (g % n_groups, l)).collect();
    by_group.into_iter().map(|(g, l)| (GroupId(g as i64 + 1), SkillLevel::parse(i64::from(l)).expect("1..=5"))).collect()
}

fn status_of(code: u8, now: Millis) -> AgentStatus {
    match code {
        0 => AgentStatus::Ready,
        1 => AgentStatus::Away(AwayReason::Other("break".into())),
        // As an adapter restoring an agent mid wrap-up would set it.
        3 => AgentStatus::WrapUp { until: now.plus_secs(15) },
        _ => AgentStatus::Offline,
    }
}

fn group_config(g: &GroupSpec, index: usize, n_groups: usize) -> GroupConfig {
    let overflow = g.overflow.map(|(after, to)| (after, to % n_groups)).filter(|&(_, to)| to != index);
    GroupConfig {
        strategy: g.strategy,
        fallback: g.fallback,
        hold_secs: g.hold_secs,
        offer_timeout_secs: g.offer_timeout_secs,
        max_missed_offers: g.max_missed_offers,
        overflow_after_secs: overflow.map(|o| o.0),
        overflow_to: overflow.map(|o| GroupId(o.1 as i64 + 1)),
        wrap_up_secs: g.wrap_up_secs,
        business_hours: None,
    }
}

fn build(seed: u64, groups: &[GroupSpec], agents: &[AgentSpec]) -> World {
    let mut w = World::new(RouterConfig { seed, ..RouterConfig::default() });
    let n = groups.len();
    // Overflow targets must exist: create every group plainly first, as the server's restore does.
    for i in 0..n {
        w.must(Input::GroupUpdated { group: GroupId(i as i64 + 1), config: GroupConfig::default() });
    }
    for (i, g) in groups.iter().enumerate() {
        w.must(Input::GroupUpdated { group: GroupId(i as i64 + 1), config: group_config(g, i, n) });
    }
    for (i, a) in agents.iter().enumerate() {
        let agent = AgentId(i as i64 + 1);
        let capacity = Capacity { chat: a.chats, call: 1 };
        w.must(Input::AgentUpdated { agent, capacity, groups: memberships_of(&a.groups, n) });
        w.must(Input::AgentStatusSet { agent, status: status_of(a.status, w.now) });
    }
    w
}

fn run_op(w: &mut World, op: &Op, n_agents: usize) {
    let agent_at = |i: usize| AgentId((i % n_agents) as i64 + 1);
    let group_at = |w: &World, i: usize| w.groups[i % w.groups.len()];
    let pick = |ids: Vec<ConversationId>, i: usize| (!ids.is_empty()).then(|| ids[i % ids.len()]);
    match *op {
        Op::Status { agent, status } => {
            let a = agent_at(agent);
            let status = status_of(status, w.now);
            if let Err(e) = w.apply(Input::AgentStatusSet { agent: a, status }) {
                if e != CoreError::UnknownAgent(a) || w.capacity.contains_key(&a) {
                    w.fail(format!("status of {a:?} refused: {e:?}"))
                }
            }
        }
        Op::Enqueue { group, priority, min_skill, named, waited_secs } => {
            let g = group_at(w, group);
            let queued_at = Millis(w.now.0 - i64::from(waited_secs) * 1000);
            w.queue_at(g, priority, min_skill, named.map(agent_at), queued_at);
        }
        Op::Accept(i) | Op::Decline(i) => {
            let offered = w.live_ids(|l| matches!(l.holder, Some((_, Hold::Offered))));
            let Some(c) = pick(offered, i) else { return };
            let agent = w.convs[&c].holder.expect("offered").0;
            let input = if matches!(op, Op::Accept(_)) {
                Input::OfferAccepted { conversation: c, agent }
            } else {
                Input::OfferDeclined { conversation: c, agent }
            };
            w.must(input);
        }
        Op::TransferToGroup { conv, group } => {
            let Some(c) = pick(w.live_ids(|_| true), conv) else {
                return;
            };
            let g = group_at(w, group);
            w.must(Input::TransferToGroup { conversation: c, group: g });
        }
        Op::TransferToAgent { conv, agent } => {
            let Some(c) = pick(w.live_ids(|_| true), conv) else {
                return;
            };
            let target = agent_at(agent);
            if let Err(e) = w.apply(Input::TransferToAgent { conversation: c, agent: target }) {
                let Some(snap) = w.router.agent(target) else {
                    if e != CoreError::UnknownAgent(target) || w.capacity.contains_key(&target) {
                        w.fail(format!("transfer of {c:?} to {target:?} refused with {e:?}"))
                    }
                    return;
                };
                let could = snap.status == AgentStatus::Ready && snap.load.chat < snap.capacity.chat;
                let theirs = w.convs[&c].holder.map(|h| h.0) == Some(target);
                if e != CoreError::AgentUnavailable(target) || (could && !theirs) {
                    w.fail(format!("transfer of {c:?} to {target:?} refused with {e:?} though it could take it"))
                }
            }
        }
        Op::End(i) => {
            let Some(c) = pick(w.live_ids(|_| true), i) else {
                return;
            };
            w.must(Input::ConversationEnded { conversation: c });
        }
        Op::Advance(secs) => {
            let to = w.now.plus_secs(secs);
            w.run_until(to);
            w.must(Input::Tick);
        }
        Op::Reconfigure { agent, chats, ref groups } => {
            let a = agent_at(agent);
            // Never below the current load: the rule "load <= capacity" is the router's to keep.
            let chats = chats.max(w.load_of(a));
            let groups = memberships_of(groups, w.groups.len());
            w.must(Input::AgentUpdated { agent: a, capacity: Capacity { chat: chats, call: 1 }, groups });
        }
        Op::Regroup { group, ref spec } => {
            let n = w.groups.len();
            let g = group_at(w, group);
            let mut config = group_config(spec, group % n, n);
            if KNOWN_BUG_OVERFLOW_WITHOUT_TARGET_LOSES_CONVERSATION && config.overflow_to.is_none() {
                config.overflow_after_secs = w.configs[&g].overflow_after_secs;
                config.overflow_to = w.configs[&g].overflow_to;
            }
            w.must(Input::GroupUpdated { group: g, config });
        }
        Op::RemoveAgent(agent) => {
            let a = agent_at(agent);
            let load = w.load_of(a);
            match w.apply(Input::AgentRemoved { agent: a }) {
                Ok(_) if load == 0 => {}
                Err(CoreError::AgentInUse(_)) if load > 0 => {}
                Err(CoreError::UnknownAgent(_)) if !w.capacity.contains_key(&a) => {}
                other => w.fail(format!("removing {a:?} with load {load} gave {other:?}")),
            }
        }
        Op::Restore { agent, group } => {
            let a = agent_at(agent);
            let free = w.router.agent(a).is_some_and(|s| s.load.chat < s.capacity.chat);
            if free {
                let c = ConversationId(w.next_conv);
                w.next_conv += 1;
                let g = group_at(w, group);
                w.must(Input::ConversationAssigned { conversation: c, group: g, media: Media::Chat, agent: a });
            }
        }
    }
}

proptest! {
    // No failure persistence: integration tests have no lib.rs beside them, and a failure prints
    // its full input sequence anyway.
    #![proptest_config(ProptestConfig { cases: 2048, failure_persistence: None, ..ProptestConfig::default() })]

    /// Every rule in the module header, after every input of a random sequence.
    #[test]
    fn routing_invariants_hold_for_any_sequence((seed, groups, agents, ops) in scenario()) {
        let mut w = build(seed, &groups, &agents);
        for op in &ops {
            run_op(&mut w, op, agents.len());
        }
    }
}

// ---- eight simulated hours ------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrive,
    /// The agent answers an offer: accept (true) or decline (false).
    Answer {
        conversation: ConversationId,
        agent: AgentId,
        accept: bool,
    },
    Close {
        conversation: ConversationId,
        agent: AgentId,
    },
    PassOn {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// The visitor gives up if still waiting.
    Abandon {
        conversation: ConversationId,
    },
    Break {
        agent: AgentId,
    },
    Back {
        agent: AgentId,
    },
}

struct Calendar {
    events: BinaryHeap<Reverse<(Millis, u64, Event)>>,
    seq: u64,
}

impl Calendar {
    fn at(&mut self, at: Millis, e: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, e)));
    }
    fn next_at(&self) -> Option<Millis> {
        self.events.peek().map(|Reverse((at, _, _))| *at)
    }
}

fn exp_secs(rng: &mut SmallRng, mean: f64) -> u32 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (-u.ln() * mean).round().clamp(1.0, 10.0 * mean) as u32
}

/// A small contact centre: the router under test, the scripted people, and what happened.
struct Day {
    w: World,
    cal: Calendar,
    rng: SmallRng,
    agents: Vec<AgentId>,
    members: BTreeMap<GroupId, Vec<AgentId>>,
    /// Offers and assignments already given their scripted follow-up: (conversation, agent, assigned).
    scripted: BTreeSet<(ConversationId, AgentId, bool)>,
    /// Agents the router set away for missed offers, already scheduled to come back.
    coming_back: BTreeSet<AgentId>,
    arrived: u32,
    abandoned_unserved: u32,
    offers: u32,
    steps: u32,
}

const SALES: GroupId = GroupId(1);
const VIP: GroupId = GroupId(2);
const TECH: GroupId = GroupId(3);

impl Day {
    fn open(seed: u64) -> Day {
        let mut day = Day {
            w: World::new(RouterConfig::default()),
            cal: Calendar { events: BinaryHeap::new(), seq: 0 },
            rng: SmallRng::seed_from_u64(seed),
            agents: (1..=15).map(AgentId).collect(),
            members: BTreeMap::new(),
            scripted: BTreeSet::new(),
            coming_back: BTreeSet::new(),
            arrived: 0,
            abandoned_unserved: 0,
            offers: 0,
            steps: 0,
        };
        let w = &mut day.w;
        w.must(Input::GroupUpdated {
            group: TECH,
            config: GroupConfig { strategy: Strategy::SkillLevel, wrap_up_secs: 10, max_missed_offers: 3, ..Default::default() },
        });
        w.must(Input::GroupUpdated {
            group: VIP,
            config: GroupConfig {
                strategy: Strategy::ReturningCustomer,
                fallback: Strategy::RoundRobin,
                hold_secs: 20,
                ..Default::default()
            },
        });
        w.must(Input::GroupUpdated {
            group: SALES,
            config: GroupConfig { overflow_after_secs: Some(120), overflow_to: Some(TECH), offer_timeout_secs: 20, ..Default::default() },
        });
        for &a in &day.agents {
            let mut groups = vec![];
            for g in [SALES, VIP, TECH] {
                // Agents 1..=3 are tech experts, so "min skill 4" conversations can be served.
                let level = if g == TECH && a.0 <= 3 { Some(5) } else { day.rng.gen_bool(0.5).then(|| day.rng.gen_range(1..=5)) };
                if let Some(level) = level {
                    groups.push((g, SkillLevel::parse(level).expect("1..=5")));
                    day.members.entry(g).or_default().push(a);
                }
            }
            let capacity = Capacity { chat: day.rng.gen_range(2..=4), call: 1 };
            day.w.must(Input::AgentUpdated { agent: a, capacity, groups });
            day.cal.at(T0.plus_secs(day.rng.gen_range(0..1800)), Event::Back { agent: a });
            day.cal.at(T0.plus_secs(day.rng.gen_range(3600..7200)), Event::Break { agent: a });
        }
        day.cal.at(T0.plus_secs(5), Event::Arrive);
        day
    }

    /// Run until every visitor is gone.
    fn run(&mut self, closing: Millis) {
        loop {
            let (at, event) = match (self.cal.next_at(), self.w.next_wake) {
                (None, None) => break,
                (Some(e), Some(t)) if t <= e => (t, None),
                (None, Some(t)) => (t, None),
                (Some(e), _) => (e, self.cal.events.pop().map(|Reverse((_, _, ev))| ev)),
            };
            if at > closing.plus_secs(4 * 3600) {
                self.w.fail("the day did not wind down within 4 hours after closing")
            }
            self.steps += 1;
            // Ticks at every wake-up the router asked for; between them it must stay maximal.
            self.w.run_until(at);
            if let Some(event) = event {
                self.happen(event, closing);
            }
            self.react();
        }
    }

    fn happen(&mut self, event: Event, closing: Millis) {
        let w = &mut self.w;
        let rng = &mut self.rng;
        let holder = |w: &World, c: ConversationId| w.convs.get(&c).and_then(|l| l.holder);
        match event {
            Event::Arrive => {
                self.arrived += 1;
                let roll: f64 = rng.gen();
                let (group, named, min_skill) = if roll < 0.5 {
                    (SALES, None, 1)
                } else if roll < 0.75 {
                    let vip = &self.members[&VIP];
                    (VIP, Some(vip[rng.gen_range(0..vip.len())]), 1)
                } else {
                    (TECH, None, if rng.gen_bool(0.2) { 4 } else { 1 })
                };
                let priority = if rng.gen_bool(0.1) { 2 } else { 0 };
                let c = w.queue(group, priority, min_skill, named);
                self.cal.at(w.now.plus_secs(exp_secs(rng, 240.0)), Event::Abandon { conversation: c });
                let next = w.now.plus_secs(exp_secs(rng, 9.0));
                if next < closing {
                    self.cal.at(next, Event::Arrive);
                }
            }
            Event::Answer { conversation, agent, accept } => {
                if holder(w, conversation) == Some((agent, Hold::Offered)) {
                    w.must(if accept {
                        Input::OfferAccepted { conversation, agent }
                    } else {
                        Input::OfferDeclined { conversation, agent }
                    });
                }
            }
            Event::Close { conversation, agent } => {
                if holder(w, conversation) == Some((agent, Hold::Assigned)) {
                    w.must(Input::ConversationEnded { conversation });
                }
            }
            Event::PassOn { conversation, agent } => {
                if holder(w, conversation) == Some((agent, Hold::Assigned)) {
                    let target = self.agents[rng.gen_range(0..self.agents.len())];
                    let to_agent = rng.gen_bool(0.5) && target != agent;
                    if !(to_agent && w.apply(Input::TransferToAgent { conversation, agent: target }).is_ok()) {
                        let group = [SALES, VIP, TECH][rng.gen_range(0..3)];
                        w.must(Input::TransferToGroup { conversation, group });
                    }
                }
            }
            Event::Abandon { conversation } => match w.convs.get(&conversation).map(|l| l.holder) {
                None => {}
                Some(None) => {
                    if !w.served.contains(&conversation) {
                        self.abandoned_unserved += 1;
                    }
                    w.must(Input::ConversationEnded { conversation });
                }
                // Being served: the visitor stays; look again later in case it waits again.
                Some(Some(_)) => self.cal.at(w.now.plus_secs(exp_secs(rng, 240.0)), Event::Abandon { conversation }),
            },
            Event::Break { agent } => {
                w.must(Input::AgentStatusSet { agent, status: AgentStatus::Away(AwayReason::Other("break".into())) });
                self.cal.at(w.now.plus_secs(rng.gen_range(300..900)), Event::Back { agent });
                let next = w.now.plus_secs(rng.gen_range(3600..7200));
                if next < closing {
                    self.cal.at(next, Event::Break { agent });
                }
            }
            Event::Back { agent } => {
                w.must(Input::AgentStatusSet { agent, status: AgentStatus::Ready });
            }
        }
    }

    /// Give every new offer, assignment and router-set away status its scripted follow-up,
    /// read from the model (which has seen every output, ticks included).
    fn react(&mut self) {
        let now = self.w.now;
        let held: BTreeSet<(ConversationId, AgentId, bool)> =
            self.w.convs.iter().filter_map(|(&c, l)| l.holder.map(|(a, h)| (c, a, h == Hold::Assigned))).collect();
        // Forget facts no longer true, so a later re-offer to the same agent is scripted anew.
        self.scripted.retain(|f| held.contains(f));
        for fact @ (c, a, assigned) in held {
            if !self.scripted.insert(fact) {
                continue;
            }
            let rng = &mut self.rng;
            if assigned {
                if rng.gen_bool(0.03) {
                    self.cal.at(now.plus_secs(rng.gen_range(20..120)), Event::PassOn { conversation: c, agent: a });
                } else {
                    self.cal.at(now.plus_secs(exp_secs(rng, 300.0).max(30)), Event::Close { conversation: c, agent: a });
                }
            } else {
                self.offers += 1;
                let roll: f64 = rng.gen();
                if roll < 0.90 {
                    self.cal.at(now.plus_secs(rng.gen_range(1..15)), Event::Answer { conversation: c, agent: a, accept: true });
                } else if roll < 0.94 {
                    self.cal.at(now.plus_secs(3), Event::Answer { conversation: c, agent: a, accept: false });
                } // else the agent misses it and the offer expires
            }
        }
        for (&a, status) in &self.w.status {
            if *status == AgentStatus::Away(AwayReason::MissedOffers) {
                if self.coming_back.insert(a) {
                    self.cal.at(now.plus_secs(60), Event::Back { agent: a });
                }
            } else {
                self.coming_back.remove(&a);
            }
        }
    }
}

/// Eight hours of traffic (about one visitor every 9 s, a tenth of them VIP, some waiting for
/// their returning-customer agent, some needing an expert), agents who answer after a few
/// seconds, sometimes decline or miss offers, take breaks and pass conversations on. Every rule
/// is checked after every input and between ticks; at the end every visitor was served or left.
#[test]
fn eight_simulated_hours_keep_every_rule_and_serve_everyone() {
    let closing = T0.plus_secs(8 * 3600);
    let mut day = Day::open(2024);
    day.run(closing);
    let Day { w, arrived, abandoned_unserved, offers, steps, .. } = &day;
    assert!(w.convs.is_empty(), "conversations left over: {:?}", w.convs.keys().collect::<Vec<_>>());
    let served = w.served.len() as u32;
    assert_eq!(served + abandoned_unserved, *arrived, "every visitor was served or gave up waiting");
    assert!(*arrived > 2500, "about one arrival every 9 s for 8 h, got {arrived}");
    assert!(served * 10 > arrived * 8, "most visitors are served: {served} of {arrived}");
    eprintln!("8 simulated hours: {arrived} visitors, {served} served, {abandoned_unserved} gave up, {offers} offers, {steps} steps");
}

// ---- regressions: core bugs the random tests found, each as its shortest input sequence -------

/// Feed one input and drain; returns the outputs and the wake-up the router asked for.
fn feed(r: &mut Router, now: Millis, input: Input) -> (Vec<Output>, Option<Millis>) {
    r.handle_input(now, input).expect("accepted");
    let mut out = vec![];
    loop {
        match r.poll_output() {
            Output::Timeout(at) => return (out, at),
            o => out.push(o),
        }
    }
}

fn chat(conversation: i64, group: i64, queued_at: Millis) -> Input {
    Input::ConversationQueued(Waiting {
        conversation: ConversationId(conversation),
        group: GroupId(group),
        media: Media::Chat,
        priority: Priority(0),
        queued_at,
        min_skill: SkillLevel::MIN,
        named_agent: None,
    })
}

fn ready_agent(r: &mut Router, now: Millis, agent: i64, chats: u16, groups: &[i64]) {
    let groups = groups.iter().map(|&g| (GroupId(g), SkillLevel::MIN)).collect();
    feed(r, now, Input::AgentUpdated { agent: AgentId(agent), capacity: Capacity { chat: chats, call: 0 }, groups });
    feed(r, now, Input::AgentStatusSet { agent: AgentId(agent), status: AgentStatus::Ready });
}

/// An agent who transfers a conversation to a group is kept from it for `reoffer_after_secs`,
/// but `transfer_to_group` (engine.rs) pushes that exclusion without a `Timer::Recheck`: the
/// router answers `Timeout(None)` and a driver that ticks when asked never offers it again,
/// although the agent is ready, has free slots and may serve it from t = 120 s.
#[test]
fn regression_transfer_exclusion_end_has_no_timer() {
    let mut r = Router::new(RouterConfig::default()); // reoffer_after_secs = 120
    let t = T0;
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(1), config: GroupConfig::default() });
    ready_agent(&mut r, t, 1, 2, &[1]);
    feed(&mut r, t, chat(10, 1, t)); // offered to agent 1
    feed(&mut r, t, Input::OfferAccepted { conversation: ConversationId(10), agent: AgentId(1) });
    let (_, wake) = feed(&mut r, t, Input::TransferToGroup { conversation: ConversationId(10), group: GroupId(1) });
    // Nobody else is there: conversation 10 waits; agent 1 may take it again from t + 120 s.
    let later = t.plus_secs(121);
    assert!(r.may_serve(ConversationId(10), AgentId(1), later));
    assert!(
        wake.is_some_and(|at| at <= t.plus_secs(120)),
        "the router must ask to be woken when agent 1 may take conversation 10 again; it asked for {wake:?}"
    );
}

/// Same with a transfer to an agent (`transfer_to_agent` in engine.rs): agent 1 passes
/// conversation 10 to agent 2, who declines a minute later. Agent 1 may serve it again at
/// t = 120 s, but the only wake-up is agent 2's re-offer time, t = 180 s.
#[test]
fn regression_transfer_to_agent_exclusion_end_has_no_timer() {
    let mut r = Router::new(RouterConfig::default());
    let t = T0;
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(1), config: GroupConfig { offer_timeout_secs: 300, ..Default::default() } });
    ready_agent(&mut r, t, 1, 2, &[1]);
    feed(&mut r, t, chat(10, 1, t));
    feed(&mut r, t, Input::OfferAccepted { conversation: ConversationId(10), agent: AgentId(1) });
    ready_agent(&mut r, t, 2, 2, &[]);
    feed(&mut r, t, Input::TransferToAgent { conversation: ConversationId(10), agent: AgentId(2) });
    let (_, wake) = feed(&mut r, t.plus_secs(60), Input::OfferDeclined { conversation: ConversationId(10), agent: AgentId(2) });
    assert_eq!(r.waiting_in(GroupId(1)), vec![ConversationId(10)]);
    assert!(r.may_serve(ConversationId(10), AgentId(1), t.plus_secs(121)));
    assert!(
        wake.is_some_and(|at| at <= t.plus_secs(120)),
        "the router must ask to be woken when agent 1 may take conversation 10 again; it asked for {wake:?}"
    );
}

/// `put_in_line` hands a conversation whose overflow time has passed to `overflow`, which
/// returns without putting it anywhere when the group has no (existing) overflow target. The
/// conversation stays in the router, held by nobody, in no line: never offered again.
/// Shown with an admin removing overflow from a group; the same happens when `overflow_to`
/// names a group that does not exist (accepted by `GroupUpdated`) or was removed (`GroupRemoved`
/// does not check overflow targets) — see the second half.
#[test]
fn regression_overflow_without_a_target_loses_the_conversation() {
    let mut r = Router::new(RouterConfig::default());
    let t = T0;
    let overflowing = GroupConfig { overflow_after_secs: Some(10), overflow_to: Some(GroupId(2)), ..Default::default() };
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(2), config: GroupConfig::default() });
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(1), config: overflowing });
    feed(&mut r, t, chat(10, 1, t));
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(1), config: GroupConfig::default() }); // no overflow any more
    feed(&mut r, t.plus_secs(20), Input::Tick);
    assert_eq!(r.waiting_in(GroupId(1)), vec![ConversationId(10)], "still waits in group 1, fine so far");
    ready_agent(&mut r, t.plus_secs(20), 1, 1, &[1]); // offered to agent 1
    feed(&mut r, t.plus_secs(25), Input::OfferDeclined { conversation: ConversationId(10), agent: AgentId(1) });
    assert!(r.contains(ConversationId(10)));
    assert_eq!(r.holder(ConversationId(10)), None);
    assert_eq!(r.waiting_in(GroupId(1)), vec![ConversationId(10)], "declined: conversation 10 must wait in group 1 again");

    // Overflow into a group that does not exist is refused, and an overflow target cannot be removed.
    let mut r = Router::new(RouterConfig::default());
    let dangling = GroupConfig { overflow_after_secs: Some(60), overflow_to: Some(GroupId(9)), ..Default::default() };
    assert!(matches!(r.handle_input(t, Input::GroupUpdated { group: GroupId(1), config: dangling }), Err(CoreError::InvalidConfig(_))));
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(2), config: GroupConfig::default() });
    let to_two = GroupConfig { overflow_after_secs: Some(60), overflow_to: Some(GroupId(2)), ..Default::default() };
    feed(&mut r, t, Input::GroupUpdated { group: GroupId(1), config: to_two });
    assert_eq!(r.handle_input(t, Input::GroupRemoved { group: GroupId(2) }), Err(CoreError::GroupInUse(GroupId(2))));
}

/// Two groups overflowing into each other after 0 s used to recurse `put_in_line` -> `overflow`
/// until the stack overflowed and the process aborted. A zero-second overflow is now refused.
#[test]
fn regression_zero_second_overflow_is_refused() {
    let mut r = Router::new(RouterConfig::default());
    feed(&mut r, T0, Input::GroupUpdated { group: GroupId(2), config: GroupConfig::default() });
    let zero = GroupConfig { overflow_after_secs: Some(0), overflow_to: Some(GroupId(2)), ..Default::default() };
    assert!(matches!(r.handle_input(T0, Input::GroupUpdated { group: GroupId(1), config: zero }), Err(CoreError::InvalidConfig(_))));
}
