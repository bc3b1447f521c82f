//! Staff-only lines of a conversation (internal notes, whispers, the tag timeline) and the
//! per-user notifications a mention or a whisper creates. Who may write or read them is the
//! server's decision; this module only stores them. Notes take no number of the conversation's
//! event sequence: `after_seq` places them (see migration 0010).

use crate::{Result, Store, StoreError, Tx};

/// A staff-only line of a conversation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    /// Id.
    pub id: i64,
    /// Conversation.
    pub conversation_id: i64,
    /// The conversation's last event seq when it was written: it sits after that message.
    pub after_seq: i64,
    /// note | whisper | tag_added | tag_removed.
    pub kind: String,
    /// Writer (None if the user was deleted).
    pub author_id: Option<i64>,
    /// Writer's display name at the time.
    pub author_name: String,
    /// The text (the tag's name for tag lines).
    pub body: String,
    /// JSON array of mentioned user ids.
    pub mentions: String,
    /// The tag of a tag line.
    pub tag_id: Option<i64>,
    /// Written (ms).
    pub created_at: i64,
    /// Last edited by its author (ms), None if never.
    pub edited_at: Option<i64>,
}

/// A new staff-only line.
#[derive(Debug, Clone)]
pub struct NewNote<'a> {
    /// Conversation.
    pub conversation_id: i64,
    /// note | whisper | tag_added | tag_removed.
    pub kind: &'a str,
    /// Writer (None for an API key).
    pub author_id: Option<i64>,
    /// Writer's display name.
    pub author_name: &'a str,
    /// Text.
    pub body: &'a str,
    /// Mentioned user ids.
    pub mentions: &'a [i64],
    /// Tag of a tag line.
    pub tag_id: Option<i64>,
}

/// A notification of one user.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Whom it is for.
    pub user_id: i64,
    /// mention | whisper.
    pub kind: String,
    /// Where.
    pub conversation_id: i64,
    /// The note.
    pub note_id: i64,
    /// Who wrote the note.
    pub actor_name: String,
    /// The start of the note.
    pub excerpt: String,
    /// Created (ms).
    pub created_at: i64,
    /// Read (ms), None while unread.
    pub read_at: Option<i64>,
}

pub(crate) const NOTE_COLUMNS: &str =
    "id, conversation_id, after_seq, kind, author_id, author_name, body, mentions, tag_id, created_at, edited_at";
const NOTIFICATION_COLUMNS: &str = "id, user_id, kind, conversation_id, note_id, actor_name, excerpt, created_at, read_at";

