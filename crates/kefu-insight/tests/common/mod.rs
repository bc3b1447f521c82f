//! Hand-built fact sequences: one helper per fact, times in seconds after a fixed day's start.
#![allow(dead_code)]

use std::collections::HashMap;

use jiff::tz::TimeZone;
use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_insight::{Dimension, Interval, ReportSpec, Timed};

/// 2026-12-01T00:00:00Z.
pub const T0: i64 = 1_796_083_200_000;
pub const DAY: i64 = 86_400_000;

pub fn at(secs: i64) -> i64 {
    T0 + secs * 1000
}

pub fn queued(secs: i64, conversation: i64, customer: i64, group: i64, channel: &str) -> Timed {
    Timed {
        at: at(secs),
        fact: Fact::Queued {
            conversation: ConversationId(conversation),
            customer,
            group: GroupId(group),
            business_type: None,
            channel: channel.into(),
            vip: false,
            left_message: false,
        },
    }
}

pub fn answered(secs: i64, conversation: i64, agent: i64, group: i64) -> Timed {
    Timed {
        at: at(secs),
        fact: Fact::Answered { conversation: ConversationId(conversation), agent: AgentId(agent), group: GroupId(group) },
    }
}

pub fn abandoned(secs: i64, conversation: i64, group: i64, waited_secs: i64) -> Timed {
    Timed {
        at: at(secs),
        fact: Fact::Abandoned { conversation: ConversationId(conversation), group: GroupId(group), waited_ms: waited_secs * 1000 },
    }
}

pub fn closed(secs: i64, conversation: i64, agent: i64, group: i64, messages: u32) -> Timed {
    Timed {
        at: at(secs),
        fact: Fact::Closed {
            conversation: ConversationId(conversation),
            group: GroupId(group),
            agent: Some(AgentId(agent)),
            by: ClosedBy::Agent,
            wrap_up_code: Some("resolved".into()),
            visitor_messages: messages / 2,
            agent_messages: messages - messages / 2,
        },
    }
}

pub fn transferred(secs: i64, conversation: i64, from: i64, to_group: i64) -> Timed {
    Timed {
        at: at(secs),
        fact: Fact::Transferred {
            conversation: ConversationId(conversation),
            from_agent: AgentId(from),
            to_group: Some(GroupId(to_group)),
            to_agent: None,
        },
    }
}

pub fn csat(secs: i64, conversation: i64, score: u8) -> Timed {
    Timed { at: at(secs), fact: Fact::Csat { conversation: ConversationId(conversation), score } }
}

fn status_fact(word: &str) -> StatusFact {
    let (status, reason) = match word {
        "offline" => (AgentStatusKind::Offline, None),
        "ready" => (AgentStatusKind::Ready, None),
        "wrap_up" => (AgentStatusKind::WrapUp, None),
        reason => (AgentStatusKind::Away, Some(reason.to_string())),
    };
    StatusFact { status, reason }
}

/// `from`/`to`: offline, ready, wrap_up, or any other word as an away reason.
pub fn status(secs: i64, agent: i64, from: &str, to: &str) -> Timed {
    Timed { at: at(secs), fact: Fact::AgentStatus { agent: AgentId(agent), from: status_fact(from), to: status_fact(to) } }
}

pub fn spec(interval: Interval, by: Dimension) -> ReportSpec {
    ReportSpec {
        from: T0,
        to: T0 + DAY,
        now: T0 + 2 * DAY,
        interval,
        by,
        zone: TimeZone::UTC,
        default_target_secs: 20,
        targets: HashMap::new(),
        short_abandon_ms: 5_000,
        fcr_window_ms: 7 * DAY,
        groups: None,
        agents: None,
    }
}

pub fn sorted(mut facts: Vec<Timed>) -> Vec<Timed> {
    facts.sort_by_key(|f| f.at);
    facts
}
