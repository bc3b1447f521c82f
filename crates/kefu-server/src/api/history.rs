//! "My closed conversations" (我的历史会话): the calling agent's own closed conversations, newest
//! first, cursor-paged. Each opens read-only: `can_see` already lets an agent read what they served.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::api::conversations::view_for;
use crate::auth::{Caller, Staff};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{ApiKeyScope as Scope, ClosedConversationPage};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/agents/me/closed-conversations", get(closed))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ClosedQuery {
    /// The cursor: `next_before` of the previous page (opaque).
    before: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
}

/// A cursor is `<closed_at ms>.<id>`: the order's key, so rows closed meanwhile neither repeat
/// nor go missing between pages.
fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let (at, id) = s.split_once('.')?;
    Some((at.parse().ok()?, id.parse().ok()?))
}

#[utoipa::path(get, path = "/api/v1/agents/me/closed-conversations", tag = "agents", params(ClosedQuery), responses((status = 200, description = "the caller's closed conversations (those they served last), most recently closed first", body = ClosedConversationPage), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn closed(State(state): State<AppState>, staff: Staff, Query(q): Query<ClosedQuery>) -> ApiResult<Json<ClosedConversationPage>> {
    staff.require_scope(Scope::ConversationsRead)?;
    if !staff.is_user() {
        return Err(ApiError::Forbidden("API keys are not agents".into()));
    }
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit: 1 to 100"));
    }
    let before = match q.before.as_deref() {
        Some(c) => Some(parse_cursor(c).ok_or_else(|| ApiError::invalid("before: not a cursor this API gave out"))?),
        None => None,
    };
    let rows = state.store.agent_closed_conversations(staff.id, before, limit + 1).await?;
    let more = rows.len() as i64 > limit;
    let rows = &rows[..rows.len().min(limit as usize)];
    let next_before = if more { rows.last().map(|c| format!("{}.{}", c.closed_at.unwrap_or_default(), c.id)) } else { None };
    let caller = Caller::Staff(staff);
    let mut conversations = Vec::with_capacity(rows.len());
    for c in rows {
        conversations.push(view_for(&state, &caller, c.id).await?);
    }
    Ok(Json(ClosedConversationPage { conversations, next_before }))
}

#[cfg(test)]
mod tests {
    use super::parse_cursor;

    #[test]
    fn cursors_parse_only_in_their_own_shape() {
        assert_eq!(parse_cursor("1700000000000.42"), Some((1_700_000_000_000, 42)));
        assert_eq!(parse_cursor("42"), None);
        assert_eq!(parse_cursor("a.b"), None);
    }
}
