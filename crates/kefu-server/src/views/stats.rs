//! The supervisor's live floor view.

use serde::Serialize;
use utoipa::ToSchema;

use super::AgentView;
use kefu_core::ServiceStats;

/// One group's queue and staffing now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupLive {
    pub id: i64,
    pub name: String,
    /// Conversations in line.
    pub waiting: u32,
    /// How long the first in line has waited.
    pub longest_wait_secs: u32,
    /// Members who are ready.
    pub agents_ready: u32,
    /// Members logged in (any status but offline).
    pub agents_logged_in: u32,
    /// The group's service-level target (s): the waiting list colours each wait against it.
    pub service_level_target_secs: u32,
}

/// Today's service figures (since the organisation's local midnight).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TodayStats {
    /// Conversations that entered a queue.
    pub offered: u64,
    /// Of those, accepted by an agent.
    pub answered: u64,
    /// Of those, given up by the visitor while waiting.
    pub abandoned: u64,
    /// Of the abandoned, those who gave up within the short-abandon limit (left out of service level).
    pub abandoned_short: u64,
    /// Of those, still waiting now past the target (already missed, counted in service level).
    pub waiting_past_target: u64,
    /// Contacts service level judged: answered + abandoned − short abandons + still waiting past
    /// the target.
    pub service_level_judged: u64,
    /// 0..1: answered within the target ÷ judged, each contact against its group's target (as the
    /// reports); 1 when nobody has been judged yet.
    pub service_level: f64,
    /// The server's service-level target (groups may have their own).
    pub service_level_target_secs: u32,
    /// Average speed of answer (平均应答时长).
    pub asa_secs: f64,
    /// 0..1: abandoned ÷ (answered + abandoned).
    pub abandonment_rate: f64,
    /// Average handle time (平均处理时长): answered to closed.
    pub aht_secs: f64,
    /// Mean CSAT score, null when none was given.
    #[schema(required = true)]
    pub csat_average: Option<f64>,
}

impl TodayStats {
    /// The core's figures plus the target they were computed against.
    pub fn build(s: &ServiceStats, target_secs: u32) -> TodayStats {
        TodayStats {
            offered: s.offered,
            answered: s.answered,
            abandoned: s.abandoned,
            abandoned_short: s.abandoned_short,
            waiting_past_target: s.waiting_past_target,
            service_level_judged: s.service_level_judged,
            service_level: s.service_level,
            service_level_target_secs: target_secs,
            asa_secs: s.asa_secs,
            abandonment_rate: s.abandonment_rate,
            aht_secs: s.aht_secs,
            csat_average: s.csat_average,
        }
    }
}

/// `GET /api/v1/stats/live`: queues, agents and today's service level.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LiveStats {
    pub groups: Vec<GroupLive>,
    pub agents: Vec<AgentView>,
    pub today: TodayStats,
    /// The customers waiting now (queued or being offered) in the groups shown, longest waiting
    /// first, each with the customer, VIP level, group, `queued_at` and first message.
    pub waiting: Vec<super::ConversationView>,
}

/// `GET /api/v1/stats/agents/{id}`: what a supervisor sees on opening an agent's row.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentDay {
    pub agent: AgentView,
    /// Today's conversations this agent served (since local midnight: answered, handle time, CSAT).
    pub today: TodayStats,
    /// The conversations the agent serves now.
    pub conversations: Vec<super::ConversationView>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_carries_every_figure_the_core_computes() {
        let core = serde_json::to_value(ServiceStats::default()).unwrap_or_default();
        let ours = serde_json::to_value(TodayStats::build(&ServiceStats::default(), 20)).unwrap_or_default();
        for key in core.as_object().into_iter().flat_map(|o| o.keys()) {
            assert!(ours.get(key).is_some(), "TodayStats lacks {key}");
        }
    }
}
