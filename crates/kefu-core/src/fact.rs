//! Facts: the typed, append-only record of what happened to conversations and agents, which
//! reports, quality inspection and forecasting fold into their own figures (DESIGN.md §5, "Facts
//! first, figures after"). The server writes each fact in the transaction of the change it
//! records; nothing on the routing path reads them. This module only names them.

use serde::{Deserialize, Serialize};

use crate::types::{AgentId, ConversationId, GroupId};
use crate::vocab::AgentStatusKind;

/// The kind of a fact, stored in its own column so a report scans only the kinds it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FactKind {
    /// A conversation entered a line.
    Queued,
    /// Offered to one agent.
    Offered,
    /// An agent accepted it.
    Answered,
    /// The visitor gave up while waiting.
    Abandoned,
    /// Moved to another group or agent by its agent.
    Transferred,
    /// Taken back from an agent who could no longer serve it.
    Requeued,
    /// Moved to another group's line after waiting too long.
    Overflowed,
    /// Closed by its agent or by a block.
    Closed,
    /// An agent's status changed.
    AgentStatus,
    /// A call became active (answered).
    CallStarted,
    /// A call ended.
    CallEnded,
    /// The customer rated the conversation.
    Csat,
}

/// How a conversation was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosedBy {
    /// By the agent serving it, with a wrap-up code.
    Agent,
    /// By a supervisor (or an API key) blocking the visitor.
    Block,
}

/// A call's media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallMedia {
    /// Video (and voice).
    Video,
    /// Voice only.
    Voice,
}

impl CallMedia {
    /// The media of a stored call word; None for anything but a call.
    pub fn parse(word: &str) -> Option<CallMedia> {
        match word {
            "video" => Some(CallMedia::Video),
            "voice" => Some(CallMedia::Voice),
            _ => None,
        }
    }
}

/// An agent's status as a fact tells it: the kind, and the away reason when away.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusFact {
    /// The status kind.
    pub status: AgentStatusKind,
    /// Why away (小休 reason), when away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl StatusFact {
    /// The fact form of a router status.
    pub fn of(status: &crate::AgentStatus) -> StatusFact {
        let reason = match status {
            crate::AgentStatus::Away(crate::AwayReason::MissedOffers) => Some("missed_offers".to_string()),
            crate::AgentStatus::Away(crate::AwayReason::Other(r)) => Some(r.clone()),
            _ => None,
        };
        StatusFact { status: AgentStatusKind::of(status), reason }
    }
}

/// One thing that happened. Serialised (internally tagged by `kind`) into the fact's data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fact {
    /// A new conversation entered its group's line.
    Queued {
        /// The conversation.
        conversation: ConversationId,
        /// The customer (visitor) it is from: first-contact resolution looks for their next one.
        customer: i64,
        /// The group whose line it entered.
        group: GroupId,
        /// Its business type, if chosen.
        business_type: Option<i64>,
        /// Where it came from (web, h5, app, api ...).
        channel: String,
        /// A VIP customer (priority above normal).
        vip: bool,
        /// A message left outside business hours: not a contact waiting for an answer.
        #[serde(default)]
        left_message: bool,
    },
    /// Offered to an agent.
    Offered {
        /// The conversation.
        conversation: ConversationId,
        /// To whom.
        agent: AgentId,
        /// In which group's line.
        group: GroupId,
    },
    /// An agent accepted it.
    Answered {
        /// The conversation.
        conversation: ConversationId,
        /// Who.
        agent: AgentId,
        /// In which group's line.
        group: GroupId,
    },
    /// The visitor gave up while waiting.
    Abandoned {
        /// The conversation.
        conversation: ConversationId,
        /// The group whose line they left.
        group: GroupId,
        /// How long they had waited since queueing (ms).
        waited_ms: i64,
    },
    /// Its agent moved it to another group's line or to another agent.
    Transferred {
        /// The conversation.
        conversation: ConversationId,
        /// Who moved it (the agent serving it).
        from_agent: AgentId,
        /// The group it went to, for a transfer to a group.
        to_group: Option<GroupId>,
        /// The agent it was offered to, for a transfer to an agent.
        to_agent: Option<AgentId>,
    },
    /// Taken back from an agent who can no longer serve it (disabled): back in line.
    Requeued {
        /// The conversation.
        conversation: ConversationId,
        /// The agent it was taken from.
        agent: AgentId,
    },
    /// Moved to another group's line after waiting too long.
    Overflowed {
        /// The conversation.
        conversation: ConversationId,
        /// From this group.
        from: GroupId,
        /// To this one.
        to: GroupId,
    },
    /// Closed by its agent (with a wrap-up code) or by a block.
    Closed {
        /// The conversation.
        conversation: ConversationId,
        /// Its group when closed.
        group: GroupId,
        /// The agent serving it (None if nobody was).
        agent: Option<AgentId>,
        /// How.
        by: ClosedBy,
        /// The wrap-up code (服务小结) the agent chose.
        wrap_up_code: Option<String>,
        /// Messages the customer sent.
        visitor_messages: u32,
        /// Messages agents sent.
        agent_messages: u32,
    },
    /// An agent's status changed.
    AgentStatus {
        /// Who.
        agent: AgentId,
        /// What it was.
        from: StatusFact,
        /// What it is now.
        to: StatusFact,
    },
    /// A call was answered (became active).
    CallStarted {
        /// The conversation.
        conversation: ConversationId,
        /// The call's id.
        call: i64,
        /// Video or voice.
        media: CallMedia,
    },
    /// A call ended.
    CallEnded {
        /// The conversation.
        conversation: ConversationId,
        /// The call's id.
        call: i64,
        /// Video or voice.
        media: CallMedia,
        /// Talk time (answered to ended) in ms; 0 for a call never answered.
        talk_ms: i64,
    },
    /// The customer rated the conversation.
    Csat {
        /// The conversation.
        conversation: ConversationId,
        /// 1..=5.
        score: u8,
    },
}

