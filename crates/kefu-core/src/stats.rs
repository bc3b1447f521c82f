//! Service-level arithmetic: the figures supervisors live by, from plain contact records.

use serde::Serialize;

use crate::types::Millis;

/// One conversation's timings, as far as they are known.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
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
    /// Of those, still waiting now, longer than the target: already missed, though not finished.
    pub waiting_past_target: u64,
    /// Answered within the target ÷ (answered + abandoned + still waiting past the target); 1.0
    /// when nobody has finished waiting or missed the target yet.
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
    /// Compute the figures at `now`; `target_secs` is the service-level target (e.g. 20 s). A
    /// customer still waiting past the target counts as missed now: waiting for them to be
    /// answered or to give up would show 100% while the line is failing.
    pub fn compute(records: &[ContactRecord], target_secs: u32, now: Millis) -> ServiceStats {
        let target_ms = i64::from(target_secs) * 1000;
        let mut s = ServiceStats { offered: records.len() as u64, ..Default::default() };
        let (mut within, mut wait_ms, mut handle_ms, mut handled) = (0u64, 0i64, 0i64, 0u64);
        let (mut csat_sum, mut csat_n) = (0u64, 0u64);
        for r in records {
            if let Some(answered) = r.answered_at {
                s.answered += 1;
                let wait = answered.since(r.queued_at);
                wait_ms += wait;
                if wait <= target_ms {
                    within += 1;
                }
                if let Some(ended) = r.ended_at {
                    handle_ms += ended.since(answered);
                    handled += 1;
                }
            } else if r.abandoned {
                s.abandoned += 1;
            } else if r.ended_at.is_none() && now.since(r.queued_at) > target_ms {
                s.waiting_past_target += 1;
            }
            if let Some(score) = r.csat {
                csat_sum += u64::from(score);
                csat_n += 1;
            }
        }
        let finished = s.answered + s.abandoned;
        let judged = finished + s.waiting_past_target;
        s.service_level = if judged == 0 { 1.0 } else { within as f64 / judged as f64 };
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

    fn answered(wait_s: i64, handle_s: i64) -> ContactRecord {
        ContactRecord {
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
            abandoned: true,
            answered_at: None,
            ended_at: Some(Millis(9000)),
            queued_at: Millis(0),
            csat: Some(1),
        });
        records.push(ContactRecord { abandoned: false, answered_at: None, ended_at: None, queued_at: Millis(0), csat: None });
        let s = ServiceStats::compute(&records, 20, Millis(10_000));
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
            queued_at: Millis(queued_s * 1000),
            answered_at: None,
            ended_at: None,
            abandoned: false,
            csat: None,
        };
        // Three wait past 20 s, one has waited 5 s, one was answered in time.
        let records = vec![waiting(0), waiting(1), waiting(2), waiting(95), answered(5, 10)];
        let s = ServiceStats::compute(&records, 20, Millis(100_000));
        assert_eq!(s.waiting_past_target, 3);
        assert!((s.service_level - 0.25).abs() < 1e-9, "{}", s.service_level);
        // Nobody answered yet, but three are past the target: 0%, not 100%.
        let s = ServiceStats::compute(&records[..3], 20, Millis(100_000));
        assert_eq!(s.service_level, 0.0);
        // Before the target passes, a waiting customer is not yet judged.
        let s = ServiceStats::compute(&records[..1], 20, Millis(10_000));
        assert_eq!(s.service_level, 1.0);
    }

    #[test]
    fn empty_day_is_perfect_not_nan() {
        let s = ServiceStats::compute(&[], 20, Millis(0));
        assert_eq!(s.service_level, 1.0);
        assert_eq!(s.abandonment_rate, 0.0);
        assert_eq!(s.csat_average, None);
    }
}
