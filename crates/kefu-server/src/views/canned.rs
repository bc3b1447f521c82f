//! Canned responses (快捷回复) as the API shows them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::CannedRow;

/// A canned response: the agent types `/` plus its shortcut in the composer to insert the body.
/// `{{variables}}` in the body are expanded by the client at insertion (docs/api.md lists them).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CannedResponseView {
    pub id: i64,
    /// true: the team library (admins manage it); false: the caller's own.
    pub team: bool,
    /// "" when uncategorised.
    pub category: String,
    /// e.g. `greet` or `问候`: unique within its library.
    pub shortcut: String,
    pub title: String,
    pub body: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<&CannedRow> for CannedResponseView {
    fn from(c: &CannedRow) -> Self {
        CannedResponseView {
            id: c.id,
            team: c.owner_user_id.is_none(),
            category: c.category.clone(),
            shortcut: c.shortcut.clone(),
            title: c.title.clone(),
            body: c.body.clone(),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// `GET /api/v1/canned-responses`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CannedResponseList {
    /// Team ones first, then the caller's; each by category and shortcut.
    pub canned_responses: Vec<CannedResponseView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
