//! Search (搜索): conversations by the words of their messages (Chinese by word, see
//! `kefu_store::search::terms`) and by customer, agent, tag, group, date and status. Staff only.
//! An agent finds what `access::can_see` lets them open (the same rule, applied in the query);
//! supervisors those of their groups (none when in none), admins and API keys every conversation. Staff notes are searched for staff
//! users (who read them in the transcript they open), never for API keys; visitors cannot call
//! this route at all.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::conversations::view_of;
use crate::auth::{Caller, Role, Staff};
use crate::clock::{optional_time_param, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, SearchPage, SearchResult, SearchSnippet};
use kefu_store::search::{snippet::snippet, Query as Words};
use kefu_store::{SearchFilter, SearchSource};

/// Longest query, in characters.
const MAX_QUERY: usize = 200;
/// Most words in a query (each is one more lookup in the index).
const MAX_TERMS: usize = 16;
/// Excerpt width, in characters.
const SNIPPET_WIDTH: usize = 80;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/search/conversations", get(search))
}

/// Every parameter arrives as text and is parsed here, so a bad one answers a 422 naming it.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// Words to find in messages (Chinese and any other script; all must be in one message).
    /// Up to 200 characters. Empty or absent: conversations by the filters alone.
    q: Option<String>,
    /// Customer: part of their name or external id, or their visitor id.
    customer: Option<String>,
    /// Served (now or before) by this agent (user id).
    agent_id: Option<String>,
    /// Carrying this tag (tag id).
    tag: Option<String>,
    /// In this skill group (group id).
    group_id: Option<String>,
    /// Created at or after this time (RFC 3339, e.g. `2026-12-01T00:00:00+08:00`).
    from: Option<String>,
    /// Created before this time (RFC 3339).
    to: Option<String>,
    /// `queued`, `offered`, `assigned` or `closed`.
    status: Option<String>,
    /// `next_cursor` of the previous page (opaque).
    cursor: Option<String>,
    /// Page size, 1 to 50 (default 20).
    limit: Option<String>,
}

/// A cursor is `<form>.<conversation id>`: the form (`w` words, `x` exact, see
/// `Words::fallback`) is chosen on the first page and kept, so later pages ask the same question;
/// the id is the order's key, fixed at creation, so arriving messages never reorder pages.
fn parse_cursor(s: &str) -> Option<(bool, i64)> {
    let (form, id) = s.split_once('.')?;
    let exact = match form {
        "w" => false,
        "x" => true,
        _ => return None,
    };
    Some((exact, id.parse().ok().filter(|id: &i64| *id > 0)?))
}

fn id_param(name: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ApiError::invalid(format!("{name}: not an id"))),
    }
}

/// The filter a request asks for, checked.
fn filter_of(q: &SearchQuery) -> ApiResult<SearchFilter> {
    let text = q.q.as_deref().unwrap_or("").trim();
    if text.chars().count() > MAX_QUERY {
        return Err(ApiError::invalid(format!("q: at most {MAX_QUERY} characters")));
    }
    let words = Words::parse(text);
    if words.terms.len() > MAX_TERMS {
        return Err(ApiError::invalid(format!("q: at most {MAX_TERMS} words")));
    }
    if !text.is_empty() && words.is_empty() {
        return Err(ApiError::invalid("q: no words to search for"));
    }
    let limit = match q.limit.as_deref() {
        None => 20,
        Some(l) => l.trim().parse().ok().filter(|l| (1..=50).contains(l)).ok_or_else(|| ApiError::invalid("limit: 1 to 50"))?,
    };
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("queued" | "offered" | "assigned" | "closed")) => Some(s.to_string()),
        Some(_) => return Err(ApiError::invalid("status: queued, offered, assigned or closed")),
    };
    let (from, to) = (optional_time_param("from", q.from.as_deref())?, optional_time_param("to", q.to.as_deref())?);
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(ApiError::invalid("to: must be after from"));
        }
    }
    let (exact, before) = match q.cursor.as_deref() {
        None => (false, None),
        Some(c) => {
            let (exact, id) = parse_cursor(c).ok_or_else(|| ApiError::invalid("cursor: not a cursor this API gave out"))?;
            (exact, Some(id))
        }
    };
    let customer = q.customer.as_deref().map(str::trim).filter(|c| !c.is_empty());
    if customer.is_some_and(|c| c.chars().count() > 100) {
        return Err(ApiError::invalid("customer: at most 100 characters"));
    }
    Ok(SearchFilter {
        query: if exact { words.fallback().unwrap_or(words) } else { words },
        exact,
        source: SearchSource::Messages,
        customer: customer.map(str::to_string),
        agent_id: id_param("agent_id", q.agent_id.as_deref())?,
        tag_id: id_param("tag", q.tag.as_deref())?,
        group_id: id_param("group_id", q.group_id.as_deref())?,
        from,
        to,
        status,
        viewer: None,
        groups: None,
        before,
        limit,
    })
}

