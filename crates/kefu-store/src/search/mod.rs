//! Message search (搜索): the term index (`message_terms`, written with each message), its
//! start-up backfill, and the query that finds conversations by words and filters. Who may see
//! what is the caller's rule, passed in as [`SearchFilter::viewer`]; this module only applies it.

pub mod snippet;
pub mod terms;

use crate::{Result, Store, Tx};
pub use terms::Query;

/// Terms per `INSERT` (three binds each, well under both engines' bind limits).
const TERMS_PER_INSERT: usize = 200;

/// The settings key of the backfill's progress: the highest message id still to index, `0` when
/// done, absent before the first start after migration 0016.
const BACKFILL_KEY: &str = "search.backfill_upto";

/// Message kinds that are not searched: system lines carry a code, not words.
fn searchable(kind: &str) -> bool {
    kind != "event"
}

/// What to find. Text and every filter narrow the result (AND).
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Words a message must hold (empty: conversations by the filters alone, no message).
    pub query: Query,
    /// Whether to use the exact substring form of the query (see [`Query::fallback`]).
    pub exact: bool,
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
    /// Its latest matching message (none for a search by filters alone).
    pub message_id: Option<i64>,
    /// How many of its messages match.
    pub matches: i64,
}

/// A value bound to a numbered placeholder.
enum Bind {
    Int(i64),
    Text(String),
}

/// A LIKE pattern for "contains `s`" (its own `%`, `_` and `\` taken literally).
fn contains_pattern(s: &str) -> String {
    let mut p = String::from("%");
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

/// The statement of a search and its binds, in placeholder order.
fn search_sql(f: &SearchFilter) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let mut arg = |b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let text = !f.query.is_empty();
    // With text, the scan runs along the postings of one term in conversation order (the key
    // `(term, conversation_id, message_id)`), checks the other terms by key, and stops at the
    // page's last conversation: its cost follows the page, not how common the words are.
    // The driving term is the longest (a longer word is rarer; a lone character is common).
    let (from, key) = if text { ("message_terms t CROSS JOIN conversations c", "t.conversation_id") } else { ("conversations c", "c.id") };
    let mut wheres = vec![format!("{key} < {}", arg(Bind::Int(f.before.unwrap_or(i64::MAX))))];
    if text {
        let mut terms = f.query.terms.clone();
        terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        wheres.push(format!("t.term = {}", arg(Bind::Text(terms[0].clone()))));
        wheres.push("c.id = t.conversation_id".into());
        for other in &terms[1..] {
            wheres.push(format!(
                "EXISTS (SELECT 1 FROM message_terms o WHERE o.term = {} AND o.conversation_id = t.conversation_id AND o.message_id = t.message_id)",
                arg(Bind::Text(other.clone()))
            ));
        }
        if f.exact {
            for run in &f.query.han_runs {
                wheres.push(format!(
                    "EXISTS (SELECT 1 FROM messages m WHERE m.id = t.message_id AND m.body LIKE {} ESCAPE '\\')",
                    arg(Bind::Text(contains_pattern(run)))
                ));
            }
        }
    }
    if let Some(customer) = &f.customer {
        let p = arg(Bind::Text(contains_pattern(&customer.to_lowercase())));
        let id = arg(Bind::Int(customer.trim().parse().unwrap_or(-1)));
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM visitors v WHERE v.id = c.visitor_id AND (v.id = {id} OR LOWER(v.name) LIKE {p} ESCAPE '\\' OR LOWER(COALESCE(v.external_id, '')) LIKE {p} ESCAPE '\\'))"
        ));
    }
    if let Some(a) = f.agent_id {
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM conversation_agents fa WHERE fa.conversation_id = c.id AND fa.agent_id = {})",
            arg(Bind::Int(a))
        ));
    }
    if let Some(t) = f.tag_id {
        wheres.push(format!(
            "EXISTS (SELECT 1 FROM conversation_tags ft WHERE ft.conversation_id = c.id AND ft.tag_id = {})",
            arg(Bind::Int(t))
        ));
    }
    if let Some(g) = f.group_id {
        wheres.push(format!("c.group_id = {}", arg(Bind::Int(g))));
    }
    if let Some(from) = f.from {
        wheres.push(format!("c.created_at >= {}", arg(Bind::Int(from))));
    }
    if let Some(to) = f.to {
        wheres.push(format!("c.created_at < {}", arg(Bind::Int(to))));
    }
    if let Some(s) = &f.status {
        wheres.push(format!("c.status = {}", arg(Bind::Text(s.clone()))));
    }
    if let Some(me) = f.viewer {
        // The same rule as the server's `access::can_see` for an agent, as one condition.
        let me = arg(Bind::Int(me));
        wheres.push(format!(
            "(c.agent_id = {me} OR c.offered_agent_id = {me}
              OR EXISTS (SELECT 1 FROM conversation_agents va WHERE va.conversation_id = c.id AND va.agent_id = {me})
              OR EXISTS (SELECT 1 FROM conversations vo WHERE vo.visitor_id = c.visitor_id AND vo.status <> 'closed'
                           AND (vo.agent_id = {me} OR vo.offered_agent_id = {me}))
              OR EXISTS (SELECT 1 FROM notifications vn WHERE vn.conversation_id = c.id AND vn.user_id = {me}))"
        ));
    }
    let limit = arg(Bind::Int(f.limit));
    let sql = if text {
        format!(
            "SELECT t.conversation_id AS conversation_id, MAX(t.message_id) AS message_id, COUNT(*) AS matches FROM {from}
              WHERE {} GROUP BY t.conversation_id ORDER BY t.conversation_id DESC LIMIT {limit}",
            wheres.join(" AND ")
        )
    } else {
        format!(
            "SELECT c.id AS conversation_id, CAST(NULL AS BIGINT) AS message_id, CAST(0 AS BIGINT) AS matches FROM {from}
              WHERE {} ORDER BY c.id DESC LIMIT {limit}",
            wheres.join(" AND ")
        )
    };
    (sql, binds)
}

