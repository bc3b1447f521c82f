//! Each routing rule of DESIGN.md §3, one scenario at a time.

mod common;
use common::{offers, Sim};
use kefu_core::*;

#[test]
fn first_come_first_served_within_a_group() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.queue(10, 1);
    s.advance(1);
    s.queue(11, 1);
    let out = s.input(Input::AgentUpdated {
        agent: AgentId(1),
        capacity: Capacity { chat: 1, call: 0 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    assert!(offers(&out).is_empty(), "offline agents get nothing");
    let out = s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::Ready });
    assert_eq!(offers(&out), vec![(10, 1)]);
    assert_eq!(s.router.queue_info(ConversationId(11)).unwrap().position, 1);
}

#[test]
fn vip_goes_before_earlier_normal_customers() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.queue(10, 1);
    s.advance(5);
    s.queue_with(11, 1, 3, None);
    assert_eq!(s.router.queue_info(ConversationId(11)).unwrap().position, 1);
    s.agent(1, 1, &[1]);
    assert_eq!(offers(&s.log), vec![(11, 1)]);
}

#[test]
fn load_balance_gives_work_to_the_idlest_agent() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 4, &[1]);
    s.agent(2, 2, &[1]);
    let out = s.queue(10, 1);
    // Both fully idle: agent 1 has been idle longer (logged in first).
    assert_eq!(offers(&out), vec![(10, 1)]);
    s.accept(10, 1);
    // Agent 1 is at 3/4 = 75 % idle, agent 2 at 100 %.
    assert_eq!(offers(&s.queue(11, 1)), vec![(11, 2)]);
    s.accept(11, 2);
    // Agent 1: 75 %, agent 2: 50 %.
    assert_eq!(offers(&s.queue(12, 1)), vec![(12, 1)]);
}

#[test]
fn closed_conversations_do_not_count_as_load() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    assert!(offers(&s.queue(11, 1)).is_empty(), "agent 1 is full");
    let out = s.end(10);
    assert_eq!(offers(&out), vec![(11, 1)], "closing frees the slot at once");
}

#[test]
fn round_robin_takes_turns() {
    let mut s = Sim::new();
    s.group(1, Strategy::RoundRobin);
    for a in 1..=3 {
        s.agent(a, 5, &[1]);
    }
    let mut got = vec![];
    for c in 10..16 {
        got.extend(offers(&s.queue(c, 1)).into_iter().map(|(_, a)| a));
    }
    assert_eq!(got, vec![1, 2, 3, 1, 2, 3]);
}

#[test]
fn random_uses_every_agent_and_is_reproducible() {
    let run = || {
        let mut s = Sim::new();
        s.group(1, Strategy::Random);
        for a in 1..=3 {
            s.agent(a, 50, &[1]);
        }
        (10..60).flat_map(|c| offers(&s.queue(c, 1))).map(|(_, a)| a).collect::<Vec<_>>()
    };
    let first = run();
    assert_eq!(first, run(), "same seed, same choices");
    for a in 1..=3 {
        assert!(first.contains(&a));
    }
}

#[test]
fn skill_level_prefers_the_expert_and_respects_minimum() {
    let mut s = Sim::new();
    s.group(1, Strategy::SkillLevel);
    s.agent_at(1, 5, &[(1, 2)]);
    s.agent_at(2, 5, &[(1, 5)]);
    assert_eq!(offers(&s.queue(10, 1)), vec![(10, 2)]);
    let now = s.now;
    let out = s.input(Input::ConversationQueued(Waiting {
        conversation: ConversationId(11),
        group: GroupId(1),
        media: Media::Chat,
        priority: Priority(0),
        queued_at: now,
        min_skill: SkillLevel::parse(3).unwrap(),
        named_agent: None,
        front: false,
    }));
    assert_eq!(offers(&out), vec![(11, 2)]);
    s.input(Input::AgentStatusSet { agent: AgentId(2), status: AgentStatus::Away(AwayReason::Other("meal".into())) });
    let out = s.input(Input::ConversationQueued(Waiting {
        conversation: ConversationId(12),
        group: GroupId(1),
        media: Media::Chat,
        priority: Priority(0),
        queued_at: now,
        min_skill: SkillLevel::parse(3).unwrap(),
        named_agent: None,
        front: false,
    }));
    assert!(offers(&out).is_empty(), "agent 1 (level 2) may not take a level-3 conversation");
}

