//! A disconnected workspace's grace timer (`Input::AgentDisconnected`): it sets a ready or
//! wrapping-up agent away, but never undoes a status set after the socket closed (an agent set
//! ready over REST with no socket must not be sent away by an older socket's timer).

mod common;
use common::{offers, Sim};
use kefu_core::*;
use proptest::prelude::{prop, prop_assert_eq, proptest};

fn disconnected() -> AgentStatus {
    AgentStatus::Away(AwayReason::Other(DISCONNECTED.into()))
}

fn status(s: &Sim, agent: i64) -> AgentStatus {
    s.router.agent(AgentId(agent)).expect("a known agent").status
}

#[test]
fn a_ready_agent_whose_socket_closed_and_never_came_back_goes_away() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    let closed_at = s.now;
    s.advance(60);
    s.input(Input::AgentDisconnected { agent: AgentId(1), closed_at });
    assert_eq!(status(&s, 1), disconnected());
    assert!(offers(&s.queue(10, 1)).is_empty(), "an away agent is offered nothing");
}

#[test]
fn a_status_set_after_the_socket_closed_stands() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    let closed_at = s.now;
    s.advance(5);
    // Ready again over REST, with no socket (another device, an API client).
    s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::Ready });
    s.advance(55);
    s.input(Input::AgentDisconnected { agent: AgentId(1), closed_at });
    assert_eq!(status(&s, 1), AgentStatus::Ready, "the older socket's timer does not undo a later choice");
    assert_eq!(offers(&s.queue(10, 1)), vec![(10, 1)]);
}

#[test]
fn an_agent_not_ready_is_left_as_they_are_and_an_unknown_one_is_refused() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    let lunch = AgentStatus::Away(AwayReason::Other("lunch".into()));
    s.input(Input::AgentStatusSet { agent: AgentId(1), status: lunch.clone() });
    let closed_at = s.now;
    s.advance(60);
    s.input(Input::AgentDisconnected { agent: AgentId(1), closed_at });
    assert_eq!(status(&s, 1), lunch);
    assert!(matches!(s.try_input(Input::AgentDisconnected { agent: AgentId(9), closed_at }), Err(CoreError::UnknownAgent(AgentId(9)))));
}

/// A status an agent may set, by index.
fn nth_status(i: u8) -> AgentStatus {
    match i % 4 {
        0 => AgentStatus::Ready,
        1 => AgentStatus::Away(AwayReason::Other("break".into())),
        2 => AgentStatus::Offline,
        _ => AgentStatus::WrapUp { until: Millis(i64::MAX / 2) },
    }
}

proptest! {
    /// Any history of status changes (seconds apart) and a socket closed at any moment of it:
    /// the disconnect sets the agent away exactly when their status then is ready or wrap-up and
    /// was set no later than the socket closed; otherwise the status is untouched.
    #[test]
    fn a_disconnect_undoes_no_status_set_after_the_socket_closed(
        changes in prop::collection::vec((0u8..4, 0i64..30), 0..12),
        closed_after in 0i64..400,
        grace in 0i64..120,
    ) {
        let mut s = Sim::new();
        s.group(1, Strategy::LoadBalance);
        s.agent(1, 1, &[1]);
        let start = s.now;
        let mut last_set = s.now;
        let closed_at = Millis(start.0 + closed_after * 1000);
        for (which, gap) in changes {
            s.advance(gap);
            s.input(Input::AgentStatusSet { agent: AgentId(1), status: nth_status(which) });
            last_set = s.now;
        }
        let before = status(&s, 1);
        s.now = Millis(s.now.0.max(closed_at.0) + grace * 1000);
        s.input(Input::AgentDisconnected { agent: AgentId(1), closed_at });
        let eligible = matches!(before, AgentStatus::Ready | AgentStatus::WrapUp { .. }) && last_set <= closed_at;
        let expected = if eligible { disconnected() } else { before };
        prop_assert_eq!(status(&s, 1), expected);
    }
}

#[test]
fn a_wrap_up_that_ends_by_itself_after_the_socket_closed_still_goes_away() {
    let mut s = Sim::new();
    s.group(1, Strategy::LoadBalance);
    s.agent(1, 1, &[1]);
    s.input(Input::AgentStatusSet { agent: AgentId(1), status: AgentStatus::WrapUp { until: Millis(s.now.0 + 10_000) } });
    let closed_at = s.now;
    s.advance(30);
    assert_eq!(status(&s, 1), AgentStatus::Ready, "the wrap-up ended by itself");
    s.input(Input::AgentDisconnected { agent: AgentId(1), closed_at });
    assert_eq!(status(&s, 1), disconnected(), "the router's own change is not the agent's choice");
}
