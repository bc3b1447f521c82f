//! The filters the admin tables offer beside text search and paging (crate::api::paging): a
//! row's status (tags, wrap-up codes, webhooks), a group's routing strategy, a business type's
//! group, an API key's scope. Each is its own query struct, read with a second `Query` extractor
//! next to `ListQuery` (serde's `flatten` would lose the numbers in a query string), and applied
//! before the page is cut, so `total` and the cursor count only matching rows.

use kefu_core::Strategy;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};

/// Enabled or disabled rows only.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StatusFilter {
    /// `enabled` or `disabled`; both without it.
    pub status: Option<String>,
}

impl StatusFilter {
    /// Whether a row that is `enabled` is shown (a bad value is refused, naming the field).
    pub fn wanted(&self) -> ApiResult<impl Fn(bool) -> bool> {
        let want = match self.status.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("enabled") => Some(true),
            Some("disabled") => Some(false),
            Some(other) => return Err(ApiError::invalid_field("status", format!("status: enabled or disabled, not {other:?}"))),
        };
        Ok(move |enabled: bool| want.is_none_or(|w| w == enabled))
    }
}

/// Skill groups by routing strategy.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct StrategyFilter {
    /// Only groups routing by this strategy (`load_balance`, `round_robin`, …).
    #[param(value_type = Option<Strategy>)]
    pub strategy: Option<Strategy>,
}

/// Business types by skill group.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct GroupFilter {
    /// Only those routed to this skill group.
    pub group_id: Option<i64>,
}

/// API keys by scope.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ScopeFilter {
    /// Only keys holding this scope (`conversations:read`, `admin`, …).
    pub scope: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keeps_the_asked_side_and_refuses_other_words() {
        let f = |s: Option<&str>| StatusFilter { status: s.map(String::from) };
        let enabled = f(Some("enabled")).wanted().unwrap();
        assert!(enabled(true) && !enabled(false));
        let disabled = f(Some("disabled")).wanted().unwrap();
        assert!(!disabled(true) && disabled(false));
        let both = f(None).wanted().unwrap();
        assert!(both(true) && both(false));
        assert!(f(Some("on")).wanted().is_err());
    }
}
