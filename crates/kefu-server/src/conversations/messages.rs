//! Sending a message: stored (with its event and webhook rows) before it is delivered, and
//! idempotent per sender `client_id`, so a retried request never doubles a message.

use serde_json::json;

use crate::auth::Caller;
use crate::clock::now_ms;
use crate::conversations::access::{can_write, load_visible};
use crate::conversations::batch::{NewMessage, Written};
use crate::conversations::{announce, announce_to, Pending};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{MessageRead, MessageSentimentView, MessageView};
use kefu_store::{ConversationRow, MessageSentimentRow, Tx};

/// What is being sent.
pub struct Outgoing<'a> {
    pub kind: &'a str,
    pub body: &'a str,
    pub attachment_id: Option<i64>,
    pub client_id: Option<&'a str>,
}

/// Store and deliver a message from `caller` into conversation `conv`; the view returned (its
/// attachment link signed) is the caller's REST answer, and whether it is new (false: a retried
/// `client_id`). `None`: not stored, as the conversation does not exist or the caller may not
/// write in it now (`access::can_write`) — the route tells which (`refusal`).
/// The message goes through the group-commit writer ([`crate::conversations::batch`]), which
/// checks the sender on the conversation row it reads anyway and reads the sender's name: it is
/// announced, and answered, only once its transaction committed.
pub async fn send(state: &AppState, caller: &Caller, conv: i64, out: Outgoing<'_>) -> ApiResult<Option<(MessageView, bool)>> {
    if let Some(cid) = out.client_id {
        check_client_id(cid)?;
    }
    let (sender, sender_id) = match caller {
        Caller::Visitor(v) => ("visitor", *v),
        Caller::Staff(s) => ("agent", s.id),
    };
    // Scored before the message is queued for writing: the writer never waits for the lexicons.
    let sentiment = crate::sentiment::score(sender, out.kind, out.body);
    let msg = NewMessage {
        conversation: conv,
        sender,
        sender_id,
        sender_name: None,
        kind: out.kind.into(),
        body: out.body.into(),
        attachment_id: out.attachment_id,
        client_id: out.client_id.map(Into::into),
        sentiment,
        now: now_ms(),
    };
    match state.messages.write(msg).await? {
        Written::NotWriter => Ok(None),
        Written::Retried(existing) => {
            let attachment = match existing.attachment_id {
                Some(a) => Some(state.store.attachment(a).await?),
                None => None,
            };
            Ok(Some((state.links.sign_message(MessageView::build(&existing, attachment.as_ref()), now_ms()), false)))
        }
        Written::New { mut view, conversation, events } => {
            if let Some(s) = sentiment {
                crate::sentiment::observe(state, conv, view.id, s.score).await;
            }
            state.metrics.messages.inc();
            announce_to(&state.hub, &state.links, &conversation, events, &[]);
            if sender == "visitor" {
                // The customer's own answer never carries their sentiment score (staff only).
                view.sentiment = None;
            }
            Ok(Some((state.links.sign_message(view, now_ms()), true)))
        }
    }
}

/// Why `caller` may not write in conversation `id` (what a route answers when [`send`] stored
/// nothing, or before it tries): 404 when they may not see it (403 for a supervisor outside its
/// group), else 403. The same answers, in the same order, as `load_visible` then `can_write`.
pub async fn refusal(state: &AppState, caller: &Caller, id: i64) -> ApiError {
    match load_visible(&state.store, caller, id).await {
        Err(e) => e,
        Ok(_) => ApiError::Forbidden("only the visitor and the agent serving the conversation can write in it".into()),
    }
}

