//! Reports: contacts and agent segments put in intervals and keys, with a total per key over the
//! range and one overall.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::tz::TimeZone;
use kefu_core::FactKind;
use serde::{Deserialize, Serialize};

use crate::agents::{segments_of_moves, AgentFigures, AgentMove, Segment, State};
use crate::contacts::{contacts, Contact, Timed};
use crate::figures::ConversationFigures;
use crate::interval::Interval;

/// The facts [`conversation_report`] folds (offers and calls it does not): a caller reads only these.
pub const CONVERSATION_FACTS: [FactKind; 7] = [
    FactKind::Queued,
    FactKind::Answered,
    FactKind::Abandoned,
    FactKind::Transferred,
    FactKind::Closed,
    FactKind::AgentStatus,
    FactKind::Csat,
];

/// The facts [`agent_report`] folds: statuses, and what starts or ends serving a conversation.
pub const AGENT_FACTS: [FactKind; 6] =
    [FactKind::AgentStatus, FactKind::Answered, FactKind::Transferred, FactKind::Requeued, FactKind::Closed, FactKind::Abandoned];

/// What the rows of a conversation report are split by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// One row per interval.
    Total,
    /// Per skill group.
    Group,
    /// Per business type.
    BusinessType,
    /// Per channel.
    Channel,
    /// Per agent (who last answered).
    Agent,
}

/// Which group, business type, channel or agent a row is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    /// Everything (a total row).
    All,
    /// A group, business type or agent id.
    Id(i64),
    /// A channel.
    Word(String),
    /// No business type, or no agent (never answered).
    None,
}

/// What to compute.
#[derive(Debug, Clone)]
pub struct ReportSpec {
    /// Range start (ms, inclusive).
    pub from: i64,
    /// Range end (ms, exclusive).
    pub to: i64,
    /// Now: agent states still open are counted until here.
    pub now: i64,
    /// Row length.
    pub interval: Interval,
    /// Row split.
    pub by: Dimension,
    /// The organisation's time zone.
    pub zone: TimeZone,
    /// Service-level target of groups without one of their own (s).
    pub default_target_secs: u32,
    /// Each group's own target (s).
    pub targets: HashMap<i64, u32>,
    /// Abandoned within this (ms) is left out of service level.
    pub short_abandon_ms: i64,
    /// A new conversation within this (ms) after a close means not resolved on first contact.
    pub fcr_window_ms: i64,
    /// Only these groups (a supervisor's); None: all.
    pub groups: Option<BTreeSet<i64>>,
    /// Only these agents (for the agent report); None: all.
    pub agents: Option<BTreeSet<i64>>,
}

/// One row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row<F> {
    /// Interval start (ms); the range start for totals.
    pub start: i64,
    /// Interval label in local time.
    pub label: String,
    /// What the row is about.
    pub key: Key,
    /// Its figures.
    pub figures: F,
}

/// A report: rows per interval and key (only those with something in them), totals per key over
/// the range, the overall total, and every interval of the range (a chart's axis).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report<F> {
    /// Interval starts and labels.
    pub intervals: Vec<(i64, String)>,
    /// Per interval and key.
    pub rows: Vec<Row<F>>,
    /// Per key, over the whole range.
    pub totals: Vec<Row<F>>,
    /// Everything over the whole range.
    pub overall: F,
}

fn key_of(c: &Contact, by: Dimension) -> Key {
    match by {
        Dimension::Total => Key::All,
        Dimension::Group => Key::Id(c.group),
        Dimension::BusinessType => c.business_type.map_or(Key::None, Key::Id),
        Dimension::Channel => Key::Word(c.channel.clone()),
        Dimension::Agent => c.agent.map_or(Key::None, Key::Id),
    }
}

/// Which interval of `cover` holds `at`.
fn slot(cover: &[(i64, i64)], at: i64) -> Option<usize> {
    let i = cover.partition_point(|&(start, _)| start <= at).checked_sub(1)?;
    (at < cover[i].1).then_some(i)
}

trait Figures: Default + Clone {
    fn add(&mut self, other: &Self);
    fn finish(&mut self);
}

impl Figures for ConversationFigures {
    fn add(&mut self, o: &Self) {
        ConversationFigures::add(self, o)
    }
    fn finish(&mut self) {
        ConversationFigures::finish(self)
    }
}

impl Figures for AgentFigures {
    fn add(&mut self, o: &Self) {
        AgentFigures::add(self, o)
    }
    fn finish(&mut self) {
        AgentFigures::finish(self)
    }
}

fn assemble<F: Figures>(spec: &ReportSpec, cover: &[(i64, i64)], cells: BTreeMap<(usize, Key), F>) -> Report<F> {
    let label = |start: i64| spec.interval.label(start, &spec.zone);
    // Each interval's label once (a month of half hours per agent is tens of thousands of rows).
    let labels: Vec<String> = cover.iter().map(|&(s, _)| label(s)).collect();
    let mut totals: BTreeMap<Key, F> = BTreeMap::new();
    let mut overall = F::default();
    let mut rows = Vec::with_capacity(cells.len());
    for ((i, key), mut figures) in cells {
        totals.entry(key.clone()).or_default().add(&figures);
        overall.add(&figures);
        figures.finish();
        rows.push(Row { start: cover[i].0, label: labels[i].clone(), key, figures });
    }
    let totals = totals
        .into_iter()
        .map(|(key, mut figures)| {
            figures.finish();
            Row { start: spec.from, label: label(spec.from), key, figures }
        })
        .collect();
    overall.finish();
    Report { intervals: cover.iter().zip(labels).map(|(&(s, _), l)| (s, l)).collect(), rows, totals, overall }
}

