//! Widget settings (per widget name) and the public configuration the widget reads.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::FieldKind;

/// One pre-chat form field.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FormField {
    /// `name`, `topic` and `business_type_id` fill the conversation; other fields go into the
    /// opening message as "label: value" lines.
    pub name: String,
    /// Label per locale (`zh-CN`, `en`).
    pub label: BTreeMap<String, String>,
    pub required: bool,
    /// `select` = the business type picker (only for `business_type_id`).
    #[schema(value_type = FieldKind)]
    pub kind: String,
}

/// A widget's settings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WidgetSettings {
    /// The pre-chat form, at most 10 fields.
    pub fields: Vec<FormField>,
    /// Welcome text per locale (`zh-CN`, `en`).
    pub welcome: BTreeMap<String, String>,
    /// Business types this widget offers (all when empty).
    #[serde(default)]
    pub business_type_ids: Vec<i64>,
    /// Origins of the sites that embed this widget (`https://shop.example`, at most 20). Only they
    /// (and this server's own pages) may frame the chat, and identity tokens used with the widget
    /// must name one of them in `aud`. Empty: only this server's own pages (the demo) may frame it.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// How the launcher and the chat look on the customer's site.
    #[serde(default)]
    pub branding: WidgetBranding,
}

/// A widget's look: the launcher's colour and corner, the chat header's title and logo.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct WidgetBranding {
    /// `#rrggbb`: the launcher, the chat header and the customer's buttons.
    pub color: String,
    /// The corner of the page the launcher sits in.
    pub position: LauncherPosition,
    /// The chat header's title per locale (`zh-CN`, `en`; at most 32 characters); the built-in
    /// title where absent.
    pub title: BTreeMap<String, String>,
    /// A small logo shown in the header: a `data:image/png|jpeg|webp|svg+xml;base64,...` URL of at
    /// most 100 KB (kept with the settings, so the widget loads nothing from elsewhere).
    pub logo: Option<String>,
}

impl Default for WidgetBranding {
    fn default() -> Self {
        WidgetBranding { color: "#1f5fbf".into(), position: LauncherPosition::Right, title: BTreeMap::new(), logo: None }
    }
}

/// Bottom right (default) or bottom left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LauncherPosition {
    #[default]
    Right,
    Left,
}

/// The pre-chat form.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreChatForm {
    pub fields: Vec<FormField>,
}

/// A business type as the widget offers it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BusinessTypeOption {
    pub id: i64,
    /// Shown where `names` has no entry for the customer's language.
    pub name: String,
    /// The name by language (`zh-CN`, `en`).
    pub names: BTreeMap<String, String>,
    /// False outside the group's business hours or when nobody of the group is logged in: the
    /// widget then offers to leave a message (留言).
    pub open: bool,
    /// Why it is not open (null when open), so the widget can say which: "outside service
    /// hours" misleads a customer when the hours are on and only nobody is logged in.
    #[schema(required = true)]
    pub closed_reason: Option<ClosedReason>,
}

/// Why a business type takes no live conversations now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClosedReason {
    /// Outside the group's business hours (or a holiday).
    OutsideHours,
    /// Within the hours, but nobody of the group is logged in.
    NoAgent,
}

/// `GET /api/v1/widget/config`: what the widget shows before a conversation starts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WidgetConfig {
    pub pre_chat_form: PreChatForm,
    pub business_types: Vec<BusinessTypeOption>,
    /// Welcome text per locale (`zh-CN`, `en`).
    pub welcome: BTreeMap<String, String>,
    pub branding: WidgetBranding,
    /// The welcome message of each skill group that has one: shown at the top of a chat the
    /// group serves.
    pub group_welcomes: Vec<GroupWelcome>,
    /// The most characters (Unicode code points after trimming) a message text may have: the
    /// composer counts against it, so it never lets the customer type what the server refuses.
    pub max_message_chars: usize,
}

/// A skill group's welcome message by locale.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupWelcome {
    pub group_id: i64,
    pub welcome: BTreeMap<String, String>,
}

/// One widget in the admin list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WidgetEntry {
    pub name: String,
    pub settings: WidgetSettings,
}

/// `GET /api/v1/widgets`: a page of the widgets, `default` (always present) first, then by name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WidgetList {
    pub widgets: Vec<WidgetEntry>,
    /// Widgets matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page (a widget's name); null on the last page.
    pub next_after: Option<String>,
}

/// `GET /api/v1/widgets/identity-secret`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IdentitySecret {
    /// The HMAC-SHA256 key business systems sign visitor identity tokens with.
    pub secret: String,
}
