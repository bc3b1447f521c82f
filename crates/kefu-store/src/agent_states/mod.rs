//! The agent state report's read model: each agent's time per quarter hour in each state
//! (`agent_state_intervals`), where each agent stands now (`agent_state_now`) and who holds each
//! conversation being served (`agent_state_serving`), and each step of each agent's state with
//! the state it left (`agent_state_steps`), brought up to date by each fact inside the
//! transaction that writes it, and built once from the fact log for facts written before the
//! model existed. It mirrors kefu-insight's `agents` fold (the definitions and their tests live
//! there; tests check the two agree). A fact written late (stamped before one already folded for
//! the same agent or conversation) re-folds only the window of steps it changes (`late`), so the
//! model always equals a fold of the log in time order.

use std::collections::{BTreeMap, HashMap};

use kefu_core::{AgentStatusKind, Fact, FactKind};

use crate::contacts_wrap::Place;
use crate::facts::{agent_fact, AgentFactRow};
use crate::{Result, Store, StoreError};

/// Quarter hours: every report interval (15 min to a month, in any zone of today's tz database,
/// whose offsets are whole quarter hours) is made of whole ones.
const SLOT_MS: i64 = 900_000;

/// When a read model (by name) was built from the fact log, if it was: read models that are
/// built once, at the first start-up that has them (this one and the conversation report's).
pub(crate) const MODEL_BUILT_AT: &str = "SELECT built_at FROM read_model_builds WHERE name = $1";
/// Marks a read model (by name) built at a time.
pub(crate) const MARK_MODEL_BUILT: &str =
    "INSERT INTO read_model_builds (name, built_at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET built_at = excluded.built_at";

/// The name of this read model in `read_model_builds`.
const MODEL: &str = "agent_states";

/// The facts the model folds: statuses, and what starts or ends serving a conversation.
const KINDS: [FactKind; 6] =
    [FactKind::AgentStatus, FactKind::Answered, FactKind::Transferred, FactKind::Requeued, FactKind::Closed, FactKind::Abandoned];

/// One agent's running state.
#[derive(Debug, Clone, PartialEq)]
struct Tracker {
    status: AgentStatusKind,
    reason: Option<String>,
    /// Conversations held.
    serving: i64,
    /// Since when the current state holds.
    since: i64,
    /// The latest fact folded into this agent's stretches (a fact stamped before it is late).
    last_at: i64,
}

impl Tracker {
    fn offline(since: i64) -> Tracker {
        Tracker { status: AgentStatusKind::Offline, reason: None, serving: 0, since, last_at: since }
    }

    /// The state word and away reason ('' unless away); None when logged out.
    fn state(&self) -> Option<(&'static str, String)> {
        Some(match self.status {
            AgentStatusKind::Offline => return None,
            AgentStatusKind::WrapUp => ("wrap_up", String::new()),
            _ if self.serving > 0 => ("busy", String::new()),
            AgentStatusKind::Ready => ("ready", String::new()),
            AgentStatusKind::Away => ("away", self.reason.clone().unwrap_or_default()),
        })
    }
}

/// What a fact does to agents' states.
#[derive(Debug, Clone)]
enum Move {
    Status { agent: i64, status: AgentStatusKind, reason: Option<String> },
    Serve { conversation: i64, agent: i64 },
    End { conversation: i64 },
}

impl Move {
    fn of_fact(fact: &Fact) -> Option<Move> {
        Some(match fact {
            Fact::AgentStatus { agent, to, .. } => Move::Status { agent: agent.0, status: to.status, reason: to.reason.clone() },
            Fact::Answered { conversation, agent, .. } => Move::Serve { conversation: conversation.0, agent: agent.0 },
            Fact::Transferred { conversation, .. }
            | Fact::Requeued { conversation, .. }
            | Fact::Closed { conversation, .. }
            | Fact::Abandoned { conversation, .. } => Move::End { conversation: conversation.0 },
            _ => return None,
        })
    }

    fn of_row(r: AgentFactRow) -> Option<Move> {
        Some(match r.kind {
            FactKind::AgentStatus => {
                let to = r.to?;
                Move::Status { agent: r.agent_id?, status: to.status, reason: to.reason }
            }
            FactKind::Answered => Move::Serve { conversation: r.conversation_id?, agent: r.agent_id? },
            FactKind::Transferred | FactKind::Requeued | FactKind::Closed | FactKind::Abandoned => {
                Move::End { conversation: r.conversation_id? }
            }
            _ => return None,
        })
    }

