//! Conversations, their messages and their sequenced event log.
//!
//! A change to a conversation and the event announcing it are written in one transaction
//! ([`Tx`]), together with the webhook outbox rows: nothing is announced that is not stored,
//! and nothing stored goes unannounced after a restart.

use crate::{Result, Store, StoreError};

/// A conversation as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConversationRow {
    /// Id.
    pub id: i64,
    /// Visitor.
    pub visitor_id: i64,
    /// Current group.
    pub group_id: i64,
    /// Chosen business type.
    pub business_type_id: Option<i64>,
    /// web | h5 | api.
    pub channel: String,
    /// chat | video | voice (what it was started for).
    pub media: String,
    /// queued | offered | assigned | closed.
    pub status: kefu_core::ConversationStatus,
    /// Serving agent.
    pub agent_id: Option<i64>,
    /// Agent with a pending offer.
    pub offered_agent_id: Option<i64>,
    /// When the pending offer expires.
    pub offer_expires_at: Option<i64>,
    /// 0 normal, 1..9 VIP.
    pub priority: i64,
    /// Minimum skill level.
    pub min_skill_level: i64,
    /// Topic from the pre-chat form.
    pub topic: Option<String>,
    /// Started as a left message (留言).
    pub left_message: bool,
    /// Created.
    pub created_at: i64,
    /// First queued: the place in line.
    pub queued_at: i64,
    /// Accepted.
    pub assigned_at: Option<i64>,
    /// Closed or abandoned.
    pub closed_at: Option<i64>,
    /// Visitor left before being served.
    pub abandoned: bool,
    /// Wrap-up code.
    pub wrap_up_code: Option<String>,
    /// Wrap-up note.
    pub wrap_up_note: Option<String>,
    /// CSAT 1..5.
    pub csat_score: Option<i64>,
    /// CSAT comment.
    pub csat_comment: Option<String>,
    /// Last event sequence number.
    pub last_seq: i64,
    /// Visitor has read up to.
    pub visitor_read_seq: i64,
    /// Agent has read up to.
    pub agent_read_seq: i64,
    /// Taken back from a disabled agent: waits at the front of its line until accepted.
    pub returned_to_queue: bool,
}

/// A message as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    /// Id.
    pub id: i64,
    /// Conversation.
    pub conversation_id: i64,
    /// Event sequence number of its `message.created`.
    pub seq: i64,
    /// visitor | agent | system.
    pub sender: String,
    /// User or visitor id.
    pub sender_id: Option<i64>,
    /// Display name at the time.
    pub sender_name: Option<String>,
    /// text | image | file | event.
    pub kind: String,
    /// Text, or an event code for kind = event.
    pub body: String,
    /// Attachment.
    pub attachment_id: Option<i64>,
    /// The sender's idempotency key.
    pub client_id: Option<String>,
    /// JSON details of a system event (e.g. a transfer's note and target).
    pub data: Option<String>,
    /// Created.
    pub created_at: i64,
}

/// An uploaded file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    /// Id.
    pub id: i64,
    /// Conversation.
    pub conversation_id: i64,
    /// Original name.
    pub name: String,
    /// Checked MIME type.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Path relative to the uploads dir.
    pub path: String,
    /// The call whose agent asked for this still (a snapshot), else None.
    pub snapshot_call_id: Option<i64>,
    /// Pixel width read from the image (snapshots), else None.
    pub width: Option<i64>,
    /// Pixel height read from the image (snapshots), else None.
    pub height: Option<i64>,
}

/// A stored event of a conversation's log.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    /// Conversation.
    pub conversation_id: i64,
    /// Sequence number.
    pub seq: i64,
    /// Event type.
    pub r#type: String,
    /// JSON data.
    pub data: String,
}

/// A new conversation.
#[derive(Debug, Clone)]
pub struct NewConversation<'a> {
    /// Visitor.
    pub visitor_id: i64,
    /// Group.
    pub group_id: i64,
    /// Business type.
    pub business_type_id: Option<i64>,
    /// Channel.
    pub channel: &'a str,
    /// Priority.
    pub priority: i64,
    /// Minimum skill.
    pub min_skill_level: i64,
    /// Topic.
    pub topic: Option<&'a str>,
    /// Left message.
    pub left_message: bool,
    /// chat, or video | voice for a conversation queued straight for a call.
    pub media: &'a str,
}