#[test]
fn returning_customer_waits_for_their_agent_then_falls_back() {
    let mut s = Sim::new();
    s.group_with(
        1,
        GroupConfig { strategy: Strategy::ReturningCustomer, fallback: Strategy::RoundRobin, hold_secs: 30, ..Default::default() },
    );
    s.agent(1, 1, &[1]);
    s.agent(2, 1, &[1]);
    s.queue(10, 1);
    s.accept(10, 1); // agent 1 is now full
    let out = s.queue_with(11, 1, 0, Some(1));
    assert!(offers(&out).is_empty(), "held for agent 1 although agent 2 is free");
    // Meanwhile a later conversation goes to agent 2: that is allowed, 11 is held.
    assert_eq!(offers(&s.queue(12, 1)), vec![(12, 2)]);
    s.end(12);
    // Hold expires after 30 s: fallback to whoever is free (agent 2).
    let out = s.advance(31);
    assert_eq!(offers(&out), vec![(11, 2)]);
    assert!(matches!(
        out.iter().find(|o| matches!(o, Output::Offered { .. })),
        Some(Output::Offered { reason: OfferReason::Strategy(Strategy::RoundRobin), .. })
    ));
}

#[test]
fn returning_customer_gets_their_agent_with_a_reason() {
    let mut s = Sim::new();
    s.group(1, Strategy::ReturningCustomer);
    s.agent(1, 2, &[1]);
    s.agent(2, 2, &[1]);
    let out = s.queue_with(10, 1, 0, Some(2));
    assert_eq!(offers(&out), vec![(10, 2)]);
    assert!(out.iter().any(|o| matches!(o, Output::Offered { reason: OfferReason::NamedAgent(Strategy::ReturningCustomer), .. })));
}

