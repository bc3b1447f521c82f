//! The closed sets of words Kefu stores and speaks: conversation status (and which changes of it
//! are allowed), the stored agent status, and staff roles. Defined once here; the store reads and
//! writes them through `sqlx::Type` (feature `sqlx`) and the API documents them through
//! `utoipa::ToSchema` (feature `openapi`). The features only add derives: the core stays pure.

use serde::{Deserialize, Serialize};

/// Where a conversation is: waiting in line, offered to one agent, served, or over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConversationStatus {
    /// Waiting in its group's line.
    Queued,
    /// Offered to one agent, who has not accepted yet.
    Offered,
    /// Served by an agent.
    Assigned,
    /// Over (closed by an agent, or abandoned by the visitor).
    Closed,
}

impl ConversationStatus {
    /// Every status, in the order a conversation usually goes through them.
    pub const ALL: [ConversationStatus; 4] =
        [ConversationStatus::Queued, ConversationStatus::Offered, ConversationStatus::Assigned, ConversationStatus::Closed];

    /// Whether a conversation in this status may move to `next`. Closed is final; anything open
    /// may close; an offer may be accepted, declined (back to the line) or withdrawn in favour
    /// of a direct assignment; an assigned conversation goes back to the line when its agent is
    /// disabled or it is transferred to a group, or is re-offered when transferred to an agent.
    pub fn can_become(self, next: ConversationStatus) -> bool {
        use ConversationStatus::*;
        match (self, next) {
            (Closed, _) => false,
            (_, Closed) => true,
            (Queued, Offered | Assigned) => true,
            (Offered, Queued | Offered | Assigned) => true,
            (Assigned, Queued | Offered | Assigned) => true,
            (Queued, Queued) => true,
        }
    }

    /// Still open (not closed).
    pub fn is_open(self) -> bool {
        self != ConversationStatus::Closed
    }
}

/// An agent's status as stored (the kind only: the away reason and the wrap-up end are stored
/// beside it). "Busy" is not stored: it is a ready agent at full capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AgentStatusKind {
    /// Logged out.
    Offline,
    /// Takes new conversations.
    Ready,
    /// Keeps current conversations, takes no new ones.
    Away,
    /// 话后整理, until the stored end.
    WrapUp,
}

impl AgentStatusKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            AgentStatusKind::Offline => "offline",
            AgentStatusKind::Ready => "ready",
            AgentStatusKind::Away => "away",
            AgentStatusKind::WrapUp => "wrap_up",
        }
    }
    /// The kind of a router status.
    pub fn of(status: &crate::AgentStatus) -> AgentStatusKind {
        match status {
            crate::AgentStatus::Offline => AgentStatusKind::Offline,
            crate::AgentStatus::Ready => AgentStatusKind::Ready,
            crate::AgentStatus::Away(_) => AgentStatusKind::Away,
            crate::AgentStatus::WrapUp { .. } => AgentStatusKind::WrapUp,
        }
    }
}

/// `ringing` (started, the other side has not answered), `active` (answered: join media), `ended`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallStatus {
    /// Started; the other side has not answered.
    Ringing,
    /// Answered: join media.
    Active,
    /// Over (see its end reason).
    Ended,
}

impl CallStatus {
    /// Every call status.
    pub const ALL: [CallStatus; 3] = [CallStatus::Ringing, CallStatus::Active, CallStatus::Ended];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStatus::Ringing => "ringing",
            CallStatus::Active => "active",
            CallStatus::Ended => "ended",
        }
    }
}

/// Why a call ended: `hangup` (either side), `declined`, `missed` (not answered in time),
/// `failed` (media broke, or a participant vanished), `conversation_closed`, `server_restart`
/// (the server stopped with the call running), `home_lost` (in a cluster, the node carrying the
/// call's media died and its two sides did not both rejoin the call's media on the survivor that
/// took it over within `call_rejoin_secs`). The calls table's CHECK lists the same words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CallEndReason {
    /// Either side hung up.
    Hangup,
    /// The side that did not start it declined.
    Declined,
    /// Not answered within `call_ring_secs`.
    Missed,
    /// Media broke, or a participant vanished.
    Failed,
    /// Its conversation closed.
    ConversationClosed,
    /// The server stopped with the call running (ended at the next start).
    ServerRestart,
    /// In a cluster: the node carrying the call's media died, and its two sides were not both back
    /// in its media on the survivor that took it over within `call_rejoin_secs`.
    HomeLost,
}

impl CallEndReason {
    /// Every end reason.
    pub const ALL: [CallEndReason; 7] = [
        CallEndReason::Hangup,
        CallEndReason::Declined,
        CallEndReason::Missed,
        CallEndReason::Failed,
        CallEndReason::ConversationClosed,
        CallEndReason::ServerRestart,
        CallEndReason::HomeLost,
    ];

    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            CallEndReason::Hangup => "hangup",
            CallEndReason::Declined => "declined",
            CallEndReason::Missed => "missed",
            CallEndReason::Failed => "failed",
            CallEndReason::ConversationClosed => "conversation_closed",
            CallEndReason::ServerRestart => "server_restart",
            CallEndReason::HomeLost => "home_lost",
        }
    }
}

/// Which earlier agent a returning customer waits for: the last one, or the one who served most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ReturningBy {
    /// The agent who served the customer last.
    Last,
    /// The agent who served the customer most often.
    Most,
}

/// Staff roles, ordered: each can do what the lower ones can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    /// 坐席.
    Agent,
    /// 班长.
    Supervisor,
    /// Administrator.
    Admin,
}

impl Role {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ConversationStatus::*;
    use super::*;

    #[test]
    fn closed_is_final_and_anything_open_may_close() {
        for s in ConversationStatus::ALL {
            assert!(!Closed.can_become(s), "closed -> {s:?}");
            assert_eq!(s.can_become(Closed), s.is_open(), "{s:?} -> closed");
        }
    }

    #[test]
    fn the_router_moves_open_conversations_between_line_offer_and_agent() {
        assert!(Queued.can_become(Offered));
        assert!(Queued.can_become(Assigned), "a transfer to an agent assigns directly");
        assert!(Offered.can_become(Assigned), "accepted");
        assert!(Offered.can_become(Queued), "declined or expired");
        assert!(Assigned.can_become(Queued), "agent disabled, or transferred to a group");
        assert!(Assigned.can_become(Offered), "transferred to an agent");
    }

    #[test]
    fn words_are_the_stored_ones() {
        let words: Vec<String> = ConversationStatus::ALL.iter().map(|s| serde_json::to_string(s).unwrap_or_default()).collect();
        assert_eq!(words, ["\"queued\"", "\"offered\"", "\"assigned\"", "\"closed\""]);
        for k in [AgentStatusKind::Offline, AgentStatusKind::Ready, AgentStatusKind::Away, AgentStatusKind::WrapUp] {
            assert_eq!(serde_json::to_string(&k).unwrap_or_default(), format!("\"{}\"", k.as_str()));
        }
        for r in [Role::Agent, Role::Supervisor, Role::Admin] {
            assert_eq!(serde_json::to_string(&r).unwrap_or_default(), format!("\"{}\"", r.as_str()));
        }
        assert_eq!(serde_json::to_string(&ReturningBy::Most).unwrap_or_default(), "\"most\"");
        for c in CallStatus::ALL {
            assert_eq!(serde_json::to_string(&c).unwrap_or_default(), format!("\"{}\"", c.as_str()));
        }
        assert!(Role::Agent < Role::Supervisor && Role::Supervisor < Role::Admin);
    }
}
