//! Who may do what with QA. Reviewers are a permission of their own (the `qa_reviewers` table,
//! granted by admins to any user): reviewing is a job given to some agents or supervisors, not a
//! rank, so it is orthogonal to the agent < supervisor < admin order. Admins may do everything;
//! supervisors read results and reports and decide appeals; an agent sees only their own.

use crate::auth::{Role, Staff};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::ApiKeyScope as Scope;

/// Whether the caller may review: an admin (user or `admin` key), or a user granted it.
pub async fn is_reviewer(state: &AppState, staff: &Staff) -> ApiResult<bool> {
    if staff.scopes.contains(&Scope::Admin) {
        return Ok(true);
    }
    Ok(staff.is_user() && state.store.is_qa_reviewer(staff.id).await?)
}

/// Refuse all but reviewers (and admins).
pub async fn require_reviewer(state: &AppState, staff: &Staff) -> ApiResult<()> {
    if is_reviewer(state, staff).await? {
        return Ok(());
    }
    Err(ApiError::Forbidden("this needs the QA reviewer permission (an admin grants it)".into()))
}

/// Supervisors and admins (users), or keys with `stats:read`: they read QA results and reports.
pub fn is_supervisor(staff: &Staff) -> bool {
    staff.scopes.contains(&Scope::StatsRead) && (!staff.is_user() || staff.role >= Role::Supervisor)
}

/// Reviewers, supervisors and admins: the QA report.
pub async fn require_report_reader(state: &AppState, staff: &Staff) -> ApiResult<()> {
    if is_supervisor(staff) || is_reviewer(state, staff).await? {
        return Ok(());
    }
    Err(ApiError::Forbidden("the QA report needs the supervisor role or the QA reviewer permission".into()))
}

/// A person who decides appeals: a supervisor or admin user (a decision names who took it).
pub fn require_appeal_judge(staff: &Staff) -> ApiResult<()> {
    if staff.is_user() && staff.role >= Role::Supervisor {
        return Ok(());
    }
    Err(ApiError::Forbidden("deciding an appeal needs a supervisor or admin user".into()))
}

/// A human user (the agent's own QA views and appeals have no meaning for an API key).
pub fn require_user(staff: &Staff) -> ApiResult<i64> {
    if staff.is_user() {
        return Ok(staff.id);
    }
    Err(ApiError::Forbidden("this is for a staff user, not an API key".into()))
}