/// A new message.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    /// Conversation.
    pub conversation_id: i64,
    /// visitor | agent | system.
    pub sender: &'a str,
    /// Sender id.
    pub sender_id: Option<i64>,
    /// Sender display name.
    pub sender_name: Option<&'a str>,
    /// Kind.
    pub kind: &'a str,
    /// Body.
    pub body: &'a str,
    /// Attachment.
    pub attachment_id: Option<i64>,
    /// Idempotency key.
    pub client_id: Option<&'a str>,
    /// JSON details of a system event.
    pub data: Option<&'a str>,
}

/// Timings for service-level figures.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    /// Queued.
    pub queued_at: i64,
    /// Answered.
    pub assigned_at: Option<i64>,
    /// Ended.
    pub closed_at: Option<i64>,
    /// Abandoned.
    pub abandoned: bool,
    /// CSAT.
    pub csat_score: Option<i64>,
    /// Who served it (the last agent), if anyone did.
    pub agent_id: Option<i64>,
    /// The group it is (or was last) queued in.
    pub group_id: i64,
}

pub(crate) const CONV_COLUMNS: &str = "id, visitor_id, group_id, business_type_id, channel, media, status, agent_id, offered_agent_id,
  offer_expires_at, priority, min_skill_level, topic, left_message, created_at, queued_at, assigned_at, closed_at, abandoned,
  wrap_up_code, wrap_up_note, csat_score, csat_comment, last_seq, visitor_read_seq, agent_read_seq, returned_to_queue";
pub(crate) const MSG_COLUMNS: &str =
    "id, conversation_id, seq, sender, sender_id, sender_name, kind, body, attachment_id, client_id, data, created_at";