#[test]
fn designated_agent_offline_means_immediate_fallback() {
    let mut s = Sim::new();
    s.group(1, Strategy::Designated);
    s.agent(1, 2, &[1]);
    s.input(Input::AgentUpdated {
        agent: AgentId(2),
        capacity: Capacity { chat: 2, call: 1 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    let out = s.queue_with(10, 1, 0, Some(2));
    assert_eq!(offers(&out), vec![(10, 1)]);
}

#[test]
fn offers_time_out_move_on_and_set_the_agent_away() {
    let mut s = Sim::new();
    s.group_with(1, GroupConfig { offer_timeout_secs: 20, max_missed_offers: 2, ..Default::default() });
    s.agent(1, 3, &[1]);
    assert_eq!(offers(&s.queue(10, 1)), vec![(10, 1)]);
    s.agent(2, 3, &[1]);
    let out = s.advance(21);
    assert!(out.contains(&Output::OfferWithdrawn { conversation: ConversationId(10), agent: AgentId(1), reason: WithdrawReason::Expired }));
    assert_eq!(offers(&out), vec![(10, 2)], "the next agent gets it");
    // Agent 1 misses a second one: set away.
    s.input(Input::AgentStatusSet { agent: AgentId(2), status: AgentStatus::Offline });
    let out = s.queue(11, 1);
    assert!(offers(&out).contains(&(11, 1)));
    let out = s.advance(21);
    assert!(out.iter().any(|o| matches!(o, Output::AgentStatusChanged { agent: AgentId(1), reason: StatusReason::MissedOffers, .. })));
    assert_eq!(s.router.agent(AgentId(1)).unwrap().status, AgentStatus::Away(AwayReason::MissedOffers));
}

#[test]
fn declined_conversation_goes_to_someone_else_not_back() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 3, &[1]);
    s.queue(10, 1);
    let out = s.input(Input::OfferDeclined { conversation: ConversationId(10), agent: AgentId(1) });
    assert!(offers(&out).is_empty(), "not offered straight back to the agent who declined");
    assert_eq!(offers(&s.queue(11, 1)), vec![(11, 1)], "later conversation served: agent 1 may not serve 10");
    s.agent(2, 3, &[1]);
    assert!(offers(&s.log).contains(&(10, 2)));
}

#[test]
fn overflow_moves_long_waiters_to_another_group_keeping_their_place() {
    let mut s = Sim::new();
    s.group(2, Strategy::LoadBalance);
    s.group_with(1, GroupConfig { overflow_after_secs: Some(60), overflow_to: Some(GroupId(2)), ..Default::default() });
    s.queue(10, 1);
    s.advance(10);
    s.queue(11, 2);
    let out = s.advance(55);
    assert!(out.contains(&Output::Overflowed { conversation: ConversationId(10), from: GroupId(1), to: GroupId(2) }));
    assert_eq!(s.router.waiting_in(GroupId(2)), vec![ConversationId(10), ConversationId(11)], "10 arrived first");
    s.agent(5, 1, &[2]);
    assert_eq!(offers(&s.log), vec![(10, 5)]);
}

#[test]
fn wrap_up_blocks_new_offers_until_it_ends() {
    let mut s = Sim::new();
    s.group_with(1, GroupConfig { wrap_up_secs: 15, ..Default::default() });
    s.agent(1, 2, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    let out = s.end(10);
    assert!(out.iter().any(|o| matches!(o, Output::AgentStatusChanged { reason: StatusReason::WrapUpStarted, .. })));
    assert!(offers(&s.queue(11, 1)).is_empty());
    let out = s.advance(16);
    assert!(out.iter().any(|o| matches!(o, Output::AgentStatusChanged { reason: StatusReason::WrapUpEnded, .. })));
    assert_eq!(offers(&out), vec![(11, 1)]);
}

#[test]
fn transfer_to_group_keeps_history_place_and_excludes_the_sender() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.group(2, Strategy::LoadBalance);
    s.agent(1, 2, &[1, 2]);
    s.queue(10, 1);
    s.accept(10, 1);
    let out = s.input(Input::TransferToGroup { conversation: ConversationId(10), group: GroupId(2) });
    assert!(offers(&out).is_empty(), "not back to the agent who transferred it");
    s.agent(2, 2, &[2]);
    assert!(offers(&s.log).contains(&(10, 2)));
}

#[test]
fn transfer_to_agent_is_an_offer_to_that_agent() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    assert_eq!(
        s.try_input(Input::TransferToAgent { conversation: ConversationId(10), agent: AgentId(9) }),
        Err(CoreError::UnknownAgent(AgentId(9)))
    );
    s.agent(2, 1, &[]);
    let out = s.input(Input::TransferToAgent { conversation: ConversationId(10), agent: AgentId(2) });
    assert!(out.iter().any(|o| matches!(o, Output::Offered { agent: AgentId(2), reason: OfferReason::Transfer, .. })));
    assert_eq!(s.router.agent(AgentId(1)).unwrap().load.chat, 0);
    s.accept(10, 2);
    assert_eq!(s.router.holder(ConversationId(10)), Some(AgentId(2)));
    assert_eq!(
        s.try_input(Input::TransferToAgent { conversation: ConversationId(10), agent: AgentId(2) }),
        Err(CoreError::AgentUnavailable(AgentId(2)))
    );
}

