//! The routing engine: queues per skill group, offers, timers, and the dispatch loop.
//! It owns no I/O; `handle_input` changes state and queues outputs, `poll_output` drains them.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

use rand::rngs::SmallRng;
use serde::{Deserialize, Serialize};

use crate::agent::{AgentState, AgentStatus};
use crate::group::{GroupConfig, Strategy};
use crate::types::{AgentId, Capacity, ConversationId, GroupId, Media, Millis, Priority, SkillLevel};

/// Settings of the router itself (per-group settings live in [`GroupConfig`]).
#[derive(Debug, Clone)]
pub struct RouterConfig {
    /// Seed of the generator behind the `random` strategy.
    pub seed: u64,
    /// After an agent declines or misses a conversation, they are not offered it again for this long.
    pub reoffer_after_secs: u32,
    /// Handle time assumed for wait estimates until a group has closed conversations.
    pub default_handle_secs: u32,
}

impl Default for RouterConfig {
    fn default() -> Self {
        RouterConfig { seed: 0x6b65_6675, reoffer_after_secs: 120, default_handle_secs: 180 }
    }
}

/// A conversation entering a queue.
#[derive(Debug, Clone, PartialEq)]
pub struct Waiting {
    /// Which conversation.
    pub conversation: ConversationId,
    /// The skill group whose queue it joins.
    pub group: GroupId,
    /// Chat or call.
    pub media: Media,
    /// Higher first (VIP).
    pub priority: Priority,
    /// When it first entered any queue: its place in line. Kept across restarts and overflow.
    pub queued_at: Millis,
    /// Agents below this level in the group are not offered it.
    pub min_skill: SkillLevel,
    /// The agent a `returning_customer` or `designated` group should hold it for.
    pub named_agent: Option<AgentId>,
    /// Goes ahead of everyone else in its group's line: it was in service with an agent who can
    /// no longer serve (disabled), so the customer has already waited their turn.
    pub front: bool,
}

