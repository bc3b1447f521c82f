//! Which skill groups a staff caller oversees, one rule for every supervisor page and route:
//! admins and API keys all groups; a supervisor the groups they are a member of, and nothing at
//! all when they are in none (the UI says no group is assigned: an admin adds them to one).
//! (An agent's user is bounded the same way where a route lets agents in at all.) Lists leave out what is not overseen; a request naming something outside (a
//! conversation, an agent, an appeal) is refused with a 403 that says so.

use std::collections::BTreeSet;

use crate::auth::{Role, Staff};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use kefu_store::Store;

/// The groups `staff` oversees: None = all; a user's own member groups otherwise.
pub async fn overseen(state: &AppState, staff: &Staff) -> ApiResult<Option<BTreeSet<i64>>> {
    if !staff.is_user() || staff.role == Role::Admin {
        return Ok(None);
    }
    Ok(Some(member_groups(&state.store, staff.id).await?))
}

/// The agents `staff` oversees (members of their groups): None = all.
pub async fn overseen_agents(state: &AppState, staff: &Staff) -> ApiResult<Option<BTreeSet<i64>>> {
    let Some(mine) = overseen(state, staff).await? else { return Ok(None) };
    Ok(Some(state.store.members().await?.iter().filter(|m| mine.contains(&m.group_id)).map(|m| m.agent_id).collect()))
}

/// The groups `user` is a member of.
pub async fn member_groups(store: &Store, user: i64) -> ApiResult<BTreeSet<i64>> {
    Ok(store.members().await?.iter().filter(|m| m.agent_id == user).map(|m| m.group_id).collect())
}

/// Refuse a supervisor a conversation of a group they do not oversee.
pub async fn require_group(state: &AppState, staff: &Staff, group: i64, what: &str) -> ApiResult<()> {
    match overseen(state, staff).await? {
        Some(mine) if !mine.contains(&group) => Err(outside_group(&mine, what, group)),
        _ => Ok(()),
    }
}

/// Refuse a supervisor an agent who is in none of the groups they oversee.
pub async fn require_agent(state: &AppState, staff: &Staff, agent: i64) -> ApiResult<()> {
    let Some(mine) = overseen(state, staff).await? else { return Ok(()) };
    let members = state.store.members().await?;
    if members.iter().any(|m| m.agent_id == agent && mine.contains(&m.group_id)) {
        return Ok(());
    }
    Err(outside(&mine, format!("agent {agent} is in none of the skill groups you supervise")))
}

/// The 403 for `what` (e.g. "conversation 7") of a group outside `mine`.
pub fn outside_group(mine: &BTreeSet<i64>, what: &str, group: i64) -> ApiError {
    outside(mine, format!("{what} is in skill group {group}, which you do not supervise"))
}

fn outside(mine: &BTreeSet<i64>, why: String) -> ApiError {
    if mine.is_empty() {
        ApiError::Forbidden("you supervise no skill group yet: an admin adds you to the groups you lead".into())
    } else {
        ApiError::Forbidden(why)
    }
}