/// `Ok` when `caller` may write in conversation `id` now, else why not (as [`refusal`]).
pub async fn check_writer(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ConversationRow> {
    let c = load_visible(&state.store, caller, id).await?;
    if !can_write(caller, &c) {
        return Err(ApiError::Forbidden("only the visitor and the agent serving the conversation can write in it".into()));
    }
    Ok(c)
}

/// A client id is 1 to 64 characters.
fn check_client_id(cid: &str) -> ApiResult<()> {
    if cid.is_empty() || cid.len() > 64 {
        return Err(ApiError::invalid("client_id: must be 1 to 64 characters"));
    }
    Ok(())
}

/// The message this sender already stored under `client_id` (a retried request), as the REST
/// answer; `None` without a client id or when it is new. A client id is 1 to 64 characters.
pub async fn retried(
    tx: &mut Tx,
    state: &AppState,
    caller: &Caller,
    conversation: i64,
    client_id: Option<&str>,
) -> ApiResult<Option<MessageView>> {
    let Some(cid) = client_id else { return Ok(None) };
    check_client_id(cid)?;
    let sender = if matches!(caller, Caller::Visitor(_)) { "visitor" } else { "agent" };
    let Some(existing) = tx.message_by_client_id(conversation, sender, cid).await? else { return Ok(None) };
    let attachment = match existing.attachment_id {
        Some(a) => Some(state.store.attachment(a).await?),
        None => None,
    };
    Ok(Some(state.links.sign_message(MessageView::build(&existing, attachment.as_ref()), now_ms())))
}

/// Write a message, its `message.created` event and webhook rows inside `tx` (the caller
/// commits, then announces the returned event). `sender` is (visitor|agent, id, display name).
pub async fn insert(
    tx: &mut Tx,
    conversation: i64,
    sender: (&str, i64, &str),
    out: &Outgoing<'_>,
    sentiment: Option<kefu_sentiment::Sentiment>,
    now: i64,
) -> ApiResult<(MessageView, Pending)> {
    insert_with(tx, conversation, sender, out, sentiment, now, true).await
}

/// `insert`, with the webhook rows only when `webhooks` (false: the caller knows no webhook
/// wants `message.created` in this transaction).
pub async fn insert_with(
    tx: &mut Tx,
    conversation: i64,
    sender: (&str, i64, &str),
    out: &Outgoing<'_>,
    sentiment: Option<kefu_sentiment::Sentiment>,
    now: i64,
    webhooks: bool,
) -> ApiResult<(MessageView, Pending)> {
    let seq = tx.next_seq(conversation).await?;
    let row = tx
        .insert_message(
            &kefu_store::NewMessage {
                conversation_id: conversation,
                sender: sender.0,
                sender_id: Some(sender.1),
                sender_name: Some(sender.2),
                kind: out.kind,
                body: out.body,
                attachment_id: out.attachment_id,
                client_id: out.client_id,
                data: None,
            },
            seq,
            now,
        )
        .await?;
    let attachment = match out.attachment_id {
        Some(a) => Some(tx.attachment(a).await?),
        None => None,
    };
    let mut view = MessageView::build(&row, attachment.as_ref());
    if let Some(s) = sentiment {
        let v = MessageSentimentView::new(s);
        let lang = kefu_sentiment::Lang::as_str(s.lang).to_string();
        tx.insert_message_sentiment(&MessageSentimentRow { message_id: row.id, conversation_id: conversation, lang, score: v.score })
            .await?;
        view.sentiment = Some(v);
    }
    let data = serde_json::to_value(&view).map_err(|e| ApiError::Internal(e.into()))?;
    tx.insert_event(conversation, seq, "message.created", &data, now).await?;
    if webhooks {
        tx.enqueue_webhooks("message.created", &json!({ "event": "message.created", "message": data }), now).await?;
    }
    Ok((view, Pending { conversation, seq, kind: "message.created", data }))
}

/// Move the caller's read marker and tell the other side.
pub async fn mark_read(state: &AppState, caller: &Caller, conv: &ConversationRow, seq: i64) -> ApiResult<()> {
    let by_visitor = matches!(caller, Caller::Visitor(_));
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    let Some(upto) = tx.mark_read(conv.id, by_visitor, seq).await? else {
        return Ok(());
    };
    let reader = if by_visitor { "visitor" } else { "agent" };
    let data = serde_json::to_value(MessageRead { reader: reader.into(), seq: upto }).map_err(|e| ApiError::Internal(e.into()))?;
    let event_seq = tx.append_event(conv.id, "message.read", &data, now).await?;
    tx.commit().await?;
    announce(state, vec![Pending { conversation: conv.id, seq: event_seq, kind: "message.read", data }], &[]).await;
    Ok(())
}
