//! Who and what: staff users, visitors, skill groups and members, business types, wrap-up codes.

use kefu_core::{AgentStatusKind, ReturningBy, Role, Strategy};

use crate::{conflict, touched, Result, Store, StoreError};

/// A staff user (agent, supervisor, admin).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Login.
    pub email: String,
    /// Display name.
    pub name: String,
    /// agent | supervisor | admin.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Chat slots.
    pub capacity_chat: i64,
    /// Call slots.
    pub capacity_call: i64,
    /// offline | ready | away | wrap_up (as last set).
    pub status: AgentStatusKind,
    /// Why away.
    pub away_reason: Option<String>,
    /// End of wrap-up.
    pub wrap_up_until: Option<i64>,
    /// Disabled users cannot log in and get nothing routed.
    pub enabled: bool,
    /// Set for a generated one-time password: nothing but changing it is allowed.
    pub must_change_password: bool,
}

/// Fields of a new user.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Login.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: &'a str,
    /// Chat slots.
    pub capacity_chat: i64,
    /// Call slots.
    pub capacity_call: i64,
}

/// A visitor (访客) or known customer (客户).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VisitorRow {
    /// Id.
    pub id: i64,
    /// The business system's customer id, for known customers.
    pub external_id: Option<String>,
    /// Name.
    pub name: String,
    /// 0 = normal, 1..9 = VIP level.
    pub vip_level: i64,
    /// JSON object of attributes from the identity token.
    pub attributes: String,
    /// Account manager.
    pub designated_agent_id: Option<i64>,
    /// Preferred locale.
    pub locale: Option<String>,
    /// When a supervisor blocked the visitor (their tokens stop working); None if not blocked.
    pub blocked_at: Option<i64>,
    /// Why, as the supervisor wrote it.
    pub blocked_reason: Option<String>,
}

/// A known customer as the business system's identity token describes them.
#[derive(Debug, Clone, Copy)]
pub struct KnownCustomer<'a> {
    /// The business system's customer id.
    pub external_id: &'a str,
    /// Name.
    pub name: &'a str,
    /// 0 = normal, 1..9 = VIP level.
    pub vip_level: i64,
    /// JSON object.
    pub attributes: &'a str,
    /// Account manager.
    pub designated_agent_id: Option<i64>,
    /// Preferred locale.
    pub locale: Option<&'a str>,
}

/// A skill group.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GroupRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Strategy.
    pub strategy: Strategy,
    /// Fallback strategy.
    pub fallback_strategy: Strategy,
    /// `last` or `most`: which earlier agent a returning customer is held for.
    pub returning_by: ReturningBy,
    /// Hold for the named agent.
    pub hold_secs: i64,
    /// Offer timeout.
    pub offer_timeout_secs: i64,
    /// Missed offers before away.
    pub max_missed_offers: i64,
    /// Overflow after.
    pub overflow_after_secs: Option<i64>,
    /// Overflow target.
    pub overflow_group_id: Option<i64>,
    /// Wrap-up time.
    pub wrap_up_secs: i64,
    /// JSON BusinessHours, or NULL for always open.
    pub business_hours: Option<String>,
    /// CRM iframe template.
    pub crm_url_template: Option<String>,
    /// JSON object of the welcome message by locale, shown at the top of the customer's chat.
    pub welcome: String,
}

impl GroupRow {
    /// A new (unsaved) group with the default routing settings: load balance, 30 s offers and
    /// hold, away after 2 missed offers, no overflow, no wrap-up, always open.
    pub fn new(name: &str) -> GroupRow {
        GroupRow {
            id: 0,
            name: name.into(),
            strategy: Strategy::LoadBalance,
            fallback_strategy: Strategy::LoadBalance,
            returning_by: ReturningBy::Last,
            hold_secs: 30,
            offer_timeout_secs: 30,
            max_missed_offers: 2,
            overflow_after_secs: None,
            overflow_group_id: None,
            wrap_up_secs: 0,
            business_hours: None,
            crm_url_template: None,
            welcome: "{}".into(),
        }
    }
}

/// One membership.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct MemberRow {
    /// Group.
    pub group_id: i64,
    /// Agent.
    pub agent_id: i64,
    /// 1..=5.
    pub skill_level: i64,
}

