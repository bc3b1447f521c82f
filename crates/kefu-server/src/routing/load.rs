//! Between stored rows and the core's types, and the restore after a restart: groups, agents
//! and every open conversation go back into the router with their original arrival time.

use kefu_core::{
    AgentId, AgentStatus, AwayReason, BusinessHours, Capacity, ConversationId, DayHours, GroupConfig, GroupId, Input, MakeUpDay, Media,
    Millis, Priority, SkillLevel, Waiting, ZoneName,
};
use kefu_core::{AgentStatusKind, ConversationStatus};

use crate::clock::now_ms;
use crate::realtime::frame;
use crate::routing::Engine;
use crate::views::{BusinessHoursView, OfferRevoked, OfferRevokedReason};
use kefu_store::{GroupRow, UserRow};
use serde_json::json;

/// The core's view of a stored group.
pub fn group_config(g: &GroupRow) -> Result<GroupConfig, String> {
    let (strategy, fallback) = (g.strategy, g.fallback_strategy);
    if fallback.names_agent() {
        return Err("fallback_strategy: must not itself name an agent (use load_balance, round_robin, random or skill_level)".into());
    }
    let business_hours = match &g.business_hours {
        None => None,
        Some(text) => {
            let view: BusinessHoursView = serde_json::from_str(text).map_err(|e| format!("business_hours: {e}"))?;
            let days = view
                .days
                .iter()
                .map(|d| DayHours::parse(d.weekday, &d.open, &d.close))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("business_hours: {e}"))?;
            Some(business_hours(&view, days).map_err(|e| format!("business_hours: {e}"))?)
        }
    };
    let secs = |v: i64, field: &str| u32::try_from(v).map_err(|_| format!("{field}: must be between 0 and {}", u32::MAX));
    Ok(GroupConfig {
        strategy,
        fallback,
        hold_secs: secs(g.hold_secs, "returning_window_secs")?,
        offer_timeout_secs: secs(g.offer_timeout_secs, "offer_timeout_secs")?.max(5),
        max_missed_offers: secs(g.max_missed_offers, "max_missed_offers")?,
        overflow_after_secs: g.overflow_after_secs.map(|v| secs(v, "overflow_after_secs")).transpose()?,
        overflow_to: g.overflow_group_id.map(GroupId),
        wrap_up_secs: secs(g.wrap_up_secs, "wrap_up_secs")?,
        business_hours,
    })
}

/// Stored status text to the core's status.
pub fn parse_status(status: AgentStatusKind, away_reason: Option<&str>, wrap_up_until: Option<i64>) -> AgentStatus {
    match status {
        AgentStatusKind::Ready => AgentStatus::Ready,
        AgentStatusKind::Away => AgentStatus::Away(match away_reason {
            Some("missed_offers") => AwayReason::MissedOffers,
            other => AwayReason::Other(other.unwrap_or("").to_string()),
        }),
        AgentStatusKind::WrapUp => AgentStatus::WrapUp { until: Millis(wrap_up_until.unwrap_or(0)) },
        AgentStatusKind::Offline => AgentStatus::Offline,
    }
}

/// The core's status to (status, away_reason, wrap_up_until) columns.
pub fn status_text(status: &AgentStatus) -> (AgentStatusKind, Option<String>, Option<i64>) {
    let kind = AgentStatusKind::of(status);
    match status {
        AgentStatus::Offline | AgentStatus::Ready => (kind, None, None),
        AgentStatus::Away(AwayReason::MissedOffers) => (kind, Some("missed_offers".into()), None),
        AgentStatus::Away(AwayReason::Other(r)) => (kind, Some(r.clone()), None),
        AgentStatus::WrapUp { until } => (kind, None, Some(until.0)),
    }
}

/// The AgentUpdated input for a stored user.
pub fn agent_input(u: &UserRow, memberships: Vec<(GroupId, SkillLevel)>) -> Input {
    let cap = |v: i64| u16::try_from(v.clamp(0, 1000)).unwrap_or(0);
    Input::AgentUpdated {
        agent: AgentId(u.id),
        capacity: Capacity { chat: cap(u.capacity_chat), call: cap(u.capacity_call) },
        groups: if u.enabled { memberships } else { vec![] },
    }
}