#[test]
fn a_transfer_can_be_checked_without_being_made() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.group(2, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.agent(2, 1, &[2]);
    s.queue(10, 1);
    s.accept(10, 1);
    let c = ConversationId(10);
    // Answers as the transfer itself would, and changes nothing.
    assert_eq!(s.router.check_transfer_to_group(c, GroupId(9)), Err(CoreError::UnknownGroup(GroupId(9))));
    assert_eq!(s.router.check_transfer_to_agent(c, AgentId(9)), Err(CoreError::UnknownAgent(AgentId(9))));
    assert_eq!(s.router.check_transfer_to_agent(c, AgentId(1)), Err(CoreError::AgentUnavailable(AgentId(1))));
    assert_eq!(s.router.check_transfer_to_group(c, GroupId(2)), Ok(()));
    assert_eq!(s.router.check_transfer_to_agent(c, AgentId(2)), Ok(()));
    assert_eq!(s.router.holder(c), Some(AgentId(1)), "a check moves nothing");
    assert_eq!(s.router.agent(AgentId(1)).unwrap().load.chat, 1);
    assert!(s.try_input(Input::TransferToAgent { conversation: c, agent: AgentId(2) }).is_ok());
}

#[test]
fn abandoned_while_waiting_leaves_the_line() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.queue(10, 1);
    s.queue(11, 1);
    s.end(10);
    assert_eq!(s.router.queue_info(ConversationId(11)).unwrap().position, 1);
    assert!(!s.router.contains(ConversationId(10)));
}

#[test]
fn estimated_wait_follows_staffing() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.queue(10, 1);
    assert_eq!(s.router.queue_info(ConversationId(10)).unwrap().estimated_wait_secs, None, "nobody logged in");
    s.input(Input::AgentUpdated {
        agent: AgentId(1),
        capacity: Capacity { chat: 2, call: 1 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::Away(AwayReason::Other("meeting".into())) });
    // One logged-in agent with 2 chat slots, 180 s default handle time: position 1 -> 90 s.
    assert_eq!(s.router.queue_info(ConversationId(10)).unwrap().estimated_wait_secs, Some(90));
}

#[test]
fn restored_conversations_keep_their_place_and_load() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.input(Input::AgentUpdated {
        agent: AgentId(1),
        capacity: Capacity { chat: 1, call: 1 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    s.input(Input::ConversationAssigned {
        conversation: ConversationId(5),
        group: GroupId(1),
        media: Media::Chat,
        agent: AgentId(1),
        assigned_at: s.now,
    });
    let early = Millis(s.now.0 - 120_000);
    for (c, at) in [(11, Millis(s.now.0 - 60_000)), (10, early)] {
        s.input(Input::ConversationQueued(Waiting {
            conversation: ConversationId(c),
            group: GroupId(1),
            media: Media::Chat,
            priority: Priority(0),
            queued_at: at,
            min_skill: SkillLevel::MIN,
            named_agent: None,
            front: false,
        }));
    }
    assert_eq!(s.router.waiting_in(GroupId(1)), vec![ConversationId(10), ConversationId(11)]);
    assert_eq!(s.router.group(GroupId(1), s.now).unwrap().longest_wait_secs, 120);
    s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::Ready });
    assert!(offers(&s.log).is_empty(), "agent 1 is full with the restored conversation");
    s.end(5);
    assert_eq!(offers(&s.log), vec![(10, 1)]);
}

