//! 接管: a supervisor takes a conversation over from whoever holds it (or from the line) and
//! serves it at once — no offer to accept. Capacity still binds: the supervisor needs a free slot
//! for the conversation's media, so no agent is ever over capacity. Any logged-in status will do
//! (a supervisor watching the floor is usually away from new work), not offline.

use crate::agent::AgentStatus;
use crate::router::{CoreError, Output, Phase, Router};
use crate::types::{AgentId, ConversationId, Media, Millis};

impl Router {
    /// Whether `Input::TakeOver` would be taken now, without taking it (the server writes first).
    pub fn check_take_over(&self, id: ConversationId, supervisor: AgentId) -> Result<(), CoreError> {
        self.check_no_call(id)?;
        let conv = self.convs.get(&id).ok_or(CoreError::UnknownConversation(id))?;
        let a = self.agents.get(&supervisor).ok_or(CoreError::UnknownAgent(supervisor))?;
        let already_theirs = matches!(conv.phase, Phase::Assigned { agent } if agent == supervisor);
        if already_theirs || a.status == AgentStatus::Offline || a.free(conv.media) == 0 {
            return Err(CoreError::AgentUnavailable(supervisor));
        }
        Ok(())
    }

    pub(crate) fn take_over(&mut self, now: Millis, id: ConversationId, supervisor: AgentId) -> Result<(), CoreError> {
        self.check_take_over(id, supervisor)?;
        let previous = self.detach(id)?;
        if let Some(agent) = previous {
            // The agent it was taken from is not offered it back while the supervisor serves.
            self.exclude(now, id, agent);
        }
        let conv = self.convs.get_mut(&id).expect("checked above");
        conv.phase = Phase::Assigned { agent: supervisor };
        conv.assigned_at = Some(now);
        conv.front = false;
        conv.named_agent = None;
        // Taking over a call waiting for an agent answers it, as accepting its offer does.
        conv.call = conv.media == Media::Call;
        let (group, media) = (conv.group, conv.media);
        let a = self.agents.get_mut(&supervisor).expect("checked above");
        a.load[media.index()] += 1;
        self.refresh_availability(supervisor);
        self.outputs.push_back(Output::Assigned { conversation: id, agent: supervisor, group });
        Ok(())
    }
}
