//! `/api/v1/conversations`: start, read, write, and the agent's actions on a conversation.

use crate::views::parse_word;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kefu_core::ConversationStatus;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{Caller, Role, Staff, VisitorCaller};
use crate::clock::now_ms;
use crate::conversations::access::{can_write, load_visible};
use crate::conversations::messages::{check_writer, mark_read, refusal, send, Outgoing};
use crate::conversations::redact::{redacted, Payload};
use crate::conversations::starts::{NewStart, NewlyStarted, Started};
use crate::conversations::{announce, build_view, updated};
use crate::error::{ApiError, ApiJson, ApiResult, ErrorCode, ErrorParams};
use crate::realtime::frame;
use crate::routing::Op;
use crate::state::AppState;
use crate::text::{clean_line, clean_message};
use crate::views::{
    ApiKeyScope as Scope, ConversationList, ConversationView, MessagePage, MessageSentimentView, MessageView, QueueView, Typing,
};
use kefu_core::{ConversationId, Fact};
use kefu_store::ConversationRow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations", post(create).get(list))
        .route("/api/v1/conversations/{id}", get(one))
        .route("/api/v1/conversations/{id}/messages", get(messages).post(post_message))
        .route("/api/v1/conversations/{id}/read", post(read))
        .route("/api/v1/conversations/{id}/typing", post(typing))
        .route("/api/v1/conversations/{id}/csat", post(csat))
        .route("/api/v1/conversations/{id}/leave", post(leave))
        .route("/api/v1/conversations/{id}/accept", post(accept))
        .route("/api/v1/conversations/{id}/decline", post(decline))
        .route("/api/v1/conversations/{id}/transfer", post(transfer))
        .route("/api/v1/conversations/{id}/close", post(close))
}

/// The customer an integrator starts a conversation for.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct CustomerRef {
    /// The business system's customer id, 1 to 128 characters: the same id is the same customer.
    external_id: String,
    /// Display name, at most 64 characters (the external id when absent).
    name: Option<String>,
    /// 0 = normal, 1 to 9 = VIP level (served first).
    #[serde(default)]
    vip_level: i64,
    /// Anything the agent should see about the customer: an object of at most 50 keys of at most
    /// 64 characters, text values of at most 1024 characters, 8 KiB in all.
    #[schema(value_type = Option<HashMap<String, Value>>)]
    attributes: Option<Value>,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CreateConversation {
    /// Visitors' channel (default `web`); conversations started with an API key are `api`.
    #[schema(value_type = Option<crate::views::VisitorChannel>)]
    channel: Option<String>,
    /// Required when an integrator (API key) starts the conversation.
    customer: Option<CustomerRef>,
    /// Which business type (and so which group) serves it; the first one when absent.
    business_type_id: Option<i64>,
    /// What it is about, at most 200 characters (the business type's name when absent).
    topic: Option<String>,
    /// Renames an anonymous visitor (at most 64 characters).
    name: Option<String>,
    /// The opening message.
    message: Option<String>,
    /// Leave a message (留言) outside business hours; needs `message`.
    #[serde(default)]
    leave_message: bool,
    /// `video` or `voice`: the widget's video service, queued straight for a call (routed to
    /// an agent with a free call slot; accepting the offer answers the call). Default `chat`.
    #[schema(value_type = Option<crate::views::ConversationMedia>)]
    media: Option<crate::views::ConversationMedia>,
}

/// The view for this caller: unread count for agents, queue position for waiting ones.
pub async fn view_for(state: &AppState, caller: &Caller, id: i64) -> ApiResult<ConversationView> {
    let c = state.store.conversation(id).await.map_err(|_| ApiError::not_found("conversation"))?;
    view_of(state, caller, &c).await
}

