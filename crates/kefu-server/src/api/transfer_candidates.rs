//! `GET /api/v1/conversations/{id}/transfer-candidates`: who and which groups the serving agent
//! could hand a conversation to now, each with the router's own verdict, so the transfer dialog
//! never offers a target the transfer would refuse.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use kefu_core::{AgentId, AgentSnapshot, ConversationId, CoreError, GroupId, GroupSnapshot};

use crate::agents::build;
use crate::auth::{Caller, Staff};
use crate::conversations::access::load_visible;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{TransferAgent, TransferCandidates, TransferGroup, TransferRefusal};
use kefu_core::ConversationStatus;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/conversations/{id}/transfer-candidates", get(candidates))
}

/// What the routing task answers for one agent: snapshot, the transfer check, and whether the
/// conversation is already theirs.
type AgentVerdict = (i64, Option<AgentSnapshot>, Result<(), CoreError>, bool);
type GroupVerdict = (i64, Option<GroupSnapshot>, Result<(), CoreError>);

#[utoipa::path(get, path = "/api/v1/conversations/{id}/transfer-candidates", tag = "conversations", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "agents and groups, each with whether a transfer to it would be taken now (only the serving agent)", body = TransferCandidates), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn candidates(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<TransferCandidates>> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys are not agents".into()));
    }
    let me = staff.id;
    let c = load_visible(&state.store, &Caller::Staff(staff), id).await?;
    if c.agent_id != Some(me) || c.status != ConversationStatus::Assigned {
        return Err(ApiError::Forbidden("only the agent serving the conversation can transfer it".into()));
    }
    let users: Vec<_> = state.store.users().await?.into_iter().filter(|u| u.enabled).collect();
    let members = state.store.members().await?;
    let groups = state.store.groups().await?;
    let agent_ids: Vec<i64> = users.iter().map(|u| u.id).collect();
    let group_ids: Vec<i64> = groups.iter().map(|g| g.id).collect();
    // One query, so each verdict and the status shown beside it come from the same moment.
    let conv = ConversationId(id);
    let (agents, group_verdicts) = state
        .routing
        .query(move |r, now| {
            let holder = r.holder(conv);
            let agents: Vec<AgentVerdict> = agent_ids
                .iter()
                .map(|&a| (a, r.agent(AgentId(a)), r.check_transfer_to_agent(conv, AgentId(a)), holder == Some(AgentId(a))))
                .collect();
            let groups: Vec<GroupVerdict> =
                group_ids.iter().map(|&g| (g, r.group(GroupId(g), now), r.check_transfer_to_group(conv, GroupId(g)))).collect();
            (agents, groups)
        })
        .await?;
    let agents = users
        .iter()
        .zip(agents)
        .map(|(u, (_, snap, check, theirs))| {
            let view = build(u, &members, snap.as_ref());
            let reason = match check {
                Ok(()) => None,
                Err(e) => Some(agent_refusal(&e, theirs, &view.status)),
            };
            TransferAgent {
                id: u.id,
                name: u.name.clone(),
                status: view.status,
                capacity: view.capacity,
                load: view.load,
                available: reason.is_none(),
                reason,
            }
        })
        .collect();
    let groups = groups
        .iter()
        .zip(group_verdicts)
        .map(|(g, (_, snap, check))| {
            let reason =
                check.err().map(|e| if matches!(e, CoreError::CallOpen(_)) { TransferRefusal::CallOpen } else { TransferRefusal::Unknown });
            TransferGroup {
                id: g.id,
                name: g.name.clone(),
                waiting: snap.as_ref().map_or(0, |s| s.waiting.into()),
                ready: snap.as_ref().map_or(0, |s| s.agents_ready.into()),
                available: reason.is_none(),
                reason,
            }
        })
        .collect();
    Ok(Json(TransferCandidates { agents, groups }))
}

/// Why the router refused: the check says only "unavailable", the status says which kind.
fn agent_refusal(e: &CoreError, theirs: bool, status: &str) -> TransferRefusal {
    match e {
        CoreError::CallOpen(_) => TransferRefusal::CallOpen,
        CoreError::UnknownAgent(_) => TransferRefusal::Offline,
        CoreError::AgentUnavailable(_) if theirs => TransferRefusal::Current,
        CoreError::AgentUnavailable(_) => match status {
            "offline" => TransferRefusal::Offline,
            "away" => TransferRefusal::Away,
            "wrap_up" => TransferRefusal::WrapUp,
            "busy" | "ready" => TransferRefusal::Full,
            _ => TransferRefusal::Unknown,
        },
        _ => TransferRefusal::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_names_the_kind_of_unavailable() {
        let un = CoreError::AgentUnavailable(AgentId(2));
        assert_eq!(agent_refusal(&un, true, "ready"), TransferRefusal::Current);
        assert_eq!(agent_refusal(&un, false, "away"), TransferRefusal::Away);
        assert_eq!(agent_refusal(&un, false, "busy"), TransferRefusal::Full);
        assert_eq!(agent_refusal(&un, false, "wrap_up"), TransferRefusal::WrapUp);
        assert_eq!(agent_refusal(&CoreError::UnknownAgent(AgentId(2)), false, "offline"), TransferRefusal::Offline);
        assert_eq!(agent_refusal(&CoreError::CallOpen(ConversationId(1)), false, "ready"), TransferRefusal::CallOpen);
    }
}