/// Everything that can happen to the router.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A group was created or its settings changed.
    GroupUpdated {
        /// The group.
        group: GroupId,
        /// Its settings.
        config: GroupConfig,
    },
    /// A group was deleted; refused while conversations are in it.
    GroupRemoved {
        /// The group.
        group: GroupId,
    },
    /// An agent was created, or their capacity or memberships changed.
    AgentUpdated {
        /// The agent.
        agent: AgentId,
        /// Per-media capacity.
        capacity: Capacity,
        /// Memberships with the skill level in each.
        groups: Vec<(GroupId, SkillLevel)>,
    },
    /// An agent was disabled; refused while they hold conversations.
    AgentRemoved {
        /// The agent.
        agent: AgentId,
    },
    /// An agent can no longer serve (their account was disabled): their offers are withdrawn,
    /// each conversation in service with them goes back to the front of its group's line
    /// ([`Output::Requeued`]) instead of staying stranded, and they go offline.
    AgentDisabled {
        /// The agent.
        agent: AgentId,
    },
    /// The agent (or an adapter restoring state) set a status.
    AgentStatusSet {
        /// The agent.
        agent: AgentId,
        /// The new status.
        status: AgentStatus,
    },
    /// A socket of the agent closed at `closed_at` (the adapter's clock) and none of theirs came
    /// back within the disconnect grace. A ready or wrapping-up agent goes away with the reason
    /// [`DISCONNECTED`] — unless their status was set after `closed_at`: a status chosen since
    /// (over REST with no socket, from another device) is not undone by an older socket's timer.
    AgentDisconnected {
        /// The agent.
        agent: AgentId,
        /// When the socket closed (after a restart: when the process started listening).
        closed_at: Millis,
    },
    /// A conversation joins a queue (new, or restored after a restart with its old `queued_at`).
    ConversationQueued(Waiting),
    /// Restore an accepted conversation after a restart: it counts on the agent's load.
    ConversationAssigned {
        /// Which conversation.
        conversation: ConversationId,
        /// Its group.
        group: GroupId,
        /// Chat or call.
        media: Media,
        /// Its agent.
        agent: AgentId,
        /// When the agent took it (before the restart): handle time counts from here.
        assigned_at: Millis,
    },
    /// The agent accepted an offer.
    OfferAccepted {
        /// Which conversation.
        conversation: ConversationId,
        /// The agent who accepted.
        agent: AgentId,
    },
    /// The agent declined an offer.
    OfferDeclined {
        /// Which conversation.
        conversation: ConversationId,
        /// The agent who declined.
        agent: AgentId,
    },
    /// Move the conversation to another group's queue (转接至技能组). It keeps its place in time.
    TransferToGroup {
        /// Which conversation.
        conversation: ConversationId,
        /// The new group.
        group: GroupId,
    },
    /// Offer the conversation to one agent (转接); if they do not accept, it queues in its group.
    TransferToAgent {
        /// Which conversation.
        conversation: ConversationId,
        /// The target agent.
        agent: AgentId,
    },
    /// A supervisor takes the conversation over (接管) and serves it at once, from whoever held it
    /// or from the line; see `check_take_over` for when that is refused.
    TakeOver {
        /// Which conversation.
        conversation: ConversationId,
        /// The supervisor (an agent of the router like any other).
        agent: AgentId,
    },
    /// A call starts on an accepted conversation (either side started it from the chat). A
    /// chat needs a free call slot of its agent, held on top of its chat slot until
    /// [`Input::CallEnded`]; a conversation that came in as a call already holds one. Refused with
    /// [`CoreError::AgentUnavailable`] when the agent has no free call slot, and
    /// [`CoreError::CallOpen`] when a call is already open on it.
    CallStarted {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// The conversation's call ended (hang-up, decline, timeout, failure): its call slot is
    /// freed. A conversation that came in as a call goes on as a chat, taking a chat slot if
    /// the agent has one free (else it keeps its call slot until it is closed).
    CallEnded {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// Closed by an agent, or abandoned by the visitor while waiting.
    ConversationEnded {
        /// Which conversation.
        conversation: ConversationId,
    },
    /// Time passed: fire due timers.
    Tick,
}

/// Why an agent was offered a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "strategy")]
pub enum OfferReason {
    /// The group's (or fallback) strategy chose among agents who could serve the head of the line.
    Strategy(Strategy),
    /// The conversation was held for this agent (returning customer or designated agent). This
    /// may go ahead of earlier conversations: the one exception to first come, first served.
    NamedAgent(Strategy),
    /// Another agent transferred it to this agent.
    Transfer,
}

/// Why an offer ended without being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawReason {
    /// The agent declined.
    Declined,
    /// The agent did not answer in time.
    Expired,
    /// The agent went away or offline.
    AgentUnavailable,
    /// The conversation ended (visitor left).
    Ended,
    /// The conversation was transferred elsewhere meanwhile.
    Transferred,
}

/// Why the router itself changed an agent's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusReason {
    /// Too many offers in a row timed out: set away.
    MissedOffers,
    /// Closed a conversation in a group with wrap-up time.
    WrapUpStarted,
    /// Wrap-up time is over: ready again.
    WrapUpEnded,
}