#[test]
fn an_accept_repeated_by_the_serving_agent_changes_nothing_and_anyone_elses_is_refused() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.agent(2, 2, &[1]);
    s.queue(10, 1);
    let (agent, other) = match offers(&s.log)[..] {
        [(10, a)] => (a, 3 - a),
        ref seen => panic!("one offer of 10: {seen:?}"),
    };
    assert!(!s.accept(10, agent).is_empty(), "assigned");
    assert_eq!(s.try_input(Input::OfferAccepted { conversation: ConversationId(10), agent: AgentId(agent) }), Ok(vec![]));
    assert_eq!(s.router.agent(AgentId(agent)).map(|a| a.load.chat), Some(1), "counted once");
    assert_eq!(
        s.try_input(Input::OfferAccepted { conversation: ConversationId(10), agent: AgentId(other) }),
        Err(CoreError::NotOffered(ConversationId(10), AgentId(other)))
    );
    // Still one conversation on the serving agent: the next goes to the other.
    s.queue(11, 1);
    assert_eq!(offers(&s.log).last(), Some(&(11, other)));
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    assert_eq!(
        s.try_input(Input::OfferAccepted { conversation: ConversationId(1), agent: AgentId(1) }),
        Err(CoreError::UnknownConversation(ConversationId(1)))
    );
    s.queue(10, 1);
    assert_eq!(
        s.try_input(Input::OfferAccepted { conversation: ConversationId(10), agent: AgentId(1) }),
        Err(CoreError::NotOffered(ConversationId(10), AgentId(1)))
    );
    assert!(matches!(
        s.try_input(Input::GroupUpdated {
            group: GroupId(1),
            config: GroupConfig { overflow_to: Some(GroupId(1)), overflow_after_secs: Some(5), ..Default::default() }
        }),
        Err(CoreError::InvalidConfig(_))
    ));
    assert_eq!(s.try_input(Input::GroupRemoved { group: GroupId(1) }), Err(CoreError::GroupInUse(GroupId(1))));
    assert!(s
        .try_input(Input::ConversationQueued(Waiting {
            conversation: ConversationId(10),
            group: GroupId(1),
            media: Media::Chat,
            priority: Priority(0),
            queued_at: s.now,
            min_skill: SkillLevel::MIN,
            named_agent: None,
            front: false
        }))
        .is_err());
    assert_eq!(s.router.waiting_in(GroupId(1)), vec![ConversationId(10)]);
}

#[test]
fn a_disabled_agents_conversations_go_back_to_the_front_of_the_line() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    assert_eq!(offers(&s.queue(10, 1)), vec![(10, 1)]);
    s.accept(10, 1);
    // Later arrivals, one a VIP, wait behind a full agent.
    s.now = Millis(s.now.0 + 5_000);
    s.queue(11, 1);
    s.queue_with(12, 1, 5, None);
    s.now = Millis(s.now.0 + 5_000);

    let out = s.input(Input::AgentDisabled { agent: AgentId(1) });
    assert!(out.contains(&Output::Requeued { conversation: ConversationId(10), agent: AgentId(1), group: GroupId(1) }), "{out:?}");
    assert_eq!(s.router.agent(AgentId(1)).map(|a| (a.status, a.load.chat)), Some((AgentStatus::Offline, 0)));
    assert_eq!(s.router.holder(ConversationId(10)), None);
    assert_eq!(s.router.waiting_in(GroupId(1)), vec![ConversationId(10), ConversationId(12), ConversationId(11)]);
    assert_eq!(s.router.queue_info(ConversationId(10)).map(|q| q.position), Some(1));

    // The next free agent is offered it first; once accepted it is an ordinary conversation.
    s.input(Input::AgentUpdated {
        agent: AgentId(2),
        capacity: Capacity { chat: 1, call: 1 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    let out = s.input(Input::AgentStatusSet { agent: AgentId(2), status: AgentStatus::Ready });
    assert_eq!(offers(&out), vec![(10, 2)]);
    s.accept(10, 2);
    assert_eq!(s.router.waiting_in(GroupId(1)), vec![ConversationId(12), ConversationId(11)]);
}

#[test]
fn disabling_an_agent_withdraws_their_offers_without_moving_them_forward() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    s.queue(10, 1);
    s.now = Millis(s.now.0 + 1_000);
    s.queue(11, 1);
    let out = s.input(Input::AgentDisabled { agent: AgentId(1) });
    assert!(out
        .iter()
        .any(|o| matches!(o, Output::OfferWithdrawn { conversation: ConversationId(10), reason: WithdrawReason::AgentUnavailable, .. })));
    assert!(!out.iter().any(|o| matches!(o, Output::Requeued { .. })));
    assert_eq!(s.router.waiting_in(GroupId(1)), vec![ConversationId(10), ConversationId(11)]);
    assert_eq!(s.try_input(Input::AgentDisabled { agent: AgentId(9) }), Err(CoreError::UnknownAgent(AgentId(9))));
}

#[test]
fn a_conversation_restored_after_a_restart_counts_its_handle_time_from_the_real_start() {
    // Two identical days, except when the restored conversation was really taken.
    let estimate_after_restore = |taken_secs_ago: i64| {
        let mut s = Sim::new();
        s.group(1, Strategy::LoadBalance);
        s.agent(1, 1, &[1]);
        s.input(Input::ConversationAssigned {
            conversation: ConversationId(5),
            group: GroupId(1),
            media: Media::Chat,
            agent: AgentId(1),
            assigned_at: Millis(s.now.0 - taken_secs_ago * 1000),
        });
        s.input(Input::ConversationEnded { conversation: ConversationId(5) });
        s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::Away(AwayReason::Other("lunch".into())) });
        s.input(Input::ConversationQueued(Waiting {
            conversation: ConversationId(6),
            group: GroupId(1),
            media: Media::Chat,
            priority: Priority(0),
            queued_at: s.now,
            min_skill: SkillLevel::MIN,
            named_agent: None,
            front: false,
        }));
        s.router.queue_info(ConversationId(6)).unwrap().estimated_wait_secs.unwrap()
    };
    // Served for 20 minutes across the restart: the group's handle time grows, the estimate
    // with it; counted from the restart it would shrink towards nothing.
    assert!(estimate_after_restore(1200) > estimate_after_restore(0), "{} vs {}", estimate_after_restore(1200), estimate_after_restore(0));
}

