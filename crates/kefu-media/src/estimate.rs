//! The bandwidth estimate towards one subscriber that its layer allocator works with, from the
//! two figures str0m 0.25 gives: the estimate event (averaged over its last 3 s) and the raw
//! estimate in its stats. Pure: figures in, the figure to tell the room out.
//!
//! Down fast, up slow. str0m's `Event::EgressBitrateEstimate` is the mean of the raw estimates
//! of the last 3 s: when a link narrows (a phone leaves Wi-Fi, a `tbf` comes on), the raw
//! estimate falls within a second or so and the averaged one follows over 3 s. Allocating on the
//! averaged one alone, a subscriber on a top layer of ~1.6 Mbit/s whose link fell to 300 kbit/s
//! was sent the top and then the middle layer for seconds, overflowing the link: nothing
//! decodable reached it for 2.5 to 7 s (sfu_weak_link_tests.rs). The raw estimate, read from the
//! stats every [`SAMPLE_INTERVAL`], goes to the room as a "fast" figure when it is the lower:
//! flowing video steps down among its layers on it at once. Everything else (switches up,
//! pausing, resuming) still follows the average: the raw estimate swings far further (to
//! str0m's floor for seconds after a link narrows).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How often the raw estimate is read (str0m's stats interval; the participant's stats reports
/// to the server keep their own, longer interval: see `report`).
pub(crate) const SAMPLE_INTERVAL: Duration = Duration::from_millis(200);

/// Past this share of what was sent over the last second lost (as the subscriber's transport
/// feedback says), the link is taken to carry no more than what got through. Well above the
/// random loss of a poor mobile link (the weak-network test loses 5%, up to 10% with the
/// queue's drops): a link that narrows under a layer loses most of it.
pub(crate) const OVERFLOW_LOSS: f32 = 0.2;

/// What was sent is measured over this long (str0m's loss figure is over the last second).
const SENT_WINDOW: Duration = Duration::from_secs(1);

/// A subscriber's estimates.
#[derive(Clone, Debug, Default)]
pub(crate) struct Estimate {
    /// str0m's averaged estimate (its estimate event), bits per second.
    pub averaged: Option<u64>,
    /// Its latest raw estimate (its stats), bits per second.
    pub raw: Option<u64>,
    /// While the loss is past [`OVERFLOW_LOSS`]: what got through over the last second, bits
    /// per second. str0m's raw estimate takes a second or two to fall that far (its loss-based
    /// controller steps down gradually); meanwhile the link overflows.
    pub delivered: Option<u64>,
    /// (when, media bytes sent so far) of the samples of the last [`SENT_WINDOW`].
    sent: VecDeque<(Instant, u64)>,
    /// The fast figure the room was last told.
    told: Option<u64>,
}

impl Estimate {
    /// A new averaged estimate (for the room's [`crate::room::Input::Estimate`]); returns the
    /// fast figure to tell the room if it changed.
    pub(crate) fn averaged(&mut self, bps: u64) -> Option<Option<u64>> {
        self.averaged = Some(bps);
        self.tell()
    }

    /// A stats sample: the raw estimate, the media bytes sent so far and the loss over the last
    /// second. Returns the fast figure to tell the room if it changed.
    pub(crate) fn sample(&mut self, now: Instant, raw: Option<u64>, bytes_sent: u64, loss: Option<f32>) -> Option<Option<u64>> {
        if let Some(raw) = raw {
            self.raw = Some(raw);
        }
        self.sent.push_back((now, bytes_sent));
        while self.sent.len() > 2 && self.sent.get(1).is_some_and(|(at, _)| now.saturating_duration_since(*at) >= SENT_WINDOW) {
            self.sent.pop_front();
        }
        self.delivered = match (loss, self.sent.front()) {
            (Some(loss), Some((at, bytes))) if loss >= OVERFLOW_LOSS && now > *at => {
                let secs = (now - *at).as_secs_f64();
                let sent = bytes_sent.saturating_sub(*bytes) as f64 * 8.0 / secs;
                Some((sent * f64::from(1.0 - loss.min(1.0))) as u64)
            }
            _ => None,
        };
        self.tell()
    }

    /// The lowest of the three, once the averaged one exists (before it, str0m has no
    /// estimate the allocator should limit by).
    pub(crate) fn current(&self) -> Option<u64> {
        let averaged = self.averaged?;
        [self.raw, self.delivered].into_iter().flatten().min().map_or(Some(averaged), |low| Some(low.min(averaged)))
    }

    /// The fast figure for the allocator ([`crate::allocator::Budget::fast`]): the lowest of
    /// the three when it is below the averaged one.
    pub(crate) fn fast(&self) -> Option<u64> {
        self.current().filter(|c| Some(*c) != self.averaged)
    }

    fn tell(&mut self) -> Option<Option<u64>> {
        let fast = self.fast();
        if fast == self.told {
            return None;
        }
        self.told = fast;
        Some(fast)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lower_raw_estimate_is_told_once_as_the_fast_figure() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut e = Estimate::default();
        assert_eq!(e.sample(at(0), Some(900_000), 0, None), None, "no averaged estimate yet: no limit");
        assert_eq!(e.averaged(1_000_000), Some(Some(900_000)), "the raw one is lower");
        assert_eq!(e.sample(at(200), Some(240_000), 0, None), Some(Some(240_000)), "the link narrowed: down at once");
        assert_eq!(e.averaged(700_000), None, "the average follows slowly, the raw one still rules");
        assert_eq!(e.sample(at(400), Some(240_000), 0, None), None, "told once");
        assert_eq!(e.sample(at(600), Some(2_000_000), 0, None), Some(None), "a rise waits for the average: no fast figure");
        assert_eq!(e.averaged(1_500_000), None);
        assert_eq!(e.current(), Some(1_500_000));
    }

    #[test]
    fn heavy_loss_limits_to_what_got_through() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut e = Estimate::default();
        e.averaged(2_000_000);
        // 200 kB/s sent (1.6 Mbit/s): a 5% loss is no overflow.
        for i in 0..=5 {
            e.sample(at(i * 200), Some(2_000_000), i * 40_000, Some(0.05));
        }
        assert_eq!(e.fast(), None, "5% lost: no fast figure");
        assert_eq!(
            e.sample(at(1_200), Some(1_800_000), 240_000, Some(0.75)),
            Some(Some(400_000)),
            "75% lost: a quarter of 1.6 Mbit/s got through"
        );
        assert_eq!(e.sample(at(1_400), Some(1_500_000), 280_000, Some(0.1)), Some(Some(1_500_000)), "the loss is over: the raw estimate");
    }
}
