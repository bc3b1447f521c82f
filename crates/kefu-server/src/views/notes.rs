//! Internal notes (内部备注), notifications and tags as the API shows them. All of it is for
//! staff only: no visitor route or frame carries these types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::{NoteRow, NotificationRow, TagRow};

/// What a staff-only line of a conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// An internal note (内部备注).
    Note,
    /// A supervisor's note to the serving agent (耳语).
    Whisper,
    /// A tag was put on the conversation (the body is its name).
    TagAdded,
    /// A tag was taken off (the body is its name).
    TagRemoved,
}

impl NoteKind {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Note => "note",
            NoteKind::Whisper => "whisper",
            NoteKind::TagAdded => "tag_added",
            NoteKind::TagRemoved => "tag_removed",
        }
    }
    fn parse(s: &str) -> NoteKind {
        match s {
            "whisper" => NoteKind::Whisper,
            "tag_added" => NoteKind::TagAdded,
            "tag_removed" => NoteKind::TagRemoved,
            _ => NoteKind::Note,
        }
    }
}

/// A staff-only line of a conversation (also the data of the `note.created` WebSocket frame).
/// It takes no number of the conversation's event sequence: it sits in the transcript after
/// the message whose `seq` is `after_seq`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteView {
    pub id: i64,
    pub conversation_id: i64,
    /// The conversation's last event seq when the line was written.
    pub after_seq: i64,
    pub kind: NoteKind,
    #[schema(required = true)]
    pub author_id: Option<i64>,
    pub author_name: String,
    /// The note's text (the tag's name on tag lines).
    pub body: String,
    /// Users the note @mentions (each was notified).
    pub mentions: Vec<i64>,
    /// The tag of a tag line.
    #[schema(required = true)]
    pub tag_id: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When its author last edited it (null if never): the workspace shows "(edited)".
    #[schema(required = true, format = DateTime)]
    pub edited_at: Option<String>,
}

impl From<&NoteRow> for NoteView {
    fn from(n: &NoteRow) -> Self {
        NoteView {
            id: n.id,
            conversation_id: n.conversation_id,
            after_seq: n.after_seq,
            kind: NoteKind::parse(&n.kind),
            author_id: n.author_id,
            author_name: n.author_name.clone(),
            body: n.body.clone(),
            mentions: serde_json::from_str(&n.mentions).unwrap_or_default(),
            tag_id: n.tag_id,
            created_at: rfc3339(n.created_at),
            edited_at: n.edited_at.map(rfc3339),
        }
    }
}

/// `GET /api/v1/conversations/{id}/notes`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoteList {
    /// Oldest first.
    pub notes: Vec<NoteView>,
    /// Notes matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// Why a user is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// @mentioned in an internal note.
    Mention,
    /// A supervisor whispered to the serving agent.
    Whisper,
}

/// A notification of the caller (also the data of the `notification.created` frame).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    pub kind: NotificationKind,
    /// Opens read-only for a user who does not serve it.
    pub conversation_id: i64,
    pub note_id: i64,
    /// Who wrote the note.
    pub actor_name: String,
    /// The start of the note.
    pub excerpt: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    pub read: bool,
}

impl From<&NotificationRow> for NotificationView {
    fn from(n: &NotificationRow) -> Self {
        NotificationView {
            id: n.id,
            kind: if n.kind == "whisper" { NotificationKind::Whisper } else { NotificationKind::Mention },
            conversation_id: n.conversation_id,
            note_id: n.note_id,
            actor_name: n.actor_name.clone(),
            excerpt: n.excerpt.clone(),
            created_at: rfc3339(n.created_at),
            read: n.read_at.is_some(),
        }
    }
}

/// `GET /api/v1/notifications`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationList {
    /// Newest first.
    pub notifications: Vec<NotificationView>,
    /// All the caller's unread ones (the badge).
    pub unread: i64,
    /// Pass as `before` for the next page; null on the last.
    #[schema(required = true)]
    pub next_before: Option<i64>,
}

/// A tag (标签).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TagView {
    pub id: i64,
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    /// No longer offered for new tagging; stays where it was used.
    pub disabled: bool,
}

impl From<&TagRow> for TagView {
    fn from(t: &TagRow) -> Self {
        TagView { id: t.id, name: t.name.clone(), color: t.color.clone(), disabled: t.disabled }
    }
}

/// A list of tags (also the data of the `conversation.tags` frame).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<TagView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A customer's tags after a colleague changed them (the data of the `visitor.tags` frame).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorTags {
    pub visitor_id: i64,
    pub tags: Vec<TagView>,
}

impl TagList {
    /// From rows.
    pub fn of(rows: &[TagRow]) -> TagList {
        TagList { tags: rows.iter().map(TagView::from).collect(), total: rows.len() as i64, next_after: None }
    }
}