/// A decision, to be persisted then announced.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Offer `conversation` to `agent` until `expires_at`.
    Offered {
        /// Which conversation.
        conversation: ConversationId,
        /// To whom.
        agent: AgentId,
        /// Its group.
        group: GroupId,
        /// When the offer times out.
        expires_at: Millis,
        /// Why this agent.
        reason: OfferReason,
    },
    /// The agent accepted: the conversation is theirs.
    Assigned {
        /// Which conversation.
        conversation: ConversationId,
        /// Whose.
        agent: AgentId,
        /// Its group.
        group: GroupId,
    },
    /// An offer ended unaccepted; unless the reason is `Ended`, the conversation waits again.
    OfferWithdrawn {
        /// Which conversation.
        conversation: ConversationId,
        /// The agent it was offered to.
        agent: AgentId,
        /// Why.
        reason: WithdrawReason,
    },
    /// Taken back from an agent who can no longer serve it: waiting again, at the front of the line.
    Requeued {
        /// Which conversation.
        conversation: ConversationId,
        /// The agent who had it.
        agent: AgentId,
        /// The group whose line it is in.
        group: GroupId,
    },
    /// Waited too long: moved to another group's queue.
    Overflowed {
        /// Which conversation.
        conversation: ConversationId,
        /// From this group.
        from: GroupId,
        /// To this one.
        to: GroupId,
    },
    /// The router changed an agent's status.
    AgentStatusChanged {
        /// The agent.
        agent: AgentId,
        /// The new status.
        status: AgentStatus,
        /// Why.
        reason: StatusReason,
    },
    /// A group's line changed: positions and estimates of its waiting visitors may have moved.
    QueueChanged {
        /// The group.
        group: GroupId,
    },
    /// Nothing more to do; call `handle_input(now, Input::Tick)` at this time (if any).
    Timeout(Option<Millis>),
}

/// Bad input: the router's state is unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// No such agent.
    UnknownAgent(AgentId),
    /// No such group.
    UnknownGroup(GroupId),
    /// No such conversation in the router.
    UnknownConversation(ConversationId),
    /// The conversation is already in the router.
    DuplicateConversation(ConversationId),
    /// The conversation is not offered to this agent (anymore).
    NotOffered(ConversationId, AgentId),
    /// The agent cannot take a transfer now (not ready, or full).
    AgentUnavailable(AgentId),
    /// The group still holds conversations.
    GroupInUse(GroupId),
    /// The agent still holds or is offered conversations.
    AgentInUse(AgentId),
    /// Settings that cannot work, with the reason.
    InvalidConfig(String),
    /// A call is open on the conversation: no second call, and no transfer until it ends.
    CallOpen(ConversationId),
    /// No call is open on the conversation.
    NoCall(ConversationId),
    /// The conversation is not in service with an agent (a call needs one).
    NotAssigned(ConversationId),
}

impl std::fmt::Display for CoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CoreError::UnknownAgent(a) => write!(f, "agent {} is not known to the router", a.0),
            CoreError::UnknownGroup(g) => write!(f, "skill group {} does not exist", g.0),
            CoreError::UnknownConversation(c) => write!(f, "conversation {} is not waiting or in service", c.0),
            CoreError::DuplicateConversation(c) => write!(f, "conversation {} is already routed", c.0),
            CoreError::NotOffered(c, a) => write!(f, "conversation {} is not offered to agent {}", c.0, a.0),
            CoreError::AgentUnavailable(a) => write!(f, "agent {} is not ready or has no free capacity", a.0),
            CoreError::GroupInUse(g) => write!(f, "skill group {} still has conversations", g.0),
            CoreError::AgentInUse(a) => write!(f, "agent {} still holds conversations", a.0),
            CoreError::InvalidConfig(why) => write!(f, "invalid routing settings: {why}"),
            CoreError::CallOpen(c) => write!(f, "conversation {} already has a call open", c.0),
            CoreError::NoCall(c) => write!(f, "conversation {} has no call open", c.0),
            CoreError::NotAssigned(c) => write!(f, "conversation {} is not in service with an agent", c.0),
        }
    }
}

impl std::error::Error for CoreError {}

/// Where a waiting conversation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    /// 1 = next in line.
    pub position: u32,
    /// Unknown when no agent of the group is logged in.
    pub estimated_wait_secs: Option<u32>,
}

