//! Skill group configuration: strategy, timers, overflow, business hours.

use serde::{Deserialize, Serialize};

use crate::hours::BusinessHours;
use crate::types::GroupId;

/// How a group picks among the agents who could serve the next conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(type_name = "TEXT", rename_all = "snake_case"))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Strategy {
    /// 熟客优先: the agent who served this customer before (the adapter says which: last or
    /// most served), held for a window, then the fallback strategy.
    ReturningCustomer,
    /// 负载均衡: highest idle rate (free / capacity), ties by longest idle.
    LoadBalance,
    /// In turn, after the last agent picked in this group.
    RoundRobin,
    /// 随机分配, from the router's seeded generator.
    Random,
    /// 指定客服: the conversation's named agent (account manager), held for a window, then fallback.
    Designated,
    /// Highest skill level in the group first, ties by load balance.
    SkillLevel,
}

impl Strategy {
    /// Strategies that name an agent for a conversation and so need a fallback.
    pub fn names_agent(self) -> bool {
        matches!(self, Strategy::ReturningCustomer | Strategy::Designated)
    }
    /// All strategies, for validation messages and admin UIs.
    pub const ALL: [Strategy; 6] = [
        Strategy::ReturningCustomer,
        Strategy::LoadBalance,
        Strategy::RoundRobin,
        Strategy::Random,
        Strategy::Designated,
        Strategy::SkillLevel,
    ];
}

/// A skill group's routing settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupConfig {
    /// The group's strategy.
    pub strategy: Strategy,
    /// Used when the strategy names no available agent; never itself a naming strategy
    /// (a naming fallback behaves as load balance).
    pub fallback: Strategy,
    /// How long a conversation waits for its named agent before the fallback applies.
    pub hold_secs: u32,
    /// How long an agent has to accept an offer.
    pub offer_timeout_secs: u32,
    /// Offers in a row an agent may let time out before being set away (0 = never).
    pub max_missed_offers: u32,
    /// Move a conversation waiting this long to `overflow_to`.
    pub overflow_after_secs: Option<u32>,
    /// Where overflow goes.
    pub overflow_to: Option<GroupId>,
    /// 话后整理 time after an agent closes a conversation of this group (0 = none).
    pub wrap_up_secs: u32,
    /// Opening hours; `None` = always open. The router only reports them; the adapter decides
    /// whether a visitor leaves a message.
    pub business_hours: Option<BusinessHours>,
}

impl Default for GroupConfig {
    fn default() -> Self {
        GroupConfig {
            strategy: Strategy::LoadBalance,
            fallback: Strategy::LoadBalance,
            hold_secs: 30,
            offer_timeout_secs: 30,
            max_missed_offers: 2,
            overflow_after_secs: None,
            overflow_to: None,
            wrap_up_secs: 0,
            business_hours: None,
        }
    }
}
