//! Search results (`GET /api/v1/search/conversations`): each found conversation with the
//! excerpt of its latest matching message or staff note.

use serde::Serialize;
use utoipa::ToSchema;

use super::ConversationView;

/// The excerpt of the latest matching message (else staff note) of a found conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchSnippet {
    /// `message`, or `note` (a staff note or whisper: staff only, never shown to customers).
    pub source: String,
    /// The message's id, or the note's.
    pub id: i64,
    /// Places it in the transcript: the message's seq, or the seq a note follows.
    pub seq: i64,
    /// `visitor` or `agent` (a note's author is staff: `agent`).
    pub sender: String,
    pub sender_name: Option<String>,
    /// When it was sent (RFC 3339).
    pub created_at: String,
    /// The excerpt: the whole message, or about 80 characters around the first match with "…"
    /// where it was cut.
    pub text: String,
    /// What to highlight: `[start, end)` pairs counted in Unicode characters (code points) of
    /// `text` — slice `Array.from(text)`, not the UTF-16 string.
    pub highlights: Vec<[usize; 2]>,
}

/// One found conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    pub conversation: ConversationView,
    /// Null for a search by filters alone (no text).
    #[schema(required = true)]
    pub snippet: Option<SearchSnippet>,
    /// How many of its messages and notes match the text (0 without text).
    pub matches: i64,
}

/// A page of results, newest conversation first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPage {
    pub results: Vec<SearchResult>,
    /// Pass as `cursor` for the next page; null on the last.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
}
