//! `/api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the types in the code.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;
use crate::views;

#[derive(OpenApi)]
#[openapi(
    info(title = "Kefu API", description = "Video customer service: conversations, routing, agents. See docs/api.md."),
    components(schemas(
        views::UserView,
        views::AgentView,
        views::Slots,
        views::Membership,
        views::VisitorView,
        views::ConversationView,
        views::CsatView,
        views::QueueView,
        views::MessageView,
        views::AttachmentView,
        views::GroupView,
        views::GroupMember,
        views::BusinessHoursView,
        views::DayHoursView,
        crate::auth::Role,
        crate::api::auth::LoginBody,
        crate::api::visitors::CreateVisitor,
        crate::api::conversations::CreateConversation,
        crate::api::conversations::CustomerRef,
        crate::api::conversations::PostMessage,
        crate::api::conversations::ReadBody,
        crate::api::conversations::TypingBody,
        crate::api::conversations::CsatBody,
        crate::api::conversations::TransferBody,
        crate::api::conversations::CloseBody,
        crate::api::agents::StatusBody,
        crate::api::agents::CreateAgent,
        crate::api::agents::UpdateAgent,
        crate::api::groups::GroupBody,
        crate::api::groups::MemberBody,
        crate::api::groups::TypeBody,
        crate::api::admin::CodeBody,
        crate::api::admin::KeyBody,
        crate::api::admin::WebhookBody,
    ))
)]
pub struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