    /// The steps this move makes when `holder` holds its conversation (at most a release and a
    /// serve, in that order), and who holds it after.
    fn steps(&self, holder: Option<i64>) -> ([Option<(i64, Step)>; 2], Option<i64>) {
        match self {
            Move::Status { agent, status, reason } => ([Some((*agent, Step::Status(*status, reason.clone()))), None], holder),
            Move::Serve { agent, .. } if holder == Some(*agent) => ([Some((*agent, Step::Again)), None], holder),
            Move::Serve { agent, .. } => ([holder.map(|h| (h, Step::Release)), Some((*agent, Step::Serve))], Some(*agent)),
            Move::End { .. } => ([holder.map(|h| (h, Step::Release)), None], None),
        }
    }
}

/// What one fact does to one agent's tracker: the `step` of an `agent_state_steps` row.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Status(AgentStatusKind, Option<String>),
    /// Begins to hold a conversation.
    Serve,
    /// Stops holding one (it ended, or someone else answered it).
    Release,
    /// Answers again a conversation they hold: a release, then a serve (as the fold takes it).
    Again,
}

impl Step {
    fn word(&self) -> &'static str {
        match self {
            Step::Status(..) => "status",
            Step::Serve => "serve",
            Step::Release => "release",
            Step::Again => "again",
        }
    }

    /// A stored step: its word and the status it left (a status step's own).
    fn of_word(word: &str, status: AgentStatusKind, reason: Option<String>) -> Option<Step> {
        Some(match word {
            "status" => Step::Status(status, reason),
            "serve" => Step::Serve,
            "release" => Step::Release,
            "again" => Step::Again,
            _ => return None,
        })
    }
}

/// Time per (quarter hour, agent, state, away reason).
type Sums = BTreeMap<(i64, i64, &'static str, String), i64>;

impl Tracker {
    /// Take one step at `at`, adding each stretch it closes to `sums`.
    fn step(&mut self, agent: i64, at: i64, step: &Step, sums: &mut Sums) {
        self.last_at = self.last_at.max(at);
        match step {
            Step::Status(status, reason) => self.change(agent, at, sums, |t| (t.status, t.reason) = (*status, reason.clone())),
            Step::Serve => self.change(agent, at, sums, |t| t.serving += 1),
            Step::Release => self.change(agent, at, sums, |t| t.serving = (t.serving - 1).max(0)),
            Step::Again => {
                self.change(agent, at, sums, |t| t.serving = (t.serving - 1).max(0));
                self.change(agent, at, sums, |t| t.serving += 1);
            }
        }
    }

    fn change(&mut self, agent: i64, at: i64, sums: &mut Sums, f: impl FnOnce(&mut Tracker)) {
        let before = self.state();
        f(self);
        if before != self.state() {
            if let Some((state, reason)) = before {
                add_stretch(sums, agent, state, reason, self.since, at);
            }
            self.since = at;
        }
    }

    /// The same state, since the same time (the time of the latest fact aside).
    fn same_as(&self, other: &Tracker) -> bool {
        (self.status, &self.reason, self.serving, self.since) == (other.status, &other.reason, other.serving, other.since)
    }
}

/// A step taken: a row of `agent_state_steps`.
#[derive(Debug, Clone)]
struct StepRow {
    agent: i64,
    place: Place,
    step: Step,
    /// The tracker it left.
    after: Tracker,
}

/// The fold of moves over trackers and holders (all of them when building, the few a fact
/// touches when writing), with the time of each closed stretch summed per quarter hour and
/// each step taken.
#[derive(Default)]
struct Fold {
    trackers: HashMap<i64, Tracker>,
    holders: HashMap<i64, i64>,
    sums: Sums,
    steps: Vec<StepRow>,
}

impl Fold {
    fn apply(&mut self, place: Place, m: Move) {
        let conversation = match &m {
            Move::Status { .. } => None,
            Move::Serve { conversation, .. } | Move::End { conversation } => Some(*conversation),
        };
        let (steps, holder) = m.steps(conversation.and_then(|c| self.holders.get(&c).copied()));
        if let Some(c) = conversation {
            match holder {
                Some(h) => self.holders.insert(c, h),
                None => self.holders.remove(&c),
            };
        }
        for (agent, step) in steps.into_iter().flatten() {
            let t = self.trackers.entry(agent).or_insert_with(|| Tracker::offline(place.0));
            t.step(agent, place.0, &step, &mut self.sums);
            self.steps.push(StepRow { agent, place, step, after: t.clone() });
        }
    }
}

/// Count `[start, end)` of one state in the quarter hours it spans.
fn add_stretch(sums: &mut Sums, agent: i64, state: &'static str, reason: String, start: i64, end: i64) {
    let mut slot = start - start.rem_euclid(SLOT_MS);
    while slot < end {
        let ms = end.min(slot + SLOT_MS) - start.max(slot);
        if ms > 0 {
            *sums.entry((slot, agent, state, reason.clone())).or_default() += ms;
        }
        slot += SLOT_MS;
    }
}

/// An agent's time in one state in one quarter hour.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentStateSum {
    /// Start of the quarter hour (ms).
    pub slot: i64,
    pub agent_id: i64,
    /// `ready`, `busy`, `wrap_up` or `away`.
    pub state: String,
    /// The away reason ('' for none and for other states).
    pub reason: String,
    pub ms: i64,
}