#[test]
fn a_supervisor_takes_a_conversation_over_at_once_within_capacity() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.agent(7, 1, &[]);
    s.queue(10, 1);
    s.accept(10, 1);
    let c = ConversationId(10);
    // Offline supervisors serve nobody; away is fine (watching the floor, no new work).
    s.input(Input::AgentStatusSet { agent: AgentId(7), status: AgentStatus::Offline });
    assert_eq!(s.try_input(Input::TakeOver { conversation: c, agent: AgentId(7) }), Err(CoreError::AgentUnavailable(AgentId(7))));
    s.input(Input::AgentStatusSet { agent: AgentId(7), status: AgentStatus::Away(AwayReason::Other("monitoring".into())) });
    let out = s.input(Input::TakeOver { conversation: c, agent: AgentId(7) });
    assert!(out.iter().any(|o| matches!(o, Output::Assigned { agent: AgentId(7), .. })), "no offer to accept");
    assert_eq!(s.router.holder(c), Some(AgentId(7)));
    assert_eq!(s.router.agent(AgentId(1)).unwrap().load.chat, 0);
    assert_eq!(s.router.agent(AgentId(7)).unwrap().load.chat, 1);
    assert_eq!(s.try_input(Input::TakeOver { conversation: c, agent: AgentId(7) }), Err(CoreError::AgentUnavailable(AgentId(7))));
    // Full: a second one is refused, so nobody is ever over capacity.
    s.queue(11, 1);
    let waiting = ConversationId(11);
    assert_eq!(s.router.check_take_over(waiting, AgentId(7)), Err(CoreError::AgentUnavailable(AgentId(7))));
}

#[test]
fn a_supervisor_takes_a_customer_out_of_the_line() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(7, 1, &[]);
    s.queue(10, 1);
    let out = s.input(Input::TakeOver { conversation: ConversationId(10), agent: AgentId(7) });
    assert!(out.iter().any(|o| matches!(o, Output::Assigned { agent: AgentId(7), .. })));
    assert_eq!(s.router.holder(ConversationId(10)), Some(AgentId(7)));
}