#[utoipa::path(get, path = "/api/v1/search/conversations", tag = "search", params(SearchQuery),
    responses((status = 200, description = "conversations one of whose messages (or, for staff users, staff notes) holds every word of `q` and that pass every filter, newest conversation first, each with the excerpt of its latest matching message (else note); an agent finds only conversations they may open", body = SearchPage), crate::error::ApiErrors),
    security(("bearer" = [])))]
pub async fn search(State(state): State<AppState>, staff: Staff, Query(q): Query<SearchQuery>) -> ApiResult<Json<SearchPage>> {
    staff.require_scope(Scope::ConversationsRead)?;
    let mut f = filter_of(&q)?;
    f.viewer = (staff.role < Role::Supervisor).then_some(staff.id);
    // A supervisor finds the conversations of the groups they watch (their own; none when in none: crate::oversight),
    // as on the wallboard; admins and API keys all.
    if staff.role == Role::Supervisor {
        f.groups = crate::floor::watched_groups(&state, &staff).await?;
    }
    // Notes are for staff users only: API keys cannot read them either (the notes routes).
    let with_notes = staff.is_user() && !f.query.is_empty();
    let limit = f.limit;
    f.limit = limit + 1;
    let mut hits = found(&state, &f, with_notes).await?;
    // The first page of a word search that found nothing asks the exact form (see the store).
    if hits.is_empty() && f.before.is_none() && !f.exact {
        if let Some(exact) = f.query.fallback() {
            f.query = exact;
            f.exact = true;
            hits = found(&state, &f, with_notes).await?;
        }
    }
    let more = hits.len() as i64 > limit;
    hits.truncate(limit as usize);
    let form = if f.exact { "x" } else { "w" };
    let next_cursor = if more { hits.last().map(|h| format!("{form}.{}", h.conversation)) } else { None };
    let needles = f.query.needles();
    let caller = Caller::Staff(staff);
    let mut results = Vec::with_capacity(hits.len());
    for h in hits {
        let c = state.store.conversation(h.conversation).await?;
        let snippet = match (h.message, h.note) {
            (Some(id), _) => {
                let m = state.store.message(id).await?;
                Some(excerpt("message", m.id, m.seq, m.sender, m.sender_name, m.created_at, &m.body, &needles))
            }
            (None, Some(id)) => {
                let n = state.store.note(id).await?;
                Some(excerpt("note", n.id, n.after_seq, "agent".into(), Some(n.author_name), n.created_at, &n.body, &needles))
            }
            (None, None) => None,
        };
        results.push(SearchResult { conversation: view_of(&state, &caller, &c).await?, snippet, matches: h.matches });
    }
    Ok(Json(SearchPage { results, next_cursor }))
}

/// A found conversation, from its messages, its notes or both.
struct Found {
    conversation: i64,
    message: Option<i64>,
    note: Option<i64>,
    matches: i64,
}

/// Conversations matching `f` in messages and (with `with_notes`) in staff notes, newest first,
/// at most `f.limit`. Each search returns its own first `f.limit`; the first `f.limit` of both
/// together are among them.
async fn found(state: &AppState, f: &SearchFilter, with_notes: bool) -> ApiResult<Vec<Found>> {
    let mut all: std::collections::BTreeMap<std::cmp::Reverse<i64>, Found> = Default::default();
    for h in state.store.search_conversations(f).await? {
        all.insert(
            std::cmp::Reverse(h.conversation_id),
            Found { conversation: h.conversation_id, message: h.hit_id, note: None, matches: h.matches },
        );
    }
    if with_notes {
        let notes = SearchFilter { source: SearchSource::Notes, ..f.clone() };
        for h in state.store.search_conversations(&notes).await? {
            let e = all.entry(std::cmp::Reverse(h.conversation_id)).or_insert(Found {
                conversation: h.conversation_id,
                message: None,
                note: None,
                matches: 0,
            });
            e.note = h.hit_id;
            e.matches += h.matches;
        }
    }
    Ok(all.into_values().take(f.limit as usize).collect())
}

/// The excerpt of a found message or note.
#[allow(clippy::too_many_arguments)]
fn excerpt(
    source: &str,
    id: i64,
    seq: i64,
    sender: String,
    sender_name: Option<String>,
    at: i64,
    body: &str,
    needles: &[String],
) -> SearchSnippet {
    let s = snippet(body, needles, SNIPPET_WIDTH);
    SearchSnippet {
        source: source.into(),
        id,
        seq,
        sender,
        sender_name,
        created_at: rfc3339(at),
        text: s.text,
        highlights: s.highlights.into_iter().map(|(a, b)| [a, b]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_parse_only_in_their_own_shape() {
        assert_eq!(parse_cursor("w.42"), Some((false, 42)));
        assert_eq!(parse_cursor("x.7"), Some((true, 7)));
        assert_eq!(parse_cursor("y.7"), None);
        assert_eq!(parse_cursor("w.-1"), None);
        assert_eq!(parse_cursor("42"), None);
    }
}
