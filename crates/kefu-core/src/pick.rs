//! The strategies: given agents who could all serve a conversation, pick one.
//! Pure functions over read-only views, so each strategy is unit-tested on its own.

use rand::Rng;

use crate::agent::AgentState;
use crate::group::Strategy;
use crate::types::{AgentId, Media, Millis, SkillLevel};

/// One agent who could take the conversation, with what the strategies compare.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Candidate {
    pub agent: AgentId,
    pub idle_rate: u64,
    pub last_offered_at: Millis,
    pub skill: SkillLevel,
}

impl Candidate {
    pub fn new(agent: AgentId, state: &AgentState, media: Media, skill: SkillLevel) -> Self {
        Candidate { agent, idle_rate: state.idle_rate(media), last_offered_at: state.last_offered_at, skill }
    }
}

/// Pick one of `candidates` (non-empty, in ascending agent id order).
/// `rr_last` is the group's round-robin cursor.
pub(crate) fn pick(strategy: Strategy, candidates: &[Candidate], rr_last: Option<AgentId>, rng: &mut impl Rng) -> AgentId {
    debug_assert!(!candidates.is_empty());
    match strategy {
        Strategy::RoundRobin => {
            let after = rr_last.and_then(|last| candidates.iter().find(|c| c.agent > last));
            after.unwrap_or(&candidates[0]).agent
        }
        Strategy::Random => candidates[rng.gen_range(0..candidates.len())].agent,
        Strategy::SkillLevel => best_by(candidates, |c| (c.skill, balance_key(c))),
        // Naming strategies reach here only as a fallback: balance the load.
        Strategy::LoadBalance | Strategy::ReturningCustomer | Strategy::Designated => best_by(candidates, balance_key),
    }
}

/// Highest idle rate; ties to whoever was offered work longest ago; then the lower id.
fn balance_key(c: &Candidate) -> (u64, std::cmp::Reverse<Millis>, std::cmp::Reverse<AgentId>) {
    (c.idle_rate, std::cmp::Reverse(c.last_offered_at), std::cmp::Reverse(c.agent))
}

fn best_by<K: Ord>(candidates: &[Candidate], key: impl Fn(&Candidate) -> K) -> AgentId {
    // `max_by_key` returns the last maximum; keys above include the id, so there are no ties.
    candidates.iter().max_by_key(|c| key(c)).map(|c| c.agent).unwrap_or(candidates[0].agent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::SmallRng, SeedableRng};

    fn cand(id: i64, idle_rate: u64, last: i64, skill: u8) -> Candidate {
        Candidate { agent: AgentId(id), idle_rate, last_offered_at: Millis(last), skill: SkillLevel::parse(i64::from(skill)).unwrap() }
    }

    #[test]
    fn load_balance_takes_highest_idle_rate_then_longest_idle() {
        let mut rng = SmallRng::seed_from_u64(1);
        let c = [cand(1, 500_000, 10, 1), cand(2, 1_000_000, 50, 1), cand(3, 1_000_000, 20, 1)];
        assert_eq!(pick(Strategy::LoadBalance, &c, None, &mut rng), AgentId(3));
    }

    #[test]
    fn round_robin_goes_after_the_cursor_and_wraps() {
        let mut rng = SmallRng::seed_from_u64(1);
        let c = [cand(1, 1, 0, 1), cand(4, 1, 0, 1), cand(7, 1, 0, 1)];
        assert_eq!(pick(Strategy::RoundRobin, &c, None, &mut rng), AgentId(1));
        assert_eq!(pick(Strategy::RoundRobin, &c, Some(AgentId(1)), &mut rng), AgentId(4));
        assert_eq!(pick(Strategy::RoundRobin, &c, Some(AgentId(5)), &mut rng), AgentId(7));
        assert_eq!(pick(Strategy::RoundRobin, &c, Some(AgentId(7)), &mut rng), AgentId(1));
    }

    #[test]
    fn skill_level_prefers_experts_then_balances() {
        let mut rng = SmallRng::seed_from_u64(1);
        let c = [cand(1, 1_000_000, 0, 3), cand(2, 100, 0, 5), cand(3, 900, 0, 5)];
        assert_eq!(pick(Strategy::SkillLevel, &c, None, &mut rng), AgentId(3));
    }

    #[test]
    fn random_spreads_over_every_candidate() {
        let mut rng = SmallRng::seed_from_u64(7);
        let c = [cand(1, 1, 0, 1), cand(2, 1, 0, 1), cand(3, 1, 0, 1)];
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..100 {
            seen.insert(pick(Strategy::Random, &c, None, &mut rng));
        }
        assert_eq!(seen.len(), 3);
    }
}
