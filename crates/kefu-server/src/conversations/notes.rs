//! Staff-only lines of a conversation: internal notes with @mentions, a supervisor's whisper to
//! the serving agent, and the tag timeline. Written with their notifications in one
//! transaction, then delivered to staff only.
//!
//! Sequence rule: a note takes NO number of the conversation's event sequence, which visitors
//! resume by. It records `after_seq` (the conversation's last seq when written) instead, which
//! places it in the transcript; a staff socket's `resume` replays the notes placed at or after
//! its cursor as unsequenced `note.created` frames (clients upsert them by id). So a visitor's
//! stream has no gap, no placeholder and no hint that a note exists; staff lose no note across a
//! reconnect.

use std::sync::Arc;

use crate::clock::now_ms;
use crate::error::{ApiError, ApiResult};
use crate::realtime::frame;
use crate::state::AppState;
use crate::views::{NoteKind, NoteView, NotificationKind, NotificationView, TagList, VisitorTags};
use kefu_store::{NewNote, NoteRow, Tx};

/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Most people one note may @mention.
pub const MAX_MENTIONS: usize = 20;
/// Characters of a note a notification quotes.
const EXCERPT_CHARS: usize = 120;

/// A note to write.
pub struct Note<'a> {
    pub conversation: i64,
    pub kind: NoteKind,
    /// Writer's user id (None for an API key) and display name.
    pub author: (Option<i64>, &'a str),
    pub body: &'a str,
    pub mentions: &'a [i64],
    pub tag_id: Option<i64>,
}

/// Who is told about a note, and why.
pub type Notify = Vec<(i64, NotificationKind)>;
/// The notifications written, with their users.
pub type Told = Vec<(i64, NotificationView)>;

/// Write a note and one notification per person in `notify`, inside `tx` (the caller commits,
/// then calls [`deliver`]).
pub async fn insert(tx: &mut Tx, n: &Note<'_>, notify: &Notify) -> ApiResult<(NoteRow, Told)> {
    let row = tx
        .insert_note(
            &NewNote {
                conversation_id: n.conversation,
                kind: n.kind.as_str(),
                author_id: n.author.0,
                author_name: n.author.1,
                body: n.body,
                mentions: n.mentions,
                tag_id: n.tag_id,
            },
            now_ms(),
        )
        .await?;
    let excerpt: String = n.body.chars().take(EXCERPT_CHARS).collect();
    let mut told = Vec::with_capacity(notify.len());
    for (user, kind) in notify {
        let word = match kind {
            NotificationKind::Mention => "mention",
            NotificationKind::Whisper => "whisper",
        };
        told.push((*user, NotificationView::from(&tx.insert_notification(*user, word, &row, &excerpt).await?)));
    }
    Ok((row, told))
}

/// Send a committed note to the staff who follow the conversation (and every supervisor), and
/// each notification to its user. Nothing here ever goes to a visitor.
pub async fn deliver(state: &AppState, note: &NoteRow, told: &Told) {
    let view = NoteView::from(note);
    let Ok(data) = serde_json::to_value(&view) else { return };
    let f = frame("note.created", Some(note.conversation_id), None, &data);
    to_staff(state, note.conversation_id, note.author_id, &f).await;
    for (user, n) in told {
        if let Ok(data) = serde_json::to_value(n) {
            state.hub.to_user(*user, &frame("notification.created", None, None, &data));
        }
    }
}

/// Send an edited note to the staff who follow the conversation (`note.updated`), and a
/// notification to each newly mentioned colleague.
pub async fn deliver_update(state: &AppState, note: &NoteRow, told: &Told) {
    let Ok(data) = serde_json::to_value(NoteView::from(note)) else { return };
    let f = frame("note.updated", Some(note.conversation_id), None, &data);
    to_staff(state, note.conversation_id, note.author_id, &f).await;
    for (user, n) in told {
        if let Ok(data) = serde_json::to_value(n) {
            state.hub.to_user(*user, &frame("notification.created", None, None, &data));
        }
    }
}

/// Write a mention notification of an edited note to each of `users`, inside `tx`.
pub async fn notify_mentions(tx: &mut Tx, note: &NoteRow, users: &[i64]) -> ApiResult<Told> {
    let excerpt: String = note.body.chars().take(EXCERPT_CHARS).collect();
    let mut told = Vec::with_capacity(users.len());
    for user in users {
        told.push((*user, NotificationView::from(&tx.insert_notification(*user, "mention", note, &excerpt).await?)));
    }
    Ok(told)
}

/// Tell the conversation's staff that its tags changed.
pub async fn tags_changed(state: &AppState, conversation: i64, tags: &TagList) {
    let Ok(data) = serde_json::to_value(tags) else { return };
    let f = frame("conversation.tags", Some(conversation), None, &data);
    to_staff(state, conversation, None, &f).await;
}

/// Tell the staff of a customer's open conversation (and supervisors) that the customer's tags
/// changed, so a colleague's customer panel follows without a reload.
pub async fn visitor_tags_changed(state: &AppState, tags: &VisitorTags) {
    let Ok(Some(open)) = state.store.open_conversation(tags.visitor_id).await else { return };
    let Ok(data) = serde_json::to_value(tags) else { return };
    let f = frame("visitor.tags", Some(open.id), None, &data);
    to_staff(state, open.id, None, &f).await;
}

/// One frame to every supervisor and to the staff following the conversation.
async fn to_staff(state: &AppState, conversation: i64, author: Option<i64>, f: &Arc<str>) {
    let mut users = state.store.note_audience(conversation).await.unwrap_or_default();
    users.extend(author);
    state.hub.to_users_and_supervisors(&users, f);
}

/// Check a note's @mentions: sorted, deduplicated, without the writer, at most
/// [`MAX_MENTIONS`], each an enabled staff user.
pub async fn checked_mentions(state: &AppState, writer: i64, mut mentions: Vec<i64>) -> ApiResult<Vec<i64>> {
    mentions.sort_unstable();
    mentions.dedup();
    mentions.retain(|u| *u != writer);
    if mentions.len() > MAX_MENTIONS {
        return Err(ApiError::invalid(format!("mentions: at most {MAX_MENTIONS} people")));
    }
    for m in &mentions {
        match state.store.user(*m).await {
            Ok(u) if u.enabled => {}
            _ => return Err(ApiError::invalid(format!("mentions: no enabled colleague has id {m}"))),
        }
    }
    Ok(mentions)
}

/// Check a note's text: trimmed, 1 to [`MAX_NOTE_CHARS`] characters.
pub fn checked_body(body: &str) -> ApiResult<String> {
    let text = crate::text::clean_message(body).trim().to_string();
    if text.is_empty() {
        return Err(ApiError::invalid("body: must not be empty"));
    }
    if text.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::message_too_long("body", MAX_NOTE_CHARS));
    }
    Ok(text)
}
