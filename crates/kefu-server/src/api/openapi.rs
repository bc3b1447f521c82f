//! `/api/v1/openapi.json`: the OpenAPI 3.1 document, generated from the handlers' annotations
//! and the types in the code. `kefu openapi` prints it; `docs/openapi.json` is the committed copy.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorDetail};
use crate::state::AppState;
use crate::views;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

/// Handlers of different areas share names (`list`, `create`, `me`), and utoipa takes the
/// operation id from the function name; client generators need them unique, so each becomes
/// `<tag>_<handler>`, e.g. `conversations_list`.
struct UniqueOperationIds;

impl Modify for UniqueOperationIds {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        for item in doc.paths.paths.values_mut() {
            let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for op in ops.into_iter().flatten() {
                let tag = op.tags.as_ref().and_then(|t| t.first()).cloned().unwrap_or_default();
                if let Some(id) = &mut op.operation_id {
                    if !tag.is_empty() && !id.starts_with(&format!("{tag}_")) {
                        *id = format!("{tag}_{id}");
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Kefu API", description = "Video customer service: conversations, routing, agents. Overview in docs/api.md. The WebSocket `/api/v1/ws?token=` sends `WsEvent` frames and reads `WsClientFrame`s."),
    modifiers(&BearerAuth, &UniqueOperationIds),
    paths(
        crate::api::auth::login,
        crate::api::auth::logout,
        crate::api::auth::me,
        crate::api::auth::change_password,
        crate::api::agents::list,
        crate::api::agents::create,
        crate::api::agents::me,
        crate::api::agents::set_status,
        crate::api::agents::set_status_of,
        crate::api::agents::update,
        crate::api::visitors::create,
        crate::api::visitors::me,
        crate::api::visitors::history,
        crate::api::visitors::logout,
        crate::api::visitors::block,
        crate::api::visitors::unblock,
        crate::api::conversations::create,
        crate::api::conversations::list,
        crate::api::conversations::one,
        crate::api::conversations::messages,
        crate::api::conversations::post_message,
        crate::api::conversations::read,
        crate::api::conversations::typing,
        crate::api::conversations::csat,
        crate::api::conversations::leave,
        crate::api::conversations::accept,
        crate::api::conversations::decline,
        crate::api::conversations::transfer,
        crate::api::transfer_candidates::candidates,
        crate::api::conversations::close,
        crate::api::calls::start,
        crate::api::calls::one,
        crate::api::calls::accept,
        crate::api::calls::decline,
        crate::api::calls::hangup,
        crate::api::calls::ice_servers,
        crate::api::calls::snapshot,
        crate::api::calls::quality,
        crate::api::calls::local_recording,
        crate::api::recordings::control,
        crate::api::recordings::of_call,
        crate::api::recordings::of_conversation,
        crate::api::recordings::download,
        crate::api::recordings::composition,
        crate::api::recordings::composition_file,
        crate::api::recordings::policies,
        crate::api::recordings::set_group_policy,
        crate::api::recordings::set_type_policy,
        crate::api::attachments::upload,
        crate::api::attachments::download,
        crate::api::groups::list,
        crate::api::groups::create,
        crate::api::groups::update,
        crate::api::groups::remove,
        crate::api::groups::set_members,
        crate::api::groups::list_types,
        crate::api::groups::create_type,
        crate::api::groups::update_type,
        crate::api::groups::remove_type,
        crate::api::wrap_up_codes::codes,
        crate::api::wrap_up_codes::create_code,
        crate::api::wrap_up_codes::update_code,
        crate::api::wrap_up_codes::reorder_codes,
        crate::api::wrap_up_codes::delete_code,
        crate::api::admin::keys,
        crate::api::admin::create_key,
        crate::api::admin::revoke_key,
        crate::api::admin::webhooks,
        crate::api::admin::create_webhook,
        crate::api::admin::update_webhook,
        crate::api::admin::delete_webhook,
        crate::api::admin::deliveries,
        crate::api::canned::list,
        crate::api::canned::create,
        crate::api::canned::update,
        crate::api::canned::remove,
        crate::api::history::closed,
        crate::api::take_over::take_over,
        crate::api::audit::list,
        crate::api::search::search,
        crate::api::notes::list,
        crate::api::notes::create,
        crate::api::notes::edit,
        crate::api::notes::notifications,
        crate::api::notes::read,
        crate::api::notes::read_all,
        crate::api::tags::list,
        crate::api::tags::create,
        crate::api::tags::update,
        crate::api::tags::remove,
        crate::api::tags::conversation_tags,
        crate::api::tags::tag_conversation,
        crate::api::tags::untag_conversation,
        crate::api::tags::visitor_tags,
        crate::api::tags::tag_visitor,
        crate::api::tags::untag_visitor,
        crate::api::qa::rules,
        crate::api::qa::create_rule,
        crate::api::qa::update_rule,
        crate::api::qa::delete_rule,
        crate::api::qa::add_starter,
        crate::api::qa::forms,
        crate::api::qa::create_form,
        crate::api::qa::update_form,
        crate::api::qa::reviewers,
        crate::api::qa::grant_reviewer,
        crate::api::qa::withdraw_reviewer,
        crate::api::qa::rescore,
        crate::api::qa_reviews::conversation,
        crate::api::qa_reviews::review,
        crate::api::qa_reviews::queue,
        crate::api::qa_reviews::sample,
        crate::api::qa_reviews::mine,
        crate::api::qa_reviews::appeal,
        crate::api::qa_reviews::appeals,
        crate::api::qa_reviews::decide,
        crate::api::qa_reviews::report,
        crate::api::qa_sampling::get_sampling,
        crate::api::qa_sampling::put_sampling,
        crate::api::stats::live,
        crate::api::stats::agent_day,
        crate::api::alerts::list_thresholds,
        crate::api::alerts::set_thresholds,
        crate::api::alerts::reset_thresholds,
        crate::api::alerts::today_alerts,
        crate::api::alerts::sentiment_alerts,
        crate::api::alerts::floor,
        crate::api::planning::groups,
        crate::api::planning::save_settings,
        crate::api::planning::import,
        crate::api::planning::forecast_view,
        crate::api::planning::staffing,
        crate::api::planning::make_schedule,
        crate::api::planning::latest_schedule,
        crate::api::planning_actuals::plan_actuals,
        crate::api::planning_actuals::schedules,
        crate::api::planning_actuals::export,
        crate::api::qa_report_export::export,
        crate::api::reports::conversations,
        crate::api::reports::agents,
        crate::api::reports::reasons,
        crate::api::maturity::assessment,
        crate::api::maturity::answer,
        crate::api::settings::show,
        crate::api::settings::save,
        crate::api::settings::workspace,
        crate::api::reports::export,
        crate::api::reports::exports,
        crate::api::widgets::config,
        crate::api::widgets::list,
        crate::api::widgets::one,
        crate::api::widgets::save,
        crate::api::widgets::remove,
        crate::api::widgets::identity_secret,
        crate::api::widgets::rotate_identity_secret
    ),
    // Types reached from a path are collected on their own; these are the ones no path names:
    // the WebSocket frames and their payloads.
    components(schemas(
        ErrorBody, ErrorDetail,
        views::WsEvent, views::WsClientFrame, views::Typing, views::MessageRead, views::OfferCreated, views::OfferReason,
        views::OfferRevoked, views::Hello, views::SessionEnded, views::Resync, views::QueueView, views::AgentView, views::ConversationView, views::MessageView,
        views::CallView, views::CallSdp, views::CallMoved, views::CallPeer, views::CallPeerState, views::CallReplaced, views::SnapshotRequested, views::SnapshotView, views::CallLayers, views::CaptureSize,
        views::NoteView, views::NoteKind, views::NotificationView, views::NotificationKind, views::TagList, views::TagView, views::VisitorTags,
        views::AuditEntity, views::AuditAction,
        views::FloorView, views::AlertView, views::SentimentAlertView, views::MessageSentimentView,
    ))
)]
pub struct ApiDoc;

/// The document as pretty JSON.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
