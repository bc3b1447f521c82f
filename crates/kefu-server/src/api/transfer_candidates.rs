//! `GET /api/v1/conversations/{id}/transfer-candidates`: who and which groups the serving agent
//! could hand a conversation to now, each with the router's own verdict, so the transfer dialog
//! never offers a target the transfer would refuse.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::agents::build;
use crate::auth::{Caller, Staff};
use crate::conversations::access::load_visible;
use crate::error::{ApiError, ApiResult};
use crate::routing::Refusal;
use crate::state::AppState;
use crate::views::{TransferAgent, TransferCandidates, TransferGroup, TransferRefusal};
use kefu_core::ConversationStatus;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/conversations/{id}/transfer-candidates", get(candidates))
}

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
    let (agents, group_verdicts) = state.routing.transfer_verdicts(id, agent_ids, group_ids).await?;
    let agents = users
        .iter()
        .zip(agents)
        .map(|(u, verdict)| {
            let view = build(u, &members, verdict.snapshot.as_ref());
            let reason = verdict.refusal.map(|e| agent_refusal(e, verdict.holds_it, &view.status));
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
        .map(|(g, verdict)| {
            let snap = verdict.snapshot;
            let reason = verdict.refusal.map(|e| if e == Refusal::CallOpen { TransferRefusal::CallOpen } else { TransferRefusal::Unknown });
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
fn agent_refusal(e: Refusal, theirs: bool, status: &str) -> TransferRefusal {
    match e {
        Refusal::CallOpen => TransferRefusal::CallOpen,
        Refusal::UnknownAgent => TransferRefusal::Offline,
        Refusal::AgentUnavailable if theirs => TransferRefusal::Current,
        Refusal::AgentUnavailable => match status {
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
        let un = Refusal::AgentUnavailable;
        assert_eq!(agent_refusal(un, true, "ready"), TransferRefusal::Current);
        assert_eq!(agent_refusal(un, false, "away"), TransferRefusal::Away);
        assert_eq!(agent_refusal(un, false, "busy"), TransferRefusal::Full);
        assert_eq!(agent_refusal(un, false, "wrap_up"), TransferRefusal::WrapUp);
        assert_eq!(agent_refusal(Refusal::UnknownAgent, false, "offline"), TransferRefusal::Offline);
        assert_eq!(agent_refusal(Refusal::CallOpen, false, "ready"), TransferRefusal::CallOpen);
    }
}
