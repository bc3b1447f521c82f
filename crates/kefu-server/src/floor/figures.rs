//! The floor's figures now, per group: the router's line, agents by status, today's service
//! level of the group, and the group's thresholds. Read-only: this module decides nothing.

use std::collections::HashMap;

use kefu_core::{ContactRecord, Millis, ServiceStats, SlRules, Thresholds};
use kefu_store::ContactRow;

use crate::api::agents::agent_views;
use crate::clock::rfc3339;
use crate::error::ApiResult;
use crate::state::AppState;
use crate::views::{thresholds_of, FloorGroup, FloorView, StatusCounts, ThresholdsView};

/// How far back the floor's alert list looks: the last 24 hours (the figures' "today" starts at
/// the organisation's local midnight instead, as in the reports).
pub const TODAY_MS: i64 = 86_400_000;

/// Each group's thresholds: its own, else the defaults (with whether they are its own).
pub async fn thresholds(state: &AppState) -> ApiResult<HashMap<i64, (Thresholds, bool)>> {
    Ok(state.store.alert_thresholds().await?.iter().map(|r| (r.group_id, (thresholds_of(r), true))).collect())
}

/// How service level judges each group's contacts, as the reports do: the group's own target
/// (else the server's) and the short-abandon limit.
pub async fn sl_rules(state: &AppState) -> ApiResult<SlRules> {
    let targets = state.store.service_level_targets().await?.into_iter().filter_map(|(g, t)| Some((g, u32::try_from(t?).ok()?))).collect();
    Ok(SlRules {
        default_target_secs: state.config.service_level_target_secs,
        targets,
        short_abandon_ms: i64::from(state.config.short_abandon_secs) * 1000,
    })
}

/// A contact row as the core's service-level arithmetic reads it.
pub fn record_of(c: &ContactRow) -> ContactRecord {
    ContactRecord {
        group: c.group_id,
        queued_at: Millis(c.queued_at),
        answered_at: c.assigned_at.map(Millis),
        ended_at: c.closed_at.map(Millis),
        abandoned: c.abandoned,
        csat: c.csat_score.map(|s| s.clamp(1, 5) as u8),
    }
}

/// Today's contacts: queued since the organisation's local midnight (its time zone setting), so
/// the wall's service level today is the reports' day.
pub async fn today_contacts(state: &AppState, now: i64) -> ApiResult<Vec<ContactRow>> {
    Ok(state.store.contacts_since(state.org.time_zone().day_start(now)).await?)
}

/// The floor at `now`, from today's contacts as last read.
pub async fn read(state: &AppState, now: i64, contacts: &[ContactRow]) -> ApiResult<FloorView> {
    let groups = state.store.groups().await?;
    let own = thresholds(state).await?;
    let ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    let lines: Vec<_> = state.routing.groups(ids).await?.into_iter().map(|l| (l.snapshot, l.oldest_waiting_since)).collect();
    let mut counts: HashMap<i64, StatusCounts> = HashMap::new();
    for a in agent_views(state, None).await?.iter().filter(|a| a.enabled) {
        for m in &a.groups {
            let c = counts.entry(m.group_id).or_default();
            match a.status.as_str() {
                "ready" => c.ready += 1,
                "busy" => c.busy += 1,
                "away" => c.away += 1,
                "wrap_up" => c.wrap_up += 1,
                _ => c.offline += 1,
            }
        }
    }
    let rules = sl_rules(state).await?;
    let mut by_group: HashMap<i64, Vec<ContactRecord>> = HashMap::new();
    for c in contacts {
        by_group.entry(c.group_id).or_default().push(record_of(c));
    }
    let floor = groups
        .iter()
        .zip(lines)
        .map(|(g, (snap, since))| {
            let stats = ServiceStats::compute(by_group.get(&g.id).map_or(&[][..], |v| &v[..]), &rules, Millis(now));
            let (t, custom) = own.get(&g.id).copied().unwrap_or_default();
            FloorGroup {
                id: g.id,
                name: g.name.clone(),
                waiting: snap.as_ref().map_or(0, |s| s.waiting),
                longest_wait_secs: snap.as_ref().map_or(0, |s| s.longest_wait_secs),
                waiting_since: since.map(|m| rfc3339(m.0)),
                agents: counts.remove(&g.id).unwrap_or_default(),
                service_level: stats.service_level,
                service_level_target_secs: rules.target_secs(g.id),
                service_level_judged: stats.service_level_judged,
                offered: stats.offered,
                answered: stats.answered,
                thresholds: ThresholdsView::build(g.id, &t, custom),
            }
        })
        .collect();
    Ok(FloorView { groups: floor, service_level_min_judged: kefu_core::MIN_JUDGED, as_of: rfc3339(now) })
}

/// Whether two readings differ in what a display shows between its own ticks (the longest wait
/// ticks on the display from `waiting_since`, so a second more of it is no news).
pub fn differs(a: &FloorView, b: &FloorView) -> bool {
    let key = |v: &FloorView| v.groups.iter().map(|g| FloorGroup { longest_wait_secs: 0, ..g.clone() }).collect::<Vec<_>>();
    key(a) != key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(waiting: u32, longest: u32) -> FloorView {
        let g = FloorGroup {
            id: 1,
            name: "Cards".into(),
            waiting,
            longest_wait_secs: longest,
            waiting_since: None,
            agents: StatusCounts::default(),
            service_level: 1.0,
            service_level_target_secs: 20,
            service_level_judged: 0,
            offered: 0,
            answered: 0,
            thresholds: ThresholdsView::build(1, &Thresholds::default(), false),
        };
        FloorView { groups: vec![g], service_level_min_judged: 10, as_of: "t".into() }
    }

    #[test]
    fn a_second_more_of_waiting_is_no_news_but_a_new_customer_is() {
        assert!(!differs(&view(1, 10), &view(1, 11)), "displays tick the wait themselves");
        assert!(differs(&view(1, 10), &view(2, 10)));
        let mut other = view(1, 10);
        other.groups[0].agents.ready = 1;
        assert!(differs(&view(1, 10), &other));
    }
}
