//! The audit log of administrative changes (操作日志): every admin write (agents, groups and their
//! members, business types, wrap-up codes, tags, team canned responses, webhooks, API keys,
//! widgets, recording policies, alert thresholds, planning settings, organisation settings, QA
//! rules, forms, reviewers and the weekly sample) appends who did it, when, and the object before
//! and after as the API shows it — views, which carry no secret (no password, token or signing
//! secret).
//!
//! The entry is appended right after the change is written, in its own transaction: a process
//! killed between the two loses that one entry (a window of one local write). A failed append is
//! logged and counted, never turned into a failed request for a change that is already made.

use serde::Serialize;
use serde_json::Value;

use crate::auth::Staff;
use crate::clock::now_ms;
use crate::state::AppState;
use crate::views::{AuditAction, AuditEntity};

/// One administrative change, as the handler that made it describes it.
pub struct Change {
    /// What kind of object.
    pub entity: AuditEntity,
    /// Which one.
    pub id: String,
    /// What was done.
    pub action: AuditAction,
    /// The line a person reads in the list (usually the object's name).
    pub summary: String,
    /// The object before (None when created).
    pub before: Option<Value>,
    /// The object after (None when deleted).
    pub after: Option<Value>,
}

impl Change {
    /// A change of `entity` `id`, read by `summary`.
    pub fn new(entity: AuditEntity, id: impl ToString, action: AuditAction, summary: impl Into<String>) -> Self {
        Change { entity, id: id.to_string(), action, summary: summary.into(), before: None, after: None }
    }
    /// With the object as it was.
    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    /// With the object as it is now.
    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Append `change` made by `staff`.
pub async fn record(state: &AppState, staff: &Staff, change: Change) {
    let actor_name = match staff.api_key {
        Some(key) => format!("API key #{key}"),
        None => state.store.user(staff.id).await.map(|u| u.name).unwrap_or_else(|_| format!("#{}", staff.id)),
    };
    let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    let (before, after) = (json(&change.before), json(&change.after));
    let entry = kefu_store::NewAuditEntry {
        actor_id: staff.api_key.is_none().then_some(staff.id),
        api_key_id: staff.api_key,
        actor_name: &actor_name,
        entity: change.entity.as_str(),
        entity_id: &change.id,
        action: change.action.as_str(),
        summary: &change.summary,
        before: before.as_deref(),
        after: after.as_deref(),
    };
    if let Err(e) = state.store.append_audit(&entry, now_ms()).await {
        state.metrics.audit_failures.inc();
        tracing::error!(entity = entry.entity, id = entry.entity_id, action = entry.action, error = ?e, "could not append to the audit log");
    }
}