/// The conversation report: contacts that queued in `from..to`. `facts` in time order, reaching
/// past `to` by the FCR window (to see customers come back) and starting at `from` or before.
pub fn conversation_report(facts: &[Timed], spec: &ReportSpec) -> Report<ConversationFigures> {
    conversation_report_of(&contacts(facts, spec.fcr_window_ms), spec)
}

/// The conversation report of contacts already folded (the server's read model keeps them).
pub fn conversation_report_of(contacts: &[Contact], spec: &ReportSpec) -> Report<ConversationFigures> {
    let cover = spec.interval.cover(spec.from, spec.to, &spec.zone);
    let mut cells: BTreeMap<(usize, Key), ConversationFigures> = BTreeMap::new();
    for c in contacts {
        if c.queued_at < spec.from || c.queued_at >= spec.to || spec.groups.as_ref().is_some_and(|g| !g.contains(&c.group)) {
            continue;
        }
        let Some(i) = slot(&cover, c.queued_at) else { continue };
        let target = spec.targets.get(&c.group).copied().unwrap_or(spec.default_target_secs);
        cells.entry((i, key_of(c, spec.by))).or_default().count(c, i64::from(target) * 1000, spec.short_abandon_ms);
    }
    assemble(spec, &cover, cells)
}

/// The conversation report of sums already made per moment and key (the server's database adds
/// up its read model per quarter hour): each cell goes to the interval its moment falls in.
pub fn conversation_report_of_cells(cells: Vec<(i64, Key, ConversationFigures)>, spec: &ReportSpec) -> Report<ConversationFigures> {
    let cover = spec.interval.cover(spec.from, spec.to, &spec.zone);
    let mut out: BTreeMap<(usize, Key), ConversationFigures> = BTreeMap::new();
    for (at, key, figures) in cells {
        if at < spec.from || at >= spec.to {
            continue;
        }
        let Some(i) = slot(&cover, at) else { continue };
        out.entry((i, key)).or_default().add(&figures);
    }
    assemble(spec, &cover, out)
}

/// The agent state report: each agent's time in `from..min(to, now)`, per interval. `facts` in
/// time order, starting with each agent's last status before the range.
pub fn agent_report(facts: &[Timed], spec: &ReportSpec) -> Report<AgentFigures> {
    agent_report_of_moves(facts.iter().filter_map(|t| Some((t.at, AgentMove::of(&t.fact)?))), spec)
}

/// The agent state report of the moves the facts make (`(at, move)` in time order; see
/// [`agent_report`]): the server reads them from typed columns without decoding the facts.
pub fn agent_report_of_moves(moves: impl IntoIterator<Item = (i64, AgentMove)>, spec: &ReportSpec) -> Report<AgentFigures> {
    let until = spec.to.min(spec.now);
    agent_report_of_sums(std::iter::empty(), segments_of_moves(moves, until), spec)
}

/// The agent state report of time already summed per moment, agent and state (the server's read
/// model sums closed stretches per quarter hour: each sum goes to the interval its moment falls
/// in), plus stretches still open (each agent's current state since it began), cut at
/// `min(to, now)`.
pub fn agent_report_of_sums(
    sums: impl IntoIterator<Item = (i64, i64, State, i64)>,
    open: impl IntoIterator<Item = Segment>,
    spec: &ReportSpec,
) -> Report<AgentFigures> {
    let cover = spec.interval.cover(spec.from, spec.to, &spec.zone);
    let until = spec.to.min(spec.now);
    let wanted = |agent: &i64| spec.agents.as_ref().is_none_or(|a| a.contains(agent));
    let mut cells: BTreeMap<(usize, Key), AgentFigures> = BTreeMap::new();
    for (at, agent, state, ms) in sums {
        if at < spec.from || at >= until || ms <= 0 || !wanted(&agent) {
            continue;
        }
        let Some(i) = slot(&cover, at) else { continue };
        cells.entry((i, Key::Id(agent))).or_default().count(&state, ms);
    }
    for s in open {
        if !wanted(&s.agent) {
            continue;
        }
        let (start, end) = (s.start.max(spec.from), s.end.min(until));
        if start >= end {
            continue;
        }
        let Some(mut i) = slot(&cover, start) else { continue };
        while i < cover.len() && cover[i].0 < end {
            let ms = end.min(cover[i].1) - start.max(cover[i].0);
            if ms > 0 {
                cells.entry((i, Key::Id(s.agent))).or_default().count(&s.state, ms);
            }
            i += 1;
        }
    }
    assemble(spec, &cover, cells)
}