/// A business type (业务类型) chosen in the pre-chat form.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BusinessTypeRow {
    /// Id.
    pub id: i64,
    /// Name shown to visitors.
    pub name: String,
    /// Where it routes.
    pub group_id: i64,
    /// Minimum agent skill.
    pub min_skill_level: i64,
    /// JSON object of the name by locale; a locale missing here shows `name`.
    pub names: String,
}

pub(crate) const USER_COLUMNS: &str =
    "id, email, name, role, password_hash, capacity_chat, capacity_call, status, away_reason, wrap_up_until, enabled,
    must_change_password";
const GROUP_COLUMNS: &str = "id, name, strategy, fallback_strategy, returning_by, hold_secs, offer_timeout_secs, max_missed_offers, overflow_after_secs, overflow_group_id, wrap_up_secs, business_hours, crm_url_template, welcome";
/// A new anonymous visitor (name, locale, created_at), the row as inserted.
pub(crate) fn insert_visitor_sql() -> String {
    format!("INSERT INTO visitors (name, locale, created_at) VALUES ($1, $2, $3) RETURNING {VISITOR_COLUMNS}")
}

pub(crate) const VISITOR_COLUMNS: &str =
    "id, external_id, name, vip_level, attributes, designated_agent_id, locale, blocked_at, blocked_reason";

impl Store {
    // ---- users ----

