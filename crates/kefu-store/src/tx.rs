//! Write transactions: a change to a conversation, the event announcing it and its webhook
//! outbox rows commit together. On SQLite a `Tx` holds the store's write gate until it ends; on
//! PostgreSQL it holds the row locks its reads took (see the crate doc, "Writes").

use sqlx::{Postgres, Sqlite, Transaction};

use crate::conversations::{CONV_COLUMNS, MSG_COLUMNS};
use crate::{conflict, AttachmentRow, ConversationRow, MessageRow, NewMessage, Result, StoreError};

/// The open transaction of one backend.
pub(crate) enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction (holding the store's write gate on SQLite until it ends).
pub struct Tx {
    pub(crate) inner: TxInner,
    /// SQLite's write gate, released when the transaction ends (commit or drop); None on PostgreSQL.
    pub(crate) _gate: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Facts recorded in this transaction, with their times, written at commit (`facts.rs`).
    pub(crate) facts: Vec<(kefu_core::Fact, i64)>,
    /// Conversations whose tags or CSAT comment this transaction changed: their contact reasons
    /// rows are brought up to date at commit (`reasons_model`), with those of its facts.
    pub(crate) reasons_stale: std::collections::BTreeSet<i64>,
}

impl Tx {
    /// Write the facts recorded (folding them into the report models) and bring the contact
    /// reasons model up to date, then commit.
    pub async fn commit(mut self) -> Result<()> {
        if !self.facts.is_empty() || !self.reasons_stale.is_empty() {
            self.write_facts().await?;
        }
        match self.inner {
            TxInner::Sqlite(tx) => tx.commit().await?,
            TxInner::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Re-read a conversation inside the transaction; on PostgreSQL the row stays locked until
    /// the transaction ends (what the caller decides on it cannot race another writer).
    pub async fn conversation(&mut self, id: i64) -> Result<ConversationRow> {
        on_tx!(self, |db| {
            sqlx::query_as(&format!("SELECT {CONV_COLUMNS} FROM conversations WHERE id = $1{}", dialect::FOR_UPDATE))
                .bind(id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A visitor, read inside the transaction.
    pub async fn visitor(&mut self, id: i64) -> Result<crate::VisitorRow> {
        on_tx!(self, |db| {
            sqlx::query_as(&format!("SELECT {} FROM visitors WHERE id = $1", crate::directory::VISITOR_COLUMNS))
                .bind(id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A user's display name, read inside the transaction.
    pub async fn user_name(&mut self, id: i64) -> Result<String> {
        on_tx!(self, |db| {
            sqlx::query_scalar("SELECT name FROM users WHERE id = $1").bind(id).fetch_optional(&mut *db).await?.ok_or(StoreError::NotFound)
        })
    }

    /// Back in line (after a withdrawn offer or a transfer to a group).
    pub async fn set_queued(&mut self, id: i64, group_id: i64) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query("UPDATE conversations SET status = 'queued', group_id = $1, agent_id = NULL, offered_agent_id = NULL, offer_expires_at = NULL WHERE id = $2 AND status <> 'closed'")
            .bind(group_id)
            .bind(id)
            .execute(&mut *db)
            .await?;
            Ok(())
        })
    }

    /// Taken back from an agent who can no longer serve it: waiting again, at the front of the line.
    pub async fn set_returned(&mut self, id: i64) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query(
            "UPDATE conversations SET status = 'queued', agent_id = NULL, returned_to_queue = TRUE WHERE id = $1 AND status = 'assigned'",
        )
        .bind(id)
        .execute(&mut *db)
        .await?;
            Ok(())
        })
    }

    /// Offered to an agent.
    pub async fn set_offered(&mut self, id: i64, agent_id: i64, expires_at: i64) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query("UPDATE conversations SET status = 'offered', offered_agent_id = $1, offer_expires_at = $2, agent_id = NULL WHERE id = $3 AND status <> 'closed'")
            .bind(agent_id)
            .bind(expires_at)
            .bind(id)
            .execute(&mut *db)
            .await?;
            Ok(())
        })
    }

    /// Accepted by an agent.
    pub async fn set_assigned(&mut self, id: i64, agent_id: i64, now: i64) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query(
                "UPDATE conversations SET status = 'assigned', agent_id = $1, offered_agent_id = NULL, offer_expires_at = NULL,
               assigned_at = COALESCE(assigned_at, $2), agent_read_seq = 0, returned_to_queue = FALSE WHERE id = $3",
            )
            .bind(agent_id)
            .bind(now)
            .bind(id)
            .execute(&mut *db)
            .await?;
            sqlx::query("INSERT INTO conversation_agents (conversation_id, agent_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(agent_id)
                .execute(&mut *db)
                .await?;
            Ok(())
        })
    }

    /// Closed by an agent (with wrap-up) or abandoned by the visitor.
    pub async fn set_closed(&mut self, id: i64, now: i64, abandoned: bool, code: Option<&str>, note: Option<&str>) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query(
                "UPDATE conversations SET status = 'closed', closed_at = $1, abandoned = $2, wrap_up_code = $3, wrap_up_note = $4,
               offered_agent_id = NULL, offer_expires_at = NULL WHERE id = $5",
            )
            .bind(now)
            .bind(abandoned)
            .bind(code)
            .bind(note)
            .bind(id)
            .execute(&mut *db)
            .await?;
            Ok(())
        })
    }

    /// Record the satisfaction survey; false if already given.
    pub async fn set_csat(&mut self, id: i64, score: i64, comment: Option<&str>) -> Result<bool> {
        on_tx!(self, |db| {
            let done = sqlx::query(
                "UPDATE conversations SET csat_score = $1, csat_comment = $2 WHERE id = $3 AND csat_score IS NULL AND status = 'closed'",
            )
            .bind(score)
            .bind(comment)
            .bind(id)
            .execute(&mut *db)
            .await?;
            Ok::<bool, StoreError>(done.rows_affected() > 0)
        })
        .inspect(|&done| {
            if done {
                self.reasons_stale.insert(id);
            }
        })
    }

    /// Move a read marker forward (never back); returns the new value if it moved.
    pub async fn mark_read(&mut self, id: i64, by_visitor: bool, seq: i64) -> Result<Option<i64>> {
        on_tx!(self, |db| {
            let column = if by_visitor { "visitor_read_seq" } else { "agent_read_seq" };
            let moved: Option<i64> = sqlx::query_scalar(&format!(
                "UPDATE conversations SET {column} = CASE WHEN $1 < last_seq THEN $1 ELSE last_seq END
              WHERE id = $2 AND {column} < CASE WHEN $1 < last_seq THEN $1 ELSE last_seq END RETURNING {column}"
            ))
            .bind(seq)
            .bind(id)
            .fetch_optional(&mut *db)
            .await?;
            Ok(moved)
        })
    }

    /// Append an event to the conversation's log; returns its sequence number.
    pub async fn append_event(&mut self, conversation_id: i64, r#type: &str, data: &serde_json::Value, now: i64) -> Result<i64> {
        let seq = self.next_seq(conversation_id).await?;
        self.insert_event(conversation_id, seq, r#type, data, now).await?;
        Ok(seq)
    }

    /// Take the next sequence number of a conversation.
    pub async fn next_seq(&mut self, conversation_id: i64) -> Result<i64> {
        on_tx!(self, |db| {
            sqlx::query_scalar("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq")
                .bind(conversation_id)
                .fetch_optional(&mut *db)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Write an event with a sequence number taken by `next_seq`.
    pub async fn insert_event(&mut self, conversation_id: i64, seq: i64, r#type: &str, data: &serde_json::Value, now: i64) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query("INSERT INTO conversation_events (conversation_id, seq, type, data, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(conversation_id)
                .bind(seq)
                .bind(r#type)
                .bind(data.to_string())
                .bind(now)
                .execute(&mut *db)
                .await?;
            Ok(())
        })
    }

    /// The message a sender already sent with this client id (a retried request). On PostgreSQL
    /// the conversation row is locked first: a retry racing its original waits for it to commit
    /// and then finds it, instead of failing on the unique index.
    pub async fn message_by_client_id(&mut self, conversation_id: i64, sender: &str, client_id: &str) -> Result<Option<MessageRow>> {
        on_tx!(self, |db| {
            if dialect::LOCKS_ROWS {
                sqlx::query(&format!("SELECT id FROM conversations WHERE id = $1{}", dialect::FOR_UPDATE))
                    .bind(conversation_id)
                    .execute(&mut *db)
                    .await?;
            }
            Ok(sqlx::query_as(&format!("SELECT {MSG_COLUMNS} FROM messages WHERE conversation_id = $1 AND sender = $2 AND client_id = $3"))
                .bind(conversation_id)
                .bind(sender)
                .bind(client_id)
                .fetch_optional(&mut *db)
                .await?)
        })
    }

    /// Insert a message with a sequence number taken by `next_seq`.
    pub async fn insert_message(&mut self, m: &NewMessage<'_>, seq: i64, now: i64) -> Result<MessageRow> {
        let id: i64 = on_tx!(self, |db| {
            let id: i64 = sqlx::query_scalar(
            "INSERT INTO messages (conversation_id, seq, sender, sender_id, sender_name, kind, body, attachment_id, client_id, data, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(m.conversation_id)
        .bind(seq)
        .bind(m.sender)
        .bind(m.sender_id)
        .bind(m.sender_name)
        .bind(m.kind)
        .bind(m.body)
        .bind(m.attachment_id)
        .bind(m.client_id)
        .bind(m.data)
        .bind(now)
        .fetch_one(&mut *db)
        .await
        .map_err(conflict)?;
            Ok::<_, StoreError>(id)
        })?;
        // Searchable from the moment it exists: its terms commit with it.
        self.index(crate::search::Source::Messages, id, m.conversation_id, m.kind, m.body).await?;
        Ok(MessageRow {
            id,
            conversation_id: m.conversation_id,
            seq,
            sender: m.sender.into(),
            sender_id: m.sender_id,
            sender_name: m.sender_name.map(Into::into),
            kind: m.kind.into(),
            body: m.body.into(),
            attachment_id: m.attachment_id,
            client_id: m.client_id.map(Into::into),
            data: m.data.map(Into::into),
            created_at: now,
        })
    }

    /// An attachment, read inside the transaction (a writer holding SQLite's write lock must not
    /// wait for a pooled connection behind the readers).
    pub async fn attachment(&mut self, id: i64) -> Result<AttachmentRow> {
        on_tx!(self, |db| {
            sqlx::query_as(
                "SELECT id, conversation_id, name, mime, size, sha256, path, snapshot_call_id, width, height FROM attachments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *db)
            .await?
            .ok_or(StoreError::NotFound)
        })
    }

    /// Record an uploaded file.
    pub async fn insert_attachment(&mut self, a: &AttachmentRow, now: i64) -> Result<i64> {
        on_tx!(self, |db| {
            Ok(sqlx::query_scalar(
                "INSERT INTO attachments (conversation_id, name, mime, size, sha256, path, created_at, snapshot_call_id, width, height)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(a.conversation_id)
            .bind(&a.name)
            .bind(&a.mime)
            .bind(a.size)
            .bind(&a.sha256)
            .bind(&a.path)
            .bind(now)
            .bind(a.snapshot_call_id)
            .bind(a.width)
            .bind(a.height)
            .fetch_one(&mut *db)
            .await?)
        })
    }

    /// Whether any active webhook is subscribed to `event` (a batch of messages asks once, and
    /// skips `enqueue_webhooks` per message when none is).
    pub async fn webhooks_want(&mut self, event: &str) -> Result<bool> {
        on_tx!(self, |db| {
            Ok(sqlx::query_scalar(&format!(
                "SELECT EXISTS (SELECT 1 FROM webhooks w WHERE w.active = TRUE AND {})",
                dialect::WEBHOOK_WANTS_EVENT
            ))
            .bind(event)
            .fetch_one(&mut *db)
            .await?)
        })
    }

    /// Queue a webhook delivery for every active webhook subscribed to `event`; returns how many.
    pub async fn enqueue_webhooks(&mut self, event: &str, payload: &serde_json::Value, now: i64) -> Result<u64> {
        on_tx!(self, |db| {
            let done = sqlx::query(&format!(
                "INSERT INTO webhook_deliveries (webhook_id, event, payload, next_attempt_at, created_at)
             SELECT w.id, $1, $2, $3, $3 FROM webhooks w WHERE w.active = TRUE AND {}",
                dialect::WEBHOOK_WANTS_EVENT
            ))
            .bind(event)
            .bind(payload.to_string())
            .bind(now)
            .execute(&mut *db)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Record a routing decision with its reason.
    pub async fn log_routing(
        &mut self,
        kind: &str,
        conversation_id: Option<i64>,
        agent_id: Option<i64>,
        group_id: Option<i64>,
        detail: &serde_json::Value,
        now: i64,
    ) -> Result<()> {
        on_tx!(self, |db| {
            sqlx::query("INSERT INTO routing_log (at, kind, conversation_id, agent_id, group_id, detail) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(now)
                .bind(kind)
                .bind(conversation_id)
                .bind(agent_id)
                .bind(group_id)
                .bind(detail.to_string())
                .execute(&mut *db)
                .await?;
            Ok(())
        })
    }
}
