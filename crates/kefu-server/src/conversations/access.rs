//! Who may see a conversation: its own visitor; the agent who holds it, is offered it, or served
//! it before, and an agent serving the same customer now (their earlier conversations are the
//! context of this one); admins and API keys; supervisors those of the groups they oversee
//! (crate::oversight); a colleague @mentioned in (or whispered to about) one of its notes,
//! read-only. A supervisor asking for another group's conversation is told so (403); everyone
//! else gets "not found", never a hint.

use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::oversight::{member_groups, outside_group};
use kefu_store::{ConversationRow, Store};

/// Whether the caller may read the conversation.
pub async fn can_see(store: &Store, caller: &Caller, c: &ConversationRow) -> ApiResult<bool> {
    Ok(match caller {
        Caller::Visitor(v) => c.visitor_id == *v,
        Caller::Staff(s) if s.role == Role::Admin || !s.is_user() => true,
        Caller::Staff(s) if s.role == Role::Supervisor && member_groups(store, s.id).await?.contains(&c.group_id) => true,
        Caller::Staff(s) => {
            c.agent_id == Some(s.id)
                || c.offered_agent_id == Some(s.id)
                || store.agent_served(c.id, s.id).await?
                || store.agent_serves_visitor(s.id, c.visitor_id).await?
                || store.user_notified_in(c.id, s.id).await?
        }
    })
}

/// Load a conversation the caller may read, or answer 404.
pub async fn load_visible(store: &Store, caller: &Caller, id: i64) -> ApiResult<ConversationRow> {
    let c = store.conversation(id).await.map_err(|_| ApiError::not_found("conversation"))?;
    if !can_see(store, caller, &c).await? {
        return Err(match caller {
            Caller::Staff(s) if s.role == Role::Supervisor && s.is_user() => {
                outside_group(&member_groups(store, s.id).await?, &format!("conversation {id}"), c.group_id)
            }
            _ => ApiError::not_found("conversation"),
        });
    }
    Ok(c)
}

/// Whether the caller may write into the conversation now (send, type, close): its visitor, or
/// the agent holding it. Supervisors read but do not write into others' chats.
pub fn can_write(caller: &Caller, c: &ConversationRow) -> bool {
    match caller {
        Caller::Visitor(v) => c.visitor_id == *v,
        Caller::Staff(s) => c.agent_id == Some(s.id) && c.status == kefu_core::ConversationStatus::Assigned,
    }
}
