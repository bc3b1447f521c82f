//! A call's life as the routing task runs it: started (taking the agent's call slot in the
//! router first), answered, ended (freeing the slot). Each change is checked by the router,
//! written with its events in one transaction, then announced; an ended call's room closes.

use kefu_core::CallStatus;
use kefu_core::{ConversationId, CoreError, Input, Millis};

use crate::calls::record::record;
use crate::clock::now_ms;
use crate::conversations::announce_with;
use crate::error::{ApiError, ApiResult};
use crate::routing::Engine;
use kefu_store::NewCall;

impl Engine {
    /// Start a ringing call on a conversation in service (`started_by`: visitor | agent).
    pub(crate) async fn start_call(&mut self, conversation: i64, media: &str, started_by: &str) -> ApiResult<()> {
        let c = self.store.conversation(conversation).await?;
        if c.status != kefu_core::ConversationStatus::Assigned {
            return Err(ApiError::Conflict("a call needs an agent serving the conversation".into()));
        }
        let id = ConversationId(conversation);
        let now = now_ms();
        match self.router.handle_input(Millis(now), Input::CallStarted { conversation: id }) {
            Ok(()) => {}
            Err(CoreError::AgentUnavailable(_)) => {
                return Err(ApiError::Conflict("the agent is already in a call (no free call capacity)".into()))
            }
            Err(CoreError::CallOpen(_)) => return Err(ApiError::Conflict("the conversation already has a call open".into())),
            Err(e) => return Err(e.into()),
        }
        let new = NewCall { conversation_id: conversation, media, started_by, answered: false };
        let written = async {
            let mut tx = self.begin().await?;
            let call = tx.insert_call(&new, now).await?;
            let events = record(&mut tx, &call, now).await?;
            tx.commit().await?;
            ApiResult::Ok(events)
        }
        .await;
        match written {
            Ok(events) => announce_with(&self.store, &self.hub, &self.links, events, &[]).await,
            Err(e) => {
                // Nothing was stored: give the call slot back.
                let _ = self.router.handle_input(Millis(now), Input::CallEnded { conversation: id });
                self.drain().await;
                return Err(e);
            }
        }
        self.drain().await;
        if let Some(agent) = c.agent_id {
            // Their call load changed: the workspace and supervisors see it.
            self.announce_agent(agent).await;
        }
        Ok(())
    }

    /// The other side answers a ringing call.
    pub(crate) async fn answer_call(&mut self, call: i64) -> ApiResult<()> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let Some(row) = tx.answer_call(call, now).await? else {
            return Err(ApiError::Conflict("the call is not ringing".into()));
        };
        let events = record(&mut tx, &row, now).await?;
        tx.commit().await?;
        announce_with(&self.store, &self.hub, &self.links, events, &[]).await;
        crate::calls::refresh_metric(&self.store, &self.metrics).await;
        Ok(())
    }

    /// End a call (`only_if`: only from that status, for the ring timeout). Refused when the
    /// call has already ended (or is no longer in `only_if`).
    pub(crate) async fn end_call(&mut self, call: i64, reason: &str, only_if: Option<CallStatus>) -> ApiResult<()> {
        let now = now_ms();
        let mut tx = self.begin().await?;
        let Some((row, events)) = crate::calls::record::end(&mut tx, call, reason, only_if, now).await? else {
            return Err(ApiError::Conflict(match only_if {
                Some(status) => format!("the call is no longer {}", status.as_str()),
                None => "the call has already ended".into(),
            }));
        };
        tx.commit().await?;
        self.call_ended(call, row.conversation_id).await;
        announce_with(&self.store, &self.hub, &self.links, events, &[]).await;
        self.drain().await;
        Ok(())
    }

    /// After an ended call is stored: free the agent's call slot, close the room, count.
    pub(crate) async fn call_ended(&mut self, call: i64, conversation: i64) {
        let input = Input::CallEnded { conversation: ConversationId(conversation) };
        match self.router.handle_input(Millis(now_ms()), input) {
            // The conversation is closed or was taken back: its slots are already free.
            Ok(()) | Err(CoreError::NoCall(_) | CoreError::UnknownConversation(_)) => {}
            Err(e) => tracing::error!(call, error = %e, "the router refused a call's end"),
        }
        self.calls.close(call);
        if let Err(e) = self.store.forget_snapshot_requests(call).await {
            // They expire within a minute all the same.
            tracing::warn!(call, error = ?e, "could not forget an ended call's snapshot requests");
        }
        crate::calls::refresh_metric(&self.store, &self.metrics).await;
        if let Some(agent) = self.store.conversation(conversation).await.ok().and_then(|c| c.agent_id) {
            self.announce_agent(agent).await;
        }
    }
}
