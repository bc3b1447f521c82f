//! How long a forwarded video stream keeps its sent packets for NACKs, from the subscriber's
//! round-trip time. Pure. The cache is most of a subscriber's memory (str0m's buffer grows with
//! the packets it holds: bitrate x age), and a retransmission is useful only while the
//! receiver's jitter buffer still waits for it: the NACK needs about one RTT to come and the
//! repair one more, and a receiver asks again once or twice before it gives up and wants a
//! keyframe. So the cache keeps a few RTTs plus a margin for bursts and scheduling, never more
//! than the configured [`crate::MediaConfig::rtx_cache`].
//!
//! Until the first stats give the RTT (5 s into a call), the cache keeps [`INITIAL_AGE`]: what
//! it holds then sets the process's memory high-water mark (the allocator keeps the pages of a
//! cache that later shrinks), and a full second of video was ~0.2 MB per subscriber, most of a
//! subscriber's memory (tools/media-load).

use std::time::Duration;

/// Kept whatever the RTT: a burst of loss on a near link is still repaired.
pub(crate) const MIN_AGE: Duration = Duration::from_millis(250);

/// The cache's age before an RTT is measured: four round trips of 60 ms and the floor.
pub(crate) const INITIAL_AGE: Duration = Duration::from_millis(500);

/// RTTs a retransmission may take to be asked for, asked again and delivered.
const RTTS: u32 = 4;

/// A new age is applied only when it differs from the current one by more than this fraction:
/// str0m drops the cached packets when the cache is resized, so it must not happen on every
/// small change of the RTT.
const HYSTERESIS: f64 = 0.25;

/// The cache age for a subscriber with this RTT (`None`: not measured yet), at most `max`.
pub(crate) fn age_for(rtt: Option<Duration>, max: Duration) -> Duration {
    match rtt {
        None => INITIAL_AGE.min(max),
        Some(rtt) => MIN_AGE.saturating_add(rtt.saturating_mul(RTTS)).min(max).max(MIN_AGE.min(max)),
    }
}

/// Whether a cache of age `current` should be resized to `wanted`. `first`: the first RTT
/// of the subscriber (the cache has its initial age): it may shrink or grow. After that it only
/// grows. A resize drops every cached packet (str0m rebuilds the cache), so a loss just before
/// it cannot be repaired and the receiver's video freezes until a keyframe; on a congested
/// link the RTT swings with the queue (100-170 ms on a 300 kbit/s `tbf`), and following it both
/// ways resized every second or two, each time a freeze (sfu_weak_link_tests.rs).
pub(crate) fn worth_resizing(current: Duration, wanted: Duration, first: bool) -> bool {
    let (a, b) = (current.as_secs_f64(), wanted.as_secs_f64());
    (first || b > a) && (a - b).abs() > HYSTERESIS * a.max(b)
}

/// At most this many packets per second of age (a keyframe burst of a 1080p layer fits).
pub(crate) fn max_packets(age: Duration) -> usize {
    ((age.as_millis() / 2) as usize).max(50)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn the_cache_keeps_a_few_round_trips_within_the_configured_age() {
        let max = MS(1_000);
        assert_eq!(age_for(None, max), MS(500), "until an RTT is known, the initial age");
        assert_eq!(age_for(None, MS(300)), MS(300), "a configured age below it wins");
        assert_eq!(age_for(Some(MS(1)), max), MS(254), "a near subscriber: the floor and a little");
        assert_eq!(age_for(Some(MS(0)), max), MIN_AGE);
        assert_eq!(age_for(Some(MS(100)), max), MS(650), "a 100 ms path: four round trips more");
        assert_eq!(age_for(Some(MS(400)), max), max, "a far one: never beyond the configured age");
        assert_eq!(age_for(Some(MS(50)), MS(100)), MS(100), "a configured age below the floor wins");
        assert_eq!(age_for(Some(Duration::MAX), max), max, "no overflow");
    }

    #[test]
    fn small_changes_of_the_rtt_leave_the_cache_alone() {
        assert!(!worth_resizing(MS(1_000), MS(1_000), true));
        assert!(!worth_resizing(MS(650), MS(700), false), "7 %");
        assert!(worth_resizing(MS(1_000), MS(254), true), "the first RTT of a near subscriber");
        assert!(worth_resizing(MS(254), MS(650), false), "the path got longer");
        assert!(!worth_resizing(MS(918), MS(674), false), "a queue drained: the cache stays as it is");
        assert_eq!(max_packets(MS(1_000)), 500);
        assert_eq!(max_packets(MS(20)), 50);
    }
}
