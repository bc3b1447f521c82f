//! Floor alerts and the live floor feed: a task judges each group's figures against its
//! thresholds (kefu-core's `AlertBook`), records alerts as they are raised and cleared, and
//! pushes `floor.updated`, `alert.raised` and `alert.cleared` frames. It reads the router and the
//! store and never writes routing state.

pub mod figures;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use kefu_core::{AlertBook, AlertChange, AlertLevel, AlertMetric, FloorReading, GroupId, Millis, Role};
use serde_json::Value;
use tokio::sync::Notify;

use crate::clock::now_ms;
use crate::error::ApiResult;
use crate::realtime::frame;
use crate::state::AppState;
use crate::views::{AlertView, FloorView};
use kefu_store::ContactRow;

/// How often the figures are judged without news: the longest wait grows and service level
/// moves with the clock, not only with events.
const TICK: Duration = Duration::from_secs(1);
/// Today's contacts (for service level) are re-read this often without news, and at most this
/// often with news: on a busy floor every queue change pokes the task, and re-reading a day of
/// contacts each time would cost more than the line figures themselves (50,000 contacts take
/// ~0.2 s in a debug build).
const CONTACTS_FRESH_MS: i64 = 5_000;
const CONTACTS_POKED_MS: i64 = 1_000;

#[derive(Default)]
struct Inner {
    changed: Notify,
}

/// A handle to the floor task. Cheap to clone.
#[derive(Clone, Default)]
pub struct Floor {
    inner: Arc<Inner>,
}

impl Floor {
    /// Something on the floor changed (a line, an agent's status, thresholds): judge now.
    pub fn poke(&self) {
        self.inner.changed.notify_one();
    }
}

/// The task's memory between rounds.
struct Watch {
    book: AlertBook,
    /// The stored row of each active alert.
    rows: HashMap<(i64, AlertMetric), i64>,
    last: Option<FloorView>,
    contacts: Vec<ContactRow>,
    contacts_at: i64,
}

/// Run the floor task until the process ends.
pub async fn run(state: AppState) {
    let mut watch = Watch { book: AlertBook::default(), rows: HashMap::new(), last: None, contacts: vec![], contacts_at: i64::MIN };
    if let Err(e) = restore(&state, &mut watch).await {
        tracing::error!(error = ?e, "could not take over the active floor alerts");
    }
    let mut poked = true;
    loop {
        if let Err(e) = round(&state, &mut watch, poked).await {
            tracing::error!(error = ?e, "floor round failed");
        }
        poked = tokio::select! {
            _ = state.floor.inner.changed.notified() => true,
            _ = tokio::time::sleep(TICK) => false,
        };
    }
}

/// Alerts active when the server stopped are taken over: they clear when the line is healthy
/// rather than being raised a second time.
async fn restore(state: &AppState, watch: &mut Watch) -> ApiResult<()> {
    for r in state.store.active_floor_alerts().await? {
        let (Some(metric), Some(level)) = (AlertMetric::parse(&r.metric), AlertLevel::parse(&r.level)) else { continue };
        watch.book.restore(GroupId(r.group_id), metric, level, Millis(r.raised_at));
        watch.rows.insert((r.group_id, metric), r.id);
    }
    Ok(())
}

async fn round(state: &AppState, watch: &mut Watch, poked: bool) -> ApiResult<()> {
    let now = now_ms();
    let age = now.saturating_sub(watch.contacts_at);
    if age >= CONTACTS_FRESH_MS || (poked && age >= CONTACTS_POKED_MS) {
        watch.contacts = figures::today_contacts(state, now).await?;
        watch.contacts_at = now;
    }
    let view = figures::read(state, now, &watch.contacts).await?;
    if watch.last.as_ref().is_none_or(|last| figures::differs(last, &view)) {
        // Each watcher gets the groups they watch, as `GET /api/v1/stats/floor` answers them.
        let members = state.store.members().await?;
        for u in state.store.users().await?.iter().filter(|u| u.enabled && u.role != Role::Agent) {
            let mine = scoped(&view, u.role, &groups_of(&members, u.id));
            state.hub.to_user(u.id, &frame("floor.updated", None, None, &serde_json::to_value(&mine).unwrap_or_default()));
        }
    }
    let mut changes = vec![];
    for g in &view.groups {
        let reading = FloorReading {
            waiting: g.waiting,
            longest_wait_secs: g.longest_wait_secs,
            service_level: g.service_level,
            service_level_judged: g.service_level_judged,
        };
        changes.extend(watch.book.evaluate(GroupId(g.id), &g.thresholds.levels(), &reading, Millis(now)));
    }
    // A deleted group's alerts go with it (its rows went with the group).
    let known: Vec<GroupId> = view.groups.iter().map(|g| GroupId(g.id)).collect();
    let gone: Vec<GroupId> = watch.book.active().map(|(g, _, _)| g).filter(|g| !known.contains(g)).collect();
    for g in gone {
        for m in watch.book.forget(g) {
            watch.rows.remove(&(g.0, m));
        }
    }
    let names: HashMap<i64, String> = view.groups.iter().map(|g| (g.id, g.name.clone())).collect();
    for change in changes {
        if let Err(e) = record(state, watch, &names, change, now).await {
            tracing::error!(error = ?e, ?change, "could not record a floor alert");
        }
    }
    watch.last = Some(view);
    Ok(())
}

