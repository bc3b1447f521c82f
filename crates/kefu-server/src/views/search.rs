//! Search results (`GET /api/v1/search/conversations`): each found conversation with the
//! excerpt of its latest matching message.

use serde::Serialize;
use utoipa::ToSchema;

use super::ConversationView;

/// The excerpt of the latest matching message of a found conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchSnippet {
    /// The message (its `seq` places it in the transcript).
    pub message_id: i64,
    pub seq: i64,
    /// `visitor` or `agent`.
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
    /// How many of its messages match the text (0 without text).
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
