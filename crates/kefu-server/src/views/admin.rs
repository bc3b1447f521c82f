//! Admin settings: wrap-up codes, integrators' API keys, webhooks and their delivery log.

use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiKeyScope, DeliveryStatus, WebhookEvent};
use crate::clock::rfc3339;
use kefu_store::{ApiKeyRow, DeliveryRow, WebhookRow, WrapUpCodeRow};

/// A wrap-up code (服务小结) an agent picks when closing a conversation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WrapUpCodeView {
    pub id: i64,
    /// Stored on the conversation.
    pub code: String,
    /// Shown to agents.
    pub label: String,
    /// Not offered when closing; conversations closed with it keep showing it.
    pub disabled: bool,
}

impl From<&WrapUpCodeRow> for WrapUpCodeView {
    fn from(c: &WrapUpCodeRow) -> Self {
        WrapUpCodeView { id: c.id, code: c.code.clone(), label: c.label.clone(), disabled: c.disabled }
    }
}

/// `GET /api/v1/wrap-up-codes`, in the admin's order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WrapUpCodeList {
    pub codes: Vec<WrapUpCodeView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// An integrator's API key (the key itself is shown only once, when created).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyView {
    pub id: i64,
    pub name: String,
    /// First characters of the key, to recognise it.
    pub prefix: String,
    #[schema(value_type = Vec<ApiKeyScope>)]
    pub scopes: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&ApiKeyRow> for ApiKeyView {
    fn from(k: &ApiKeyRow) -> Self {
        ApiKeyView {
            id: k.id,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            scopes: serde_json::from_str(&k.scopes).unwrap_or_default(),
            created_at: rfc3339(k.created_at),
        }
    }
}

/// `GET /api/v1/api-keys`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub api_keys: Vec<ApiKeyView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// `POST /api/v1/api-keys`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiKeyCreated {
    pub api_key: ApiKeyView,
    /// The key (`kefu_...`), shown this once: send it as `Authorization: Bearer <key>`.
    pub key: String,
}

/// An outgoing webhook.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    #[schema(value_type = Vec<WebhookEvent>)]
    pub events: Vec<String>,
    /// Paused when false.
    pub active: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&WebhookRow> for WebhookView {
    fn from(w: &WebhookRow) -> Self {
        WebhookView {
            id: w.id,
            url: w.url.clone(),
            events: serde_json::from_str(&w.events).unwrap_or_default(),
            active: w.active,
            created_at: rfc3339(w.created_at),
        }
    }
}

/// `GET /api/v1/webhooks`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<WebhookView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WebhookCreated {
    pub webhook: WebhookView,
    /// The HMAC-SHA256 key deliveries are signed with (`X-Kefu-Signature`), shown this once.
    pub secret: String,
}

/// One delivery of an event to a webhook, with its retries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryView {
    pub id: i64,
    /// The event name, e.g. `conversation.assigned`.
    pub event: String,
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub attempts: i64,
    /// The receiver's last HTTP status.
    #[schema(required = true)]
    pub last_status_code: Option<i64>,
    /// Why the last attempt failed, as a summary: `HTTP 500`, `timeout`, `connection refused`,
    /// `DNS lookup failed`, `refused: private address` (never the receiver's body or error text).
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub next_attempt_at: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&DeliveryRow> for DeliveryView {
    fn from(d: &DeliveryRow) -> Self {
        DeliveryView {
            id: d.id,
            event: d.event.clone(),
            status: d.status.clone(),
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error.clone(),
            next_attempt_at: rfc3339(d.next_attempt_at),
            created_at: rfc3339(d.created_at),
        }
    }
}

/// `GET /api/v1/webhooks/{id}/deliveries`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryList {
    pub deliveries: Vec<DeliveryView>,
    /// Deliveries of the webhook on every page together.
    pub total: i64,
    /// `after` for the next (older) page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