/// An agent's current state, not yet closed: counted by a report from `since` to its end.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentStateOpen {
    pub agent_id: i64,
    /// As in [`AgentStateSum`].
    pub state: String,
    pub reason: String,
    pub since: i64,
}

macro_rules! write_sums {
    ($db:expr, $sums:expr) => {{
        let rows: Vec<_> = $sums.into_iter().collect();
        for chunk in rows.chunks(100) {
            let marks: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${}, ${}, ${})", i * 5 + 1, i * 5 + 2, i * 5 + 3, i * 5 + 4, i * 5 + 5))
                .collect();
            let sql = format!(
                "INSERT INTO agent_state_intervals (slot, agent_id, state, reason, ms) VALUES {}
                 ON CONFLICT (slot, agent_id, state, reason) DO UPDATE SET ms = agent_state_intervals.ms + excluded.ms",
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for ((slot, agent, state, reason), ms) in chunk {
                q = q.bind(*slot).bind(*agent).bind(*state).bind(reason.clone()).bind(*ms);
            }
            q.execute(&mut *$db).await?;
        }
    }};
}

/// Insert step rows (`StepRow`s), five hundred per statement (a build writes one per fact).
macro_rules! write_steps {
    ($db:expr, $rows:expr) => {{
        for chunk in $rows.chunks(500) {
            let sql = format!(
                "INSERT INTO agent_state_steps (agent_id, at, fact_id, step, status, reason, serving, since) VALUES {}",
                crate::routing_batch::value_rows(chunk.len(), 8)
            );
            let mut q = sqlx::query(&sql);
            for r in chunk {
                q = q
                    .bind(r.agent)
                    .bind(r.place.0)
                    .bind(r.place.1)
                    .bind(r.step.word())
                    .bind(r.after.status)
                    .bind(r.after.reason.clone())
                    .bind(r.after.serving)
                    .bind(r.after.since);
            }
            q.execute(&mut *$db).await?;
        }
    }};
}

/// Store an agent's tracker (where the fold left them) in `agent_state_now`.
macro_rules! save_tracker {
    ($db:expr, $agent:expr, $t:expr) => {{
        let t = $t;
        sqlx::query("UPDATE agent_state_now SET status = $1, reason = $2, serving = $3, since = $4, last_at = $5 WHERE agent_id = $6")
            .bind(t.status)
            .bind(&t.reason)
            .bind(t.serving)
            .bind(t.since)
            .bind(t.last_at)
            .bind($agent)
            .execute(&mut *$db)
            .await?;
    }};
}

// After `write_sums!` and `save_tracker!`, which they use.
mod late;
mod project;

impl Store {
    /// Build the agent state model from the fact log unless it was built before (facts written
    /// before it existed then count). Run at start-up; true when it built.
    pub async fn build_agent_states(&self, now: i64) -> Result<bool> {
        self.fold_agent_states(now, false).await
    }

    /// Throw the agent state model away and fold it again from the whole fact log.
    pub async fn rebuild_agent_states(&self, now: i64) -> Result<()> {
        self.fold_agent_states(now, true).await.map(|_| ())
    }

