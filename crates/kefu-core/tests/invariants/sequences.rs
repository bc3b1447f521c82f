//! Random scenarios (proptest): groups, agents and operation sequences.
use std::collections::BTreeMap;

use kefu_core::*;
use proptest::prelude::{any, prop, prop_oneof, proptest, Just, ProptestConfig};
use proptest::strategy::Strategy as _;

use crate::world::*;

#[derive(Debug, Clone)]
pub(crate) struct GroupSpec {
    pub(crate) strategy: Strategy,
    pub(crate) fallback: Strategy,
    pub(crate) hold_secs: u32,
    pub(crate) offer_timeout_secs: u32,
    pub(crate) max_missed_offers: u32,
    /// (after seconds, target group index) — the target is taken modulo the group count.
    pub(crate) overflow: Option<(u32, usize)>,
    pub(crate) wrap_up_secs: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct AgentSpec {
    pub(crate) chats: u16,
    /// (group index, skill level); indexes are taken modulo the group count.
    pub(crate) groups: Vec<(usize, u8)>,
    /// 0 ready, 1 away, 2 offline.
    pub(crate) status: u8,
}

#[derive(Debug, Clone)]
pub(crate) enum Op {
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
        /// Queued straight for a call (the widget's video service) instead of a chat.
        call: bool,
    },
    Accept(usize),
    /// Either side starts a call on a conversation in service (refused without a call slot).
    StartCall(usize),
    /// The call of a conversation ends.
    EndCall(usize),
    Decline(usize),
    TransferToGroup {
        conv: usize,
        group: usize,
    },
    TransferToAgent {
        conv: usize,
        agent: usize,
    },
    /// A supervisor (any agent here) takes a conversation over.
    TakeOver {
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
    /// An admin disables the agent: what they hold goes back to the front of the line.
    DisableAgent(usize),
    /// A restart restores an accepted conversation onto an agent with a free slot.
    Restore {
        agent: usize,
        group: usize,
    },
}

pub(crate) fn strategy() -> impl proptest::strategy::Strategy<Value = Strategy> {
    prop::sample::select(Strategy::ALL.to_vec())
}

#[allow(clippy::disallowed_types)] // `prop_oneof!` expands to `Arc`s; the no-`Arc` rule is the core's
pub(crate) fn group_spec() -> impl proptest::strategy::Strategy<Value = GroupSpec> {
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

pub(crate) fn memberships() -> impl proptest::strategy::Strategy<Value = Vec<(usize, u8)>> {
    prop::collection::vec((0usize..3, 1u8..=5), 0..=3)
}

pub(crate) fn agent_spec() -> impl proptest::strategy::Strategy<Value = AgentSpec> {
    (0u16..=4, memberships(), 0u8..3).prop_map(|(chats, groups, status)| AgentSpec { chats, groups, status })
}

#[allow(clippy::disallowed_types)] // `prop_oneof!` expands to `Arc`s; the no-`Arc` rule is the core's
pub(crate) fn op() -> impl proptest::strategy::Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..8, 0u8..4).prop_map(|(agent, status)| Op::Status { agent, status }),
        4 => (
            0usize..3,
            0u8..=2,
            prop_oneof![3 => Just(1u8), 1 => 2u8..=4],
            prop::option::weighted(0.3, 0usize..8),
            prop_oneof![4 => Just(0u32), 1 => 1u32..300],
            prop::bool::weighted(0.25),
        )
            .prop_map(|(group, priority, min_skill, named, waited_secs, call)| Op::Enqueue {
                group,
                priority,
                min_skill,
                named,
                waited_secs,
                call
            }),
        2 => any::<u16>().prop_map(|i| Op::StartCall(i.into())),
        2 => any::<u16>().prop_map(|i| Op::EndCall(i.into())),
        3 => any::<u16>().prop_map(|i| Op::Accept(i.into())),
        1 => any::<u16>().prop_map(|i| Op::Decline(i.into())),
        1 => (any::<u16>(), 0usize..3).prop_map(|(i, group)| Op::TransferToGroup { conv: i.into(), group }),
        1 => (any::<u16>(), 0usize..8).prop_map(|(i, agent)| Op::TransferToAgent { conv: i.into(), agent }),
        1 => (any::<u16>(), 0usize..8).prop_map(|(i, agent)| Op::TakeOver { conv: i.into(), agent }),
        2 => any::<u16>().prop_map(|i| Op::End(i.into())),
        2 => (0u32..10).prop_map(Op::Advance),
        1 => (10u32..=90).prop_map(Op::Advance),
        1 => (0usize..8, 0u16..=4, memberships()).prop_map(|(agent, chats, groups)| Op::Reconfigure { agent, chats, groups }),
        1 => (0usize..3, group_spec()).prop_map(|(group, spec)| Op::Regroup { group, spec }),
        1 => (0usize..8).prop_map(Op::RemoveAgent),
        1 => (0usize..8).prop_map(Op::DisableAgent),
        1 => (0usize..8, 0usize..3).prop_map(|(agent, group)| Op::Restore { agent, group }),
    ]
}

