//! Conversations, their messages and attachments.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::{Channel, ConversationStatus, MessageKind, Sender, SnapshotView, VisitorView};
use crate::clock::rfc3339;
use kefu_store::{AttachmentRow, CallRow, ConversationRow, MessageRow, VisitorRow};

/// Satisfaction survey answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CsatView {
    /// 1 to 5.
    pub score: i64,
    #[schema(required = true)]
    pub comment: Option<String>,
}

/// Place in line (also the data of the `queue.position` WebSocket event).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct QueueView {
    /// 1 = next.
    pub position: u32,
    /// null while the server has no estimate (nobody of the group is serving yet).
    #[schema(required = true)]
    pub estimated_wait_secs: Option<u32>,
}

/// A conversation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConversationView {
    pub id: i64,
    pub status: ConversationStatus,
    #[schema(value_type = Channel)]
    pub channel: String,
    /// `chat`, or `video` / `voice` for a conversation started by the widget's video service.
    #[schema(value_type = super::ConversationMedia)]
    pub media: String,
    pub group_id: i64,
    /// The serving agent (null until assigned, and again after a transfer until accepted).
    #[schema(required = true)]
    pub agent_id: Option<i64>,
    /// The serving agent's display name.
    #[schema(required = true)]
    pub agent_name: Option<String>,
    /// The agent a pending offer is for (null unless offered; staff only, null for visitors).
    #[schema(required = true)]
    pub offered_agent_id: Option<i64>,
    /// When the pending offer lapses.
    #[schema(required = true, format = DateTime)]
    pub offer_expires_at: Option<String>,
    pub visitor: VisitorView,
    #[schema(required = true)]
    pub topic: Option<String>,
    #[schema(required = true)]
    pub business_type_id: Option<i64>,
    /// Higher is served first (the customer's VIP level).
    pub priority: i64,
    /// Left outside business hours (留言), for an agent to answer later.
    pub left_message: bool,
    /// The visitor gave up while waiting.
    pub abandoned: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub queued_at: String,
    #[schema(required = true, format = DateTime)]
    pub assigned_at: Option<String>,
    #[schema(required = true, format = DateTime)]
    pub closed_at: Option<String>,
    /// Staff only (null for visitors).
    #[schema(required = true)]
    pub wrap_up_code: Option<String>,
    /// Staff only (null for visitors).
    #[schema(required = true)]
    pub wrap_up_note: Option<String>,
    #[schema(required = true)]
    pub csat: Option<CsatView>,
    /// Sequence number of the conversation's latest event.
    pub last_seq: i64,
    /// Messages from the visitor the asking agent has not read.
    pub unread: i64,
    /// Highest seq the visitor has read.
    pub visitor_read_seq: i64,
    /// Highest seq an agent has read.
    pub agent_read_seq: i64,
    /// Place in line while queued (for this caller), else null.
    #[schema(required = true)]
    pub queue: Option<QueueView>,
    /// The newest message (filled in by the REST API; null in WebSocket events).
    #[schema(required = true)]
    pub last_message: Option<MessageView>,
    /// The customer's first message (staff only; filled in by the REST API and in
    /// `offer.created`, null in other WebSocket events and for visitors).
    #[schema(required = true)]
    pub first_message: Option<MessageView>,
    /// The conversation's open call (ringing or active), null when none: a snapshot carries it,
    /// so a client whose cursor moves past a `call.updated` still knows the call.
    #[schema(required = true)]
    pub call: Option<super::CallView>,
    /// Tags on the conversation (staff only: always empty for visitors).
    #[serde(default)]
    #[schema(required = true)]
    pub tags: Vec<super::TagView>,
    /// Since when the customer has waited for an answer: their oldest message that no agent
    /// message follows (null when the agent spoke last or the customer wrote nothing).
    #[serde(default)]
    #[schema(required = true, format = DateTime)]
    pub awaiting_reply_since: Option<String>,
    /// The group's reply target in seconds: the workspace colours the wait against it
    /// (amber past half, red past the target).
    #[serde(default)]
    #[schema(required = true)]
    pub reply_target_secs: i64,
}

impl ConversationView {
    /// The viewer-independent view (what conversation events carry).
    pub fn build(c: &ConversationRow, visitor: &VisitorRow, agent_name: Option<String>, call: Option<&CallRow>) -> ConversationView {
        ConversationView {
            id: c.id,
            status: c.status,
            channel: c.channel.clone(),
            media: c.media.clone(),
            group_id: c.group_id,
            agent_id: c.agent_id,
            agent_name,
            offered_agent_id: c.offered_agent_id,
            offer_expires_at: c.offer_expires_at.map(rfc3339),
            visitor: visitor.into(),
            topic: c.topic.clone(),
            business_type_id: c.business_type_id,
            priority: c.priority,
            left_message: c.left_message,
            abandoned: c.abandoned,
            created_at: rfc3339(c.created_at),
            queued_at: rfc3339(c.queued_at),
            assigned_at: c.assigned_at.map(rfc3339),
            closed_at: c.closed_at.map(rfc3339),
            wrap_up_code: c.wrap_up_code.clone(),
            wrap_up_note: c.wrap_up_note.clone(),
            csat: c.csat_score.map(|score| CsatView { score, comment: c.csat_comment.clone() }),
            last_seq: c.last_seq,
            unread: 0,
            visitor_read_seq: c.visitor_read_seq,
            agent_read_seq: c.agent_read_seq,
            queue: None,
            last_message: None,
            first_message: None,
            call: call.map(Into::into),
            tags: vec![],
            awaiting_reply_since: None,
            reply_target_secs: 60,
        }
    }
}

