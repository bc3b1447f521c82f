//! Conversation services shared by the routes and the routing task: building views, writing an
//! event with its outbox rows in one transaction, then announcing it to the right sockets.

pub mod access;
pub mod batch;
mod batch_tx;
pub mod links;
pub mod messages;
pub mod notes;
pub mod redact;
pub mod starts;
mod starts_tx;

pub use redact::redact_for_visitor;

use serde_json::{json, Value};

use crate::clock::now_ms;
use crate::conversations::links::AttachmentLinks;
use crate::error::{ApiError, ApiResult};
use crate::realtime::{frame, Hub};
use crate::state::AppState;
use crate::views::{ConversationView, MessageView};
use kefu_store::{ConversationRow, Store, Tx};

/// The viewer-independent view of a conversation, read inside a transaction (never through the
/// pool: the writer must not wait for a connection while it holds the write lock).
pub async fn view_in(tx: &mut Tx, id: i64) -> ApiResult<ConversationView> {
    let c = tx.conversation(id).await?;
    let agent_name = match c.agent_id {
        Some(a) => Some(tx.user_name(a).await?),
        None => None,
    };
    view_of_row_in(tx, &c, agent_name).await
}

/// `view_in` from a row the transaction already read and its agent's name, already known.
pub async fn view_of_row_in(tx: &mut Tx, c: &ConversationRow, agent_name: Option<String>) -> ApiResult<ConversationView> {
    let id = c.id;
    let visitor = tx.visitor(c.visitor_id).await?;
    let call = tx.open_call(id).await?;
    let mut v = ConversationView::build(c, &visitor, agent_name, call.as_ref());
    v.tags = tx.conversation_tags(id).await?.iter().map(Into::into).collect();
    v.awaiting_reply_since = tx.awaiting_reply_since(id).await?.map(crate::clock::rfc3339);
    v.reply_target_secs = tx.reply_target(id).await?;
    Ok(v)
}

/// Build a view from a row.
pub async fn build_view(store: &Store, c: &ConversationRow) -> ApiResult<ConversationView> {
    let visitor = store.visitor(c.visitor_id).await?;
    let agent_name = match c.agent_id {
        Some(a) => Some(store.user(a).await?.name),
        None => None,
    };
    let call = store.open_call(c.id).await?;
    let mut v = ConversationView::build(c, &visitor, agent_name, call.as_ref());
    v.tags = store.conversation_tags(c.id).await?.iter().map(Into::into).collect();
    v.awaiting_reply_since = store.awaiting_reply_since(c.id).await?.map(crate::clock::rfc3339);
    v.reply_target_secs = store.reply_target(c.id).await?;
    Ok(v)
}

/// Build a view from parts read for many conversations at once (`Store::view_parts`); the same
/// view `build_view` gives, without the customer's first message (the caller decides on it).
pub fn view_from_parts(p: &kefu_store::ViewParts) -> ConversationView {
    let mut v = ConversationView::build(&p.conversation, &p.visitor, p.agent_name.clone(), p.call.as_ref());
    v.tags = p.tags.iter().map(Into::into).collect();
    v.awaiting_reply_since = p.awaiting_reply_since.map(crate::clock::rfc3339);
    v.reply_target_secs = p.reply_target_secs;
    v
}

/// A conversation event ready to announce after commit.
pub struct Pending {
    conversation: i64,
    seq: i64,
    kind: &'static str,
    data: Value,
}

impl Pending {
    /// An event already stored with its sequence number (a batch writer built it).
    pub(crate) fn new(conversation: i64, seq: i64, kind: &'static str, data: Value) -> Self {
        Pending { conversation, seq, kind, data }
    }

    /// What the event carries (for `conversation.updated`, the conversation's view).
    pub fn data(&self) -> &Value {
        &self.data
    }

    /// The sequence number the event took.
    pub fn seq(&self) -> i64 {
        self.seq
    }
}

/// Append `conversation.updated` carrying the conversation as it now is, plus the webhook.
pub async fn updated(tx: &mut Tx, id: i64, webhook: Option<&str>, now: i64) -> ApiResult<Pending> {
    let v = view_in(tx, id).await?;
    updated_with(tx, &v, webhook, now).await
}

