//! Agent status as the router sees it, and the per-agent state it keeps.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::types::{Capacity, GroupId, Media, Millis, SkillLevel};

/// The away reason of an agent whose workspace disconnected and did not come back in time.
pub const DISCONNECTED: &str = "disconnected";

/// Why an agent is away (小休). `MissedOffers` is set by the router itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AwayReason {
    /// Set by the router after too many offers went unanswered.
    MissedOffers,
    /// Chosen by the agent (用餐, 培训, 会议 ...), free text from a configured list.
    Other(String),
}

/// What an agent has declared, plus wrap-up which the router sets and ends.
/// "Busy" is not stored: it is a ready agent at full capacity (see `AgentSnapshot::busy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    /// Logged out: never offered anything.
    Offline,
    /// Takes new conversations up to capacity.
    Ready,
    /// Logged in, keeps current conversations, takes no new ones.
    Away(AwayReason),
    /// 话后整理 after closing a conversation, until the given time; then ready again.
    WrapUp {
        /// When wrap-up ends by itself.
        until: Millis,
    },
}

impl AgentStatus {
    /// Logged in at all (any status but offline).
    pub fn is_logged_in(&self) -> bool {
        !matches!(self, AgentStatus::Offline)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct AgentState {
    pub status: AgentStatus,
    pub capacity: Capacity,
    /// Conversations offered to or held by the agent, per media. Offers count: an offer
    /// reserves the slot, so accepting can never put an agent over capacity.
    pub load: [u16; 2],
    pub groups: BTreeMap<GroupId, SkillLevel>,
    /// When the agent was last offered work (or logged in): "longest idle" tie breaks.
    pub last_offered_at: Millis,
    /// Conversations currently offered to this agent, to withdraw them when the agent leaves.
    pub offers: std::collections::BTreeSet<crate::types::ConversationId>,
    /// Offers in a row that timed out; reset by any accept.
    pub missed_in_row: u32,
    /// When a status was last declared for the agent (`Input::AgentStatusSet`: by the agent, an
    /// admin, an adapter restoring state — not the router's own changes such as a wrap-up
    /// ending): a disconnect noticed before then does not undo it (`Input::AgentDisconnected`).
    pub status_since: Millis,
}

impl AgentState {
    pub fn free(&self, media: Media) -> u16 {
        self.capacity.of(media).saturating_sub(self.load[media.index()])
    }
    pub fn takes_new(&self) -> bool {
        matches!(self.status, AgentStatus::Ready)
    }
    pub fn available_for(&self, media: Media) -> bool {
        self.takes_new() && self.free(media) > 0
    }
    /// Free share of capacity, as a fraction scaled to 0..=1_000_000 so it orders exactly.
    pub fn idle_rate(&self, media: Media) -> u64 {
        let cap = u64::from(self.capacity.of(media));
        if cap == 0 {
            return 0;
        }
        u64::from(self.free(media)) * 1_000_000 / cap
    }
}
