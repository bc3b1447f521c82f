//! Service-level arithmetic: the figures supervisors live by, from plain contact records. The one
//! definition of service level (kefu-insight's reports and the live floor both judge by
//! [`SlRule::judge`] and divide with [`service_level`]).

use std::collections::HashMap;

use serde::Serialize;

use crate::types::Millis;

/// How one contact has fared so far, as service level sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// An agent answered after this long (ms).
    Answered(i64),
    /// The customer gave up after waiting this long (ms).
    Abandoned(i64),
    /// The customer has been waiting this long (ms) and still is.
    Waiting(i64),
    /// Neither (closed unanswered by staff, or a message left): not a wait to judge.
    Other,
}

/// Service level's verdict on one contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Answered within the target.
    InTarget,
    /// Answered late, abandoned after the short-abandon limit, or still waiting past the target.
    Missed,
    /// Left out: a short abandon (they never really waited), or still waiting within the target.
    NotJudged,
}

/// The rule a contact is judged by: its group's target and the short-abandon limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlRule {
    /// Answer within this (ms).
    pub target_ms: i64,
    /// Abandoned sooner than this (ms) is left out of service level.
    pub short_abandon_ms: i64,
}

impl SlRule {
    /// Judge one contact. A customer still waiting past the target counts as missed now: waiting
    /// for them to be answered or to give up would show 100% while the line is failing.
    pub fn judge(&self, w: Wait) -> Verdict {
        match w {
            Wait::Answered(ms) if ms <= self.target_ms => Verdict::InTarget,
            Wait::Answered(_) => Verdict::Missed,
            Wait::Abandoned(ms) if ms < self.short_abandon_ms => Verdict::NotJudged,
            Wait::Abandoned(_) => Verdict::Missed,
            Wait::Waiting(ms) if ms > self.target_ms => Verdict::Missed,
            Wait::Waiting(_) | Wait::Other => Verdict::NotJudged,
        }
    }
}

/// Each group's rule: its own target, else the default; one short-abandon limit.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlRules {
    /// Target (s) of groups without one of their own.
    pub default_target_secs: u32,
    /// Each group's own target (s).
    pub targets: HashMap<i64, u32>,
    /// Abandoned sooner than this (ms) is left out.
    pub short_abandon_ms: i64,
}

impl SlRules {
    /// The target (s) `group` is judged against.
    pub fn target_secs(&self, group: i64) -> u32 {
        self.targets.get(&group).copied().unwrap_or(self.default_target_secs)
    }

    /// The rule for `group`.
    pub fn of(&self, group: i64) -> SlRule {
        SlRule { target_ms: i64::from(self.target_secs(group)) * 1000, short_abandon_ms: self.short_abandon_ms }
    }
}

/// Answered within target ÷ judged; None when nobody is judged.
pub fn service_level(in_target: u64, judged: u64) -> Option<f64> {
    (judged > 0).then(|| in_target as f64 / judged as f64)
}

/// One conversation's timings, as far as they are known.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    /// The group it is counted in (whose target judges it).
    pub group: i64,
    /// When it first entered a queue.
    pub queued_at: Millis,
    /// When an agent accepted it.
    pub answered_at: Option<Millis>,
    /// When it was closed (by an agent) or abandoned (by the visitor).
    pub ended_at: Option<Millis>,
    /// The visitor gave up before anyone answered.
    pub abandoned: bool,
    /// Satisfaction score 1..=5, if given.
    pub csat: Option<u8>,
}

/// Today's (or any period's) figures.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ServiceStats {
    /// Conversations that entered a queue.
    pub offered: u64,
    /// Of those, accepted by an agent.
    pub answered: u64,
    /// Of those, given up by the visitor while waiting.
    pub abandoned: u64,
    /// Of the abandoned, those who gave up sooner than the short-abandon limit.
    pub abandoned_short: u64,
    /// Of those, still waiting now, longer than the target: already missed, though not finished.
    pub waiting_past_target: u64,
    /// Contacts service level judged: answered + abandoned − short abandons + still waiting past
    /// the target.
    pub service_level_judged: u64,
    /// Answered within the target ÷ judged; 1.0 when nobody has been judged yet.
    pub service_level: f64,
    /// Average speed of answer (平均应答时长), over answered ones.
    pub asa_secs: f64,
    /// abandoned ÷ (answered + abandoned).
    pub abandonment_rate: f64,
    /// Average handle time (平均处理时长): answered to closed, over closed ones.
    pub aht_secs: f64,
    /// Mean CSAT score, if any was given.
    pub csat_average: Option<f64>,
}

