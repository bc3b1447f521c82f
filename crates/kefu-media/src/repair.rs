//! Whether a subscriber's NACKs for a forwarded video stream can still be served from the
//! retransmission cache (see `rtx`), or only a keyframe will restore its picture. Pure.
//!
//! str0m 0.25 answers NACKs inside the `Rtc` and says nothing about the sequence numbers it
//! could not resend: a packet no longer cached is skipped in silence (`StreamTx::handle_nack`).
//! What it does surface, per sent stream, every stats interval (`MediaEgressStats`): how many
//! NACKs arrived so far and the subscriber's last receiver report (its highest sequence number
//! received). The raw RTCP (`Event::RawPacket`) would name the NACKed numbers, but it copies
//! every packet sent and received, which the forwarding path cannot afford.
//!
//! So the SFU judges from when the subscriber stopped receiving: a NACK that follows an
//! interruption longer than the cache keeps packets asks for what was sent at its start, and
//! that is gone. Two interruptions are seen:
//! - **silence**: no datagram at all from the subscriber (a cut both ways, a tunnel, a
//!   switch of network): a receiving browser sends transport-wide feedback several times a
//!   second, so a silence longer than the cache means it heard nothing either;
//! - **a stalled report**: its receiver reports keep naming the same highest sequence number
//!   while the SFU sends past it (the link towards it is cut, its own uplink is not). Reports
//!   come about once a second (Chromium: 0.5-1.5 s), so a number seen unchanged for less than
//!   [`REPORT_SLACK`] may just be an old report.
//!
//! The first NACK after such an interruption asks the publisher for a keyframe of the layer
//! this subscriber receives (the room rate-limits requests per layer).

use std::time::{Duration, Instant};

/// A silence shorter than this is not an interruption, whatever the cache (a receiving
/// browser's feedback comes every 50-100 ms).
const SILENCE_MIN: Duration = Duration::from_millis(200);

/// How long after the subscriber is heard again its first NACK is taken as the repair of
/// the silence (a NACK needs the first packets after the return and a round trip).
const RETURN_WINDOW: Duration = Duration::from_secs(2);

/// A receiver report's highest sequence number unchanged for less than this (plus the cache
/// age) may be an old report rather than a stall: Chromium reports every 0.5-1.5 s.
pub(crate) const REPORT_SLACK: Duration = Duration::from_millis(1_500);

/// When a participant was last heard, and its last silence long enough to matter.
#[derive(Debug, Default)]
pub(crate) struct Hearing {
    last: Option<Instant>,
    /// The last silence of at least [`SILENCE_MIN`]: (its start, when it was heard again).
    silence: Option<(Instant, Instant)>,
}

impl Hearing {
    /// A datagram came from the participant.
    pub(crate) fn heard(&mut self, now: Instant) {
        if let Some(last) = self.last.filter(|last| now.saturating_duration_since(*last) >= SILENCE_MIN) {
            self.silence = Some((last, now));
        }
        self.last = Some(now);
    }

    /// How long the participant was silent, if it came back within [`RETURN_WINDOW`] of `now`.
    fn recent_silence(&self, now: Instant) -> Option<Duration> {
        let (start, back) = self.silence?;
        (now.saturating_duration_since(back) <= RETURN_WINDOW).then(|| back - start)
    }
}

/// What one forwarded video stream's stats said last.
#[derive(Debug, Default)]
pub(crate) struct NackWatch {
    /// NACKs received on the stream so far (str0m's count).
    nacks: u64,
    /// The highest sequence number the subscriber reported, and when it was first seen.
    reported: Option<(u64, Instant)>,
}

/// One stats sample of a forwarded video stream.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub at: Instant,
    /// NACKs received so far.
    pub nacks: u64,
    /// The highest sequence number in the subscriber's last receiver report.
    pub reported: Option<u64>,
}