/// A file attached to a message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    /// The uploaded file name.
    pub name: String,
    /// Recognised from the content, not from the name.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// Relative URL. In REST answers and WebSocket frames it is a signed link
    /// (`/api/v1/attachments/{id}?exp=…&sig=…`) that works without a token for about 10 minutes
    /// (usable in `<img src>`); in webhook payloads it is the bare path, fetched with the Bearer
    /// token.
    pub url: String,
    /// Hex SHA-256 of the content, so both sides can tell the file is the one sent.
    pub sha256: String,
    /// Set when the file is a call snapshot: a still the visitor's device took from its own
    /// camera at the agent's request (its time is the message's `created_at`); else null.
    #[schema(required = true)]
    pub snapshot: Option<SnapshotView>,
}

impl From<&AttachmentRow> for AttachmentView {
    fn from(a: &AttachmentRow) -> Self {
        let snapshot = match (a.snapshot_call_id, a.width, a.height) {
            (Some(call_id), Some(width), Some(height)) => Some(SnapshotView { call_id, width, height }),
            _ => None,
        };
        AttachmentView {
            id: a.id,
            name: a.name.clone(),
            mime: a.mime.clone(),
            size: a.size,
            url: format!("/api/v1/attachments/{}", a.id),
            sha256: a.sha256.clone(),
            snapshot,
        }
    }
}

/// Details of a system event message (`kind: "event"`). `transferred` names the target, a group
/// (`to_group`, `to_group_name`) or an agent (`to_agent`, `to_agent_name`), and carries the
/// transfer `note`. Visitors get only the target's name, never the internal note.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    pub to_group: Option<i64>,
    pub to_group_name: Option<String>,
    pub to_agent: Option<i64>,
    pub to_agent_name: Option<String>,
    /// For the next agent; staff only.
    pub note: Option<String>,
    /// `blocked`: why a supervisor blocked the visitor (the visitor sees it too).
    pub reason: Option<String>,
    /// `transferred`: true when a supervisor took the conversation over (接管); `to_agent` is them.
    pub taken_over: Option<bool>,
}

/// A chat message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub conversation_id: i64,
    /// Position in the conversation's event log.
    pub seq: i64,
    #[schema(value_type = Sender)]
    pub sender: String,
    /// The visitor's or agent's id; null for system lines.
    #[schema(required = true)]
    pub sender_id: Option<i64>,
    /// Display name; on event lines, the agent the event is about (assigned, who transferred).
    #[schema(required = true)]
    pub sender_name: Option<String>,
    #[schema(value_type = MessageKind)]
    pub kind: String,
    /// The text, the file name of an attachment, or the event code (kind = event).
    pub body: String,
    #[schema(required = true)]
    pub attachment: Option<AttachmentView>,
    /// The sender's own id for an optimistic send, echoed back.
    #[schema(required = true)]
    pub client_id: Option<String>,
    /// Details of a system event (kind = event), else null.
    #[schema(value_type = Option<EventData>, required = true)]
    pub data: Option<Value>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// A customer text message's sentiment; staff only (absent for visitors and other lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<super::MessageSentimentView>,
}

impl MessageView {
    /// Build from the row and its attachment.
    pub fn build(m: &MessageRow, attachment: Option<&AttachmentRow>) -> MessageView {
        MessageView {
            id: m.id,
            conversation_id: m.conversation_id,
            seq: m.seq,
            sender: m.sender.clone(),
            sender_id: m.sender_id,
            sender_name: m.sender_name.clone(),
            kind: m.kind.clone(),
            body: m.body.clone(),
            attachment: attachment.map(Into::into),
            client_id: m.client_id.clone(),
            data: m.data.as_deref().and_then(|d| serde_json::from_str(d).ok()),
            created_at: rfc3339(m.created_at),
            sentiment: None,
        }
    }
}

/// `GET /api/v1/conversations` and a customer's earlier conversations.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationList {
    pub conversations: Vec<ConversationView>,
    /// `after` for the next (older) page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// `GET /api/v1/conversations/{id}/messages`: messages after a sequence number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessagePage {
    pub messages: Vec<MessageView>,
    /// The conversation's latest event sequence number when the page was read.
    pub last_seq: i64,
}

/// `GET /api/v1/agents/me/closed-conversations`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClosedConversationPage {
    /// Most recently closed first.
    pub conversations: Vec<ConversationView>,
    /// Pass as `before` for the next page; null on the last.
    #[schema(required = true)]
    pub next_before: Option<String>,
}
