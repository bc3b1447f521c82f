//! A plan against what happened: for each interval of a saved schedule that has begun, the
//! agents it asked for and put on shifts, the group's agents logged in, ready and working (the
//! agent state report's read model) and the contacts forecast against those that came (the
//! conversation report's read model).

use std::collections::{BTreeSet, HashMap};

use kefu_insight::{Dimension, Interval, ReportSpec};

use crate::error::ApiResult;
use crate::planning::INTERVAL_MS;
use crate::state::AppState;
use crate::views::planning::{PlanActualPoint, ScheduleView};

/// The plan's intervals from its start up to `now` (or its end), compared.
pub async fn compare(state: &AppState, group_id: i64, plan: &ScheduleView, now: i64) -> ApiResult<Vec<PlanActualPoint>> {
    let intervals = plan.required.len().max(plan.coverage.len()) as i64;
    let end = (plan.starts_at + intervals * INTERVAL_MS).min(now);
    if end <= plan.starts_at {
        return Ok(vec![]);
    }
    let members: BTreeSet<i64> = state.store.members().await?.into_iter().filter(|m| m.group_id == group_id).map(|m| m.agent_id).collect();
    let spec = ReportSpec {
        from: plan.starts_at,
        to: end,
        now,
        interval: Interval::Min30,
        by: Dimension::Agent,
        zone: state.org.time_zone().zone().clone(),
        default_target_secs: state.config.service_level_target_secs,
        targets: HashMap::new(),
        short_abandon_ms: 0,
        fcr_window_ms: 0,
        groups: Some(BTreeSet::from([group_id])),
        agents: Some(members),
    };
    // Agent time summed over the group's agents per interval.
    let report = crate::reports::agent_state_report(state, &spec).await?;
    let mut agents: HashMap<i64, kefu_insight::AgentFigures> = HashMap::new();
    for r in report.rows {
        agents.entry(r.start).or_default().add(&r.figures);
    }
    // Contacts that queued in the group, per quarter hour, into the plan's intervals.
    let rules = kefu_store::SumRules {
        targets_ms: vec![],
        default_target_ms: 0,
        short_abandon_ms: 0,
        fcr_window_ms: 0,
        groups: Some(vec![group_id]),
        business_types: None,
        channels: None,
    };
    let mut offered: HashMap<i64, u64> = HashMap::new();
    for s in state.store.contact_sums(plan.starts_at, end, kefu_store::ContactKey::Total, &rules).await? {
        let start = plan.starts_at + (s.slot - plan.starts_at).div_euclid(INTERVAL_MS) * INTERVAL_MS;
        *offered.entry(start).or_default() += s.offered as u64;
    }
    let per_interval = INTERVAL_MS as f64;
    let mut out = vec![];
    for i in 0..intervals {
        let start = plan.starts_at + i * INTERVAL_MS;
        if start >= end {
            break;
        }
        let i = i as usize;
        let a = agents.get(&start).cloned().unwrap_or_default();
        out.push(PlanActualPoint {
            start,
            required: plan.required.get(i).copied().unwrap_or(0),
            scheduled: plan.coverage.get(i).copied().unwrap_or(0),
            logged_in: a.logged_in_ms as f64 / per_interval,
            ready: a.ready_ms as f64 / per_interval,
            working: (a.busy_ms + a.wrap_up_ms) as f64 / per_interval,
            forecast_offered: plan.forecast.get(i).copied().unwrap_or(0.0),
            offered: offered.get(&start).copied().unwrap_or(0),
        });
    }
    Ok(out)
}
