//! A participant's stats reports to the server ([`ParticipantStats`], every configured stats
//! interval) from str0m's stats samples, which come more often (every
//! [`crate::estimate::SAMPLE_INTERVAL`], for the raw bandwidth estimate): which sample makes a
//! report, and the rates and loss over the report's interval. Pure.

use std::time::{Duration, Instant};

use str0m::stats::PeerStats;

use crate::api::ParticipantStats;
use crate::estimate::SAMPLE_INTERVAL;
use crate::ids::{ParticipantId, RoomId};

/// One participant's reporting state.
#[derive(Debug)]
pub(crate) struct Reporting {
    /// `None`: never report.
    interval: Option<Duration>,
    /// Cumulative (bytes received, bytes sent) and time of the last report (or the first
    /// sample): the rates are measured from there.
    last: Option<(u64, u64, Instant)>,
    /// str0m's ingress loss is over the time since its previous sample: the samples since the
    /// last report are averaged (sum, count).
    ingress_loss: (f32, u32),
    /// The latest RTT any sample gave.
    rtt: Option<Duration>,
}

impl Reporting {
    pub(crate) fn new(interval: Option<Duration>) -> Self {
        Reporting { interval, last: None, ingress_loss: (0.0, 0), rtt: None }
    }

    /// Take a stats sample; returns the report when one is due.
    pub(crate) fn sample(&mut self, room: RoomId, participant: ParticipantId, stats: &PeerStats) -> Option<ParticipantStats> {
        let interval = self.interval?;
        if let Some(loss) = stats.ingress_loss_fraction {
            self.ingress_loss.0 += loss;
            self.ingress_loss.1 += 1;
        }
        self.rtt = stats.rtt.or(self.rtt);
        let Some((rx, tx, at)) = self.last else {
            self.last = Some((stats.bytes_rx, stats.bytes_tx, stats.timestamp));
            return None;
        };
        // A sample a little early is on time: reports keep the interval, not interval + a sample.
        if stats.timestamp + SAMPLE_INTERVAL / 4 < at + interval {
            return None;
        }
        let secs = (stats.timestamp - at).as_secs_f64().max(1e-3);
        let rate = |now: u64, then: u64| (now.saturating_sub(then) as f64 * 8.0 / secs) as u64;
        let (sum, count) = std::mem::take(&mut self.ingress_loss);
        self.last = Some((stats.bytes_rx, stats.bytes_tx, stats.timestamp));
        Some(ParticipantStats {
            room,
            participant,
            ingress_bps: rate(stats.bytes_rx, rx),
            egress_bps: rate(stats.bytes_tx, tx),
            ingress_loss: (count > 0).then(|| sum / count as f32),
            egress_loss: stats.egress_loss_fraction,
            rtt: self.rtt,
            estimate_bps: stats.bwe_tx.map(|b| b.as_u64()),
            forwarded_video: None,
            published_rids: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(t0: Instant, ms: u64, bytes_tx: u64, ingress_loss: f32) -> PeerStats {
        PeerStats {
            peer_bytes_rx: 0,
            peer_bytes_tx: 0,
            bytes_rx: 0,
            bytes_tx,
            timestamp: t0 + Duration::from_millis(ms),
            bwe_tx: None,
            egress_loss_fraction: Some(0.05),
            ingress_loss_fraction: Some(ingress_loss),
            rtt: (ms == 200).then(|| Duration::from_millis(100)),
            selected_candidate_pair: None,
        }
    }

    #[test]
    fn samples_every_200_ms_make_one_report_per_interval_with_its_rates() {
        let t0 = Instant::now();
        let mut r = Reporting::new(Some(Duration::from_secs(1)));
        let (room, who) = (RoomId(1), ParticipantId(2));
        // 25 kB a second sent: 200 kbit/s; half the samples saw 10% ingress loss.
        let reports: Vec<ParticipantStats> =
            (0..=11).filter_map(|i| r.sample(room, who, &sample(t0, i * 200, i * 5_000, if i % 2 == 0 { 0.1 } else { 0.0 }))).collect();
        assert_eq!(reports.len(), 2, "a report a second: {reports:?}");
        assert_eq!(reports[0].egress_bps, 200_000);
        assert!((reports[1].ingress_loss.unwrap_or(0.0) - 0.06).abs() < 0.001, "the samples since the last report, averaged: {reports:?}");
        assert_eq!(reports[1].rtt, Some(Duration::from_millis(100)), "the latest RTT known");
        let mut silent = Reporting::new(None);
        assert!((0..20).all(|i| silent.sample(room, who, &sample(t0, i * 200, 0, 0.0)).is_none()), "no interval: no report");
    }
}
