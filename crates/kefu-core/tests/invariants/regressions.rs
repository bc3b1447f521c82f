//! Core bugs the random tests found, each as its shortest input sequence.

use kefu_core::*;

use crate::world::*;

/// Feed one input and drain; returns the outputs and the wake-up the router asked for.
pub(crate) fn feed(r: &mut Router, now: Millis, input: Input) -> (Vec<Output>, Option<Millis>) {
    r.handle_input(now, input).expect("accepted");
    let mut out = vec![];
    loop {
        match r.poll_output() {
            Output::Timeout(at) => return (out, at),
            o => out.push(o),
        }
    }
}

pub(crate) fn chat(conversation: i64, group: i64, queued_at: Millis) -> Input {
    Input::ConversationQueued(Waiting {
        conversation: ConversationId(conversation),
        group: GroupId(group),
        media: Media::Chat,
        priority: Priority(0),
        queued_at,
        min_skill: SkillLevel::MIN,
        named_agent: None,
        front: false,
    })
}

pub(crate) fn ready_agent(r: &mut Router, now: Millis, agent: i64, chats: u16, groups: &[i64]) {
    let groups = groups.iter().map(|&g| (GroupId(g), SkillLevel::MIN)).collect();
    feed(r, now, Input::AgentUpdated { agent: AgentId(agent), capacity: Capacity { chat: chats, call: 0 }, groups });
    feed(r, now, Input::AgentStatusSet { agent: AgentId(agent), status: AgentStatus::Ready });
}

/// An agent who transfers a conversation to a group is kept from it for `reoffer_after_secs`,
/// but `transfer_to_group` (engine.rs) pushes that exclusion without a `Timer::Recheck`: the
/// router answers `Timeout(None)` and a driver that ticks when asked never offers it again,
/// although the agent is ready, has free slots and may serve it from t = 120 s.
#[test]
pub(crate) fn regression_transfer_exclusion_end_has_no_timer() {
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
pub(crate) fn regression_transfer_to_agent_exclusion_end_has_no_timer() {
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
pub(crate) fn regression_overflow_without_a_target_loses_the_conversation() {
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
pub(crate) fn regression_zero_second_overflow_is_refused() {
    let mut r = Router::new(RouterConfig::default());
    feed(&mut r, T0, Input::GroupUpdated { group: GroupId(2), config: GroupConfig::default() });
    let zero = GroupConfig { overflow_after_secs: Some(0), overflow_to: Some(GroupId(2)), ..Default::default() };
    assert!(matches!(r.handle_input(T0, Input::GroupUpdated { group: GroupId(1), config: zero }), Err(CoreError::InvalidConfig(_))));
}