    /// Create a staff user.
    pub async fn create_user(&self, u: NewUser<'_>, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            sqlx::query_scalar(
                "INSERT INTO users (email, name, role, password_hash, capacity_chat, capacity_call, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(u.email)
            .bind(u.name)
            .bind(u.role)
            .bind(u.password_hash)
            .bind(u.capacity_chat)
            .bind(u.capacity_call)
            .bind(now)
            .fetch_one(&mut *conn)
            .await
            .map_err(conflict)
        })
    }

    /// A user by id.
    pub async fn user(&self, id: i64) -> Result<UserRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// A user by login (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)"))
                .bind(email)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// All users.
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        on_pool!(self, |pool| Ok(sqlx::query_as(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id")).fetch_all(pool).await?))
    }

    /// How many users exist (first start creates the admin when zero).
    pub async fn user_count(&self) -> Result<i64> {
        on_pool!(self, |pool| Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?))
    }

    /// Update profile fields; `None` leaves a field as it is. Demoting or disabling the last
    /// enabled admin is refused with `Conflict`: the check and the write are one statement, so
    /// two admins demoting each other at once cannot leave the organisation without one. On
    /// PostgreSQL the enabled admins are locked first, so the second of two such updates counts
    /// after the first committed.
    #[allow(clippy::too_many_arguments)]
    pub async fn update_user(
        &self,
        id: i64,
        name: Option<&str>,
        role: Option<Role>,
        password_hash: Option<&str>,
        capacity: Option<(i64, i64)>,
        enabled: Option<bool>,
    ) -> Result<()> {
        in_write!(self, |conn| {
            if dialect::LOCKS_ROWS {
                sqlx::query(&format!("SELECT id FROM users WHERE role = 'admin' AND enabled = TRUE{}", dialect::FOR_UPDATE))
                    .execute(&mut *conn)
                    .await?;
            }
            let done = sqlx::query(
                "UPDATE users SET name = COALESCE($1, name), role = COALESCE($2, role), password_hash = COALESCE($3, password_hash),
             capacity_chat = COALESCE($4, capacity_chat), capacity_call = COALESCE($5, capacity_call), enabled = COALESCE($6, enabled)
             WHERE id = $7
               AND NOT (role = 'admin' AND enabled = TRUE
                        AND (COALESCE($2, role) <> 'admin' OR COALESCE($6, enabled) = FALSE)
                        AND (SELECT COUNT(*) FROM users WHERE role = 'admin' AND enabled = TRUE) <= 1)",
            )
            .bind(name)
            .bind(role)
            .bind(password_hash)
            .bind(capacity.map(|c| c.0))
            .bind(capacity.map(|c| c.1))
            .bind(enabled)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            if done.rows_affected() == 0 {
                sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .ok_or(StoreError::NotFound)?;
                return Err(StoreError::Conflict("the last enabled admin cannot be demoted or disabled".into()));
            }
            Ok(())
        })
    }

    /// Set a user's password; `must_change` marks it one-time.
    pub async fn set_password(&self, id: i64, password_hash: &str, must_change: bool) -> Result<()> {
        in_write!(self, |conn| {
            let done = sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
                .bind(password_hash)
                .bind(must_change)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            touched(done.rows_affected())
        })
    }

    /// Record an agent's status (the routing task is the only caller).
    pub async fn set_user_status(
        &self,
        id: i64,
        status: AgentStatusKind,
        away_reason: Option<&str>,
        wrap_up_until: Option<i64>,
    ) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE users SET status = $1, away_reason = $2, wrap_up_until = $3 WHERE id = $4")
                .bind(status)
                .bind(away_reason)
                .bind(wrap_up_until)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    // ---- visitors ----

    /// Create an anonymous visitor.
    pub async fn create_visitor(&self, name: &str, locale: Option<&str>, now: i64) -> Result<VisitorRow> {
        let insert = insert_visitor_sql();
        in_write!(self, |conn| Ok(sqlx::query_as(&insert).bind(name).bind(locale).bind(now).fetch_one(&mut *conn).await?))
    }

    /// Create or update the known customer with this external id.
    pub async fn upsert_customer(&self, c: &KnownCustomer<'_>, now: i64) -> Result<VisitorRow> {
        in_write!(self, |conn| {
            let KnownCustomer { external_id, name, vip_level, attributes, designated_agent_id, locale } = *c;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO visitors (external_id, name, vip_level, attributes, designated_agent_id, locale, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (external_id) DO UPDATE SET name = excluded.name, vip_level = excluded.vip_level,
               attributes = excluded.attributes, designated_agent_id = excluded.designated_agent_id,
               locale = COALESCE(excluded.locale, visitors.locale)
             RETURNING id",
            )
            .bind(external_id)
            .bind(name)
            .bind(vip_level)
            .bind(attributes)
            .bind(designated_agent_id)
            .bind(locale)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
            Ok(sqlx::query_as(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1")).bind(id).fetch_one(&mut *conn).await?)
        })
    }

    /// Block a visitor (`Some((reason, by, now))`) or unblock them (`None`); NotFound if no such visitor.
    pub async fn set_visitor_blocked(&self, id: i64, block: Option<(&str, Option<i64>, i64)>) -> Result<VisitorRow> {
        in_write!(self, |conn| {
            let (reason, by, at) = match block {
                Some((reason, by, at)) => (Some(reason), by, Some(at)),
                None => (None, None, None),
            };
            let done = sqlx::query("UPDATE visitors SET blocked_at = $1, blocked_reason = $2, blocked_by = $3 WHERE id = $4")
                .bind(at)
                .bind(reason)
                .bind(by)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            crate::touched(done.rows_affected())?;
            Ok(sqlx::query_as(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1")).bind(id).fetch_one(&mut *conn).await?)
        })
    }

    /// The reason a known customer is blocked, if they are.
    pub async fn customer_block(&self, external_id: &str) -> Result<Option<String>> {
        on_pool!(self, |pool| {
            let row: Option<(Option<String>,)> =
                sqlx::query_as("SELECT blocked_reason FROM visitors WHERE external_id = $1 AND blocked_at IS NOT NULL")
                    .bind(external_id)
                    .fetch_optional(pool)
                    .await?;
            Ok(row.map(|(r,)| r.unwrap_or_default()))
        })
    }

    /// A visitor by id.
    pub async fn visitor(&self, id: i64) -> Result<VisitorRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {VISITOR_COLUMNS} FROM visitors WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    // ---- groups ----

    /// All groups.
    pub async fn groups(&self) -> Result<Vec<GroupRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as(&format!("SELECT {GROUP_COLUMNS} FROM skill_groups ORDER BY id")).fetch_all(pool).await?)
        })
    }

    /// One group.
    pub async fn group(&self, id: i64) -> Result<GroupRow> {
        on_pool!(self, |pool| {
            sqlx::query_as(&format!("SELECT {GROUP_COLUMNS} FROM skill_groups WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Insert (id = 0) or update a group; returns its id.
    pub async fn save_group(&self, g: &GroupRow, now: i64) -> Result<i64> {
        in_write!(self, |conn| {
            // Both statements take the same thirteen fields; the last value is created_at or the id.
            let (sql, last) = if g.id == 0 {
                (
                    "INSERT INTO skill_groups (name, strategy, fallback_strategy, returning_by, hold_secs, offer_timeout_secs,
                   max_missed_offers, overflow_after_secs, overflow_group_id, wrap_up_secs, business_hours, crm_url_template, welcome, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
                    now,
                )
            } else {
                (
                    "UPDATE skill_groups SET name = $1, strategy = $2, fallback_strategy = $3, returning_by = $4, hold_secs = $5,
                   offer_timeout_secs = $6, max_missed_offers = $7, overflow_after_secs = $8, overflow_group_id = $9, wrap_up_secs = $10,
                   business_hours = $11, crm_url_template = $12, welcome = $13 WHERE id = $14 RETURNING id",
                    g.id,
                )
            };
            sqlx::query_scalar(sql)
                .bind(&g.name)
                .bind(g.strategy)
                .bind(g.fallback_strategy)
                .bind(g.returning_by)
                .bind(g.hold_secs)
                .bind(g.offer_timeout_secs)
                .bind(g.max_missed_offers)
                .bind(g.overflow_after_secs)
                .bind(g.overflow_group_id)
                .bind(g.wrap_up_secs)
                .bind(&g.business_hours)
                .bind(&g.crm_url_template)
                .bind(&g.welcome)
                .bind(last)
                .fetch_optional(&mut *conn)
                .await
                .map_err(conflict)?
                .ok_or(StoreError::NotFound)
        })
    }

    /// Delete a group (the caller checked it is unused by the router).
    pub async fn delete_group(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let used: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM conversations WHERE group_id = $1) + (SELECT COUNT(*) FROM business_types WHERE group_id = $1)
               + (SELECT COUNT(*) FROM skill_groups WHERE overflow_group_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
            if used > 0 {
                return Err(StoreError::Conflict("the group has conversations, business types or overflow from other groups".into()));
            }
            sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(id).execute(&mut *conn).await?;
            let done = sqlx::query("DELETE FROM skill_groups WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())?;
            Ok(())
        })
    }

    /// All memberships.
    pub async fn members(&self) -> Result<Vec<MemberRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT group_id, agent_id, skill_level FROM group_members ORDER BY group_id, agent_id")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Replace a group's members.
    pub async fn set_members(&self, group_id: i64, members: &[(i64, i64)]) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("DELETE FROM group_members WHERE group_id = $1").bind(group_id).execute(&mut *conn).await?;
            for &(agent, level) in members {
                sqlx::query("INSERT INTO group_members (group_id, agent_id, skill_level) VALUES ($1, $2, $3)")
                    .bind(group_id)
                    .bind(agent)
                    .bind(level)
                    .execute(&mut *conn)
                    .await
                    .map_err(conflict)?;
            }
            Ok(())
        })
    }

    // ---- business types and wrap-up codes ----

    /// All business types.
    pub async fn business_types(&self) -> Result<Vec<BusinessTypeRow>> {
        on_pool!(self, |pool| {
            Ok(sqlx::query_as("SELECT id, name, group_id, min_skill_level, names FROM business_types ORDER BY id").fetch_all(pool).await?)
        })
    }

    /// Insert (id = 0) or update a business type.
    pub async fn save_business_type(&self, b: &BusinessTypeRow) -> Result<i64> {
        in_write!(self, |conn| {
            let sql = if b.id == 0 {
                "INSERT INTO business_types (name, group_id, min_skill_level, names) VALUES ($1, $2, $3, $4) RETURNING id"
            } else {
                "UPDATE business_types SET name = $1, group_id = $2, min_skill_level = $3, names = $4 WHERE id = $5 RETURNING id"
            };
            let mut q = sqlx::query_scalar(sql).bind(&b.name).bind(b.group_id).bind(b.min_skill_level).bind(&b.names);
            if b.id != 0 {
                q = q.bind(b.id);
            }
            q.fetch_optional(&mut *conn).await.map_err(conflict)?.ok_or(StoreError::NotFound)
        })
    }

    /// Delete a business type.
    pub async fn delete_business_type(&self, id: i64) -> Result<()> {
        in_write!(self, |conn| {
            let used: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM conversations WHERE business_type_id = $1").bind(id).fetch_one(&mut *conn).await?;
            if used > 0 {
                return Err(StoreError::Conflict("conversations refer to this business type".into()));
            }
            let done = sqlx::query("DELETE FROM business_types WHERE id = $1").bind(id).execute(&mut *conn).await?;
            touched(done.rows_affected())?;
            Ok(())
        })
    }
}

impl Store {
    /// Set an anonymous visitor's name (from the pre-chat form).
    pub async fn rename_visitor(&self, id: i64, name: &str) -> Result<()> {
        in_write!(self, |conn| {
            sqlx::query("UPDATE visitors SET name = $1 WHERE id = $2 AND external_id IS NULL")
                .bind(name)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }
}