impl ServiceStats {
    /// Compute the figures at `now`, each contact judged by its group's rule in `rules`.
    pub fn compute(records: &[ContactRecord], rules: &SlRules, now: Millis) -> ServiceStats {
        let mut s = ServiceStats { offered: records.len() as u64, ..Default::default() };
        let (mut within, mut wait_ms, mut handle_ms, mut handled) = (0u64, 0i64, 0i64, 0u64);
        let (mut csat_sum, mut csat_n) = (0u64, 0u64);
        for r in records {
            let wait = if let Some(answered) = r.answered_at {
                s.answered += 1;
                wait_ms += answered.since(r.queued_at);
                if let Some(ended) = r.ended_at {
                    handle_ms += ended.since(answered);
                    handled += 1;
                }
                Wait::Answered(answered.since(r.queued_at))
            } else if r.abandoned {
                s.abandoned += 1;
                Wait::Abandoned(r.ended_at.map_or(0, |e| e.since(r.queued_at)))
            } else if r.ended_at.is_none() {
                Wait::Waiting(now.since(r.queued_at))
            } else {
                Wait::Other
            };
            match rules.of(r.group).judge(wait) {
                Verdict::InTarget => within += 1,
                Verdict::Missed => s.waiting_past_target += u64::from(matches!(wait, Wait::Waiting(_))),
                Verdict::NotJudged => s.abandoned_short += u64::from(matches!(wait, Wait::Abandoned(_))),
            }
            if let Some(score) = r.csat {
                csat_sum += u64::from(score);
                csat_n += 1;
            }
        }
        let finished = s.answered + s.abandoned;
        s.service_level_judged = finished - s.abandoned_short + s.waiting_past_target;
        s.service_level = service_level(within, s.service_level_judged).unwrap_or(1.0);
        s.abandonment_rate = if finished == 0 { 0.0 } else { s.abandoned as f64 / finished as f64 };
        s.asa_secs = if s.answered == 0 { 0.0 } else { wait_ms as f64 / 1000.0 / s.answered as f64 };
        s.aht_secs = if handled == 0 { 0.0 } else { handle_ms as f64 / 1000.0 / handled as f64 };
        s.csat_average = (csat_n > 0).then(|| csat_sum as f64 / csat_n as f64);
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(target_secs: u32) -> SlRules {
        SlRules { default_target_secs: target_secs, targets: HashMap::new(), short_abandon_ms: 5_000 }
    }

    fn answered(wait_s: i64, handle_s: i64) -> ContactRecord {
        ContactRecord {
            group: 1,
            queued_at: Millis(0),
            answered_at: Some(Millis(wait_s * 1000)),
            ended_at: Some(Millis((wait_s + handle_s) * 1000)),
            abandoned: false,
            csat: None,
        }
    }

    #[test]
    fn service_level_counts_answers_within_target_over_finished() {
        let mut records = vec![answered(5, 100), answered(15, 200), answered(40, 300)];
        records.push(ContactRecord {
            group: 1,
            abandoned: true,
            answered_at: None,
            ended_at: Some(Millis(9000)),
            queued_at: Millis(0),
            csat: Some(1),
        });
        records.push(ContactRecord { group: 1, abandoned: false, answered_at: None, ended_at: None, queued_at: Millis(0), csat: None });
        let s = ServiceStats::compute(&records, &rules(20), Millis(10_000));
        assert_eq!((s.offered, s.answered, s.abandoned), (5, 3, 1));
        assert!((s.service_level - 0.5).abs() < 1e-9);
        assert!((s.abandonment_rate - 0.25).abs() < 1e-9);
        assert!((s.asa_secs - 20.0).abs() < 1e-9);
        assert!((s.aht_secs - 200.0).abs() < 1e-9);
        assert_eq!(s.csat_average, Some(1.0));
    }

    #[test]
    fn customers_waiting_past_the_target_count_as_missed_now() {
        let waiting = |queued_s: i64| ContactRecord {
            group: 1,
            queued_at: Millis(queued_s * 1000),
            answered_at: None,
            ended_at: None,
            abandoned: false,
            csat: None,
        };
        // Three wait past 20 s, one has waited 5 s, one was answered in time.
        let records = vec![waiting(0), waiting(1), waiting(2), waiting(95), answered(5, 10)];
        let s = ServiceStats::compute(&records, &rules(20), Millis(100_000));
        assert_eq!(s.waiting_past_target, 3);
        assert!((s.service_level - 0.25).abs() < 1e-9, "{}", s.service_level);
        // Nobody answered yet, but three are past the target: 0%, not 100%.
        let s = ServiceStats::compute(&records[..3], &rules(20), Millis(100_000));
        assert_eq!(s.service_level, 0.0);
        // Before the target passes, a waiting customer is not yet judged.
        let s = ServiceStats::compute(&records[..1], &rules(20), Millis(10_000));
        assert_eq!(s.service_level, 1.0);
    }

    #[test]
    fn empty_day_is_perfect_not_nan() {
        let s = ServiceStats::compute(&[], &rules(20), Millis(0));
        assert_eq!(s.service_level, 1.0);
        assert_eq!(s.abandonment_rate, 0.0);
        assert_eq!(s.csat_average, None);
    }

    fn abandoned(group: i64, after_s: i64) -> ContactRecord {
        ContactRecord {
            group,
            queued_at: Millis(0),
            answered_at: None,
            ended_at: Some(Millis(after_s * 1000)),
            abandoned: true,
            csat: None,
        }
    }

    #[test]
    fn short_abandons_are_left_out_and_each_group_has_its_own_target() {
        // Group 1 (target 20 s): two answered at once, two gave up within 5 s, one after 9 s.
        let mut records = vec![answered(1, 10), answered(2, 10), abandoned(1, 2), abandoned(1, 4), abandoned(1, 9)];
        let s = ServiceStats::compute(&records, &rules(20), Millis(100_000));
        assert_eq!((s.abandoned, s.abandoned_short, s.service_level_judged), (3, 2, 3));
        assert!((s.service_level - 2.0 / 3.0).abs() < 1e-9, "{}", s.service_level);
        // Group 2 has a 1 s target: its answer after 3 s is missed, though group 1 would pass it.
        records.push(ContactRecord { group: 2, ..answered(3, 10) });
        let mut r = rules(20);
        r.targets.insert(2, 1);
        let s = ServiceStats::compute(&records, &r, Millis(100_000));
        assert!((s.service_level - 0.5).abs() < 1e-9, "{}", s.service_level);
        assert_eq!(r.of(2).judge(Wait::Answered(3_000)), Verdict::Missed);
        assert_eq!(r.of(1).judge(Wait::Answered(3_000)), Verdict::InTarget);
        // Only short abandons so far: nobody judged, perfect rather than 0%.
        assert_eq!(ServiceStats::compute(&records[2..4], &r, Millis(100_000)).service_level, 1.0);
    }
}