impl NackWatch {
    /// Takes a sample; true when NACKs arrived that the cache (keeping `cache_age`) cannot
    /// serve, judged by the interruption before them: a keyframe is needed.
    pub(crate) fn sample(&mut self, s: Sample, hearing: &Hearing, cache_age: Duration) -> bool {
        let nacked = s.nacks > self.nacks;
        self.nacks = s.nacks;
        // The report as it stood before this sample: a NACK comes with a receiver report of
        // the packet after the gap, so the stall is the number it replaces.
        let stalled_for = match (self.reported, s.reported) {
            (Some((seq, since)), Some(now_seq)) if now_seq > seq => Some(s.at.saturating_duration_since(since)),
            _ => None,
        };
        if s.reported.is_some_and(|seq| self.reported.is_none_or(|(old, _)| seq != old)) {
            self.reported = s.reported.map(|seq| (seq, s.at));
        }
        if !nacked {
            return false;
        }
        let silent = hearing.recent_silence(s.at).is_some_and(|silence| silence > cache_age);
        let stalled = stalled_for.is_some_and(|stall| stall > cache_age + REPORT_SLACK);
        silent || stalled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(t0: Instant, ms: u64) -> Instant {
        t0 + Duration::from_millis(ms)
    }

    /// A subscriber heard every 50 ms from `from` to `to`.
    fn hear(h: &mut Hearing, t0: Instant, from: u64, to: u64) {
        for t in (from..=to).step_by(50) {
            h.heard(ms(t0, t));
        }
    }

    const AGE: Duration = Duration::from_millis(500);

    #[test]
    fn a_nack_after_a_silence_longer_than_the_cache_wants_a_keyframe() {
        let t0 = Instant::now();
        let (mut h, mut w) = (Hearing::default(), NackWatch::default());
        hear(&mut h, t0, 0, 1_000);
        assert!(!w.sample(Sample { at: ms(t0, 1_000), nacks: 3, reported: Some(100) }, &h, AGE), "the first sample only sets the count");
        assert!(!w.sample(Sample { at: ms(t0, 1_200), nacks: 4, reported: Some(110) }, &h, AGE), "an ordinary loss: served from the cache");
        // Cut for 2 s, then back.
        hear(&mut h, t0, 3_200, 3_400);
        assert!(!w.sample(Sample { at: ms(t0, 3_400), nacks: 4, reported: Some(300) }, &h, AGE), "back, no NACK yet");
        assert!(w.sample(Sample { at: ms(t0, 3_600), nacks: 6, reported: Some(310) }, &h, AGE), "its NACK asks for what the cache dropped");
        hear(&mut h, t0, 3_400, 5_400);
        assert!(!w.sample(Sample { at: ms(t0, 4_600), nacks: 6, reported: Some(350) }, &h, AGE));
        assert!(!w.sample(Sample { at: ms(t0, 5_400), nacks: 7, reported: Some(400) }, &h, AGE), "long after the return: an ordinary loss");
    }

    #[test]
    fn a_silence_the_cache_covers_needs_no_keyframe() {
        let t0 = Instant::now();
        let (mut h, mut w) = (Hearing::default(), NackWatch::default());
        hear(&mut h, t0, 0, 1_000);
        w.sample(Sample { at: ms(t0, 1_000), nacks: 0, reported: Some(100) }, &h, AGE);
        hear(&mut h, t0, 1_400, 1_500);
        assert!(!w.sample(Sample { at: ms(t0, 1_600), nacks: 2, reported: Some(130) }, &h, AGE), "400 ms: still cached");
    }

    #[test]
    fn reports_stuck_while_the_subscriber_talks_mean_its_downlink_was_cut() {
        let t0 = Instant::now();
        let (mut h, mut w) = (Hearing::default(), NackWatch::default());
        hear(&mut h, t0, 0, 6_000);
        w.sample(Sample { at: ms(t0, 1_000), nacks: 1, reported: Some(100) }, &h, AGE);
        // Reports every second say 150 from 2 s to 5 s: nothing arrives, though it sends.
        for t in [2_000, 3_000, 4_000, 5_000] {
            assert!(!w.sample(Sample { at: ms(t0, t), nacks: 1, reported: Some(150) }, &h, AGE));
        }
        assert!(w.sample(Sample { at: ms(t0, 5_200), nacks: 2, reported: Some(400) }, &h, AGE), "stuck 3.2 s: the cache cannot serve");
        // An ordinary report interval before a NACK is no stall.
        w.sample(Sample { at: ms(t0, 6_200), nacks: 2, reported: Some(460) }, &h, AGE);
        assert!(!w.sample(Sample { at: ms(t0, 7_400), nacks: 3, reported: Some(520) }, &h, AGE));
    }
}
