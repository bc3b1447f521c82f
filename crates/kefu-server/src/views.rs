//! The JSON shapes of the API (docs/api.md), built from stored rows. Every type here is in the
//! OpenAPI document.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::{AttachmentRow, ConversationRow, GroupRow, MessageRow, UserRow, VisitorRow};

/// A staff user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        UserView { id: u.id, email: u.email.clone(), name: u.name.clone(), role: u.role.clone() }
    }
}

/// Chat and call counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Slots {
    pub chat: i64,
    pub call: i64,
}

/// A membership with its skill level.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    pub group_id: i64,
    pub skill_level: i64,
}

/// An agent with live status and load.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    /// offline | ready | away | busy | wrap_up
    pub status: String,
    pub away_reason: Option<String>,
    pub wrap_up_until: Option<String>,
    pub capacity: Slots,
    pub load: Slots,
    pub groups: Vec<Membership>,
    pub enabled: bool,
}

/// A visitor or known customer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorView {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
    pub vip_level: i64,
    #[schema(value_type = Object)]
    pub attributes: Value,
    pub designated_agent_id: Option<i64>,
}

impl From<&VisitorRow> for VisitorView {
    fn from(v: &VisitorRow) -> Self {
        VisitorView {
            id: v.id,
            name: v.name.clone(),
            external_id: v.external_id.clone(),
            vip_level: v.vip_level,
            attributes: serde_json::from_str(&v.attributes).unwrap_or(Value::Object(Default::default())),
            designated_agent_id: v.designated_agent_id,
        }
    }
}

/// Satisfaction survey answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CsatView {
    pub score: i64,
    pub comment: Option<String>,
}

/// Place in line.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct QueueView {
    /// 1 = next.
    pub position: u32,
    pub estimated_wait_secs: Option<u32>,
}

/// A conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: i64,
    /// queued | offered | assigned | closed
    pub status: String,
    pub channel: String,
    pub group_id: i64,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    /// The agent a pending offer is for, and when it expires.
    pub offered_agent_id: Option<i64>,
    pub offer_expires_at: Option<String>,
    pub visitor: VisitorView,
    pub topic: Option<String>,
    pub business_type_id: Option<i64>,
    pub priority: i64,
    pub left_message: bool,
    pub abandoned: bool,
    pub created_at: String,
    pub queued_at: String,
    pub assigned_at: Option<String>,
    pub closed_at: Option<String>,
    pub wrap_up_code: Option<String>,
    pub wrap_up_note: Option<String>,
    pub csat: Option<CsatView>,
    pub last_seq: i64,
    /// Messages from the visitor the asking agent has not read.
    pub unread: i64,
    pub visitor_read_seq: i64,
    pub agent_read_seq: i64,
    pub queue: Option<QueueView>,
    pub last_message: Option<MessageView>,
}

impl ConversationView {
    /// The viewer-independent view (what conversation events carry).
    pub fn build(c: &ConversationRow, visitor: &VisitorRow, agent_name: Option<String>) -> ConversationView {
        ConversationView {
            id: c.id,
            status: c.status.clone(),
            channel: c.channel.clone(),
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
        }
    }
}

/// A file attached to a message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// Relative URL; send the Bearer token (or `?token=`).
    pub url: String,
}

impl From<&AttachmentRow> for AttachmentView {
    fn from(a: &AttachmentRow) -> Self {
        AttachmentView { id: a.id, name: a.name.clone(), mime: a.mime.clone(), size: a.size, url: format!("/api/v1/attachments/{}", a.id) }
    }
}

/// A chat message.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageView {
    pub id: i64,
    pub conversation_id: i64,
    pub seq: i64,
    /// visitor | agent | system
    pub sender: String,
    pub sender_id: Option<i64>,
    pub sender_name: Option<String>,
    /// text | image | file | event
    pub kind: String,
    pub body: String,
    pub attachment: Option<AttachmentView>,
    pub client_id: Option<String>,
    /// Details of a system event (kind = event): for `transferred` {to_group, to_group_name | to_agent, to_agent_name, note};
    /// visitors get only the target's name, never the internal note.
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
    pub created_at: String,
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
        }
    }
}

/// One weekday's opening window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayHoursView {
    /// 1 = Monday .. 7 = Sunday
    pub weekday: u8,
    /// "09:00"
    pub open: String,
    /// "18:00"
    pub close: String,
}

/// Weekly schedule.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BusinessHoursView {
    pub utc_offset_minutes: i32,
    pub days: Vec<DayHoursView>,
}

/// A skill group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub strategy: String,
    pub fallback_strategy: String,
    /// last | most: which earlier agent a returning customer waits for
    pub returning_by: String,
    pub returning_window_secs: i64,
    pub offer_timeout_secs: i64,
    pub max_missed_offers: i64,
    pub overflow_after_secs: Option<i64>,
    pub overflow_group_id: Option<i64>,
    pub wrap_up_secs: i64,
    pub business_hours: Option<BusinessHoursView>,
    pub crm_url_template: Option<String>,
    pub members: Vec<GroupMember>,
}

/// A member of a group.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct GroupMember {
    pub agent_id: i64,
    pub skill_level: i64,
}

impl GroupView {
    /// Build from the row and its members.
    pub fn build(g: &GroupRow, members: Vec<GroupMember>) -> GroupView {
        GroupView {
            id: g.id,
            name: g.name.clone(),
            strategy: g.strategy.clone(),
            fallback_strategy: g.fallback_strategy.clone(),
            returning_by: g.returning_by.clone(),
            returning_window_secs: g.hold_secs,
            offer_timeout_secs: g.offer_timeout_secs,
            max_missed_offers: g.max_missed_offers,
            overflow_after_secs: g.overflow_after_secs,
            overflow_group_id: g.overflow_group_id,
            wrap_up_secs: g.wrap_up_secs,
            business_hours: g.business_hours.as_deref().and_then(|h| serde_json::from_str(h).ok()),
            crm_url_template: g.crm_url_template.clone(),
            members,
        }
    }
}
