//! Storing a batch of messages with a few statements in all, not a few per message: the message
//! writer (`conversations/batch.rs` in the server) reads the batch's conversations and senders'
//! names once, takes each conversation's sequence numbers in one update, and inserts the
//! messages, their terms, scores, events and webhook rows one statement per table. Each function
//! writes the same rows as its one-at-a-time twin in `tx.rs`; what to write is the caller's.

use std::collections::HashMap;

use sqlx::{FromRow, Row};

use crate::conversations::CONV_COLUMNS;
use crate::routing_batch::{id_list, value_rows};
use crate::{ConversationRow, MessageRow, MessageSentimentRow, NewMessage, Result, StoreError, Tx};

/// Rows per multi-row `INSERT` (at most 11 binds each: well under both engines' bind limits).
const ROWS_PER_INSERT: usize = 500;

/// A conversation a batch writes into, and the names of who may write in it.
#[derive(Debug, Clone)]
pub struct WriteTarget {
    /// The conversation, as the transaction read it.
    pub conversation: ConversationRow,
    /// Its visitor's display name.
    pub visitor_name: String,
    /// The name of the agent it is assigned or offered to (`agent_id`), if any.
    pub agent_name: Option<String>,
}

/// One event to append with a sequence number already taken.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// Its conversation.
    pub conversation_id: i64,
    /// Its sequence number (from [`Tx::take_seqs`]).
    pub seq: i64,
    /// `message.created` ...
    pub kind: &'a str,
    /// Its payload.
    pub data: &'a serde_json::Value,
    /// When (ms).
    pub at: i64,
}