/// Store one change, then tell the group's supervisors and the admins.
async fn record(state: &AppState, watch: &mut Watch, names: &HashMap<i64, String>, change: AlertChange, now: i64) -> ApiResult<()> {
    let (group, id, kind) = match change {
        AlertChange::Raised { group, metric, level, value, threshold, new } => {
            let key = (group.0, metric);
            let id = match watch.rows.get(&key) {
                Some(&id) if !new => {
                    state.store.relevel_floor_alert(id, level.as_str(), value.into(), threshold.into()).await?;
                    id
                }
                _ => state.store.insert_floor_alert(group.0, metric.as_str(), level.as_str(), value.into(), threshold.into(), now).await?,
            };
            watch.rows.insert(key, id);
            (group, id, "alert.raised")
        }
        AlertChange::Cleared { group, metric, .. } => {
            let Some(id) = watch.rows.remove(&(group.0, metric)) else { return Ok(()) };
            state.store.clear_floor_alert(id, now).await?;
            (group, id, "alert.cleared")
        }
    };
    let view = AlertView::build(&state.store.floor_alert(id).await?, names.get(&group.0).map_or("", String::as_str));
    let f = frame(kind, None, None, &serde_json::to_value(&view).unwrap_or(Value::Null));
    for user in recipients(state, group.0).await? {
        state.hub.to_user(user, &f);
    }
    Ok(())
}

/// Who hears a group's alerts: admins, and supervisors who are members of the group (one placed
/// in no group watches nothing: crate::oversight).
pub async fn recipients(state: &AppState, group: i64) -> ApiResult<Vec<i64>> {
    let members = state.store.members().await?;
    Ok(state
        .store
        .users()
        .await?
        .iter()
        .filter(|u| u.enabled && watches(u.role, &groups_of(&members, u.id), group))
        .map(|u| u.id)
        .collect())
}

fn groups_of(members: &[kefu_store::MemberRow], user: i64) -> Vec<i64> {
    members.iter().filter(|m| m.agent_id == user).map(|m| m.group_id).collect()
}

/// Whether someone of `role`, member of `groups`, watches `group`'s alerts.
pub fn watches(role: Role, groups: &[i64], group: i64) -> bool {
    match role {
        Role::Admin => true,
        // In no group: nothing (crate::oversight).
        Role::Supervisor => groups.contains(&group),
        Role::Agent => false,
    }
}

/// The floor as someone of `role`, member of `groups`, sees it: the groups they watch.
pub fn scoped(view: &FloorView, role: Role, groups: &[i64]) -> FloorView {
    FloorView { groups: view.groups.iter().filter(|g| watches(role, groups, g.id)).cloned().collect(), ..view.clone() }
}

/// The groups whose floor and alerts a staff caller sees: None = all (admins, API keys with the
/// scope); a supervisor their own, none when in none (crate::oversight).
pub async fn watched_groups(state: &AppState, staff: &crate::auth::Staff) -> ApiResult<Option<Vec<i64>>> {
    Ok(crate::oversight::overseen(state, staff).await?.map(|g| g.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supervisors_watch_their_groups_and_admins_all() {
        assert!(watches(Role::Admin, &[2], 1));
        assert!(watches(Role::Supervisor, &[1, 2], 1));
        assert!(!watches(Role::Supervisor, &[2], 1), "another group's supervisor");
        assert!(!watches(Role::Supervisor, &[], 1), "a supervisor in no group watches nothing");
        assert!(!watches(Role::Agent, &[1], 1));
    }
}
