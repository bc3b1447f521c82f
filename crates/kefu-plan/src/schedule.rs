//! Shift suggestions: given a requirement per interval over some days and each agent's
//! contract, choose shifts that minimise under- and over-staffing.
//!
//! **Cost.** Per interval, the shortfall squared plus the surplus ([`cost`]). Squaring the
//! shortfall spreads a shortage: an interval with nobody where eight are needed is far worse for
//! the service level than eight intervals each one agent short, which a plain sum would call
//! equal. Surplus is idle time, linear in agents. The reported `under` and `over` are the plain
//! agent-interval counts.
//!
//! **Heuristic.** (1) Greedy: every (day, start, length) shift is scored by how much it lowers
//! the cost against the current coverage; the best one that some agent may still work is
//! given to the eligible agent with the most contracted hours left, until no shift helps.
//! (2) Local search: each placed shift tries every other start and allowed length on its day,
//! and removal, and takes the best change that lowers the cost; repeated until a full pass finds
//! nothing (bounded passes). The cost only falls, so it ends; the result is a local optimum,
//! not a proven minimum — fine for a suggestion the planner then edits.
//! Contracts are caps: an agent never works more than their weekly hours, on a day off, outside
//! their window, or twice a day. Shifts do not cross midnight.

use serde::{Deserialize, Serialize};

/// What an agent may work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contract {
    /// Most intervals the agent works in any 7-day block of the plan (hours × intervals/hour).
    pub max_intervals_per_week: u32,
    /// Allowed shift lengths, in intervals.
    pub shift_lengths: Vec<u32>,
    /// Earliest start, as an interval of the day.
    pub earliest_start: u32,
    /// Latest end (exclusive), as an interval of the day.
    pub latest_end: u32,
    /// Days off as weekdays, 0 = Monday .. 6 = Sunday.
    pub days_off: Vec<u8>,
}

/// One suggested shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shift {
    /// Index of the agent in the contracts given.
    pub agent: usize,
    /// Day of the plan, from 0.
    pub day: u32,
    /// First interval of the day worked.
    pub start: u32,
    /// Length in intervals.
    pub len: u32,
}

/// The plan's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Horizon {
    /// Intervals per day.
    pub per_day: u32,
    /// Weekday of day 0 (0 = Monday).
    pub first_weekday: u8,
}

/// The suggestion: shifts, the coverage they give, and what is left over or missing.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// The shifts, sorted by day, start and agent.
    pub shifts: Vec<Shift>,
    /// Agents on shift per interval.
    pub coverage: Vec<u32>,
    /// Agent-intervals short of the requirement.
    pub under: u32,
    /// Agent-intervals above the requirement.
    pub over: u32,
}

/// Suggest shifts covering `required` (one value per interval, `days × per_day` long).
pub fn suggest(required: &[u32], horizon: Horizon, contracts: &[Contract]) -> Schedule {
    let mut plan = Plan::new(required, horizon, contracts);
    plan.greedy();
    plan.improve(20);
    plan.finish()
}

/// Agent-intervals below and above the requirement.
pub fn gaps(required: &[u32], coverage: &[u32]) -> (u32, u32) {
    required.iter().zip(coverage).fold((0, 0), |(u, o), (r, c)| (u + r.saturating_sub(*c), o + c.saturating_sub(*r)))
}

/// The cost the suggestion minimises: per interval, shortfall squared plus surplus.
pub fn cost(required: &[u32], coverage: &[u32]) -> u64 {
    required.iter().zip(coverage).map(|(r, c)| interval_cost(i64::from(*r), i64::from(*c)) as u64).sum()
}

fn interval_cost(required: i64, covered: i64) -> i64 {
    let short = (required - covered).max(0);
    short * short + (covered - required).max(0)
}

struct Plan<'a> {
    required: &'a [u32],
    h: Horizon,
    contracts: &'a [Contract],
    days: u32,
    coverage: Vec<u32>,
    shifts: Vec<Shift>,
    /// Intervals booked per agent and 7-day block (`agent * weeks + week`): contract checks in
    /// O(1), not a scan of every shift, which the local search would repeat millions of times.
    load: Vec<u32>,
    /// Whether the agent works that day (`agent * days + day`).
    busy: Vec<bool>,
}

impl<'a> Plan<'a> {
    fn new(required: &'a [u32], h: Horizon, contracts: &'a [Contract]) -> Self {
        let per_day = h.per_day.max(1);
        let days = (required.len() as u32).div_ceil(per_day);
        let weeks = days.div_ceil(7).max(1) as usize;
        Plan {
            required,
            h: Horizon { per_day, ..h },
            contracts,
            days,
            coverage: vec![0; required.len()],
            shifts: Vec::new(),
            load: vec![0; contracts.len() * weeks],
            busy: vec![false; contracts.len() * days as usize],
        }
    }

    fn weeks(&self) -> usize {
        self.days.div_ceil(7).max(1) as usize
    }

    /// Add (`sign` = 1) or remove (-1) a shift from the agents' bookings.
    fn book(&mut self, s: Shift, sign: i32) {
        let w = s.agent * self.weeks() + (s.day / 7) as usize;
        self.load[w] = (self.load[w] as i64 + sign as i64 * s.len as i64) as u32;
        self.busy[s.agent * self.days as usize + s.day as usize] = sign > 0;
    }

    fn range(&self, day: u32, start: u32, len: u32) -> std::ops::Range<usize> {
        let from = (day * self.h.per_day + start) as usize;
        from.min(self.required.len())..(from + len as usize).min(self.required.len())
    }