/// Rebuild the router from the database.
pub(crate) async fn restore(engine: &mut Engine) -> anyhow::Result<()> {
    let now = Millis(now_ms());
    let groups = engine.store.groups().await?;
    // Groups first without overflow (targets may come later), then with it.
    for g in &groups {
        let mut config = group_config(g).map_err(|e| anyhow::anyhow!("group {}: {e}", g.id))?;
        config.overflow_to = None;
        config.overflow_after_secs = None;
        engine.router.handle_input(now, Input::GroupUpdated { group: GroupId(g.id), config })?;
    }
    for g in &groups {
        let config = group_config(g).map_err(|e| anyhow::anyhow!("group {}: {e}", g.id))?;
        engine.router.handle_input(now, Input::GroupUpdated { group: GroupId(g.id), config })?;
    }
    let members = engine.store.members().await?;
    let users = engine.store.users().await?;
    for u in &users {
        let mine = members
            .iter()
            .filter(|m| m.agent_id == u.id)
            .filter_map(|m| Some((GroupId(m.group_id), SkillLevel::parse(m.skill_level)?)))
            .collect();
        engine.router.handle_input(now, agent_input(u, mine))?;
    }
    // In a cluster calls outlive a failover of routing (a lone node ended its own at start-up):
    // their agents' call slots are taken again.
    let calls: std::collections::HashSet<i64> = engine.store.open_calls().await?.iter().map(|c| c.conversation_id).collect();
    for c in engine.store.routable_conversations().await? {
        match (c.status, c.agent_id) {
            (ConversationStatus::Assigned, Some(agent)) => {
                let input = Input::ConversationAssigned {
                    conversation: ConversationId(c.id),
                    group: GroupId(c.group_id),
                    // A chat, whatever it started as: an open call takes its slot below.
                    media: Media::Chat,
                    agent: AgentId(agent),
                    // The real start, so the handle time of a conversation served across a
                    // restart is not cut short.
                    assigned_at: Millis(c.assigned_at.unwrap_or(now.0)),
                };
                if let Err(e) = engine.router.handle_input(now, input) {
                    tracing::error!(conversation = c.id, error = %e, "could not restore an assigned conversation");
                } else if calls.contains(&c.id) {
                    if let Err(e) = engine.router.handle_input(now, Input::CallStarted { conversation: ConversationId(c.id) }) {
                        tracing::error!(conversation = c.id, error = %e, "could not restore a call's slot");
                    }
                }
            }
            _ => {
                // Offers do not survive a restart: the conversation waits again, in its old place.
                let mut tx = engine.begin().await?;
                tx.set_queued(c.id, c.group_id).await?;
                let offered_to = c.offered_agent_id.filter(|_| c.status == ConversationStatus::Offered);
                if let Some(agent) = offered_to {
                    let why = json!({ "reason": OfferRevokedReason::Rerouted });
                    tx.log_routing("offer_withdrawn", Some(c.id), Some(agent), Some(c.group_id), &why, now.0).await?;
                }
                tx.commit().await?;
                // In a cluster the agent's socket may be on a node that lives on: the old offer
                // leaves their screen before the rebuilt router offers anything (perhaps the
                // same conversation again, perhaps to someone else).
                if let Some(agent) = offered_to {
                    let revoked = serde_json::to_value(OfferRevoked { reason: OfferRevokedReason::Rerouted }).unwrap_or_default();
                    engine.hub.to_user(agent, &frame("offer.revoked", Some(c.id), None, &revoked));
                }
                let input = engine.queued_input(&crate::routing::ops::Queued::of(&c)).await;
                if let Err(e) = engine.router.handle_input(now, input) {
                    tracing::error!(conversation = c.id, error = %e, "could not restore a queued conversation");
                }
            }
        }
    }
    // Statuses last, so the first dispatch sees every conversation in line.
    for u in &users {
        let status = parse_status(u.status, u.away_reason.as_deref(), u.wrap_up_until);
        engine.router.handle_input(now, Input::AgentStatusSet { agent: AgentId(u.id), status })?;
    }
    // Conversations stranded with an agent disabled before this was handled go back in line.
    for u in users.iter().filter(|u| !u.enabled) {
        engine.router.handle_input(now, Input::AgentDisabled { agent: AgentId(u.id) })?;
    }
    engine.drain().await;
    Ok(())
}

impl Engine {
    /// The `ConversationQueued` input for a stored conversation (new, or restored with its
    /// original arrival time), naming the agent a returning or designated customer waits for.
    pub(crate) async fn queued_input(&mut self, c: &crate::routing::ops::Queued) -> Input {
        self.visitors.insert(c.conversation, c.visitor);
        Input::ConversationQueued(Waiting {
            conversation: ConversationId(c.conversation),
            group: GroupId(c.group),
            media: media_of(&c.media),
            priority: Priority(c.priority.clamp(0, 9) as u8),
            queued_at: Millis(c.queued_at),
            min_skill: SkillLevel::parse(c.min_skill_level).unwrap_or(SkillLevel::MIN),
            named_agent: self.named_agent(c.visitor, c.group).await,
            front: c.front,
        })
    }
}

/// The stored media column as the core's media: a conversation queued for a call (the video
/// service) waits for a call slot.
fn media_of(stored: &str) -> Media {
    if matches!(stored, "video" | "voice") {
        Media::Call
    } else {
        Media::Chat
    }
}

/// The core's schedule from the stored view (windows already parsed).
fn business_hours(view: &BusinessHoursView, days: Vec<DayHours>) -> Result<BusinessHours, String> {
    if view.holidays.len() + view.make_up_days.len() > 1000 {
        return Err("holidays and make_up_days: at most 1000 dates in all".into());
    }
    if view.holidays.iter().map(|h| &h.name).chain(view.make_up_days.iter().map(|m| &m.name)).any(|n| n.chars().count() > 64) {
        return Err("holidays and make_up_days: a name has at most 64 characters".into());
    }
    let date =
        |text: &str, what: &str| text.parse::<jiff::civil::Date>().map_err(|_| format!("{what}: {text:?} is not a date (YYYY-MM-DD)"));
    let zone = view.time_zone.as_deref().map(ZoneName::new).transpose().map_err(|e| e.to_string())?;
    let holidays = view.holidays.iter().map(|h| date(&h.date, "holidays")).collect::<Result<Vec<_>, _>>()?;
    let make_up_days = view
        .make_up_days
        .iter()
        .map(|m| Ok(MakeUpDay { date: date(&m.date, "make_up_days")?, as_weekday: m.as_weekday }))
        .collect::<Result<Vec<_>, String>>()?;
    let hours = BusinessHours { zone, utc_offset_minutes: view.utc_offset_minutes, days, holidays, make_up_days };
    hours.validate().map_err(|e| e.to_string())?;
    Ok(hours)
}