impl Store {
    /// Conversations matching `f`, newest first (see [`SearchHit`]).
    pub async fn search_conversations(&self, f: &SearchFilter) -> Result<Vec<SearchHit>> {
        let (sql, binds) = search_sql(f);
        on_pool!(self, |pool| {
            let mut q = sqlx::query_as::<_, SearchHit>(&sql);
            for b in binds {
                q = match b {
                    Bind::Int(i) => q.bind(i),
                    Bind::Text(s) => q.bind(s),
                };
            }
            Ok(q.fetch_all(pool).await?)
        })
    }

    /// One message by id (a search hit's, for its excerpt).
    pub async fn message(&self, id: i64) -> Result<crate::MessageRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {} FROM messages WHERE id = $1", crate::conversations::MSG_COLUMNS))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(crate::StoreError::NotFound)
        })
    }

    /// Index up to `batch` messages written before migration 0016, newest first; returns how
    /// many were indexed (0: done). Safe to run again, and on several nodes at once.
    pub async fn backfill_search_batch(&self, batch: i64) -> Result<u64> {
        if self.setting(BACKFILL_KEY).await?.as_deref() == Some("0") {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        // No mark yet: the first start after migration 0016, before this process wrote a message.
        // Messages another node already indexed are skipped by the insert.
        let upto: i64 = on_tx!(tx, |db| {
            let mark: Option<String> =
                sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(BACKFILL_KEY).fetch_optional(&mut *db).await?;
            match mark {
                Some(v) => v.parse().unwrap_or(0),
                None => sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(id) FROM messages").fetch_one(&mut *db).await?.unwrap_or(0),
            }
        });
        let rows: Vec<(i64, i64, String, String)> = on_tx!(tx, |db| {
            sqlx::query_as("SELECT id, conversation_id, kind, body FROM messages WHERE id <= $1 ORDER BY id DESC LIMIT $2")
                .bind(upto)
                .bind(batch)
                .fetch_all(&mut *db)
                .await?
        });
        for (id, conversation, kind, body) in &rows {
            if searchable(kind) {
                tx.index_text(*id, *conversation, body).await?;
            }
        }
        let next = if (rows.len() as i64) < batch { 0 } else { rows.last().map_or(0, |r| r.0 - 1) };
        on_tx!(tx, |db| {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(BACKFILL_KEY)
                .bind(next.to_string())
                .execute(&mut *db)
                .await?;
        });
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Index every message written before migration 0016 (see [`Store::backfill_search_batch`]);
    /// returns how many.
    pub async fn backfill_search(&self) -> Result<u64> {
        let mut total = 0;
        loop {
            let n = self.backfill_search_batch(500).await?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }
}

impl Tx {
    /// Write the terms of a message that was just inserted (kinds that are searched).
    pub(crate) async fn index_message(&mut self, message_id: i64, conversation_id: i64, kind: &str, body: &str) -> Result<()> {
        if searchable(kind) {
            self.index_text(message_id, conversation_id, body).await?;
        }
        Ok(())
    }

    async fn index_text(&mut self, message_id: i64, conversation_id: i64, body: &str) -> Result<()> {
        let terms = terms::index_terms(body);
        for chunk in terms.chunks(TERMS_PER_INSERT) {
            let values: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, $1, $2)", i + 3)).collect();
            let sql = format!(
                "INSERT INTO message_terms (term, message_id, conversation_id) VALUES {} ON CONFLICT DO NOTHING",
                values.join(", ")
            );
            on_tx!(self, |db| {
                let mut q = sqlx::query(&sql).bind(message_id).bind(conversation_id);
                for t in chunk {
                    q = q.bind(t);
                }
                q.execute(&mut *db).await?;
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let f = SearchFilter { query: Query::parse("分期 refund"), viewer: Some(7), group_id: Some(2), limit: 10, ..Default::default() };
        let (sql, binds) = search_sql(&f);
        assert!(sql.contains(&format!("${}", binds.len())));
        assert!(!sql.contains(&format!("${}", binds.len() + 1)));
    }
}