/// The same for a row already read (lists read their rows in one query).
pub(crate) async fn view_of(state: &AppState, caller: &Caller, c: &ConversationRow) -> ApiResult<ConversationView> {
    let id = c.id;
    let mut v = build_view(&state.store, c).await?;
    if matches!(caller, Caller::Staff(_)) {
        v.unread = state.store.unread_for_agent(id, c.agent_read_seq).await?;
    }
    if c.status == ConversationStatus::Queued {
        v.queue =
            state.routing.queue_info(id).await?.map(|q| QueueView { position: q.position, estimated_wait_secs: q.estimated_wait_secs });
    }
    if let Some(m) = state.store.last_message(id).await? {
        v.last_message = Some(MessageView::build(&m, None));
    }
    if matches!(caller, Caller::Staff(_)) {
        v.first_message = state.store.first_visitor_message(id).await?.map(|m| MessageView::build(&m, None));
    }
    Ok(if matches!(caller, Caller::Visitor(_)) { redacted(Payload::Conversation, v) } else { v })
}

/// Who the conversation is for, and on which channel.
async fn starter(state: &AppState, caller: &Caller, body: &CreateConversation) -> ApiResult<(i64, &'static str)> {
    match caller {
        Caller::Visitor(v) => {
            let channel = match body.channel.as_deref().unwrap_or("web") {
                "web" => "web",
                "h5" => "h5",
                "app" => "app",
                other => return Err(ApiError::invalid(format!("channel: {other:?} is not one of web, h5, app"))),
            };
            Ok((*v, channel))
        }
        Caller::Staff(s) => {
            s.require_scope(Scope::ConversationsWrite)?;
            if s.is_user() && s.role < Role::Supervisor {
                return Err(ApiError::Forbidden("agents do not start conversations; visitors and integrators do".into()));
            }
            let c =
                body.customer.as_ref().ok_or_else(|| ApiError::invalid("customer: required when an integrator starts a conversation"))?;
            let external_id = c.external_id.trim();
            if external_id.is_empty() || external_id.len() > 128 {
                return Err(ApiError::invalid("customer.external_id: 1 to 128 characters"));
            }
            let attributes = c.attributes.clone().unwrap_or(json!({}));
            let Some(attrs) = attributes.as_object() else {
                return Err(ApiError::invalid("customer.attributes: an object"));
            };
            crate::customers::check_attributes("customer.attributes", attrs).map_err(ApiError::invalid)?;
            let given = c.name.as_deref().map(str::trim).filter(|n| !n.is_empty());
            if let Some(name) = given {
                crate::customers::check_name("customer.name", name).map_err(ApiError::invalid)?;
            }
            let name = given.unwrap_or(external_id);
            let customer = kefu_store::KnownCustomer {
                external_id,
                name,
                vip_level: c.vip_level.clamp(0, 9),
                attributes: &attributes.to_string(),
                designated_agent_id: None,
                locale: None,
            };
            Ok((state.store.upsert_customer(&customer, now_ms()).await?.id, "api"))
        }
    }
}

