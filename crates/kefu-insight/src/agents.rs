//! The agent state report: how each agent's logged-in time split into ready (idle), busy
//! (serving at least one conversation), wrap-up and each away reason; occupancy and
//! utilisation from those. The states partition logged-in time, so they add up to it.

use std::collections::{BTreeMap, HashMap, HashSet};

use kefu_core::{AgentStatusKind, Fact, FactKind, StatusFact};
use serde::Serialize;

use crate::contacts::Timed;

/// What an agent was doing during a stretch of time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    /// Ready, serving nobody.
    Ready,
    /// Serving at least one conversation (and not in wrap-up), whatever the declared status.
    Busy,
    /// 话后整理.
    WrapUp,
    /// Away, serving nobody, for this reason ("" when none was given).
    Away(String),
}

impl State {
    /// The state of a stored word (`ready`, `busy`, `wrap_up`, `away`) and away reason.
    pub fn of_word(word: &str, reason: String) -> Option<State> {
        Some(match word {
            "ready" => State::Ready,
            "busy" => State::Busy,
            "wrap_up" => State::WrapUp,
            "away" => State::Away(reason),
            _ => return None,
        })
    }
}

/// One stretch of one agent in one state: `[start, end)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Who.
    pub agent: i64,
    /// Doing what.
    pub state: State,
    /// From (ms).
    pub start: i64,
    /// Until (ms).
    pub end: i64,
}

/// What one fact means for agents' states: all of it the agent report reads. A caller may read
/// these straight from the fact log's typed columns instead of decoding whole facts (a month is
/// hundreds of thousands of them).
#[derive(Debug, Clone, PartialEq)]
pub enum AgentMove {
    /// An agent's status became this.
    Status {
        /// Who.
        agent: i64,
        /// The new status.
        to: StatusFact,
    },
    /// An agent answered a conversation (taking it from whoever held it).
    Serve {
        /// Which.
        conversation: i64,
        /// Who.
        agent: i64,
    },
    /// A conversation left whoever held it: transferred, requeued, closed or abandoned.
    End {
        /// Which.
        conversation: i64,
    },
}

impl AgentMove {
    /// The move a fact makes, if any.
    pub fn of(fact: &Fact) -> Option<AgentMove> {
        Some(match fact {
            Fact::AgentStatus { agent, to, .. } => AgentMove::Status { agent: agent.0, to: to.clone() },
            Fact::Answered { conversation, agent, .. } => AgentMove::Serve { conversation: conversation.0, agent: agent.0 },
            Fact::Transferred { conversation, .. }
            | Fact::Requeued { conversation, .. }
            | Fact::Closed { conversation, .. }
            | Fact::Abandoned { conversation, .. } => AgentMove::End { conversation: conversation.0 },
            _ => return None,
        })
    }

    /// The move of a fact stored with these columns (its kind, the conversation and agent it
    /// names, and for a status change the status it moved to), as [`AgentMove::of`] the fact.
    pub fn of_columns(kind: FactKind, conversation: Option<i64>, agent: Option<i64>, to: Option<StatusFact>) -> Option<AgentMove> {
        Some(match kind {
            FactKind::AgentStatus => AgentMove::Status { agent: agent?, to: to? },
            FactKind::Answered => AgentMove::Serve { conversation: conversation?, agent: agent? },
            FactKind::Transferred | FactKind::Requeued | FactKind::Closed | FactKind::Abandoned => {
                AgentMove::End { conversation: conversation? }
            }
            _ => return None,
        })
    }
}

/// What a move changes for one agent.
enum Change {
    Status(StatusFact),
    Serve(i64),
    Release(i64),
}

struct Tracker {
    status: StatusFact,
    serving: HashSet<i64>,
    since: i64,
}

impl Tracker {
    fn state(&self) -> Option<State> {
        match self.status.status {
            AgentStatusKind::Offline => None,
            AgentStatusKind::WrapUp => Some(State::WrapUp),
            _ if !self.serving.is_empty() => Some(State::Busy),
            AgentStatusKind::Ready => Some(State::Ready),
            AgentStatusKind::Away => Some(State::Away(self.status.reason.clone().unwrap_or_default())),
        }
    }
}

/// Fold facts (in time order) into each agent's state segments, closing open ones at `until`.
/// An agent's first status fact may come from before the range (where they stood at its start).
pub fn segments(facts: &[Timed], until: i64) -> Vec<Segment> {
    segments_of_moves(facts.iter().filter_map(|t| Some((t.at, AgentMove::of(&t.fact)?))), until)
}

