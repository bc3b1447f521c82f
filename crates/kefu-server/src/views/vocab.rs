//! The closed sets of words the API speaks (statuses, channels, strategies, scopes ...).
//!
//! The words the store and the router share (conversation and call status, strategy, returning-by,
//! role) are `kefu_core`'s enums, re-exported here: the views hold them typed. The others are
//! still `String` in the views (the values come from stored rows and from modules that build views
//! themselves); these enums give the OpenAPI document, and so the generated TypeScript, the exact
//! values, through `#[schema(value_type = ...)]` on the fields. Tests below tie them to the code
//! that produces the words, so the two cannot drift.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Conversation status, strategy, returning-by and role are the core's (`kefu_core`, with its `openapi`
/// feature): defined once, stored through `sqlx::Type`, documented from the same enum.
pub use kefu_core::{ConversationStatus, ReturningBy, Role, Strategy};

/// Where a conversation came from: `web` = desktop browser, `h5` = mobile browser, `app` = native
/// app, `api` = started by an integrator with an API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Web,
    H5,
    App,
    Api,
}

/// The channels a visitor may start a conversation on (`api` is for API keys only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitorChannel {
    Web,
    H5,
    App,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sender {
    Visitor,
    Agent,
    System,
}

/// What a message is: text, an uploaded image or file, or a system event line (its code in `body`:
/// `assigned`, `transferred`, `closed`, `abandoned`, `requeued` (its agent was disabled; back at
/// the front of the line), `blocked` (a supervisor blocked the visitor; `data.reason`)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    Text,
    Image,
    File,
    Event,
}

/// One side of a conversation (who is typing, who read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Visitor,
    Agent,
}

/// An agent's live status. `busy` = ready but at full capacity; `wrap_up` = after-conversation
/// work, until `wrap_up_until`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgentStatus {
    Offline,
    Ready,
    Away,
    Busy,
    WrapUp,
}

/// The statuses an agent may ask for; `busy` and `wrap_up` are set by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SettableStatus {
    Ready,
    Away,
    Offline,
}

/// What an API key may do. `conversations:read`: conversations, their messages and attachments,
/// customers' history, groups, business types and wrap-up codes; `conversations:write`: also
/// start conversations and post into them (implies read); `stats:read`: the live floor figures;
/// `agents:read`: the staff list (with emails); `admin`: everything, including settings and keys.
/// Staff users hold the scopes of their role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum ApiKeyScope {
    #[serde(rename = "conversations:read")]
    ConversationsRead,
    #[serde(rename = "conversations:write")]
    ConversationsWrite,
    #[serde(rename = "stats:read")]
    StatsRead,
    #[serde(rename = "agents:read")]
    AgentsRead,
    #[serde(rename = "admin")]
    Admin,
}

/// An event a webhook subscribes to; `*` = all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum WebhookEvent {
    #[serde(rename = "conversation.created")]
    ConversationCreated,
    #[serde(rename = "conversation.queued")]
    ConversationQueued,
    #[serde(rename = "conversation.assigned")]
    ConversationAssigned,
    #[serde(rename = "conversation.transferred")]
    ConversationTransferred,
    #[serde(rename = "conversation.closed")]
    ConversationClosed,
    #[serde(rename = "message.created")]
    MessageCreated,
    /// A call was answered (payload `{event, call: CallView}`).
    #[serde(rename = "call.started")]
    CallStarted,
    /// A call ended, with its end reason.
    #[serde(rename = "call.ended")]
    CallEnded,
    #[serde(rename = "*")]
    All,
}

/// Where a webhook delivery stands; `failed` after the last retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// A pre-chat form field's input: `select` is the business type picker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Textarea,
    Select,
}

/// Why an offer ended without being accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferRevokedReason {
    /// The agent declined.
    Declined,
    /// The agent did not answer in time.
    Expired,
    /// The agent went away or offline.
    AgentUnavailable,
    /// The conversation ended (the visitor left).
    Ended,
    /// The conversation was transferred elsewhere meanwhile.
    Transferred,
    /// The router was rebuilt (another node took over routing, or the server restarted) and
    /// put the conversation back in its place in line; it may be offered again, to anyone.
    Rerouted,
}

/// How the router chose the agent for an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfferReasonKind {
    /// The group's (or fallback) strategy chose among agents who could serve the head of the line.
    Strategy,
    /// The conversation was held for this agent (returning customer or designated agent).
    NamedAgent,
    /// Another agent transferred it to this agent.
    Transfer,
}

/// A word of a closed set (any serde snake_case enum), or None for a word it does not know.
pub fn parse_word<T: serde::de::DeserializeOwned>(word: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(word.into())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;

    fn word<T: Serialize>(v: T) -> String {
        serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }

    fn parses<T: DeserializeOwned>(word: &str) -> bool {
        serde_json::from_value::<T>(json!(word)).is_ok()
    }

    #[test]
    fn webhook_events_are_the_ones_the_dispatcher_sends() {
        for e in crate::integrations::webhooks::EVENTS {
            assert!(parses::<WebhookEvent>(e), "{e} is missing from WebhookEvent");
        }
        assert_eq!(word(WebhookEvent::All), "*");
    }

    #[test]
    fn offer_words_are_the_cores() {
        use kefu_core::{OfferReason, WithdrawReason};
        for r in [
            WithdrawReason::Declined,
            WithdrawReason::Expired,
            WithdrawReason::AgentUnavailable,
            WithdrawReason::Ended,
            WithdrawReason::Transferred,
        ] {
            assert!(parses::<OfferRevokedReason>(&word(r)), "{r:?}");
        }
        for r in [
            OfferReason::Strategy(kefu_core::Strategy::LoadBalance),
            OfferReason::NamedAgent(kefu_core::Strategy::Designated),
            OfferReason::Transfer,
        ] {
            let v = serde_json::to_value(r).unwrap_or_default();
            assert!(serde_json::from_value::<crate::views::OfferReason>(v.clone()).is_ok(), "{v}");
        }
    }

    #[test]
    fn agent_statuses_are_the_routing_words() {
        use kefu_core::{AgentStatus as Core, AwayReason, Millis};
        for s in [Core::Offline, Core::Ready, Core::Away(AwayReason::MissedOffers), Core::WrapUp { until: Millis(0) }] {
            let (text, _, _) = crate::routing::status_text(&s);
            assert!(parses::<AgentStatus>(text.as_str()), "{text:?}");
        }
        assert!(parses::<AgentStatus>("busy"));
    }
}