    /// Change in cost from adding (`sign` = 1) or removing (-1) one agent on a range.
    fn delta(&self, range: std::ops::Range<usize>, sign: i32) -> i64 {
        range
            .map(|i| {
                let (r, c) = (i64::from(self.required[i]), i64::from(self.coverage[i]));
                interval_cost(r, c + i64::from(sign)) - interval_cost(r, c)
            })
            .sum()
    }

    fn apply(&mut self, s: Shift, sign: i32) {
        for i in self.range(s.day, s.start, s.len) {
            self.coverage[i] = (self.coverage[i] as i64 + sign as i64) as u32;
        }
    }

    /// Intervals the agent works in the 7-day block holding `day`, leaving out shift `skip`.
    fn week_load(&self, agent: usize, day: u32, skip: Option<usize>) -> u32 {
        let booked = self.load[agent * self.weeks() + (day / 7) as usize];
        match skip.map(|i| self.shifts[i]) {
            Some(s) if s.agent == agent && s.day / 7 == day / 7 => booked - s.len,
            _ => booked,
        }
    }

    /// Whether the agent already works `day` (leaving out shift `skip`).
    fn works(&self, agent: usize, day: u32, skip: Option<usize>) -> bool {
        let busy = self.busy[agent * self.days as usize + day as usize];
        busy && !skip.map(|i| self.shifts[i]).is_some_and(|s| s.agent == agent && s.day == day)
    }

    /// Whether `agent` may work `len` intervals from `start` on `day` (ignoring shift `skip`).
    fn allowed(&self, agent: usize, day: u32, start: u32, len: u32, skip: Option<usize>) -> bool {
        let c = &self.contracts[agent];
        let weekday = ((u32::from(self.h.first_weekday) + day) % 7) as u8;
        c.shift_lengths.contains(&len)
            && start >= c.earliest_start
            && start + len <= c.latest_end.min(self.h.per_day)
            && !c.days_off.contains(&weekday)
            && !self.works(agent, day, skip)
            && self.week_load(agent, day, skip) + len <= c.max_intervals_per_week
    }

    fn lengths(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.contracts.iter().flat_map(|c| c.shift_lengths.iter().copied()).filter(|l| *l > 0).collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    fn greedy(&mut self) {
        let lengths = self.lengths();
        loop {
            let mut options: Vec<(i64, u32, u32, u32)> = Vec::new();
            for day in 0..self.days {
                for &len in &lengths {
                    for start in 0..=self.h.per_day.saturating_sub(len) {
                        let d = self.delta(self.range(day, start, len), 1);
                        if d < 0 {
                            options.push((d, day, start, len));
                        }
                    }
                }
            }
            // Best gain first; ties to the longer shift (fewer, fuller shifts), then earlier.
            options.sort_by_key(|&(d, day, start, len)| (d, std::cmp::Reverse(len), day, start));
            let placed = options.iter().find_map(|&(_, day, start, len)| {
                let agent = (0..self.contracts.len())
                    .filter(|&a| self.allowed(a, day, start, len, None))
                    .max_by_key(|&a| (self.contracts[a].max_intervals_per_week - self.week_load(a, day, None), std::cmp::Reverse(a)))?;
                Some(Shift { agent, day, start, len })
            });
            match placed {
                Some(s) => {
                    self.apply(s, 1);
                    self.book(s, 1);
                    self.shifts.push(s);
                }
                None => break,
            }
        }
    }

    fn improve(&mut self, passes: usize) {
        let lengths = self.lengths();
        for _ in 0..passes {
            let mut changed = false;
            let mut i = 0;
            while i < self.shifts.len() {
                let s = self.shifts[i];
                self.apply(s, -1);
                let removal = self.delta(self.range(s.day, s.start, s.len), 1);
                // Removal is best when keeping the shift makes things worse.
                let mut best: Option<(i64, Option<Shift>)> = (removal > 0).then_some((-removal, None));
                for &len in &lengths {
                    for start in 0..=self.h.per_day.saturating_sub(len) {
                        if (start, len) == (s.start, s.len) || !self.allowed(s.agent, s.day, start, len, Some(i)) {
                            continue;
                        }
                        let gain = removal - self.delta(self.range(s.day, start, len), 1);
                        if gain > 0 && best.is_none_or(|(b, _)| -gain < b) {
                            best = Some((-gain, Some(Shift { start, len, ..s })));
                        }
                    }
                }
                match best {
                    Some((_, Some(moved))) => {
                        self.apply(moved, 1);
                        self.book(s, -1);
                        self.book(moved, 1);
                        self.shifts[i] = moved;
                        changed = true;
                        i += 1;
                    }
                    Some((_, None)) => {
                        self.book(s, -1);
                        self.shifts.swap_remove(i);
                        changed = true;
                    }
                    None => {
                        self.apply(s, 1);
                        i += 1;
                    }
                }
            }
            // Moves may have freed hours or days: let the greedy fill what is still short.
            let before = self.shifts.len();
            self.greedy();
            if !changed && self.shifts.len() == before {
                break;
            }
        }
    }

    fn finish(mut self) -> Schedule {
        self.shifts.sort_by_key(|s| (s.day, s.start, s.agent));
        let (under, over) = gaps(self.required, &self.coverage);
        Schedule { shifts: self.shifts, coverage: self.coverage, under, over }
    }
}
