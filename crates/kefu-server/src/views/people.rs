//! Staff users, agents with their live status, and visitors.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::AgentStatus;
use kefu_store::{UserRow, VisitorRow};

/// A staff user.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(value_type = crate::auth::Role)]
    pub role: String,
    /// The password is a generated one-time password: the user must set their own
    /// (`PUT /api/v1/auth/password`) before anything else is allowed.
    pub must_change_password: bool,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        UserView {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role.as_str().to_string(),
            must_change_password: u.must_change_password,
        }
    }
}

/// Chat and call counts.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct Slots {
    pub chat: i64,
    pub call: i64,
}

/// A membership with its skill level.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    pub group_id: i64,
    /// 1 to 5.
    pub skill_level: i64,
}

/// An agent with live status and load.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentView {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[schema(value_type = crate::auth::Role)]
    pub role: String,
    #[schema(value_type = AgentStatus)]
    pub status: String,
    /// Why the agent is away (`missed_offers` when the router set it, else their own words).
    #[schema(required = true)]
    pub away_reason: Option<String>,
    /// When wrap-up ends by itself.
    #[schema(required = true, format = DateTime)]
    pub wrap_up_until: Option<String>,
    pub capacity: Slots,
    /// What the agent is serving and offered now.
    pub load: Slots,
    pub groups: Vec<Membership>,
    /// Disabled agents cannot log in; only admins see them in lists.
    pub enabled: bool,
}

/// A visitor or known customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitorView {
    pub id: i64,
    pub name: String,
    /// The business system's customer id (from an identity token or an integrator); null for anonymous visitors.
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// 0 = normal, 1 to 9 = VIP level.
    pub vip_level: i64,
    /// What the business system said about the customer (identity token `attrs`); staff only
    /// (empty for visitors).
    #[schema(value_type = HashMap<String, Value>)]
    pub attributes: Value,
    /// The customer's account manager, if any (staff only: null for visitors).
    #[schema(required = true)]
    pub designated_agent_id: Option<i64>,
    /// A supervisor blocked the visitor: their tokens stop working and a known customer cannot
    /// start again until unblocked.
    pub blocked: bool,
    /// Why they were blocked; null when not blocked.
    #[schema(required = true)]
    pub blocked_reason: Option<String>,
}

impl From<&VisitorRow> for VisitorView {
    fn from(v: &VisitorRow) -> Self {
        VisitorView {
            id: v.id,
            name: v.name.clone(),
            external_id: v.external_id.clone(),
            vip_level: v.vip_level,
            attributes: serde_json::from_str(&v.attributes).unwrap_or(Value::Object(Default::default())),
            designated_agent_id: v.designated_agent_id,
            blocked: v.blocked_at.is_some(),
            blocked_reason: v.blocked_at.and(v.blocked_reason.clone()),
        }
    }
}

/// `POST /api/v1/auth/login`: a staff session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>` (and `?token=` on the WebSocket).
    pub token: String,
    pub user: UserView,
}

/// `POST /api/v1/visitors`: a visitor session.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitorSession {
    /// The visitor's Bearer token; the widget keeps it to come back as the same visitor.
    pub token: String,
    pub visitor: VisitorView,
}

/// `GET /api/v1/agents`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentList {
    pub agents: Vec<AgentView>,
    /// How many agents match the filters (all pages).
    pub total: i64,
    /// With `limit`: pass as `after` for the next page; null on the last page (and without `limit`).
    pub next_after: Option<i64>,
}