/// `updated` with the view its caller built (a conversation just inserted: nothing to read).
pub async fn updated_with(tx: &mut Tx, v: &ConversationView, webhook: Option<&str>, now: i64) -> ApiResult<Pending> {
    let id = v.id;
    let data = serde_json::to_value(v).map_err(|e| ApiError::Internal(e.into()))?;
    let seq = tx.append_event(id, "conversation.updated", &data, now).await?;
    if let Some(event) = webhook {
        tx.enqueue_webhooks(event, &json!({ "event": event, "conversation": data }), now).await?;
    }
    Ok(Pending { conversation: id, seq, kind: "conversation.updated", data })
}

/// Append any other conversation event (`call.updated` ...) with its data.
pub async fn event(tx: &mut Tx, id: i64, kind: &'static str, data: Value, now: i64) -> ApiResult<Pending> {
    let seq = tx.append_event(id, kind, &data, now).await?;
    Ok(Pending { conversation: id, seq, kind, data })
}

/// Insert a system message (an event line in the chat: `assigned`, `transferred`, `closed`,
/// `abandoned`, `requeued`, `blocked`; clients translate the code) with its event.
pub async fn system_message(tx: &mut Tx, id: i64, code: &str, name: Option<&str>, data: Option<&Value>, now: i64) -> ApiResult<Pending> {
    let data_text = data.map(Value::to_string);
    let seq = tx.next_seq(id).await?;
    let m = kefu_store::NewMessage {
        conversation_id: id,
        sender: "system",
        sender_id: None,
        sender_name: name,
        kind: "event",
        body: code,
        attachment_id: None,
        client_id: None,
        data: data_text.as_deref(),
    };
    let row = tx.insert_message(&m, seq, now).await?;
    let data = serde_json::to_value(MessageView::build(&row, None)).map_err(|e| ApiError::Internal(e.into()))?;
    tx.insert_event(id, seq, "message.created", &data, now).await?;
    Ok(Pending { conversation: id, seq, kind: "message.created", data })
}

/// Send committed events to the conversation's visitor, its agent and any `also` agents.
pub async fn announce(state: &AppState, events: Vec<Pending>, also: &[i64]) {
    announce_with(&state.store, &state.hub, &state.links, events, also).await
}

/// Same as `announce`, from parts (the routing task has no `AppState`). Attachment URLs are
/// signed here, as the frames leave: the stored events keep the bare path.
pub async fn announce_with(store: &Store, hub: &Hub, links: &AttachmentLinks, events: Vec<Pending>, also: &[i64]) {
    let Some(first) = events.first() else { return };
    let Ok(c) = store.conversation(first.conversation).await else { return };
    announce_to(hub, links, &c, events, also);
}

/// Same as `announce_with`, to the people of `c` as already read (the message writer read it in
/// the transaction that stored the events).
pub fn announce_to(hub: &Hub, links: &AttachmentLinks, c: &ConversationRow, events: Vec<Pending>, also: &[i64]) {
    let agents: Vec<i64> = c.agent_id.into_iter().chain(c.offered_agent_id).chain(also.iter().copied()).collect();
    announce_people(hub, links, c.visitor_id, agents, events);
}

/// Send committed events to a visitor and to these agents (who the caller knows are the
/// conversation's people: a conversation just created has its visitor only).
pub fn announce_people(hub: &Hub, links: &AttachmentLinks, visitor: i64, mut agents: Vec<i64>, events: Vec<Pending>) {
    agents.sort_unstable();
    agents.dedup();
    for e in &events {
        let mut data = e.data.clone();
        links.sign_in(&mut data, now_ms());
        let f = frame(e.kind, Some(e.conversation), Some(e.seq), &data);
        let mut for_visitor = data.clone();
        redact_for_visitor(e.kind, &mut for_visitor);
        hub.to_visitor(visitor, &frame(e.kind, Some(e.conversation), Some(e.seq), &for_visitor));
        for a in &agents {
            hub.to_user(*a, &f);
        }
    }
}
