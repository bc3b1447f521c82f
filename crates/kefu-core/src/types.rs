//! Small value types shared by the whole core: ids, time, capacity, priority, skill level.

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch. The core never reads a clock: callers pass this in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Millis(pub i64);

impl Millis {
    /// This instant plus `secs` seconds.
    pub fn plus_secs(self, secs: u32) -> Millis {
        Millis(self.0.saturating_add(i64::from(secs) * 1000))
    }
    /// Milliseconds from `earlier` to `self`, never negative.
    pub fn since(self, earlier: Millis) -> i64 {
        (self.0 - earlier.0).max(0)
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub i64);
    };
}
id_type!(
    /// An agent (坐席), as stored by the adapter.
    AgentId
);
id_type!(
    /// A skill group (技能组): a queue with a routing strategy.
    GroupId
);
id_type!(
    /// A conversation (会话): one service contact.
    ConversationId
);

/// What a conversation needs from an agent: a chat slot or a call slot. Each has its own capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    /// Text chat: agents hold several at once.
    Chat,
    /// Audio/video call: agents usually hold one.
    Call,
}

impl Media {
    /// Both kinds, in a fixed order (used to index per-media arrays).
    pub const ALL: [Media; 2] = [Media::Chat, Media::Call];
    pub(crate) fn index(self) -> usize {
        match self {
            Media::Chat => 0,
            Media::Call => 1,
        }
    }
}

/// How many conversations of each media an agent takes at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Capacity {
    /// Simultaneous chats.
    pub chat: u16,
    /// Simultaneous calls.
    pub call: u16,
}

impl Capacity {
    /// The capacity for one media.
    pub fn of(&self, media: Media) -> u16 {
        match media {
            Media::Chat => self.chat,
            Media::Call => self.call,
        }
    }
}

/// Queue priority: higher is served first (0 = normal customer, 1..=9 = VIP levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Priority(pub u8);

/// An agent's skill level within a group, 1 (new) to 5 (expert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SkillLevel(u8);

impl SkillLevel {
    /// The lowest level; every conversation that asks for nothing accepts it.
    pub const MIN: SkillLevel = SkillLevel(1);
    /// The highest level.
    pub const MAX: SkillLevel = SkillLevel(5);

    /// Parse a level, refusing anything outside 1..=5.
    pub fn parse(level: i64) -> Option<SkillLevel> {
        (1..=5).contains(&level).then_some(SkillLevel(level as u8))
    }
    /// The level as a number.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for SkillLevel {
    fn default() -> Self {
        SkillLevel::MIN
    }
}