#[utoipa::path(post, path = "/api/v1/conversations", tag = "conversations", request_body = CreateConversation, responses((status = 201, description = "queued (200 with the open one if the visitor has one)", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    starter_caller: Caller,
    ApiJson(body): ApiJson<CreateConversation>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    let (visitor, channel) = starter(&state, &starter_caller, &body).await?;
    let caller = Caller::Visitor(visitor);
    if let Some(open) = state.store.open_conversation(visitor).await? {
        return Ok((StatusCode::OK, Json(view_for(&state, &caller, open.id).await?)));
    }
    let message = body.message.as_deref().map(clean_message);
    let text = message.as_deref().map(str::trim).filter(|m| !m.is_empty());
    let max = state.org.max_message_chars();
    if text.is_some_and(|m| m.chars().count() > max) {
        return Err(ApiError::message_too_long("message", max));
    }
    if body.leave_message && text.is_none() {
        return Err(ApiError::invalid("message: required when leaving a message"));
    }
    if let (Some(_), Caller::Visitor(v)) = (text, &starter_caller) {
        state.limits.visitor_message(*v).await?;
    }
    let topic = body.topic.as_deref().map(clean_line);
    let topic = topic.as_deref().filter(|t| !t.is_empty());
    if topic.is_some_and(|t| t.chars().count() > 200) {
        return Err(ApiError::invalid("topic: at most 200 characters"));
    }
    let types = state.store.business_types().await?;
    let business_type = match body.business_type_id {
        Some(id) => {
            Some(types.iter().find(|t| t.id == id).ok_or_else(|| ApiError::invalid(format!("business_type_id: no business type {id}")))?)
        }
        None => types.first(),
    };
    let group_id = match business_type {
        Some(t) => t.group_id,
        None => state
            .store
            .groups()
            .await?
            .first()
            .map(|g| g.id)
            .ok_or_else(|| ApiError::Conflict("no skill group is configured yet".into()))?,
    };
    let v = state.store.visitor(visitor).await?;
    let new_name = body.name.as_deref().map(clean_line).filter(|n| !n.is_empty() && v.external_id.is_none());
    if let Some(name) = &new_name {
        if name.chars().count() > 64 {
            return Err(ApiError::invalid("name: at most 64 characters"));
        }
        state.store.rename_visitor(visitor, name).await?;
    }
    let media = match body.media.unwrap_or(crate::views::ConversationMedia::Chat) {
        crate::views::ConversationMedia::Chat => "chat",
        crate::views::ConversationMedia::Video => "video",
        crate::views::ConversationMedia::Voice => "voice",
    };
    if media != "chat" && body.leave_message {
        return Err(ApiError::invalid("media: a left message is a chat"));
    }
    // The opening message's sentiment, scored before the write lock is taken.
    let opening = text.map(|t| (t.to_string(), crate::sentiment::score("visitor", "text", t)));
    let start = NewStart {
        visitor: kefu_store::VisitorRow { name: new_name.unwrap_or_else(|| v.name.clone()), ..v },
        group_id,
        business_type_id: business_type.map(|t| t.id),
        min_skill_level: business_type.map_or(1, |t| t.min_skill_level),
        topic: topic.or(business_type.map(|t| t.name.as_str())).map(str::to_string),
        channel,
        media,
        left_message: body.leave_message,
        opening,
    };
    // Stored (with the starts that arrived with it), announced, and in the router's hands.
    let started = match state.starts.start(start).await? {
        Started::New(n) => *n,
        // A second tab of the same visitor won the race: both get that one conversation.
        Started::Open => {
            let open = state
                .store
                .open_conversation(visitor)
                .await?
                .ok_or_else(|| ApiError::Conflict("the conversation was closed meanwhile; start again".into()))?;
            return Ok((StatusCode::OK, Json(view_for(&state, &caller, open.id).await?)));
        }
    };
    let NewlyStarted { mut answer, queue, scored } = started;
    if let Some((message, score)) = scored {
        crate::sentiment::observe(&state, answer.id, message, score).await;
    }
    match queue {
        Some(q) => {
            answer.queue = Some(QueueView { position: q.position, estimated_wait_secs: q.estimated_wait_secs });
            Ok((StatusCode::CREATED, Json(redacted(Payload::Conversation, answer))))
        }
        // Offered at once (or gone meanwhile): read as it is now.
        None => Ok((StatusCode::CREATED, Json(view_for(&state, &caller, answer.id).await?))),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only conversations in this status.
    #[param(value_type = Option<crate::views::ConversationStatus>)]
    status: Option<String>,
    /// Only those the calling agent holds or is offered.
    #[serde(default)]
    mine: bool,
    /// `next_after` of the previous page (pages go newest first, by id).
    after: Option<i64>,
    /// Page size, 1 to 200 (default 200).
    limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/conversations", tag = "conversations", params(ListQuery), responses((status = 200, description = "the caller's conversations, newest first, a page at a time (`after`, `limit`; 200 by default)", body = ConversationList), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, caller: Caller, Query(q): Query<ListQuery>) -> ApiResult<Json<ConversationList>> {
    caller.require_scope(Scope::ConversationsRead)?;
    let status = match &q.status {
        Some(s) => {
            Some(parse_word::<ConversationStatus>(s).ok_or_else(|| ApiError::invalid("status: one of queued, offered, assigned, closed"))?)
        }
        None => None,
    };
    let limit = crate::api::paging::limit_of(q.limit, 200)?;
    let rows = match &caller {
        Caller::Visitor(v) => state.store.visitor_conversations_page(*v, q.after, limit + 1).await?,
        Caller::Staff(s) => {
            let only_mine = q.mine || (s.role < Role::Supervisor && s.is_user());
            state.store.conversations_page(status, only_mine.then_some(s.id), q.after, limit + 1).await?
        }
    };
    let (mut rows, next_after) = crate::api::paging::split_page(rows, limit, |c| c.id);
    // A supervisor lists the groups they oversee (and what they hold themselves). The page is cut
    // before this filter, so the cursor stays right; a page may hold fewer rows than `limit`.
    if let Caller::Staff(s) = &caller {
        if s.role == Role::Supervisor {
            if let Some(mine) = crate::oversight::overseen(&state, s).await? {
                rows.retain(|c| mine.contains(&c.group_id) || c.agent_id == Some(s.id));
            }
        }
    }
    let mut conversations = Vec::with_capacity(rows.len());
    for c in &rows {
        conversations.push(view_of(&state, &caller, c).await?);
    }
    Ok(Json(ConversationList { conversations, next_after }))
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "conversations", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "the conversation", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn one(State(state): State<AppState>, caller: Caller, Path(id): Path<i64>) -> ApiResult<Json<ConversationView>> {
    caller.require_scope(Scope::ConversationsRead)?;
    load_visible(&state.store, &caller, id).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct AfterSeq {
    /// Only messages with a greater sequence number.
    #[serde(default)]
    after_seq: i64,
}

#[utoipa::path(get, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path, description = "id"), AfterSeq), responses((status = 200, description = "messages after `after_seq`, in order", body = MessagePage), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn messages(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(q): Query<AfterSeq>,
) -> ApiResult<Json<MessagePage>> {
    caller.require_scope(Scope::ConversationsRead)?;
    let c = load_visible(&state.store, &caller, id).await?;
    let rows = state.store.messages_after(id, q.after_seq.max(0)).await?;
    let now = now_ms();
    let staff = !matches!(caller, Caller::Visitor(_));
    let scores: std::collections::HashMap<i64, MessageSentimentView> = if staff {
        state.store.message_sentiments(id).await?.iter().map(|s| (s.message_id, MessageSentimentView::build(s))).collect()
    } else {
        Default::default()
    };
    let mut messages = Vec::with_capacity(rows.len());
    for m in &rows {
        let a = match m.attachment_id {
            Some(a) => Some(state.store.attachment(a).await?),
            None => None,
        };
        let mut view = state.links.sign_message(MessageView::build(m, a.as_ref()), now);
        view.sentiment = scores.get(&m.id).copied();
        messages.push(if staff { view } else { redacted(Payload::Message, view) });
    }
    Ok(Json(MessagePage { messages, last_seq: c.last_seq }))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PostMessage {
    /// The text, 1 to the organisation's `max_message_chars` (default 5000) characters.
    body: String,
    /// The sender's own id for this message: echoed back, and a retry with the same id stores nothing new.
    client_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = PostMessage, responses((status = 201, description = "stored and delivered (200 for a retried client_id)", body = MessageView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PostMessage>,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    caller.require_scope(Scope::ConversationsWrite)?;
    // Who may write is checked by the message writer on the conversation row it reads anyway
    // (no read of it here); a refusal, or a body refused before writing, is then explained by
    // the checks of `check_writer`, so the answers and their order stay those of reading first.
    let cleaned = clean_message(&body.body);
    let text = cleaned.trim();
    let max = state.org.max_message_chars();
    let invalid = if text.is_empty() {
        Some(ApiError::invalid("body: must not be empty"))
    } else if text.chars().count() > max {
        Some(ApiError::message_too_long("body", max))
    } else {
        None
    };
    if let Some(e) = invalid {
        check_writer(&state, &caller, id).await?;
        return Err(e);
    }
    let out = Outgoing { kind: "text", body: text, attachment_id: None, client_id: body.client_id.as_deref() };
    let Some((view, created)) = send(&state, &caller, id, out).await? else {
        return Err(refusal(&state, &caller, id).await);
    };
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(view)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ReadBody {
    /// Everything up to this sequence number has been read.
    seq: i64,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/read", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = ReadBody, responses((status = 204, description = "read marker moved"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReadBody>,
) -> ApiResult<StatusCode> {
    caller.require_scope(Scope::ConversationsRead)?;
    let c = load_visible(&state.store, &caller, id).await?;
    if can_write(&caller, &c) || matches!(caller, Caller::Visitor(_)) {
        mark_read(&state, &caller, &c, body.seq).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TypingBody {
    /// Started (true) or stopped (false) typing.
    typing: bool,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/typing", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = TypingBody, responses((status = 204, description = "relayed"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn typing(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TypingBody>,
) -> ApiResult<StatusCode> {
    caller.require_scope(Scope::ConversationsWrite)?;
    let c = load_visible(&state.store, &caller, id).await?;
    if !can_write(&caller, &c) {
        return Ok(StatusCode::NO_CONTENT);
    }
    if let Caller::Visitor(v) = &caller {
        state.limits.visitor_typing(*v).await?;
    }
    let who = if matches!(caller, Caller::Visitor(_)) { "visitor" } else { "agent" };
    let data = serde_json::to_value(Typing { who, typing: body.typing }).map_err(|e| ApiError::Internal(e.into()))?;
    let f = frame("typing", Some(id), None, &data);
    match caller {
        Caller::Visitor(_) => {
            if let Some(a) = c.agent_id {
                state.hub.to_user(a, &f);
            }
        }
        Caller::Staff(_) => state.hub.to_visitor(c.visitor_id, &f),
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CsatBody {
    /// 1 to 5.
    score: i64,
    /// At most 1000 characters.
    comment: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/csat", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = CsatBody, responses((status = 200, description = "survey recorded", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn csat(
    State(state): State<AppState>,
    VisitorCaller(visitor): VisitorCaller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CsatBody>,
) -> ApiResult<Json<ConversationView>> {
    let caller = Caller::Visitor(visitor);
    let c = load_visible(&state.store, &caller, id).await?;
    if !(1..=5).contains(&body.score) {
        return Err(ApiError::invalid("score: must be 1 to 5"));
    }
    let comment = body.comment.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if comment.is_some_and(|t| t.chars().count() > 1000) {
        return Err(ApiError::invalid("comment: at most 1000 characters"));
    }
    if c.status != ConversationStatus::Closed {
        return Err(ApiError::Conflict("the survey opens when the conversation is closed".into()));
    }
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    if !tx.set_csat(id, body.score, comment).await? {
        return Err(ApiError::Conflict("the survey was already answered".into()));
    }
    // The route checked 1..=5 above.
    tx.record_fact(&Fact::Csat { conversation: ConversationId(id), score: body.score as u8 }, now).await?;
    let event = updated(&mut tx, id, None, now).await?;
    tx.commit().await?;
    announce(&state, vec![event], &[]).await;
    // The low-CSAT rule sees the answer: check the conversation again (off the request).
    crate::qa::score_later(state.store.clone(), id);
    Ok(Json(view_for(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/leave", tag = "conversations", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "the visitor left the line", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn leave(
    State(state): State<AppState>,
    VisitorCaller(visitor): VisitorCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ConversationView>> {
    let caller = Caller::Visitor(visitor);
    load_visible(&state.store, &caller, id).await?;
    state.routing.run(Op::Abandon { conversation: id }).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}

fn human_agent(staff: &Staff) -> ApiResult<i64> {
    if !staff.is_user() {
        return Err(ApiError::Forbidden("only agents can do this, not API keys".into()));
    }
    Ok(staff.id)
}

/// The conversation an agent answers an offer of. An agent whose offer was withdrawn and the
/// conversation offered to someone else no longer sees it, but was shown it: they get
/// `not_offered` (409), which says what happened, rather than "not found".
async fn load_offer(state: &AppState, caller: &Caller, agent: i64, id: i64) -> ApiResult<()> {
    match load_visible(&state.store, caller, id).await {
        Ok(_) => Ok(()),
        Err(ApiError::NotFound(what)) => {
            let facts = state.store.facts_of_conversation(id).await?;
            if facts.iter().any(|f| matches!(f.fact, Fact::Offered { agent: a, .. } if a.0 == agent)) {
                Err(ApiError::coded(
                    ErrorCode::NotOffered,
                    "the offer was withdrawn: the conversation is no longer offered to you",
                    ErrorParams::default(),
                ))
            } else {
                Err(ApiError::NotFound(what))
            }
        }
        Err(e) => Err(e),
    }
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/accept", tag = "conversations", params(("id" = i64, Path, description = "id")), responses((status = 200, description = "accepted", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn accept(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<Json<ConversationView>> {
    let agent = human_agent(&staff)?;
    let caller = Caller::Staff(staff);
    load_offer(&state, &caller, agent, id).await?;
    state.routing.run(Op::Accept { conversation: id, agent }).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/decline", tag = "conversations", params(("id" = i64, Path, description = "id")), responses((status = 204, description = "declined"), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn decline(State(state): State<AppState>, staff: Staff, Path(id): Path<i64>) -> ApiResult<StatusCode> {
    let agent = human_agent(&staff)?;
    load_offer(&state, &Caller::Staff(staff), agent, id).await?;
    state.routing.run(Op::Decline { conversation: id, agent }).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TransferBody {
    /// To this agent (exactly one of `agent_id` and `group_id`).
    agent_id: Option<i64>,
    /// To the line of this group.
    group_id: Option<i64>,
    /// For the next agent, at most 1000 characters; the visitor never sees it.
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/transfer", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = TransferBody, responses((status = 200, description = "transferred", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn transfer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TransferBody>,
) -> ApiResult<Json<ConversationView>> {
    let by = human_agent(&staff)?;
    let caller = Caller::Staff(staff);
    let c = load_visible(&state.store, &caller, id).await?;
    if c.agent_id != Some(by) || c.status != ConversationStatus::Assigned {
        return Err(ApiError::Forbidden("only the agent serving the conversation can transfer it".into()));
    }
    let note = body.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError::invalid("note: at most 1000 characters"));
    }
    let op = match (body.agent_id, body.group_id) {
        (Some(agent), None) => {
            if agent == by {
                return Err(ApiError::invalid("agent_id: cannot transfer to yourself"));
            }
            Op::TransferToAgent { conversation: id, agent, by, note }
        }
        (None, Some(group)) => Op::TransferToGroup { conversation: id, group, by, note },
        _ => return Err(ApiError::invalid("give exactly one of agent_id or group_id")),
    };
    state.routing.run(op).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct CloseBody {
    /// One of the configured wrap-up codes (`GET /api/v1/wrap-up-codes`).
    wrap_up_code: String,
    /// At most 2000 characters.
    note: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/close", tag = "conversations", params(("id" = i64, Path, description = "id")), request_body = CloseBody, responses((status = 200, description = "closed", body = ConversationView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn close(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CloseBody>,
) -> ApiResult<Json<ConversationView>> {
    let by = human_agent(&staff)?;
    let caller = Caller::Staff(staff);
    load_visible(&state.store, &caller, id).await?;
    let codes = state.store.wrap_up_codes().await?;
    // A disabled code is kept for the conversations closed with it, but no longer chosen.
    if !codes.iter().any(|c| c.code == body.wrap_up_code && !c.disabled) {
        return Err(ApiError::invalid(format!("wrap_up_code: {:?} is not an enabled wrap-up code", body.wrap_up_code)));
    }
    let note = body.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(ApiError::invalid("note: at most 2000 characters"));
    }
    state.routing.run(Op::Close { conversation: id, by, code: body.wrap_up_code, note }).await?;
    Ok(Json(view_for(&state, &caller, id).await?))
}
