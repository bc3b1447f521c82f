//! Skill groups with their routing settings, and business types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ReturningBy, Strategy};
use std::collections::BTreeMap;

use kefu_store::{BusinessTypeRow, GroupRow};

/// One weekday's opening window.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DayHoursView {
    /// 1 = Monday .. 7 = Sunday
    pub weekday: u8,
    /// "09:00", local to `utc_offset_minutes`
    pub open: String,
    /// "18:00"
    pub close: String,
}

/// Weekly schedule with its holiday calendar.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BusinessHoursView {
    /// IANA time zone, e.g. "Asia/Shanghai" (daylight saving followed where the zone has it).
    /// When null, `utc_offset_minutes` is used.
    #[serde(default)]
    #[schema(required = true)]
    pub time_zone: Option<String>,
    /// A fixed offset, e.g. 480 for UTC+8; used only without `time_zone`.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Open days; a day not listed is closed.
    pub days: Vec<DayHoursView>,
    /// Local dates closed all day (public holidays).
    #[serde(default)]
    pub holidays: Vec<HolidayView>,
    /// Local dates worked although their weekday is closed (调休), with the hours of `as_weekday`.
    #[serde(default)]
    pub make_up_days: Vec<MakeUpDayView>,
}

/// A day closed all day.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HolidayView {
    /// "2026-10-01"
    pub date: String,
    /// e.g. "国庆节"; shown to admins only.
    #[serde(default)]
    pub name: String,
}

/// A make-up working day (调休).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MakeUpDayView {
    /// "2026-10-10"
    pub date: String,
    /// Whose hours apply: 1 = Monday .. 7 = Sunday.
    pub as_weekday: u8,
    /// e.g. "国庆调休"; shown to admins only.
    #[serde(default)]
    pub name: String,
}

/// A skill group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupView {
    pub id: i64,
    pub name: String,
    pub strategy: Strategy,
    /// Used when `strategy` names no available agent; never itself a naming strategy.
    pub fallback_strategy: Strategy,
    /// Which earlier agent a returning customer waits for.
    pub returning_by: ReturningBy,
    /// How long a conversation waits for a named agent (returning customer, designated).
    pub returning_window_secs: i64,
    /// How long an agent has to accept an offer.
    pub offer_timeout_secs: i64,
    /// Offers in a row an agent may let time out before being set away (0 = never).
    pub max_missed_offers: i64,
    /// Waiting longer than this moves the conversation to `overflow_group_id`.
    #[schema(required = true)]
    pub overflow_after_secs: Option<i64>,
    #[schema(required = true)]
    pub overflow_group_id: Option<i64>,
    /// 话后整理 time after an agent closes a conversation of this group (0 = none).
    pub wrap_up_secs: i64,
    /// null = always open.
    #[schema(required = true)]
    pub business_hours: Option<BusinessHoursView>,
    /// The customer panel's CRM page, e.g. "https://crm.example/customer?id={external_id}".
    #[schema(required = true)]
    pub crm_url_template: Option<String>,
    pub members: Vec<GroupMember>,
    /// How soon (seconds) agents should answer a customer's message: the workspace colours each
    /// conversation's reply wait against it (amber past half, red past it).
    pub reply_target_secs: i64,
    /// The group's service-level target (s) reports judge it by; null = the server's default.
    #[schema(required = true)]
    pub service_level_target_secs: Option<i64>,
    /// Welcome message by language (`zh-CN`, `en`), shown at the top of the customer's chat.
    pub welcome: BTreeMap<String, String>,
}

/// A member of a group.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct GroupMember {
    pub agent_id: i64,
    /// 1 to 5.
    pub skill_level: i64,
}

impl GroupView {
    /// Build from the row and its members.
    pub fn build(g: &GroupRow, members: Vec<GroupMember>) -> GroupView {
        GroupView {
            id: g.id,
            name: g.name.clone(),
            strategy: g.strategy,
            fallback_strategy: g.fallback_strategy,
            returning_by: g.returning_by,
            returning_window_secs: g.hold_secs,
            offer_timeout_secs: g.offer_timeout_secs,
            max_missed_offers: g.max_missed_offers,
            overflow_after_secs: g.overflow_after_secs,
            overflow_group_id: g.overflow_group_id,
            wrap_up_secs: g.wrap_up_secs,
            business_hours: g.business_hours.as_deref().and_then(|h| serde_json::from_str(h).ok()),
            crm_url_template: g.crm_url_template.clone(),
            members,
            reply_target_secs: 60,
            service_level_target_secs: None,
            welcome: crate::text::stored_localized(&g.welcome),
        }
    }
}

/// `GET /api/v1/groups`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupList {
    pub groups: Vec<GroupView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// A business type: what a visitor picks, mapped to the group that serves it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BusinessTypeView {
    pub id: i64,
    /// Shown to visitors whose language has no entry in `names`.
    pub name: String,
    /// The name by language (`zh-CN`, `en`); a language missing here shows `name`.
    pub names: BTreeMap<String, String>,
    pub group_id: i64,
    /// Only agents with at least this skill level in the group are offered these conversations.
    pub min_skill_level: i64,
}

impl From<&BusinessTypeRow> for BusinessTypeView {
    fn from(t: &BusinessTypeRow) -> Self {
        BusinessTypeView {
            id: t.id,
            name: t.name.clone(),
            names: crate::text::stored_localized(&t.names),
            group_id: t.group_id,
            min_skill_level: t.min_skill_level,
        }
    }
}

/// `GET /api/v1/business-types`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BusinessTypeList {
    pub business_types: Vec<BusinessTypeView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page (and when no `limit` was given).
    #[schema(required = true)]
    pub next_after: Option<i64>,
}
