//! Agents required per interval: Erlang C for calls, Erlang C over chat slots for chat, then
//! shrinkage. Owns the staffing model's choices; the queueing arithmetic lives in `erlang`.
//!
//! **Chat model.** An agent serving up to `k` chats at once is modelled as `k` servers, so a
//! group of `N` agents is an M/M/(N·k) queue whose mean service time is the chat handle time
//! *as observed while agents work at that concurrency*. Kefu measures chat durations on agents
//! that already serve several chats, so the slowdown of parallel work is inside the AHT and is
//! not applied twice. Koole's chat model (used by ccmath's Erlang Chat) needs one handle time per
//! concurrency level, which Kefu does not record; Tezcan & Zhang (2014) show the N·k-server
//! queue is the right first-order model when the per-chat rate is taken at the working
//! concurrency. The search runs over whole agents (N·k slots at a time), so the result is the
//! fewest agents, never fractional slots. `k = 1` is exactly Erlang C for calls.

use crate::erlang;

/// What an interval must achieve: `service_level` (0..1) of contacts answered within
/// `within_secs`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Share answered in time, 0..1.
    pub service_level: f64,
    /// The answer-time threshold in seconds.
    pub within_secs: f64,
}

/// One interval's load.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalLoad {
    /// Contacts offered in the interval.
    pub volume: f64,
    /// Mean handle time in seconds (talk plus wrap-up; per chat for chat).
    pub aht_secs: f64,
}

/// The staffing figures of one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    /// Offered traffic in erlangs.
    pub erlangs: f64,
    /// Agents needed on the floor (productive) to meet the target.
    pub required: u32,
    /// Agents to schedule so that `required` remain after shrinkage.
    pub scheduled: u32,
    /// The service level `required` agents reach.
    pub service_level: f64,
    /// The average speed of answer `required` agents reach, in seconds.
    pub asa_secs: f64,
    /// Share of productive time spent handling contacts (`erlangs / servers`).
    pub occupancy: f64,
}

/// Staff one interval of `interval_secs` for a group whose agents serve `concurrency`
/// contacts at once (1 for calls and video) and lose `shrinkage` (0..1) of scheduled time to
/// breaks, training and absence.
pub fn staff_interval(load: IntervalLoad, interval_secs: f64, target: Target, concurrency: u32, shrinkage: f64) -> Staffing {
    let k = concurrency.max(1);
    let a = erlang::traffic(load.volume, interval_secs, load.aht_secs);
    if a <= 0.0 {
        return Staffing { erlangs: 0.0, required: 0, scheduled: 0, service_level: 1.0, asa_secs: 0.0, occupancy: 0.0 };
    }
    let slots = erlang::servers_for_service_level(a, load.aht_secs, target.service_level, target.within_secs);
    let required = slots.div_ceil(k);
    let servers = required * k;
    Staffing {
        erlangs: a,
        required,
        scheduled: scheduled_for(required, shrinkage),
        service_level: erlang::service_level(a, servers, load.aht_secs, target.within_secs),
        asa_secs: erlang::asa(a, servers, load.aht_secs),
        occupancy: a / f64::from(servers),
    }
}

/// Agents to schedule so that `required` are productive: `required / (1 - shrinkage)`,
/// rounded up. Shrinkage is clamped below 95% so a typo cannot ask for infinite staff.
pub fn scheduled_for(required: u32, shrinkage: f64) -> u32 {
    let s = shrinkage.clamp(0.0, 0.95);
    // The small epsilon keeps 10 / (1 - 0.2) = 12.5 -> 13 but 8 / (1 - 0.2) = 10 from
    // becoming 11 through floating-point noise.
    (f64::from(required) / (1.0 - s) - 1e-9).ceil().max(0.0) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    const EIGHTY_IN_TWENTY: Target = Target { service_level: 0.8, within_secs: 20.0 };

    #[test]
    fn calls_use_erlang_c() {
        let s = staff_interval(IntervalLoad { volume: 100.0, aht_secs: 180.0 }, 1800.0, EIGHTY_IN_TWENTY, 1, 0.0);
        assert_eq!(s.required, 14);
        assert_eq!(s.scheduled, 14);
        assert!((s.erlangs - 10.0).abs() < 1e-12);
        assert!((s.occupancy - 10.0 / 14.0).abs() < 1e-12);
    }

    #[test]
    fn shrinkage_scales_the_schedule() {
        assert_eq!(scheduled_for(14, 0.3), 20);
        assert_eq!(scheduled_for(8, 0.2), 10);
        assert_eq!(scheduled_for(10, 0.2), 13);
        assert_eq!(scheduled_for(0, 0.5), 0);
        let s = staff_interval(IntervalLoad { volume: 100.0, aht_secs: 180.0 }, 1800.0, EIGHTY_IN_TWENTY, 1, 0.3);
        assert_eq!((s.required, s.scheduled), (14, 20));
    }

    #[test]
    fn chat_agents_serving_three_need_a_third_of_the_slots() {
        // 10 erlangs of chat need 14 slots for 80/20 (as calls need 14 agents); at 3 chats
        // per agent that is ceil(14 / 3) = 5 agents, whose 15 slots do at least as well.
        let s = staff_interval(IntervalLoad { volume: 100.0, aht_secs: 180.0 }, 1800.0, EIGHTY_IN_TWENTY, 3, 0.0);
        assert_eq!(s.required, 5);
        assert!((s.service_level - erlang::service_level(10.0, 15, 180.0, 20.0)).abs() < 1e-15);
        // Four agents (12 slots) would miss the target.
        assert!(erlang::service_level(10.0, 12, 180.0, 20.0) < 0.8);
    }

    #[test]
    fn an_empty_interval_needs_nobody() {
        let s = staff_interval(IntervalLoad { volume: 0.0, aht_secs: 180.0 }, 1800.0, EIGHTY_IN_TWENTY, 1, 0.3);
        assert_eq!((s.required, s.scheduled), (0, 0));
    }
}
