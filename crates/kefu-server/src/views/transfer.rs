//! The transfer dialog's list: agents and groups with the router's verdict on each.

use serde::Serialize;
use utoipa::ToSchema;

use super::{AgentStatus, Slots};

/// Why a transfer to this target would be refused now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferRefusal {
    /// Logged out.
    Offline,
    /// Away (小休): keeps their conversations, takes no new ones.
    Away,
    /// In wrap-up (话后整理).
    WrapUp,
    /// Ready but every slot for this media is taken.
    Full,
    /// The conversation is already theirs (the caller).
    Current,
    /// A call is open on the conversation: no transfer until it ends.
    CallOpen,
    /// Any other refusal by the router.
    Unknown,
}

/// An agent in the transfer list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferAgent {
    pub id: i64,
    pub name: String,
    #[schema(value_type = AgentStatus)]
    pub status: String,
    pub capacity: Slots,
    pub load: Slots,
    /// Whether a transfer to this agent would be taken now.
    pub available: bool,
    /// Why not, when `available` is false.
    #[schema(required = true)]
    pub reason: Option<TransferRefusal>,
}

/// A group in the transfer list, with its line and the members ready now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferGroup {
    pub id: i64,
    pub name: String,
    /// Customers waiting in the group's line.
    pub waiting: i64,
    /// Members whose status is ready.
    pub ready: i64,
    pub available: bool,
    #[schema(required = true)]
    pub reason: Option<TransferRefusal>,
}

/// `GET /api/v1/conversations/{id}/transfer-candidates`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TransferCandidates {
    pub agents: Vec<TransferAgent>,
    pub groups: Vec<TransferGroup>,
}