impl Tx {
    /// These conversations with their visitor's and serving agent's names (the only people who
    /// may write in one), read in one statement (on PostgreSQL the conversations are locked, in
    /// id order, until the transaction ends, as [`Tx::conversation`] locks one). Missing ids are
    /// simply absent.
    pub async fn conversations_for_write(&mut self, ids: &[i64]) -> Result<HashMap<i64, WriteTarget>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut sorted = ids.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let list = id_list(sorted);
        let columns: Vec<String> = CONV_COLUMNS.split(',').map(|c| format!("c.{}", c.trim())).collect();
        let columns = columns.join(", ");
        on_tx!(self, |db| {
            let lock = if dialect::LOCKS_ROWS { " FOR UPDATE OF c" } else { "" };
            let sql = format!(
                "SELECT {columns}, v.name AS visitor_name, u.name AS agent_name FROM conversations c
                 JOIN visitors v ON v.id = c.visitor_id LEFT JOIN users u ON u.id = c.agent_id
                 WHERE c.id IN ({list}) ORDER BY c.id{lock}"
            );
            let mut out = HashMap::new();
            for row in sqlx::query(&sql).fetch_all(&mut *db).await? {
                let conversation = ConversationRow::from_row(&row)?;
                let target =
                    WriteTarget { visitor_name: row.try_get("visitor_name")?, agent_name: row.try_get("agent_name")?, conversation };
                out.insert(target.conversation.id, target);
            }
            Ok(out)
        })
    }

    /// Take `n` sequence numbers of each conversation `(id, n, agent_read)` in one statement,
    /// and set its agent's read marker to `agent_read` when given (the batch's twin of
    /// `mark_read` for an agent's own new reply, which always moves it). Returns the first
    /// number taken of each (`NotFound` when a conversation does not exist).
    pub async fn take_seqs(&mut self, counts: &[(i64, i64, Option<i64>)]) -> Result<HashMap<i64, i64>> {
        if counts.is_empty() {
            return Ok(HashMap::new());
        }
        let case: String = counts.iter().map(|(id, n, _)| format!(" WHEN {id} THEN {n}")).collect();
        let read: String = counts.iter().filter_map(|(id, _, r)| r.map(|r| format!(" WHEN {id} THEN {r}"))).collect();
        let read = if read.is_empty() { String::new() } else { format!(", agent_read_seq = CASE id{read} ELSE agent_read_seq END") };
        let sql = format!(
            "UPDATE conversations SET last_seq = last_seq + CASE id{case} ELSE 0 END{read} WHERE id IN ({}) RETURNING id, last_seq",
            id_list(counts.iter().map(|c| c.0))
        );
        let rows: Vec<(i64, i64)> = on_tx!(self, |db| sqlx::query_as(&sql).fetch_all(&mut *db).await?);
        let last: HashMap<i64, i64> = rows.into_iter().collect();
        counts.iter().map(|(id, n, _)| last.get(id).map(|l| (*id, l - n + 1)).ok_or(StoreError::NotFound)).collect()
    }

    /// Insert many messages `(message, seq, at)`, each with a sequence number taken by
    /// [`Tx::take_seqs`], and their search terms: one statement per `ROWS_PER_INSERT` messages
    /// and per chunk of terms. Returns the rows as stored, in the order given.
    pub async fn insert_messages(&mut self, messages: &[(NewMessage<'_>, i64, i64)]) -> Result<Vec<MessageRow>> {
        let mut ids: HashMap<(i64, i64), i64> = HashMap::with_capacity(messages.len());
        for chunk in messages.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO messages (conversation_id, seq, sender, sender_id, sender_name, kind, body, attachment_id, client_id, data, created_at)
                 VALUES {} RETURNING id, conversation_id, seq",
                value_rows(chunk.len(), 11)
            );
            let rows: Vec<(i64, i64, i64)> = on_tx!(self, |db| {
                let mut q = sqlx::query_as(&sql);
                for (m, seq, at) in chunk {
                    q = q
                        .bind(m.conversation_id)
                        .bind(*seq)
                        .bind(m.sender)
                        .bind(m.sender_id)
                        .bind(m.sender_name)
                        .bind(m.kind)
                        .bind(m.body)
                        .bind(m.attachment_id)
                        .bind(m.client_id)
                        .bind(m.data)
                        .bind(*at);
                }
                q.fetch_all(&mut *db).await.map_err(crate::conflict)?
            });
            // RETURNING's order is not promised: each row is found by its (conversation, seq).
            ids.extend(rows.into_iter().map(|(id, c, seq)| ((c, seq), id)));
        }
        let stored = messages
            .iter()
            .map(|(m, seq, at)| {
                let id = *ids.get(&(m.conversation_id, *seq)).ok_or(StoreError::NotFound)?;
                Ok(MessageRow {
                    id,
                    conversation_id: m.conversation_id,
                    seq: *seq,
                    sender: m.sender.into(),
                    sender_id: m.sender_id,
                    sender_name: m.sender_name.map(Into::into),
                    kind: m.kind.into(),
                    body: m.body.into(),
                    attachment_id: m.attachment_id,
                    client_id: m.client_id.map(Into::into),
                    data: m.data.map(Into::into),
                    created_at: *at,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Searchable from the moment they exist: their terms commit with them.
        let terms: Vec<(i64, i64, &str, &str)> =
            stored.iter().map(|r| (r.id, r.conversation_id, r.kind.as_str(), r.body.as_str())).collect();
        self.index_many(crate::search::Source::Messages, &terms).await?;
        Ok(stored)
    }

    /// Store many messages' scores (one statement per `ROWS_PER_INSERT`).
    pub async fn insert_message_sentiments(&mut self, rows: &[MessageSentimentRow]) -> Result<()> {
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            let sql =
                format!("INSERT INTO message_sentiments (message_id, conversation_id, lang, score) VALUES {}", value_rows(chunk.len(), 4));
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for s in chunk {
                    q = q.bind(s.message_id).bind(s.conversation_id).bind(s.lang.as_str()).bind(s.score);
                }
                q.execute(&mut *db).await?;
            });
        }
        Ok(())
    }

    /// Append many events whose sequence numbers were taken (one statement per `ROWS_PER_INSERT`).
    pub async fn insert_events(&mut self, events: &[NewEvent<'_>]) -> Result<()> {
        for chunk in events.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO conversation_events (conversation_id, seq, type, data, created_at) VALUES {}",
                value_rows(chunk.len(), 5)
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql);
                for e in chunk {
                    q = q.bind(e.conversation_id).bind(e.seq).bind(e.kind).bind(e.data.to_string()).bind(e.at);
                }
                q.execute(&mut *db).await?;
            });
        }
        Ok(())
    }

    /// Queue a delivery of each `(payload, at)`, in the order given, for every active webhook
    /// subscribed to `event` (one statement per `ROWS_PER_INSERT` payloads); returns how many.
    pub async fn enqueue_webhooks_each(&mut self, event: &str, payloads: &[(serde_json::Value, i64)]) -> Result<u64> {
        let mut queued = 0;
        for chunk in payloads.chunks(ROWS_PER_INSERT) {
            let rows: Vec<String> =
                (0..chunk.len()).map(|i| format!("SELECT ${} AS payload, ${} AS at, {i} AS n", 2 * i + 2, 2 * i + 3)).collect();
            on_tx!(self, |db| {
                let sql = format!(
                    "INSERT INTO webhook_deliveries (webhook_id, event, payload, next_attempt_at, created_at)
                     SELECT w.id, $1, p.payload, p.at, p.at FROM ({}) p CROSS JOIN webhooks w WHERE w.active = TRUE AND {} ORDER BY p.n, w.id",
                    rows.join(" UNION ALL "),
                    dialect::WEBHOOK_WANTS_EVENT
                );
                let mut q = sqlx::query(&sql).bind(event);
                for (p, at) in chunk {
                    q = q.bind(p.to_string()).bind(*at);
                }
                queued += q.execute(&mut *db).await?.rows_affected();
            });
        }
        Ok(queued)
    }
}