impl Tx {
    /// Write a staff-only line after the conversation's current last event. The conversation row
    /// is locked (PostgreSQL): a message being written meanwhile commits first and the note sits
    /// after it, as behind SQLite's one writer, so a staff socket resuming after that message
    /// still gets the note.
    pub async fn insert_note(&mut self, n: &NewNote<'_>, now: i64) -> Result<NoteRow> {
        let row: NoteRow = on_tx!(self, |db| {
            let mentions = serde_json::to_string(n.mentions).unwrap_or_else(|_| "[]".into());
            let sql = format!(
                "INSERT INTO conversation_notes (conversation_id, after_seq, kind, author_id, author_name, body, mentions, tag_id, created_at)
                 SELECT id, last_seq, $1, $2, $3, $4, $5, $6, $7 FROM conversations WHERE id = $8{} RETURNING {NOTE_COLUMNS}",
                dialect::FOR_UPDATE
            );
            sqlx::query_as(&sql)
                .bind(n.kind)
                .bind(n.author_id)
                .bind(n.author_name)
                .bind(n.body)
                .bind(mentions)
                .bind(n.tag_id)
                .bind(now)
                .bind(n.conversation_id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(StoreError::NotFound)
        })?;
        // Searchable by staff from the moment it exists (notes and whispers; not tag lines).
        self.index(crate::search::Source::Notes, row.id, row.conversation_id, &row.kind, &row.body).await?;
        Ok(row)
    }

    /// Replace a note's text and mentions (its author's edit), re-index its words; `NotFound` if
    /// there is no such note.
    pub async fn update_note(&mut self, id: i64, body: &str, mentions: &[i64], now: i64) -> Result<NoteRow> {
        let row: NoteRow = on_tx!(self, |db| {
            let mentions = serde_json::to_string(mentions).unwrap_or_else(|_| "[]".into());
            sqlx::query_as(&format!(
                "UPDATE conversation_notes SET body = $1, mentions = $2, edited_at = $3 WHERE id = $4 RETURNING {NOTE_COLUMNS}"
            ))
            .bind(body)
            .bind(mentions)
            .bind(now)
            .bind(id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)
        })?;
        // The old words must stop finding it: drop them, then index the new text.
        on_tx!(self, |db| {
            sqlx::query("DELETE FROM note_terms WHERE note_id = $1").bind(id).execute(&mut *db).await?;
        });
        self.index(crate::search::Source::Notes, row.id, row.conversation_id, &row.kind, &row.body).await?;
        Ok(row)
    }

    /// Tell `user` about a note.
    pub async fn insert_notification(&mut self, user: i64, kind: &str, note: &NoteRow, excerpt: &str) -> Result<NotificationRow> {
        on_tx!(self, |db| {
            let sql = format!(
                "INSERT INTO notifications (user_id, kind, conversation_id, note_id, actor_name, excerpt, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {NOTIFICATION_COLUMNS}"
            );
            Ok(sqlx::query_as(&sql)
                .bind(user)
                .bind(kind)
                .bind(note.conversation_id)
                .bind(note.id)
                .bind(&note.author_name)
                .bind(excerpt)
                .bind(note.created_at)
                .fetch_one(&mut *db)
                .await?)
        })
    }
}

impl Store {
    /// A conversation's staff-only lines placed after `from_seq` or later, oldest first.
    pub async fn notes_from(&self, conversation_id: i64, from_seq: i64) -> Result<Vec<NoteRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {NOTE_COLUMNS} FROM conversation_notes WHERE conversation_id = $1 AND after_seq >= $2 ORDER BY after_seq, id LIMIT 2000"
            ))
            .bind(conversation_id)
            .bind(from_seq)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Notes placed before `before_seq` that were edited since written: a staff resume replays them
    /// as `note.updated`, since `notes_from` only brings the ones placed at or after its cursor.
    pub async fn edited_notes_before(&self, conversation_id: i64, before_seq: i64) -> Result<Vec<NoteRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {NOTE_COLUMNS} FROM conversation_notes
                  WHERE conversation_id = $1 AND after_seq < $2 AND edited_at IS NOT NULL ORDER BY after_seq, id LIMIT 2000"
            ))
            .bind(conversation_id)
            .bind(before_seq)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Users already notified about a note (so an edit tells only newly mentioned people).
    pub async fn note_notified(&self, note_id: i64) -> Result<Vec<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT DISTINCT user_id FROM notifications WHERE note_id = $1").bind(note_id).fetch_all(pool).await?)
        })
    }

    /// Whether `user` was ever notified about this conversation (it opens read-only for them).
    pub async fn user_notified_in(&self, conversation_id: i64, user: i64) -> Result<bool> {
        on_pool!(self, |pool| {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE conversation_id = $1 AND user_id = $2")
                .bind(conversation_id)
                .bind(user)
                .fetch_one(pool)
                .await?;
            Ok(n > 0)
        })
    }

    /// A user's notifications, newest first, with ids below `before` (the cursor) if given.
    pub async fn notifications(&self, user: i64, unread_only: bool, before: Option<i64>, limit: i64) -> Result<Vec<NotificationRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {NOTIFICATION_COLUMNS} FROM notifications
                  WHERE user_id = $1 AND (NOT $2 OR read_at IS NULL) AND ($3 IS NULL OR id < $4)
                  ORDER BY id DESC LIMIT $5"
            ))
            .bind(user)
            .bind(unread_only)
            .bind(before)
            .bind(before)
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many of a user's notifications are unread.
    pub async fn unread_notifications(&self, user: i64) -> Result<i64> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL")
                .bind(user)
                .fetch_one(pool)
                .await?)
        })
    }

    /// Mark one of the user's notifications read (`NotFound` when it is not theirs).
    pub async fn read_notification(&self, user: i64, id: i64, now: i64) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3")
                .bind(now)
                .bind(id)
                .bind(user)
                .execute(&mut *conn)
                .await?;
            crate::touched(done.rows_affected())
        })
    }

    /// Mark every notification of the user read; how many were unread.
    pub async fn read_all_notifications(&self, user: i64, now: i64) -> Result<u64> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now)
                .bind(user)
                .execute(&mut *conn)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

impl Store {
    /// Staff who follow a conversation's staff-only lines live: whoever holds, is offered or
    /// ever served it, and whoever was notified about it.
    pub async fn note_audience(&self, conversation_id: i64) -> Result<Vec<i64>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT agent_id FROM conversation_agents WHERE conversation_id = $1
                 UNION SELECT user_id FROM notifications WHERE conversation_id = $1
                 UNION SELECT agent_id FROM conversations WHERE id = $1 AND agent_id IS NOT NULL
                 UNION SELECT offered_agent_id FROM conversations WHERE id = $1 AND offered_agent_id IS NOT NULL",
            )
            .bind(conversation_id)
            .fetch_all(pool)
            .await?)
        })
    }
}
