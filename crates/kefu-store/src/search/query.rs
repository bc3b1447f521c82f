//! The search query: conversations whose messages (or staff notes) hold every term, through the
//! filters and the viewer rule, newest conversation first, one page at a time.

use super::{SearchFilter, SearchHit};
use crate::{Result, Store};

/// A value bound to a numbered placeholder.
enum Bind {
    Int(i64),
    Text(String),
}

/// The statement of a search and its binds, in placeholder order.
fn search_sql(f: &SearchFilter) -> (String, Vec<Bind>) {
    let (terms_table, id_column, rows_table) = (f.source.terms_table(), f.source.id_column(), f.source.rows_table());
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
    let (from, key) = if text {
        (format!("{terms_table} t CROSS JOIN conversations c"), "t.conversation_id")
    } else {
        ("conversations c".to_string(), "c.id")
    };
    let mut wheres = vec![format!("{key} < {}", arg(Bind::Int(f.before.unwrap_or(i64::MAX))))];
    if text {
        let mut terms = f.query.terms.clone();
        terms.sort_by_key(|t| std::cmp::Reverse(t.chars().count()));
        wheres.push(format!("t.term = {}", arg(Bind::Text(terms[0].clone()))));
        wheres.push("c.id = t.conversation_id".into());
        for other in &terms[1..] {
            wheres.push(format!(
                "EXISTS (SELECT 1 FROM {terms_table} o WHERE o.term = {} AND o.conversation_id = t.conversation_id AND o.{id_column} = t.{id_column})",
                arg(Bind::Text(other.clone()))
            ));
        }
        if f.exact {
            for run in &f.query.han_runs {
                wheres.push(format!(
                    "EXISTS (SELECT 1 FROM {rows_table} m WHERE m.id = t.{id_column} AND m.body LIKE {} ESCAPE '\\')",
                    arg(Bind::Text(crate::like_contains(run)))
                ));
            }
        }
    }
    if let Some(customer) = &f.customer {
        let p = arg(Bind::Text(crate::like_contains(&customer.to_lowercase())));
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
    if let Some(groups) = &f.groups {
        // Integers spelled in: nothing from the caller runs as SQL. None of them matches nothing.
        let list: Vec<String> = groups.iter().map(i64::to_string).collect();
        wheres.push(if list.is_empty() { "1 = 0".into() } else { format!("c.group_id IN ({})", list.join(", ")) });
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
            "SELECT t.conversation_id AS conversation_id, MAX(t.{id_column}) AS hit_id, COUNT(*) AS matches FROM {from}
              WHERE {} GROUP BY t.conversation_id ORDER BY t.conversation_id DESC LIMIT {limit}",
            wheres.join(" AND ")
        )
    } else {
        format!(
            "SELECT c.id AS conversation_id, CAST(NULL AS BIGINT) AS hit_id, CAST(0 AS BIGINT) AS matches FROM {from}
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

    /// One staff note by id (a search hit's, for its excerpt).
    pub async fn note(&self, id: i64) -> Result<crate::NoteRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {} FROM conversation_notes WHERE id = $1", crate::notes::NOTE_COLUMNS))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(crate::StoreError::NotFound)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Query;

    #[test]
    fn like_patterns_take_wildcards_literally() {
        assert_eq!(crate::like_contains("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }

    #[test]
    fn placeholders_are_numbered_in_bind_order() {
        let f = SearchFilter { query: Query::parse("分期 refund"), viewer: Some(7), group_id: Some(2), limit: 10, ..Default::default() };
        let (sql, binds) = search_sql(&f);
        assert!(sql.contains(&format!("${}", binds.len())));
        assert!(!sql.contains(&format!("${}", binds.len() + 1)));
    }
}
