//! Search (搜索): the term index of messages and staff notes (`message_terms`, `note_terms`,
//! written with each row), its start-up backfill, and the query that finds conversations by words
//! and filters. Who may see what is the caller's rule, passed in as [`SearchFilter::viewer`] (and
//! whether notes are searched at all, [`SearchFilter::source`]); this module only applies it.

mod index;
mod query;
pub mod snippet;
pub mod terms;

pub use terms::Query;

/// What is searched: what customers and agents wrote, or staff-only notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// Messages of the conversation (not system lines, which carry a code, not words).
    #[default]
    Messages,
    /// Staff notes and whispers (not the tag timeline lines). Staff only.
    Notes,
}

impl Source {
    fn terms_table(self) -> &'static str {
        match self {
            Source::Messages => "message_terms",
            Source::Notes => "note_terms",
        }
    }

    fn id_column(self) -> &'static str {
        match self {
            Source::Messages => "message_id",
            Source::Notes => "note_id",
        }
    }

    fn rows_table(self) -> &'static str {
        match self {
            Source::Messages => "messages",
            Source::Notes => "conversation_notes",
        }
    }

    /// The setting of the backfill's progress: the highest id still to index, `0` when done,
    /// absent before the first start after migration 0016.
    fn backfill_key(self) -> &'static str {
        match self {
            Source::Messages => "search.backfill_upto",
            Source::Notes => "search.backfill_notes_upto",
        }
    }

    /// Whether rows of this kind are indexed.
    fn searches(self, kind: &str) -> bool {
        match self {
            Source::Messages => kind != "event",
            Source::Notes => matches!(kind, "note" | "whisper"),
        }
    }
}

/// What to find. Text and every filter narrow the result (AND).
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Words one message (or note) must hold (empty: conversations by the filters alone).
    pub query: Query,
    /// Whether to use the exact substring form of the query (see [`Query::fallback`]).
    pub exact: bool,
    /// Search messages or staff notes.
    pub source: Source,
    /// A customer: part of the name or external id (case-insensitive), or the visitor id.
    pub customer: Option<String>,
    /// Served (now or before) by this agent.
    pub agent_id: Option<i64>,
    /// Carrying this tag.
    pub tag_id: Option<i64>,
    /// In this skill group.
    pub group_id: Option<i64>,
    /// Created at or after (ms).
    pub from: Option<i64>,
    /// Created before (ms).
    pub to: Option<i64>,
    /// In this status (`queued`, `offered`, `assigned`, `closed`).
    pub status: Option<String>,
    /// `Some(agent)`: only conversations that agent may read (served, holds or is offered, serves
    /// the same customer now, or was notified in); `None`: all (supervisors, admins).
    pub viewer: Option<i64>,
    /// `Some(groups)`: only conversations in these skill groups (a supervisor's own); `None`: all.
    pub groups: Option<Vec<i64>>,
    /// The cursor: only conversations with a smaller id.
    pub before: Option<i64>,
    /// Most rows to return.
    pub limit: i64,
}

/// A found conversation: newest first by conversation id (fixed at creation, so the order of
/// pages never changes as messages arrive).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SearchHit {
    /// The conversation.
    pub conversation_id: i64,
    /// Its latest matching message (or note, searching notes); none for filters alone.
    pub hit_id: Option<i64>,
    /// How many of its messages (or notes) match.
    pub matches: i64,
}