/// An agent as the router sees it, for status displays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSnapshot {
    /// Declared or router-set status.
    pub status: AgentStatus,
    /// Capacity per media.
    pub capacity: Capacity,
    /// Conversations held or offered, per media.
    pub load: Capacity,
    /// Ready but full on every media: shown as "busy" (忙碌).
    pub busy: bool,
}

/// A group's line, for the supervisor view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupSnapshot {
    /// Conversations waiting (not offered).
    pub waiting: u32,
    /// The longest wait among them, since first queued.
    pub longest_wait_secs: u32,
    /// Members who are ready.
    pub agents_ready: u32,
    /// Members logged in (any status but offline).
    pub agents_logged_in: u32,
}

/// Line order: conversations sent back to the front first, then priority, then arrival.
pub(crate) type QueueKey = (Reverse<bool>, Reverse<Priority>, Millis, ConversationId);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Timer {
    OfferExpiry(ConversationId),
    /// A hold for a named agent, or an exclusion, ended: the line may move.
    Recheck,
    Overflow(ConversationId),
    WrapUpEnd(AgentId),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Phase {
    Waiting,
    Offered { agent: AgentId, expires_at: Millis },
    Assigned { agent: AgentId },
}

#[derive(Debug, Clone)]
pub(crate) struct Conv {
    pub(crate) group: GroupId,
    pub(crate) media: Media,
    pub(crate) priority: Priority,
    pub(crate) queued_at: Millis,
    pub(crate) min_skill: SkillLevel,
    pub(crate) named_agent: Option<AgentId>,
    /// Ahead of the rest of the line (see [`Waiting::front`]) until an agent accepts it.
    pub(crate) front: bool,
    /// Until when the conversation waits only for `named_agent`.
    pub(crate) hold_until: Option<Millis>,
    pub(crate) overflow_at: Option<Millis>,
    pub(crate) phase: Phase,
    /// Agents who declined or missed it, and until when they are not offered it again.
    pub(crate) excluded: Vec<(AgentId, Millis)>,
    pub(crate) assigned_at: Option<Millis>,
    /// A call is open on it. Slots held while offered or assigned: one of `media`, plus a call
    /// slot when a chat has a call open.
    pub(crate) call: bool,
}

impl Conv {
    pub(crate) fn key(&self, id: ConversationId) -> QueueKey {
        (Reverse(self.front), Reverse(self.priority), self.queued_at, id)
    }
    pub(crate) fn excludes(&self, agent: AgentId, now: Millis) -> bool {
        self.excluded.iter().any(|&(a, until)| a == agent && until > now)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub(crate) config: GroupConfig,
    pub(crate) members: BTreeMap<AgentId, SkillLevel>,
    pub(crate) queues: [BTreeSet<QueueKey>; 2],
    /// Members who are ready with free capacity, per media: the only agents dispatch looks at.
    pub(crate) available: [BTreeSet<AgentId>; 2],
    pub(crate) rr_last: Option<AgentId>,
    /// Moving average of handle time, for wait estimates.
    pub(crate) avg_handle_ms: f64,
    /// Something changed that may make a waiting conversation servable (a conversation or a
    /// free agent arrived, settings or membership changed, a hold or exclusion ended). Dispatch
    /// scans only dirty groups, so an agent who can serve nobody does not cost every input a
    /// walk of the whole line.
    pub(crate) dirty: bool,
}

/// The routing engine. See the crate documentation for the calling pattern.
#[derive(Debug)]
pub struct Router {
    pub(crate) config: RouterConfig,
    pub(crate) agents: BTreeMap<AgentId, AgentState>,
    pub(crate) groups: BTreeMap<GroupId, Group>,
    pub(crate) convs: BTreeMap<ConversationId, Conv>,
    pub(crate) timers: BTreeSet<(Millis, Timer)>,
    pub(crate) outputs: VecDeque<Output>,
    pub(crate) changed_groups: BTreeSet<GroupId>,
    pub(crate) rng: SmallRng,
}
