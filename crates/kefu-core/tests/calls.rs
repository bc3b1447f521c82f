//! Calls and per-media capacity: a call slot is held on top of a chat slot, an agent takes one
//! call at a time while keeping chats, and a call-service conversation waits for a call slot.

mod common;
use common::{offers, Sim};
use kefu_core::*;

fn queue_call(s: &mut Sim, conv: i64, group: i64) -> Vec<Output> {
    let now = s.now;
    s.input(Input::ConversationQueued(Waiting {
        conversation: ConversationId(conv),
        group: GroupId(group),
        media: Media::Call,
        priority: Priority(0),
        queued_at: now,
        min_skill: SkillLevel::MIN,
        named_agent: None,
        front: false,
    }))
}

fn load(s: &Sim, agent: i64) -> Capacity {
    s.router.agent(AgentId(agent)).expect("known agent").load
}

fn start(s: &mut Sim, conv: i64) -> Result<Vec<Output>, CoreError> {
    s.try_input(Input::CallStarted { conversation: ConversationId(conv) })
}

#[test]
fn a_chat_starts_a_call_only_with_a_free_call_slot_and_keeps_its_chat_slot() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 3, &[1]);
    s.queue(10, 1);
    s.queue(11, 1);
    s.accept(10, 1);
    s.accept(11, 1);
    start(&mut s, 10).expect("a free call slot");
    assert_eq!(load(&s, 1), Capacity { chat: 2, call: 1 });
    assert!(s.router.call_open(ConversationId(10)));
    assert_eq!(start(&mut s, 11), Err(CoreError::AgentUnavailable(AgentId(1))), "one call at a time");
    assert_eq!(start(&mut s, 10), Err(CoreError::CallOpen(ConversationId(10))));
    // Chats still come while the call runs.
    let out = s.queue(12, 1);
    assert_eq!(offers(&out), vec![(12, 1)]);
    s.input(Input::CallEnded { conversation: ConversationId(10) });
    assert_eq!(load(&s, 1), Capacity { chat: 3, call: 0 });
    start(&mut s, 11).expect("the call slot is free again");
}

#[test]
fn a_call_needs_an_agent_in_service_and_blocks_transfers() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.group(2, Strategy::LoadBalance);
    s.queue(10, 1);
    assert_eq!(start(&mut s, 10), Err(CoreError::NotAssigned(ConversationId(10))));
    s.agent(1, 2, &[1]);
    assert_eq!(start(&mut s, 10), Err(CoreError::NotAssigned(ConversationId(10))), "offered is not in service");
    s.accept(10, 1);
    start(&mut s, 10).unwrap();
    let transfer = s.try_input(Input::TransferToGroup { conversation: ConversationId(10), group: GroupId(2) });
    assert_eq!(transfer, Err(CoreError::CallOpen(ConversationId(10))));
    assert_eq!(s.try_input(Input::CallEnded { conversation: ConversationId(99) }), Err(CoreError::UnknownConversation(ConversationId(99))));
    s.input(Input::CallEnded { conversation: ConversationId(10) });
    assert_eq!(s.try_input(Input::CallEnded { conversation: ConversationId(10) }), Err(CoreError::NoCall(ConversationId(10))));
}

#[test]
fn closing_a_conversation_frees_its_call_slot() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    start(&mut s, 10).unwrap();
    s.end(10);
    assert_eq!(load(&s, 1), Capacity { chat: 0, call: 0 });
}

#[test]
fn a_call_service_conversation_goes_only_to_an_agent_with_a_free_call_slot() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 3, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    start(&mut s, 10).unwrap();
    let out = queue_call(&mut s, 20, 1);
    assert!(offers(&out).is_empty(), "agent 1 is in a call");
    let out = s.input(Input::CallEnded { conversation: ConversationId(10) });
    assert_eq!(offers(&out), vec![(20, 1)]);
    assert_eq!(load(&s, 1), Capacity { chat: 1, call: 1 });
    s.accept(20, 1);
    assert!(s.router.call_open(ConversationId(20)), "taking the offer answers the call");
    assert_eq!(start(&mut s, 10), Err(CoreError::AgentUnavailable(AgentId(1))));
    // After its call it goes on as a chat: the call slot is free, a chat slot taken.
    s.input(Input::CallEnded { conversation: ConversationId(20) });
    assert_eq!(load(&s, 1), Capacity { chat: 2, call: 0 });
    assert_eq!(s.router.media_of(ConversationId(20)), Some(Media::Chat));
}

#[test]
fn a_call_service_conversation_keeps_its_call_slot_when_no_chat_slot_is_free() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    queue_call(&mut s, 20, 1);
    s.accept(20, 1);
    s.input(Input::CallEnded { conversation: ConversationId(20) });
    assert_eq!(load(&s, 1), Capacity { chat: 1, call: 1 });
    assert_eq!(s.router.media_of(ConversationId(20)), Some(Media::Call));
    start(&mut s, 20).expect("it still holds its call slot");
    assert_eq!(load(&s, 1), Capacity { chat: 1, call: 1 });
    s.end(20);
    assert_eq!(load(&s, 1), Capacity { chat: 1, call: 0 });
}

#[test]
fn a_disabled_agent_releases_the_call_slot_of_what_goes_back_in_line() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 2, &[1]);
    s.queue(10, 1);
    s.accept(10, 1);
    start(&mut s, 10).unwrap();
    s.input(Input::AgentDisabled { agent: AgentId(1) });
    assert_eq!(load(&s, 1), Capacity { chat: 0, call: 0 });
    assert!(!s.router.call_open(ConversationId(10)));
}
