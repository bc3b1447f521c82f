//! What the customer may see: the one rule that removes staff-only fields from every payload a
//! visitor receives — REST views, live WebSocket frames and frames replayed on resume alike.
//! Stored events keep everything (staff read them); the rule applies on the way out.
//!
//! Staff-only, never sent to a visitor:
//! - a conversation's wrap-up code and note (话后整理) and whom a pending offer is for;
//! - what the business system said about the customer (`attributes`) and their account manager;
//! - on system event lines, everything but the target's name and a block's reason (the transfer
//!   note is for the next agent);
//! - a conversation's tags (标签), emptied;
//! - a customer message's sentiment score (情绪), removed;
//! - internal notes, whispers and the tag timeline (`conversation_notes`): they are not in any
//!   payload type a visitor receives at all. They take no number of the conversation's event
//!   sequence (see `conversations::notes`), so a visitor's resume sees neither a gap nor a line.
//!
//! A new staff-only field is added here, and the test in `tests/api/redaction.rs` walks every
//! visitor-visible payload for it.

use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};

/// Fields of a conversation that only staff read (set to null for visitors).
const CONVERSATION_INTERNAL: [&str; 3] = ["wrap_up_code", "wrap_up_note", "offered_agent_id"];
/// Lists of a conversation that only staff read (emptied for visitors: the shape still parses).
const CONVERSATION_INTERNAL_LISTS: [&str; 1] = ["tags"];
/// Details of a system event line a visitor may read (where a transfer went; why the
/// conversation was closed when a supervisor blocked the visitor; a call's media, length and
/// end reason).
const EVENT_DATA_VISIBLE: [&str; 6] = ["to_group_name", "to_agent_name", "reason", "media", "duration_secs", "end_reason"];

/// The kinds of payload the rule knows; events name theirs by the frame type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// A `ConversationView` (data of `conversation.updated`).
    Conversation,
    /// A `MessageView` (data of `message.created`).
    Message,
    /// A `VisitorView`.
    Visitor,
}

impl Payload {
    /// The payload a conversation event of this type carries, if the rule touches it.
    fn of_event(kind: &str) -> Option<Payload> {
        match kind {
            "conversation.updated" => Some(Payload::Conversation),
            "message.created" => Some(Payload::Message),
            _ => None,
        }
    }
}

/// Remove what only staff may read from the data of an event (live or replayed).
pub fn redact_for_visitor(kind: &str, data: &mut Value) {
    if let Some(p) = Payload::of_event(kind) {
        redact(p, data);
    }
}

/// Remove what only staff may read from one payload.
pub fn redact(payload: Payload, v: &mut Value) {
    let Some(o) = v.as_object_mut() else { return };
    match payload {
        Payload::Conversation => {
            for f in CONVERSATION_INTERNAL {
                if let Some(x) = o.get_mut(f) {
                    *x = Value::Null;
                }
            }
            for f in CONVERSATION_INTERNAL_LISTS {
                if let Some(x) = o.get_mut(f) {
                    *x = json!([]);
                }
            }
            if let Some(visitor) = o.get_mut("visitor") {
                redact(Payload::Visitor, visitor);
            }
            if let Some(last) = o.get_mut("last_message") {
                redact(Payload::Message, last);
            }
        }
        Payload::Message => {
            // The customer's sentiment score is for staff.
            o.remove("sentiment");
            if o.get("kind").and_then(Value::as_str) == Some("event") {
                if let Some(d) = o.get_mut("data").and_then(Value::as_object_mut) {
                    d.retain(|k, _| EVENT_DATA_VISIBLE.contains(&k.as_str()));
                }
            }
        }
        Payload::Visitor => {
            if let Some(a) = o.get_mut("attributes") {
                *a = json!({});
            }
            if let Some(d) = o.get_mut("designated_agent_id") {
                *d = Value::Null;
            }
        }
    }
}

/// The same rule on a typed view (REST answers to a visitor): the view goes through its JSON
/// form so there is one rule, not a JSON one and a typed one that could drift apart.
pub fn redacted<T: Serialize + DeserializeOwned>(payload: Payload, view: T) -> T {
    let Ok(mut v) = serde_json::to_value(&view) else { return view };
    redact(payload, &mut v);
    // The rule only nulls optional fields and empties maps, so the shape still parses.
    serde_json::from_value(v).unwrap_or(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_internals_are_nulled_recursively() {
        let mut c = json!({
            "id": 1, "wrap_up_code": "sold", "wrap_up_note": "upsell ok", "offered_agent_id": 3,
            "tags": [{ "id": 1, "name": "投诉", "color": "#f56c6c", "disabled": false }],
            "visitor": { "name": "Tom", "attributes": { "risk": "high" }, "designated_agent_id": 4 },
            "last_message": { "kind": "event", "data": { "note": "n", "to_group_name": "Loans", "to_group": 2 } }
        });
        redact_for_visitor("conversation.updated", &mut c);
        assert_eq!(c["wrap_up_code"], Value::Null);
        assert_eq!(c["wrap_up_note"], Value::Null);
        assert_eq!(c["offered_agent_id"], Value::Null);
        assert_eq!(c["tags"], json!([]));
        assert_eq!(c["visitor"]["attributes"], json!({}));
        assert_eq!(c["visitor"]["designated_agent_id"], Value::Null);
        assert_eq!(c["visitor"]["name"], "Tom");
        assert_eq!(c["last_message"]["data"], json!({ "to_group_name": "Loans" }));
    }

    #[test]
    fn a_customer_message_loses_its_sentiment_score() {
        let mut m = json!({ "kind": "text", "body": "太差了", "sentiment": { "lang": "zh", "score": -0.8 } });
        redact_for_visitor("message.created", &mut m);
        assert_eq!(m, json!({ "kind": "text", "body": "太差了" }));
    }

    #[test]
    fn other_events_and_plain_messages_pass_unchanged() {
        let mut typing = json!({ "who": "agent", "typing": true });
        redact_for_visitor("typing", &mut typing);
        assert_eq!(typing, json!({ "who": "agent", "typing": true }));
        let mut text = json!({ "kind": "text", "body": "hi", "data": null });
        redact_for_visitor("message.created", &mut text);
        assert_eq!(text, json!({ "kind": "text", "body": "hi", "data": null }));
    }
}