pub(crate) fn scenario() -> impl proptest::strategy::Strategy<Value = (u64, Vec<GroupSpec>, Vec<AgentSpec>, Vec<Op>)> {
    (
        any::<u64>(),
        prop::collection::vec(group_spec(), 1..=3),
        prop::collection::vec(agent_spec(), 1..=8),
        prop::collection::vec(op(), 1..250),
    )
}

pub(crate) fn memberships_of(spec: &[(usize, u8)], n_groups: usize) -> Vec<(GroupId, SkillLevel)> {
    let by_group: BTreeMap<usize, u8> = spec.iter().map(|&(g, l)| (g % n_groups, l)).collect();
    by_group.into_iter().map(|(g, l)| (GroupId(g as i64 + 1), SkillLevel::parse(i64::from(l)).expect("1..=5"))).collect()
}

pub(crate) fn status_of(code: u8, now: Millis) -> AgentStatus {
    match code {
        0 => AgentStatus::Ready,
        1 => AgentStatus::Away(AwayReason::Other("break".into())),
        // As an adapter restoring an agent mid wrap-up would set it.
        3 => AgentStatus::WrapUp { until: now.plus_secs(15) },
        _ => AgentStatus::Offline,
    }
}

pub(crate) fn group_config(g: &GroupSpec, index: usize, n_groups: usize) -> GroupConfig {
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

pub(crate) fn build(seed: u64, groups: &[GroupSpec], agents: &[AgentSpec]) -> World {
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

pub(crate) fn run_op(w: &mut World, op: &Op, n_agents: usize) {
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
        Op::Enqueue { group, priority, min_skill, named, waited_secs, call } => {
            let g = group_at(w, group);
            let queued_at = Millis(w.now.0 - i64::from(waited_secs) * 1000);
            let media = if call { Media::Call } else { Media::Chat };
            w.queue_media_at(g, media, priority, min_skill, named.map(agent_at), queued_at);
        }
        Op::StartCall(i) => {
            let Some(c) = pick(w.live_ids(|l| matches!(l.holder, Some((_, Hold::Assigned)))), i) else { return };
            let live = w.convs[&c].clone();
            let agent = live.holder.expect("assigned").0;
            match w.apply(Input::CallStarted { conversation: c }) {
                Ok(_) => {}
                Err(CoreError::CallOpen(_)) if live.call => {}
                Err(CoreError::AgentUnavailable(a))
                    if a == agent && live.media == Media::Chat && w.model_load(a).call >= w.capacity[&a].call => {}
                Err(e) => w.fail(format!("call on {c:?} ({live:?}) refused with {e:?}")),
            }
        }
        Op::EndCall(i) => {
            let Some(c) = pick(w.live_ids(|l| l.call), i) else { return };
            w.must(Input::CallEnded { conversation: c });
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
            if w.convs[&c].call {
                if w.apply(Input::TransferToGroup { conversation: c, group: g }) != Err(CoreError::CallOpen(c)) {
                    w.fail(format!("transfer of {c:?} during its call was not refused as CallOpen"))
                }
                return;
            }
            w.must(Input::TransferToGroup { conversation: c, group: g });
        }
        Op::TransferToAgent { conv, agent } => {
            let Some(c) = pick(w.live_ids(|_| true), conv) else {
                return;
            };
            let target = agent_at(agent);
            let (media, call) = (w.convs[&c].media, w.convs[&c].call);
            if call {
                if w.apply(Input::TransferToAgent { conversation: c, agent: target }) != Err(CoreError::CallOpen(c)) {
                    w.fail(format!("transfer of {c:?} during its call was not refused as CallOpen"))
                }
                return;
            }
            if let Err(e) = w.apply(Input::TransferToAgent { conversation: c, agent: target }) {
                let Some(snap) = w.router.agent(target) else {
                    if e != CoreError::UnknownAgent(target) || w.capacity.contains_key(&target) {
                        w.fail(format!("transfer of {c:?} to {target:?} refused with {e:?}"))
                    }
                    return;
                };
                let could = snap.status == AgentStatus::Ready && snap.load.of(media) < snap.capacity.of(media);
                let theirs = w.convs[&c].holder.map(|h| h.0) == Some(target);
                if e != CoreError::AgentUnavailable(target) || (could && !theirs) {
                    w.fail(format!("transfer of {c:?} to {target:?} refused with {e:?} though it could take it"))
                }
            }
        }
        Op::TakeOver { conv, agent } => {
            let Some(c) = pick(w.live_ids(|_| true), conv) else {
                return;
            };
            let target = agent_at(agent);
            let (media, call) = (w.convs[&c].media, w.convs[&c].call);
            match w.apply(Input::TakeOver { conversation: c, agent: target }) {
                Ok(_) => {
                    if w.convs[&c].holder != Some((target, Hold::Assigned)) {
                        w.fail(format!("{c:?} taken over by {target:?} but held by {:?}", w.convs[&c].holder))
                    }
                }
                Err(e) => {
                    let could =
                        w.router.agent(target).is_some_and(|a| a.status != AgentStatus::Offline && a.load.of(media) < a.capacity.of(media));
                    let theirs = w.convs[&c].holder == Some((target, Hold::Assigned));
                    if !call && could && !theirs {
                        w.fail(format!("take-over of {c:?} by {target:?} refused with {e:?} though it could take it"))
                    }
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
            let config = group_config(spec, group % n, n);
            w.must(Input::GroupUpdated { group: g, config });
        }
        Op::RemoveAgent(agent) => {
            let a = agent_at(agent);
            let load = w.total_load(a);
            match w.apply(Input::AgentRemoved { agent: a }) {
                Ok(_) if load == 0 => {}
                Err(CoreError::AgentInUse(_)) if load > 0 => {}
                Err(CoreError::UnknownAgent(_)) if !w.capacity.contains_key(&a) => {}
                other => w.fail(format!("removing {a:?} with load {load} gave {other:?}")),
            }
        }
        Op::DisableAgent(agent) => {
            let a = agent_at(agent);
            match w.apply(Input::AgentDisabled { agent: a }) {
                Ok(_) if w.total_load(a) == 0 => {}
                Err(CoreError::UnknownAgent(_)) if !w.capacity.contains_key(&a) => {}
                other => w.fail(format!("disabling {a:?} gave {other:?} and left load {}", w.total_load(a))),
            }
        }
        Op::Restore { agent, group } => {
            let a = agent_at(agent);
            let free = w.router.agent(a).is_some_and(|s| s.load.chat < s.capacity.chat);
            if free {
                let c = ConversationId(w.next_conv);
                w.next_conv += 1;
                let g = group_at(w, group);
                w.must(Input::ConversationAssigned { conversation: c, group: g, media: Media::Chat, agent: a, assigned_at: w.now });
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
