//! The live view of agents: stored profile and memberships plus the router's status and load.

use kefu_core::{AgentId, AgentSnapshot, Router};

use crate::clock::rfc3339;
use crate::error::ApiResult;
use crate::routing::status_text;
use crate::views::{AgentView, Membership, Slots};
use kefu_store::{MemberRow, Store, UserRow};

/// Combine a stored user, their memberships and the router's snapshot.
pub fn build(u: &UserRow, members: &[MemberRow], snap: Option<&AgentSnapshot>) -> AgentView {
    let groups =
        members.iter().filter(|m| m.agent_id == u.id).map(|m| Membership { group_id: m.group_id, skill_level: m.skill_level }).collect();
    let (status, away_reason, wrap_up_until, load) = match snap {
        Some(s) => {
            let (text, reason, until) = status_text(&s.status);
            let text = if s.busy { "busy" } else { text.as_str() };
            (text.to_string(), reason, until, Slots { chat: s.load.chat.into(), call: s.load.call.into() })
        }
        None => (u.status.as_str().to_string(), u.away_reason.clone(), u.wrap_up_until, Slots { chat: 0, call: 0 }),
    };
    AgentView {
        id: u.id,
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role.as_str().to_string(),
        status,
        away_reason,
        wrap_up_until: wrap_up_until.map(rfc3339),
        capacity: Slots { chat: u.capacity_chat, call: u.capacity_call },
        load,
        groups,
        enabled: u.enabled,
    }
}

/// One agent's live view, from inside the routing task.
pub async fn agent_view(store: &Store, router: &Router, id: i64) -> ApiResult<AgentView> {
    let u = store.user(id).await?;
    let members = store.members().await?;
    Ok(build(&u, &members, router.agent(AgentId(id)).as_ref()))
}