impl Fact {
    /// Its kind.
    pub fn kind(&self) -> FactKind {
        match self {
            Fact::Queued { .. } => FactKind::Queued,
            Fact::Offered { .. } => FactKind::Offered,
            Fact::Answered { .. } => FactKind::Answered,
            Fact::Abandoned { .. } => FactKind::Abandoned,
            Fact::Transferred { .. } => FactKind::Transferred,
            Fact::Requeued { .. } => FactKind::Requeued,
            Fact::Overflowed { .. } => FactKind::Overflowed,
            Fact::Closed { .. } => FactKind::Closed,
            Fact::AgentStatus { .. } => FactKind::AgentStatus,
            Fact::CallStarted { .. } => FactKind::CallStarted,
            Fact::CallEnded { .. } => FactKind::CallEnded,
            Fact::Csat { .. } => FactKind::Csat,
        }
    }

    /// The conversation it is about, if any (stored in an indexed column).
    pub fn conversation(&self) -> Option<ConversationId> {
        match self {
            Fact::Queued { conversation, .. }
            | Fact::Offered { conversation, .. }
            | Fact::Answered { conversation, .. }
            | Fact::Abandoned { conversation, .. }
            | Fact::Transferred { conversation, .. }
            | Fact::Requeued { conversation, .. }
            | Fact::Overflowed { conversation, .. }
            | Fact::Closed { conversation, .. }
            | Fact::CallStarted { conversation, .. }
            | Fact::CallEnded { conversation, .. }
            | Fact::Csat { conversation, .. } => Some(*conversation),
            Fact::AgentStatus { .. } => None,
        }
    }

    /// The agent it is about, if any (stored in an indexed column).
    pub fn agent(&self) -> Option<AgentId> {
        match self {
            Fact::Offered { agent, .. } | Fact::Answered { agent, .. } | Fact::Requeued { agent, .. } | Fact::AgentStatus { agent, .. } => {
                Some(*agent)
            }
            Fact::Transferred { from_agent, .. } => Some(*from_agent),
            Fact::Closed { agent, .. } => *agent,
            _ => None,
        }
    }

    /// The group it is about, if any (stored in an indexed column).
    pub fn group(&self) -> Option<GroupId> {
        match self {
            Fact::Queued { group, .. }
            | Fact::Offered { group, .. }
            | Fact::Answered { group, .. }
            | Fact::Abandoned { group, .. }
            | Fact::Closed { group, .. } => Some(*group),
            Fact::Overflowed { to, .. } => Some(*to),
            Fact::Transferred { to_group, .. } => *to_group,
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fact_round_trips_through_json_with_its_kind_as_tag() {
        let f = Fact::Abandoned { conversation: ConversationId(7), group: GroupId(2), waited_ms: 4_000 };
        let text = serde_json::to_string(&f).unwrap();
        assert!(text.contains("\"kind\":\"abandoned\""), "{text}");
        assert_eq!(serde_json::from_str::<Fact>(&text).unwrap(), f);
        assert_eq!(f.kind(), FactKind::Abandoned);
        assert_eq!((f.conversation(), f.group(), f.agent()), (Some(ConversationId(7)), Some(GroupId(2)), None));
    }

    #[test]
    fn a_status_fact_keeps_the_away_reason() {
        let away = crate::AgentStatus::Away(crate::AwayReason::Other("lunch".into()));
        assert_eq!(StatusFact::of(&away), StatusFact { status: AgentStatusKind::Away, reason: Some("lunch".into()) });
        assert_eq!(StatusFact::of(&crate::AgentStatus::Ready).reason, None);
    }
}
