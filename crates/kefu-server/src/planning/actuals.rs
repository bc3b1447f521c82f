//! Plans against what happened over a period: for each interval that has begun, the agents a
//! saved plan asked for and put on shifts, the group's agents logged in, ready and working (the
//! agent state report's read model) and the contacts forecast against those that came (the
//! conversation report's read model). Each interval takes its planned figures from the newest of
//! the plans given that covers it, so a past week shows the plan made for that week even after
//! newer ones were saved.

use std::collections::{BTreeSet, HashMap};

use kefu_insight::{Dimension, Interval, ReportSpec};

use crate::error::ApiResult;
use crate::planning::INTERVAL_MS;
use crate::reports::export::{Cell, Table};
use crate::state::AppState;
use crate::views::planning::{PlanActualPoint, PlanActualsView, ScheduleView};

/// A saved plan's span: `[starts_at, ends_at)`.
pub fn plan_end(plan: &ScheduleView) -> i64 {
    plan.starts_at + plan.required.len().max(plan.coverage.len()) as i64 * INTERVAL_MS
}

/// The planned figures of the interval starting at `start`: the first plan of `plans` (newest
/// first) that covers it on its own interval grid.
fn planned_at(plans: &[ScheduleView], start: i64) -> Option<(&ScheduleView, usize)> {
    plans.iter().find_map(|p| {
        let offset = start - p.starts_at;
        (offset >= 0 && offset % INTERVAL_MS == 0 && start < plan_end(p)).then_some((p, (offset / INTERVAL_MS) as usize))
    })
}

/// The intervals of `[from, to)` that have begun by `now`, each against the newest plan of
/// `plans` (newest first) covering it.
pub async fn compare(
    state: &AppState,
    group_id: i64,
    plans: &[ScheduleView],
    from: i64,
    to: i64,
    now: i64,
) -> ApiResult<Vec<PlanActualPoint>> {
    let end = to.min(now);
    if end <= from {
        return Ok(vec![]);
    }
    let members: BTreeSet<i64> = state.store.members().await?.into_iter().filter(|m| m.group_id == group_id).map(|m| m.agent_id).collect();
    let spec = ReportSpec {
        from,
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
    // Agent time summed over the group's agents per interval, and who was there at all.
    let report = crate::reports::agent_state_report(state, &spec).await?;
    let mut agents: HashMap<i64, (kefu_insight::AgentFigures, u32)> = HashMap::new();
    for r in report.rows {
        let on = r.figures.ready_ms + r.figures.busy_ms + r.figures.wrap_up_ms > 0;
        let e = agents.entry(r.start).or_default();
        e.0.add(&r.figures);
        e.1 += u32::from(on);
    }
    // Contacts that queued in the group, per quarter hour, into the period's intervals.
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
    for s in state.store.contact_sums(from, end, kefu_store::ContactKey::Total, &rules).await? {
        let start = from + (s.slot - from).div_euclid(INTERVAL_MS) * INTERVAL_MS;
        *offered.entry(start).or_default() += s.offered as u64;
    }
    let per_interval = INTERVAL_MS as f64;
    let mut out = vec![];
    let mut start = from;
    while start < end {
        let (a, on) = agents.get(&start).cloned().unwrap_or_default();
        let plan = planned_at(plans, start);
        out.push(PlanActualPoint {
            start,
            schedule_id: plan.map(|(p, _)| p.id),
            required: plan.and_then(|(p, i)| p.required.get(i).copied()).unwrap_or(0),
            scheduled: plan.and_then(|(p, i)| p.coverage.get(i).copied()).unwrap_or(0),
            logged_in: a.logged_in_ms as f64 / per_interval,
            ready: a.ready_ms as f64 / per_interval,
            working: (a.busy_ms + a.wrap_up_ms) as f64 / per_interval,
            agents_on: on,
            forecast_offered: plan.and_then(|(p, i)| p.forecast.get(i).copied()).unwrap_or(0.0),
            offered: offered.get(&start).copied().unwrap_or(0),
        });
        start += INTERVAL_MS;
    }
    Ok(out)
}

/// The period as an export table: one row per half hour, its start in the organisation's zone.
pub fn table(view: &PlanActualsView, zone: &jiff::tz::TimeZone, zh: bool) -> Table {
    let pairs = [
        ("时段", "Interval"),
        ("排班", "Plan"),
        ("需求人数", "Agents required"),
        ("排班人数", "Agents scheduled"),
        ("就绪或服务中人数", "Agents ready or serving"),
        ("在线人数", "Agents logged in"),
        ("就绪人数", "Agents ready"),
        ("服务中人数", "Agents working"),
        ("预测进线量", "Contacts forecast"),
        ("实际进线量", "Contacts offered"),
    ];
    let headers = pairs.iter().map(|(z, e)| if zh { z } else { e }.to_string()).collect();
    let tenth = |v: f64| Cell::Number((v * 10.0).round() / 10.0);
    let rows = view
        .points
        .iter()
        .map(|p| {
            let start = jiff::Timestamp::from_millisecond(p.start).map(|t| zone.to_datetime(t).strftime("%Y-%m-%d %H:%M").to_string());
            vec![
                Cell::Text(start.unwrap_or_default()),
                p.schedule_id.map_or(Cell::Empty, |id| Cell::Number(id as f64)),
                Cell::Number(f64::from(p.required)),
                Cell::Number(f64::from(p.scheduled)),
                Cell::Number(f64::from(p.agents_on)),
                tenth(p.logged_in),
                tenth(p.ready),
                tenth(p.working),
                tenth(p.forecast_offered),
                Cell::Number(p.offered as f64),
            ]
        })
        .collect();
    Table { headers, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: i64, starts_at: i64, coverage: Vec<u32>) -> ScheduleView {
        ScheduleView {
            id,
            group_id: 1,
            starts_at,
            interval_minutes: 30,
            shifts: vec![],
            required: coverage.clone(),
            coverage,
            under: 0,
            over: 0,
            contracts: vec![],
            forecast: vec![],
        }
    }

    #[test]
    fn each_interval_takes_the_newest_plan_that_covers_it() {
        let day = 48 * INTERVAL_MS;
        // Newest first: a plan for day 1 only, then an older one for days 0 and 1.
        let plans = [plan(2, day, vec![5; 48]), plan(1, 0, vec![3; 96])];
        assert_eq!(planned_at(&plans, 0).map(|(p, i)| (p.id, i)), Some((1, 0)));
        assert_eq!(planned_at(&plans, day - INTERVAL_MS).map(|(p, i)| (p.id, i)), Some((1, 47)));
        assert_eq!(planned_at(&plans, day).map(|(p, i)| (p.id, i)), Some((2, 0)));
        assert!(planned_at(&plans, 2 * day).is_none(), "after every plan");
        assert!(planned_at(&plans, -INTERVAL_MS).is_none(), "before every plan");
        assert!(planned_at(&plans, 60_000).is_none(), "off the plans' half-hour grid");
    }
}
