//! The audit log of administrative changes as the API shows it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::AuditRow;

/// Declares a closed vocabulary with its stored form written once.
macro_rules! words {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")] // what the schema shows; each `rename` equals it
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            /// The stored form.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}

words! {
    /// What kind of object an administrative change touched.
    AuditEntity {
        Agent = "agent",
        Group = "group",
        GroupMembers = "group_members",
        BusinessType = "business_type",
        WrapUpCode = "wrap_up_code",
        Tag = "tag",
        CannedResponse = "canned_response",
        Webhook = "webhook",
        ApiKey = "api_key",
        Widget = "widget",
        IdentitySecret = "identity_secret",
        RecordingPolicy = "recording_policy",
        MaturityAnswers = "maturity_answers",
        AlertThresholds = "alert_thresholds",
        PlanningSettings = "planning_settings",
        OrgSettings = "org_settings",
        QaRule = "qa_rule",
        QaForm = "qa_form",
        QaReviewer = "qa_reviewer",
        QaSampling = "qa_sampling",
        // An agent's recording of a call in their own browser (client-side recording), started
        // and stopped; the id is the call's. Not an admin change, but the same who-and-when trail.
        LocalRecording = "local_recording",
    }
}

words! {
    /// What was done to it.
    AuditAction {
        Created = "created",
        Updated = "updated",
        Deleted = "deleted",
        Reordered = "reordered",
        Rotated = "rotated",
        Started = "started",
        Stopped = "stopped",
    }
}

/// One administrative change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: i64,
    #[schema(format = DateTime)]
    pub at: String,
    /// The user who made it; null for an API key.
    pub actor_id: Option<i64>,
    /// The API key that made it.
    pub api_key_id: Option<i64>,
    /// The actor's name at the time.
    pub actor_name: String,
    /// Kind of object.
    #[schema(value_type = AuditEntity)]
    pub entity: String,
    /// Which object: its id (a widget's name).
    pub entity_id: String,
    /// What was done.
    #[schema(value_type = AuditAction)]
    pub action: String,
    /// The object's name or a one-line description.
    pub summary: String,
    /// The object before, as the API showed it (null when created).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The object after (null when deleted).
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
}

impl From<&AuditRow> for AuditEntryView {
    fn from(r: &AuditRow) -> Self {
        let parse = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str(s).ok());
        AuditEntryView {
            id: r.id,
            at: rfc3339(r.at),
            actor_id: r.actor_id,
            api_key_id: r.api_key_id,
            actor_name: r.actor_name.clone(),
            entity: r.entity.clone(),
            entity_id: r.entity_id.clone(),
            action: r.action.clone(),
            summary: r.summary.clone(),
            before: parse(&r.before_json),
            after: parse(&r.after_json),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next (older) page; null on the last page.
    pub next_before: Option<String>,
}