impl Store {
    /// One conversation.
    pub async fn conversation(&self, id: i64) -> Result<ConversationRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {CONV_COLUMNS} FROM conversations WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A visitor's conversations, newest first.
    pub async fn visitor_conversations(&self, visitor_id: i64) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {CONV_COLUMNS} FROM conversations WHERE visitor_id = $1 ORDER BY id DESC LIMIT 200"))
                .bind(visitor_id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// One page of a visitor's conversations, newest first: older than `before` (an id; None =
    /// from the newest), at most `limit`.
    pub async fn visitor_conversations_page(&self, visitor_id: i64, before: Option<i64>, limit: i64) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations WHERE visitor_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
            ))
            .bind(visitor_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The visitor's conversation that is not closed, if any.
    pub async fn open_conversation(&self, visitor_id: i64) -> Result<Option<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations WHERE visitor_id = $1 AND status <> 'closed' ORDER BY id DESC LIMIT 1"
            ))
            .bind(visitor_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Conversations with a status, optionally only those an agent holds or is offered.
    pub async fn conversations_by_status(
        &self,
        status: Option<kefu_core::ConversationStatus>,
        agent_id: Option<i64>,
    ) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations
             WHERE ($1 IS NULL OR status = $1)
               AND ($2 IS NULL OR agent_id = $2 OR (status = 'offered' AND offered_agent_id = $2))
             ORDER BY id DESC LIMIT 500"
            ))
            .bind(status)
            .bind(agent_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// One page of conversations, newest first: those older than `before` (an id; None = from
    /// the newest), at most `limit`. Paging by id keeps pages stable while conversations start:
    /// a new one has a greater id and never shifts a later page.
    pub async fn conversations_page(
        &self,
        status: Option<kefu_core::ConversationStatus>,
        agent_id: Option<i64>,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations
             WHERE ($1 IS NULL OR status = $1)
               AND ($2 IS NULL OR agent_id = $2 OR (status = 'offered' AND offered_agent_id = $2))
               AND ($3 IS NULL OR id < $3)
             ORDER BY id DESC LIMIT $4"
            ))
            .bind(status)
            .bind(agent_id)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Conversations the router must know after a restart, in line order.
    pub async fn routable_conversations(&self) -> Result<Vec<ConversationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CONV_COLUMNS} FROM conversations WHERE status <> 'closed' ORDER BY priority DESC, queued_at, id"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// The agent who last served this visitor in this group.
    pub async fn last_agent(&self, visitor_id: i64, group_id: i64) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT agent_id FROM conversations WHERE visitor_id = $1 AND group_id = $2 AND agent_id IS NOT NULL
             ORDER BY COALESCE(closed_at, assigned_at) DESC LIMIT 1",
            )
            .bind(visitor_id)
            .bind(group_id)
            .fetch_optional(pool)
            .await?
            .flatten())
        })
    }

    /// The agent who served this visitor most often in this group.
    pub async fn most_served_agent(&self, visitor_id: i64, group_id: i64) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT agent_id FROM conversations WHERE visitor_id = $1 AND group_id = $2 AND agent_id IS NOT NULL
             GROUP BY agent_id ORDER BY COUNT(*) DESC, MAX(COALESCE(closed_at, assigned_at)) DESC LIMIT 1",
            )
            .bind(visitor_id)
            .bind(group_id)
            .fetch_optional(pool)
            .await?
            .flatten())
        })
    }

    /// Whether an agent ever served (or was offered and holds) this conversation.
    pub async fn agent_served(&self, conversation_id: i64, agent_id: i64) -> Result<bool> {
        on_pool!(self, |pool| {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversation_agents WHERE conversation_id = $1 AND agent_id = $2")
                .bind(conversation_id)
                .bind(agent_id)
                .fetch_one(pool)
                .await?;
            Ok(n > 0)
        })
    }

    /// Whether the agent holds or is offered an open conversation of this visitor now.
    pub async fn agent_serves_visitor(&self, agent_id: i64, visitor_id: i64) -> Result<bool> {
        on_pool!(self, |pool| {
            let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM conversations WHERE visitor_id = $1 AND status <> 'closed' AND (agent_id = $2 OR offered_agent_id = $2)",
        )
        .bind(visitor_id)
        .bind(agent_id)
        .fetch_one(pool)
        .await?;
            Ok(n > 0)
        })
    }

    /// Messages after a sequence number.
    pub async fn messages_after(&self, conversation_id: i64, after_seq: i64) -> Result<Vec<MessageRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {MSG_COLUMNS} FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000"
            ))
            .bind(conversation_id)
            .bind(after_seq)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The customer's first message (what the offer shows the agent), if they wrote one.
    pub async fn first_visitor_message(&self, conversation_id: i64) -> Result<Option<MessageRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
            "SELECT {MSG_COLUMNS} FROM messages WHERE conversation_id = $1 AND sender = 'visitor' AND kind <> 'event' ORDER BY seq LIMIT 1"
        ))
            .bind(conversation_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The last message (for previews).
    pub async fn last_message(&self, conversation_id: i64) -> Result<Option<MessageRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {MSG_COLUMNS} FROM messages WHERE conversation_id = $1 ORDER BY seq DESC LIMIT 1"))
                .bind(conversation_id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Messages from the visitor after the agent's read marker.
    pub async fn unread_for_agent(&self, conversation_id: i64, agent_read_seq: i64) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND seq > $2 AND sender = 'visitor'")
                .bind(conversation_id)
                .bind(agent_read_seq)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Events after a sequence number (what a reconnecting client missed).
    pub async fn events_after(&self, conversation_id: i64, after_seq: i64) -> Result<Vec<EventRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT conversation_id, seq, type, data FROM conversation_events WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT 5000",
        )
        .bind(conversation_id)
        .bind(after_seq)
        .fetch_all(pool)
        .await?)
        })
    }

    /// An attachment.
    pub async fn attachment(&self, id: i64) -> Result<AttachmentRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, conversation_id, name, mime, size, sha256, path, snapshot_call_id, width, height FROM attachments WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(StoreError::NotFound)
        })
    }

    /// How many files the visitor sent into a conversation, and their bytes.
    pub async fn visitor_uploads(&self, conversation_id: i64) -> Result<(i64, i64)> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT COUNT(*), CAST(COALESCE(SUM(a.size), 0) AS BIGINT) FROM messages m JOIN attachments a ON a.id = m.attachment_id
             WHERE m.conversation_id = $1 AND m.sender = 'visitor'",
            )
            .bind(conversation_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Bytes the uploads take on disk: a file is stored once per conversation and content, however
    /// often it was sent.
    pub async fn upload_bytes(&self) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM (SELECT DISTINCT path, size FROM attachments) AS files",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Timings of conversations queued since `since` (for service-level figures).
    pub async fn contacts_since(&self, since: i64) -> Result<Vec<ContactRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT queued_at, assigned_at, closed_at, abandoned, csat_score, agent_id, group_id FROM conversations WHERE queued_at >= $1 AND left_message = FALSE",
        )
        .bind(since)
        .fetch_all(pool)
        .await?)
        })
    }
}