    async fn fold_agent_states(&self, now: i64, again: bool) -> Result<bool> {
        let mut tx = self.begin().await?;
        let built = on_tx!(tx, |db| {
            if dialect::LOCKS_ROWS {
                // Writers of facts on other nodes wait here, then fold their fact onto the result.
                sqlx::query("LOCK TABLE agent_state_now, agent_state_serving, agent_state_intervals, agent_state_steps IN EXCLUSIVE MODE")
                    .execute(&mut *db)
                    .await?;
            }
            let done: Option<i64> = sqlx::query_scalar(crate::agent_states::MODEL_BUILT_AT).bind(MODEL).fetch_optional(&mut *db).await?;
            if done.is_some() && !again {
                return Ok(false);
            }
            for t in ["agent_state_intervals", "agent_state_now", "agent_state_serving", "agent_state_steps"] {
                sqlx::query(&format!("DELETE FROM {t}")).execute(&mut *db).await?;
            }
            let marks: Vec<String> = (0..KINDS.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT at, id, kind, conversation_id, agent_id, CASE WHEN kind = $1 THEN data END FROM facts
                 WHERE kind IN ({}) ORDER BY at, id",
                marks.join(", ")
            );
            let mut q =
                sqlx::query_as::<_, (i64, i64, FactKind, Option<i64>, Option<i64>, Option<String>)>(&sql).bind(FactKind::AgentStatus);
            for k in KINDS {
                q = q.bind(k);
            }
            let mut fold = Fold::default();
            for (at, id, kind, c, a, data) in q.fetch_all(&mut *db).await? {
                if let Some(m) = Move::of_row(agent_fact(at, kind, c, a, data.as_deref())?) {
                    fold.apply((at, id), m);
                }
            }
            for (a, t) in &fold.trackers {
                sqlx::query(
                    "INSERT INTO agent_state_now (agent_id, status, reason, serving, since, last_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(a)
                .bind(t.status)
                .bind(&t.reason)
                .bind(t.serving)
                .bind(t.since)
                .bind(t.last_at)
                .execute(&mut *db)
                .await?;
            }
            for (c, a) in &fold.holders {
                sqlx::query("INSERT INTO agent_state_serving (conversation_id, agent_id) VALUES ($1, $2)")
                    .bind(c)
                    .bind(a)
                    .execute(&mut *db)
                    .await?;
            }
            write_sums!(db, fold.sums);
            write_steps!(db, fold.steps);
            sqlx::query(crate::agent_states::MARK_MODEL_BUILT).bind(MODEL).bind(now).execute(&mut *db).await?;
            Ok::<bool, StoreError>(true)
        })?;
        tx.commit().await?;
        Ok(built)
    }

    /// The model's sums of quarter hours starting at `from <= slot < to`, added up by the
    /// database into buckets of `step_ms` from `from` (a report's row length, or a quarter hour),
    /// in no order. Ready, busy and wrap-up come back as one row per bucket and agent, away time
    /// per reason: a month at half hours is some 40,000 rows where the quarter hours were 160,000.
    pub async fn agent_state_sums(&self, from: i64, to: i64, step_ms: i64) -> Result<Vec<AgentStateSum>> {
        let step = step_ms.max(1);
        on_pool!(self, |pool| {
            let work: Vec<(i64, i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT $1 + ((slot - $1) / $3) * $3, agent_id,
                   CAST(SUM(CASE WHEN state = 'ready' THEN ms ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN state = 'busy' THEN ms ELSE 0 END) AS BIGINT),
                   CAST(SUM(CASE WHEN state = 'wrap_up' THEN ms ELSE 0 END) AS BIGINT)
                 FROM agent_state_intervals WHERE slot >= $1 AND slot < $2 AND state <> 'away' GROUP BY 1, 2",
            )
            .bind(from)
            .bind(to)
            .bind(step)
            .fetch_all(pool)
            .await?;
            let away: Vec<(i64, i64, String, i64)> = sqlx::query_as(
                "SELECT $1 + ((slot - $1) / $3) * $3, agent_id, reason, CAST(SUM(ms) AS BIGINT)
                 FROM agent_state_intervals WHERE slot >= $1 AND slot < $2 AND state = 'away' GROUP BY 1, 2, 3",
            )
            .bind(from)
            .bind(to)
            .bind(step)
            .fetch_all(pool)
            .await?;
            let mut out = Vec::with_capacity(work.len() * 2 + away.len());
            for (slot, agent_id, ready, busy, wrap_up) in work {
                for (state, ms) in [("ready", ready), ("busy", busy), ("wrap_up", wrap_up)] {
                    if ms > 0 {
                        out.push(AgentStateSum { slot, agent_id, state: state.to_string(), reason: String::new(), ms });
                    }
                }
            }
            out.extend(away.into_iter().map(|(slot, agent_id, reason, ms)| AgentStateSum {
                slot,
                agent_id,
                state: "away".into(),
                reason,
                ms,
            }));
            Ok(out)
        })
    }

    /// Each logged-in agent's current state and since when.
    pub async fn agent_states_open(&self) -> Result<Vec<AgentStateOpen>> {
        on_pool!(self, |pool| {
            let rows: Vec<(i64, AgentStatusKind, Option<String>, i64, i64)> =
                sqlx::query_as("SELECT agent_id, status, reason, serving, since FROM agent_state_now ORDER BY agent_id")
                    .fetch_all(pool)
                    .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(agent_id, status, reason, serving, since)| {
                    let (state, reason) = Tracker { status, reason, serving, since, last_at: since }.state()?;
                    Some(AgentStateOpen { agent_id, state: state.to_string(), reason, since })
                })
                .collect())
        })
    }
}
