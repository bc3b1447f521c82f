//! Reports for a caller: the fact log read by time range and folded by `kefu-insight`, limited to
//! the groups the caller may see, with names put on the keys. Reads only: nothing here runs on
//! (or waits for) the routing path.

pub mod export;
pub mod maturity;
pub mod reasons;

use std::collections::{BTreeSet, HashMap};

use jiff::civil::Date;
use kefu_insight::{ConversationFigures, Dimension, Interval, Key, ReportSpec, Segment, State};
use serde::Deserialize;

use crate::auth::Staff;
use crate::clock::{now_ms, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::views::{AgentReport, AgentReportRow, ConversationReport, ConversationReportRow, ReportInterval, ReportKey};
use kefu_core::Role;

const DAY_MS: i64 = 86_400_000;

/// The query of a report (and of its export).
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ReportParams {
    /// First day, YYYY-MM-DD, in the organisation's time zone.
    pub from: String,
    /// Last day, included (default: `from`).
    pub to: Option<String>,
    /// `15m`, `30m`, `day` (default), `week` or `month`. 15m and 30m cover at most 62 days;
    /// any interval at most 366.
    pub interval: Option<String>,
    /// Conversations only: `total` (default), `group`, `business_type`, `channel` or `agent`.
    pub by: Option<String>,
    /// Only these groups, comma-separated ids (default: every group the caller may see).
    pub group_ids: Option<String>,
    /// Conversation and reasons reports: only these business types, comma-separated ids.
    pub business_type_ids: Option<String>,
    /// Conversation and reasons reports: only these channels, comma-separated (`web`, `h5`,
    /// `app`, `api`).
    pub channels: Option<String>,
}

/// A checked report query.
pub(crate) struct Asked {
    pub from_day: Date,
    pub to_day: Date,
    pub from: i64,
    pub to: i64,
    pub interval: Interval,
    pub by: Dimension,
    pub groups: Option<BTreeSet<i64>>,
    pub business_types: Option<Vec<i64>>,
    pub channels: Option<Vec<String>>,
}

/// The channels a conversation can come by.
const CHANNELS: [&str; 4] = ["web", "h5", "app", "api"];

/// A comma-separated list of ids (None when absent or blank).
fn id_list(field: &str, text: Option<&str>) -> ApiResult<Option<Vec<i64>>> {
    let Some(list) = text.filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    list.split(',')
        .map(|id| id.trim().parse().map_err(|_| ApiError::invalid(format!("{field}: {id:?} is not an id"))))
        .collect::<ApiResult<Vec<i64>>>()
        .map(Some)
}

fn channel_list(text: Option<&str>) -> ApiResult<Option<Vec<String>>> {
    let Some(list) = text.filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    list.split(',')
        .map(|c| {
            let c = c.trim();
            if CHANNELS.contains(&c) {
                Ok(c.to_string())
            } else {
                Err(ApiError::invalid(format!("channels: {c:?} is not one of {}", CHANNELS.join(", "))))
            }
        })
        .collect::<ApiResult<Vec<String>>>()
        .map(Some)
}

fn word<T: for<'de> Deserialize<'de>>(field: &str, value: &str, allowed: &str) -> ApiResult<T> {
    serde_json::from_value(serde_json::Value::String(value.into()))
        .map_err(|_| ApiError::invalid(format!("{field}: {value:?} is not one of {allowed}")))
}

pub(crate) fn day(field: &str, text: &str) -> ApiResult<Date> {
    text.parse::<Date>().map_err(|_| ApiError::invalid(format!("{field}: a date YYYY-MM-DD, not {text:?}")))
}

pub(crate) fn midnight(d: Date, state: &AppState) -> ApiResult<i64> {
    d.to_zoned_datetime(state.org.time_zone().zone().clone())
        .map(|z| z.timestamp().as_millisecond())
        .map_err(|_| ApiError::invalid(format!("{d}: no such day in the organisation's time zone")))
}

/// The groups (None: all) and agents (None: all) a caller's reports cover: admins and API keys
/// everything, a supervisor the groups they belong to and those groups' members.
async fn visible(state: &AppState, staff: &Staff) -> ApiResult<(Option<BTreeSet<i64>>, Option<BTreeSet<i64>>)> {
    if staff.role == Role::Admin || !staff.is_user() {
        return Ok((None, None));
    }
    let members = state.store.members().await?;
    let groups: BTreeSet<i64> = members.iter().filter(|m| m.agent_id == staff.id).map(|m| m.group_id).collect();
    let agents = members.iter().filter(|m| groups.contains(&m.group_id)).map(|m| m.agent_id).collect();
    Ok((Some(groups), Some(agents)))
}

pub(crate) async fn asked(state: &AppState, staff: &Staff, p: &ReportParams) -> ApiResult<Asked> {
    let from_day = day("from", &p.from)?;
    let to_day = match &p.to {
        Some(t) => day("to", t)?,
        None => from_day,
    };
    if to_day < from_day {
        return Err(ApiError::invalid("to: on or after from"));
    }
    let interval = match &p.interval {
        Some(i) => word("interval", i, "15m, 30m, day, week, month")?,
        None => Interval::Day,
    };
    let by = match &p.by {
        Some(b) => word("by", b, "total, group, business_type, channel, agent")?,
        None => Dimension::Total,
    };
    let from = midnight(from_day, state)?;
    let to = midnight(to_day.tomorrow().map_err(|_| ApiError::invalid("to: too far"))?, state)?;
    let days = (to - from) / DAY_MS;
    if days > 366 || (matches!(interval, Interval::Min15 | Interval::Min30) && days > 62) {
        return Err(ApiError::invalid("to: at most 366 days, and 62 days by 15m or 30m"));
    }
    let (mine, _) = visible(state, staff).await?;
    let groups = match &p.group_ids {
        Some(list) if !list.trim().is_empty() => {
            let mut asked = BTreeSet::new();
            for id in list.split(',') {
                let id: i64 = id.trim().parse().map_err(|_| ApiError::invalid(format!("group_ids: {id:?} is not a group id")))?;
                if mine.as_ref().is_some_and(|m| !m.contains(&id)) {
                    return Err(ApiError::Forbidden(format!("group {id} is not one of your groups")));
                }
                asked.insert(id);
            }
            Some(asked)
        }
        _ => mine,
    };
    let business_types = id_list("business_type_ids", p.business_type_ids.as_deref())?;
    let channels = channel_list(p.channels.as_deref())?;
    Ok(Asked { from_day, to_day, from, to, interval, by, groups, business_types, channels })
}

async fn spec(state: &AppState, a: &Asked, agents: Option<BTreeSet<i64>>) -> ApiResult<ReportSpec> {
    let targets: HashMap<i64, u32> =
        state.store.service_level_targets().await?.into_iter().filter_map(|(g, t)| Some((g, u32::try_from(t?).ok()?))).collect();
    Ok(ReportSpec {
        from: a.from,
        to: a.to,
        now: now_ms(),
        interval: a.interval,
        by: a.by,
        zone: state.org.time_zone().zone().clone(),
        default_target_secs: state.config.service_level_target_secs,
        targets,
        short_abandon_ms: i64::from(state.config.short_abandon_secs) * 1000,
        fcr_window_ms: i64::from(state.config.fcr_window_days) * DAY_MS,
        groups: a.groups.clone(),
        agents,
    })
}

fn contact_key(by: Dimension) -> kefu_store::ContactKey {
    match by {
        Dimension::Total => kefu_store::ContactKey::Total,
        Dimension::Group => kefu_store::ContactKey::Group,
        Dimension::BusinessType => kefu_store::ContactKey::BusinessType,
        Dimension::Channel => kefu_store::ContactKey::Channel,
        Dimension::Agent => kefu_store::ContactKey::Agent,
    }
}

/// A quarter hour's sums from the database as the figures hold them.
pub(crate) fn cell(s: kefu_store::ContactSums, by: Dimension) -> (i64, Key, ConversationFigures) {
    let key = match (by, s.key_id, s.key_word) {
        (Dimension::Total, _, _) => Key::All,
        (_, Some(id), _) => Key::Id(id),
        (_, None, Some(word)) => Key::Word(word),
        _ => Key::None,
    };
    let n = |v: i64| u64::try_from(v).unwrap_or(0);
    let figures = ConversationFigures {
        offered: n(s.offered),
        answered: n(s.answered),
        abandoned: n(s.abandoned),
        abandoned_short: n(s.abandoned_short),
        answered_in_target: n(s.answered_in_target),
        wait_ms: s.wait_ms,
        longest_wait_secs: s.longest_wait_ms.unwrap_or(0).max(0) as f64 / 1000.0,
        handled: n(s.handled),
        talk_ms: s.talk_ms,
        wrap_ms: s.wrap_ms,
        transfers: n(s.transfers),
        resolved_first_contact: n(s.resolved_first_contact),
        csat_count: n(s.csat_count),
        csat_sum: n(s.csat_sum),
        csat_good: n(s.csat_good),
        with_messages: n(s.with_messages),
        messages: n(s.messages),
        ..ConversationFigures::default()
    };
    (s.slot, key, figures)
}

/// Names of the keys of a split.
async fn names(state: &AppState, by: Dimension) -> ApiResult<HashMap<i64, String>> {
    Ok(match by {
        Dimension::Group => state.store.groups().await?.into_iter().map(|g| (g.id, g.name)).collect(),
        Dimension::BusinessType => state.store.business_types().await?.into_iter().map(|t| (t.id, t.name)).collect(),
        Dimension::Agent => state.store.users().await?.into_iter().map(|u| (u.id, u.name)).collect(),
        Dimension::Total | Dimension::Channel => HashMap::new(),
    })
}

fn key(k: &Key, names: &HashMap<i64, String>) -> ReportKey {
    match k {
        Key::All => ReportKey { id: None, name: "total".into() },
        Key::Id(id) => ReportKey { id: Some(*id), name: names.get(id).cloned().unwrap_or_else(|| format!("#{id}")) },
        Key::Word(w) => ReportKey { id: None, name: w.clone() },
        Key::None => ReportKey { id: None, name: String::new() },
    }
}

pub(crate) fn intervals(list: &[(i64, String)]) -> Vec<ReportInterval> {
    list.iter().map(|(s, l)| ReportInterval { start: rfc3339(*s), label: l.clone() }).collect()
}

/// The conversation report the caller asked for.
pub async fn conversations(state: &AppState, staff: &Staff, p: &ReportParams) -> ApiResult<ConversationReport> {
    let a = asked(state, staff, p).await?;
    let spec = spec(state, &a, None).await?;
    // The read model (one row per conversation, kept with each fact), added up per quarter hour
    // and key by the database: a month of 100,000 conversations is a few thousand rows here.
    let rules = kefu_store::SumRules {
        targets_ms: spec.targets.iter().map(|(g, t)| (*g, i64::from(*t) * 1000)).collect(),
        default_target_ms: i64::from(spec.default_target_secs) * 1000,
        short_abandon_ms: spec.short_abandon_ms,
        fcr_window_ms: spec.fcr_window_ms,
        groups: spec.groups.as_ref().map(|g| g.iter().copied().collect()),
        business_types: a.business_types.clone(),
        channels: a.channels.clone(),
    };
    let sums = state.store.contact_sums(a.from, a.to, contact_key(a.by), &rules).await?;
    let cells = sums.into_iter().map(|s| cell(s, a.by)).collect();
    let report = kefu_insight::conversation_report_of_cells(cells, &spec);
    let names = names(state, a.by).await?;
    let row = |r: kefu_insight::Row<kefu_insight::ConversationFigures>| ConversationReportRow {
        start: rfc3339(r.start),
        label: r.label,
        key: key(&r.key, &names),
        figures: r.figures,
    };
    Ok(ConversationReport {
        from: a.from_day.to_string(),
        to: a.to_day.to_string(),
        time_zone: state.org.time_zone().name().to_string(),
        interval: export::interval_word(a.interval).into(),
        by: export::by_word(a.by).into(),
        intervals: intervals(&report.intervals),
        rows: report.rows.into_iter().map(row).collect(),
        totals: report.totals.into_iter().map(row).collect(),
        overall: report.overall,
        short_abandon_secs: state.config.short_abandon_secs,
    })
}

/// The agent state report of `spec` from its read model: closed stretches summed per quarter
/// hour and agent as facts were written, and each agent's current state since it began (counted
/// up to the range's end or now).
pub(crate) async fn agent_state_report(state: &AppState, spec: &ReportSpec) -> ApiResult<kefu_insight::Report<kefu_insight::AgentFigures>> {
    // The database adds quarter hours up into half hours when the report's rows are made of
    // whole ones counted from its start (all but 15-minute rows, in zones on the half hour).
    let halves = spec.interval != Interval::Min15 && Interval::Min30.start_of(spec.from, &spec.zone) == spec.from;
    let step = if halves { 1_800_000 } else { 900_000 };
    let sums = state.store.agent_state_sums(spec.from, spec.to, step).await?;
    let open = state.store.agent_states_open().await?;
    let until = spec.to.min(spec.now);
    let sums = sums.into_iter().filter_map(|s| Some((s.slot, s.agent_id, State::of_word(&s.state, s.reason)?, s.ms)));
    let open = open
        .into_iter()
        .filter_map(|o| Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: until }));
    Ok(kefu_insight::agent_report_of_sums(sums, open, spec))
}

/// The agent state report the caller asked for (agents of the asked groups, or of the caller's).
pub async fn agents(state: &AppState, staff: &Staff, p: &ReportParams) -> ApiResult<AgentReport> {
    let a = asked(state, staff, p).await?;
    let agents = match &a.groups {
        Some(groups) => {
            Some(state.store.members().await?.into_iter().filter(|m| groups.contains(&m.group_id)).map(|m| m.agent_id).collect())
        }
        None => None,
    };
    let spec = spec(state, &a, agents).await?;
    let report = agent_state_report(state, &spec).await?;
    let names = names(state, Dimension::Agent).await?;
    let row = |r: kefu_insight::Row<kefu_insight::AgentFigures>| AgentReportRow {
        start: rfc3339(r.start),
        label: r.label,
        key: key(&r.key, &names),
        figures: r.figures,
    };
    Ok(AgentReport {
        from: a.from_day.to_string(),
        to: a.to_day.to_string(),
        time_zone: state.org.time_zone().name().to_string(),
        interval: export::interval_word(a.interval).into(),
        intervals: intervals(&report.intervals),
        rows: report.rows.into_iter().map(row).collect(),
        totals: report.totals.into_iter().map(row).collect(),
        overall: report.overall,
    })
}