/// [`segments`] of moves already taken from facts: `(at, move)` in time order.
pub fn segments_of_moves(moves: impl IntoIterator<Item = (i64, AgentMove)>, until: i64) -> Vec<Segment> {
    let mut agents: HashMap<i64, Tracker> = HashMap::new();
    let mut holder: HashMap<i64, i64> = HashMap::new();
    let mut out = vec![];
    let offline = || StatusFact { status: AgentStatusKind::Offline, reason: None };
    for (at, m) in moves {
        let at = at.min(until);
        // The (agent, change) pairs this move makes: at most a release and a serve.
        let mut changes: [Option<(i64, Change)>; 2] = [None, None];
        match m {
            AgentMove::Status { agent, to } => changes[0] = Some((agent, Change::Status(to))),
            AgentMove::Serve { conversation, agent } => {
                if let Some(previous) = holder.insert(conversation, agent) {
                    changes[0] = Some((previous, Change::Release(conversation)));
                }
                changes[1] = Some((agent, Change::Serve(conversation)));
            }
            AgentMove::End { conversation } => {
                if let Some(previous) = holder.remove(&conversation) {
                    changes[0] = Some((previous, Change::Release(conversation)));
                }
            }
        }
        for (agent, change) in changes.into_iter().flatten() {
            let t = agents.entry(agent).or_insert_with(|| Tracker { status: offline(), serving: HashSet::new(), since: at });
            let before = t.state();
            match change {
                Change::Status(to) => t.status = to,
                Change::Serve(c) => {
                    t.serving.insert(c);
                }
                Change::Release(c) => {
                    t.serving.remove(&c);
                }
            }
            let after = t.state();
            if before != after {
                if let Some(state) = before {
                    if at > t.since {
                        out.push(Segment { agent, state, start: t.since, end: at });
                    }
                }
                t.since = at;
            }
        }
    }
    for (agent, t) in agents {
        if let Some(state) = t.state() {
            if until > t.since {
                out.push(Segment { agent, state, start: t.since, end: until });
            }
        }
    }
    out
}

/// One agent's time in one interval.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentFigures {
    /// Logged in (any status but offline), ms.
    pub logged_in_ms: i64,
    /// Ready and serving nobody, ms.
    pub ready_ms: i64,
    /// Serving at least one conversation, ms.
    pub busy_ms: i64,
    /// In wrap-up, ms.
    pub wrap_up_ms: i64,
    /// Away and serving nobody, ms.
    pub away_ms: i64,
    /// Away time per reason, ms.
    pub away_by_reason: BTreeMap<String, i64>,
    /// (busy + wrap-up) ÷ (ready + busy + wrap-up): how much of the time they were available
    /// they spent working.
    pub occupancy: Option<f64>,
    /// (busy + wrap-up) ÷ logged in: how much of their logged-in time they spent working.
    pub utilisation: Option<f64>,
}

impl AgentFigures {
    /// Count `ms` of `state`.
    pub fn count(&mut self, state: &State, ms: i64) {
        self.logged_in_ms += ms;
        match state {
            State::Ready => self.ready_ms += ms,
            State::Busy => self.busy_ms += ms,
            State::WrapUp => self.wrap_up_ms += ms,
            State::Away(reason) => {
                self.away_ms += ms;
                *self.away_by_reason.entry(reason.clone()).or_default() += ms;
            }
        }
    }

    /// Add another row's times.
    pub fn add(&mut self, o: &AgentFigures) {
        self.logged_in_ms += o.logged_in_ms;
        self.ready_ms += o.ready_ms;
        self.busy_ms += o.busy_ms;
        self.wrap_up_ms += o.wrap_up_ms;
        self.away_ms += o.away_ms;
        for (reason, ms) in &o.away_by_reason {
            *self.away_by_reason.entry(reason.clone()).or_default() += ms;
        }
    }

    /// Derive occupancy and utilisation.
    pub fn finish(&mut self) {
        let working = (self.busy_ms + self.wrap_up_ms) as f64;
        let available = self.ready_ms + self.busy_ms + self.wrap_up_ms;
        self.occupancy = (available > 0).then(|| working / available as f64);
        self.utilisation = (self.logged_in_ms > 0).then(|| working / self.logged_in_ms as f64);
    }
}
