//! Where a frame goes on the recording's timeline, in milliseconds from the recording's start.
//!
//! Audio and video of one sender run on separate RTP clocks with random offsets; RTCP sender
//! reports tie each to the sender's one wall clock (NTP). The first packet of the participant
//! that carries a sender report fixes `delta` = our arrival time − the sender's wall time, once
//! for all its streams: afterwards a frame's place is its sender wall time + `delta`, the same
//! for audio and video, which keeps them in sync (lip sync) whatever the network jitter. Before a
//! stream has seen a report, its frames are placed by the arrival of its first packet plus RTP
//! time elapsed.
//!
//! The sender's clocks are trusted only as far as our own arrivals bear them out: a frame is
//! captured before it arrives, and arrives at most [`MAX_LATE`] after (jitter buffer, NACK
//! retransmissions). A place outside that window means the sender's clock jumped (a phone that
//! syncs its clock mid-call, a user who changes it, an RTP clock that restarts) or that the packet
//! the mapping was taken from came late (a first packet held up, with the ones behind it in a
//! burst): the mapping (`delta`, or before any report the stream's first arrival) is taken again
//! from that frame. Without this a jump of 30 s would leave 30 s of nothing in the file, which
//! then runs longer than the call (and so does the composed MP4).
//!
//! A track's times never go backwards. When the mapping moves back (a mapping taken from a late
//! packet is corrected, the first report arrives, a later report differs), the frames are not
//! packed 1 ms apart until the new mapping catches up, which would squeeze seconds of media into
//! milliseconds: the track's places advance [`CATCH_UP`] slower than its media until they meet
//! the new mapping (2 s are made up over 20 s of media). Both tracks of a sender catch up at one
//! pace, so a correction of the shared `delta` keeps them in sync while it lasts.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// How long after its capture a frame may arrive before its sender's clock is taken to have
/// jumped (seconds): beyond any jitter buffer or retransmission.
const MAX_LATE: f64 = 2.0;
/// How far before its arrival a frame may be placed (seconds): clocks are never exact.
const MAX_EARLY: f64 = 0.25;
/// The share of its media time by which a track that runs ahead of its mapping slows down.
const CATCH_UP: f64 = 0.1;
/// How far ahead of its arrival a track may run while it catches up (seconds); a frame that would
/// run further comes after an RTP clock's jump and is placed by its mapping alone.
const MAX_AHEAD: f64 = 5.0;

/// A sender report: the sender's wall time at an RTP time of the stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct SenderReport {
    pub ntp: SystemTime,
    pub rtp_time: u32,
}

/// The timeline of one participant's file.
#[derive(Debug)]
pub(crate) struct Timeline {
    start: Instant,
    /// Our seconds since `start` minus the sender's wall-clock seconds, once known.
    delta: Option<f64>,
}

/// One stream's clock on the timeline.
#[derive(Debug)]
pub(crate) struct StreamClock {
    rate: f64,
    report: Option<SenderReport>,
    /// RTP time and our seconds of the packet the stream's places run from (before any report).
    first: Option<(u32, f64)>,
    last: Option<Placed>,
}

/// The last frame a stream placed.
#[derive(Clone, Copy, Debug)]
struct Placed {
    ms: i64,
    /// Its RTP time; `None` once another RTP stream took over (its clock is not this one's).
    rtp_time: Option<u32>,
    /// Our seconds at its arrival.
    arrival: f64,
}

impl Timeline {
    pub(crate) fn new(start: Instant) -> Self {
        Timeline { start, delta: None }
    }

    fn ours(&self, at: Instant) -> f64 {
        at.saturating_duration_since(self.start).as_secs_f64()
    }

    /// The place of a frame with `rtp_time` that arrived at `arrival`, on `clock`.
    pub(crate) fn place(&mut self, clock: &mut StreamClock, rtp_time: u32, arrival: Instant) -> i64 {
        let ours = self.ours(arrival);
        let seconds = match clock.report {
            Some(report) => {
                let sender = unix_seconds(report.ntp) + rtp_diff(rtp_time, report.rtp_time) / clock.rate;
                let mut delta = *self.delta.get_or_insert(ours - sender);
                if !bears_out(sender + delta, ours) {
                    // The sender's clock jumped, or `delta` came from a late packet: its frames
                    // are placed from here by arrival.
                    delta = ours - sender;
                    self.delta = Some(delta);
                }
                sender + delta
            }
            None => {
                let (rtp0, at0) = *clock.first.get_or_insert((rtp_time, ours));
                let placed = at0 + rtp_diff(rtp_time, rtp0) / clock.rate;
                if bears_out(placed, ours) {
                    placed
                } else {
                    // The first packet came late, or the RTP clock jumped: run from this one.
                    clock.first = Some((rtp_time, ours));
                    ours
                }
            }
        };
        let mut ms = (seconds * 1000.0).round() as i64;
        if let Some(last) = clock.last {
            // Where the track gets to at its catching-up pace: the media time since the last
            // frame (the arrival time, just after another RTP stream took over), less a share.
            let elapsed = match last.rtp_time {
                Some(rtp) => rtp_diff(rtp_time, rtp) / clock.rate,
                None => ours - last.arrival,
            };
            let paced = last.ms as f64 + elapsed.max(0.0) * (1.0 - CATCH_UP) * 1000.0;
            if paced <= (ours + MAX_AHEAD) * 1000.0 {
                ms = ms.max(paced.round() as i64);
            }
            ms = ms.max(last.ms + 1);
        }
        let ms = ms.max(0);
        clock.last = Some(Placed { ms, rtp_time: Some(rtp_time), arrival: ours });
        ms
    }
}

/// Whether a frame placed at `placed` (our seconds) could have arrived at `ours`: captured at most
/// [`MAX_LATE`] before its arrival and not more than [`MAX_EARLY`] after it.
fn bears_out(placed: f64, ours: f64) -> bool {
    (ours - MAX_LATE..=ours + MAX_EARLY).contains(&placed)
}

impl StreamClock {
    /// A clock of `rate` Hz (48 000 for Opus, 90 000 for video).
    pub(crate) fn new(rate: u32) -> Self {
        StreamClock { rate: f64::from(rate), report: None, first: None, last: None }
    }

    /// Another RTP stream takes over (a simulcast layer switch, a new camera): its offset and
    /// reports are its own; its frames still never go before those already placed.
    pub(crate) fn restart(&mut self) {
        self.report = None;
        self.first = None;
        if let Some(last) = &mut self.last {
            last.rtp_time = None;
        }
    }

    /// The stream's latest sender report.
    pub(crate) fn report(&mut self, report: SenderReport) {
        self.report = Some(report);
    }
}

/// `a - b` in RTP ticks, across a wrap of the 32-bit timestamp.
fn rtp_diff(a: u32, b: u32) -> f64 {
    f64::from(a.wrapping_sub(b) as i32)
}

fn unix_seconds(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn sender_reports_put_audio_and_video_of_one_instant_at_one_place() {
        let start = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut timeline = Timeline::new(start);
        let mut audio = StreamClock::new(48_000);
        let mut video = StreamClock::new(90_000);
        // Random RTP offsets, one near the wrap.
        audio.report(SenderReport { ntp: wall, rtp_time: 1_000 });
        video.report(SenderReport { ntp: wall, rtp_time: u32::MAX - 45_000 });
        // Audio of wall+1 s arrives at 1.000 s; video of the same instant arrives 80 ms later.
        let a = timeline.place(&mut audio, 1_000 + 48_000, start + Duration::from_millis(1_000));
        let v = timeline.place(&mut video, (u32::MAX - 45_000).wrapping_add(90_000), start + Duration::from_millis(1_080));
        assert_eq!(a, 1_000);
        assert_eq!(v, 1_000, "video is placed with the audio it was captured with, not by arrival");
        // Never backwards.
        assert_eq!(timeline.place(&mut audio, 1_000, start), 1_001);
    }

    #[test]
    fn a_sender_clock_that_jumps_mid_call_does_not_stretch_the_file() {
        let start = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut timeline = Timeline::new(start);
        let mut audio = StreamClock::new(48_000);
        audio.report(SenderReport { ntp: wall, rtp_time: 0 });
        let at = |ms: u64| start + Duration::from_millis(ms);
        assert_eq!(timeline.place(&mut audio, 48_000, at(1_000)), 1_000);
        assert_eq!(timeline.place(&mut audio, 96_000, at(2_050)), 2_000, "jitter is no jump");
        // The phone syncs its clock: 30 s forward; its next report says so.
        audio.report(SenderReport { ntp: wall + Duration::from_secs(32), rtp_time: 96_000 });
        assert_eq!(timeline.place(&mut audio, 144_000, at(3_000)), 3_000, "placed by arrival, not 30 s on");
        assert_eq!(timeline.place(&mut audio, 192_000, at(4_010)), 4_000, "and on from there");
        // And back.
        audio.report(SenderReport { ntp: wall, rtp_time: 192_000 });
        assert_eq!(timeline.place(&mut audio, 240_000, at(5_000)), 5_000);
    }

    /// Consecutive places of 20 ms frames never closer than three quarters of a frame: time that
    /// moved back is made up gradually, not by packing frames 1 ms apart.
    fn assert_unpacked(placed: &[(f64, i64)], frame_ms: i64, what: &str) {
        for w in placed.windows(2) {
            let ((at, a), (_, b)) = (w[0], w[1]);
            assert!(b - a >= frame_ms * 3 / 4, "{what}: frames placed at {a} and {b} ms (arrived at {at:.0} ms): packed");
        }
    }

    /// `count` 20 ms audio frames of a sender whose first frame arrives 2 s late, with the hundred
    /// behind it in a burst (as after a stall), then each 5 ms after its capture; from frame
    /// `report_from` on a report ties them to the sender's clock. (arrival ms, placed ms) per frame.
    fn late_first_packet(report_from: Option<usize>, count: usize) -> Vec<(f64, i64)> {
        let start = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let rtp0 = 7_000u32;
        let mut timeline = Timeline::new(start);
        let mut audio = StreamClock::new(48_000);
        (0..count)
            .map(|k| {
                let captured = k as f64 * 0.020 - 2.0;
                let arrival = if k <= 100 { k as f64 * 0.000_2 } else { captured + 0.005 };
                if report_from.is_some_and(|from| k >= from) {
                    audio.report(SenderReport { ntp: wall, rtp_time: rtp0 });
                }
                let rtp = rtp0.wrapping_add(k as u32 * 960);
                (arrival * 1000.0, timeline.place(&mut audio, rtp, start + Duration::from_secs_f64(arrival)))
            })
            .collect()
    }

    #[test]
    fn a_first_packet_that_arrives_late_does_not_squeeze_the_frames_behind_it() {
        // The report with the late first frame, a second after the stall, or none.
        for report_from in [Some(0), Some(150), None] {
            let placed = late_first_packet(report_from, 1_600);
            let what = format!("report from frame {report_from:?}");
            assert_unpacked(&placed, 20, &what);
            // The first 3 s of media (the burst and what follows) take about 3 s of the file.
            let span = placed[150].1 - placed[0].1;
            assert!(span >= 2_700, "{what}: 3 s of media span {span} ms");
            // Nothing runs further ahead of its arrival than the first frame's delay...
            assert!(placed.iter().all(|(at, ms)| (*ms as f64) <= at + 2_050.0), "{what}: {placed:?}");
            // ...and 30 s on, the frames are back within the window of their arrival.
            let (at, ms) = placed[placed.len() - 1];
            let early = MAX_EARLY * 1000.0;
            assert!((at - 30.0..=at + early).contains(&(ms as f64)), "{what}: the last frame arrived at {at:.0} ms, placed at {ms}");
        }
    }

    #[test]
    fn without_a_report_an_rtp_clock_that_jumps_is_followed_by_arrival() {
        let start = Instant::now();
        let mut timeline = Timeline::new(start);
        let mut audio = StreamClock::new(48_000);
        // 2 s on time, then the sender restarts its RTP clock 30 s back, then jumps 60 s on.
        let placed: Vec<(f64, i64)> = (0..300u32)
            .map(|k| {
                let shift: i64 = match k {
                    0..100 => 0,
                    100..200 => -30 * 48_000,
                    _ => 30 * 48_000,
                };
                let rtp = (1_000_000 + i64::from(k) * 960 + shift) as u32;
                let arrival = f64::from(k) * 20.0 + 5.0;
                (arrival, timeline.place(&mut audio, rtp, start + Duration::from_secs_f64(arrival / 1000.0)))
            })
            .collect();
        assert_unpacked(&placed, 20, "an RTP clock that jumps");
        for (at, ms) in &placed {
            assert!((*ms as f64 - at).abs() <= 30.0, "arrived at {at:.0} ms, placed at {ms}: {placed:?}");
        }
    }

    #[test]
    fn audio_and_video_fall_into_sync_when_their_reports_come_seconds_late() {
        let start = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let (audio_rtp0, video_rtp0) = (555u32, u32::MAX - 90_000);
        let mut timeline = Timeline::new(start);
        let mut audio = StreamClock::new(48_000);
        let mut video = StreamClock::new(90_000);
        // (arrival s, video, frame number): the sound's first frame arrives 600 ms late with the
        // next thirty in a burst, then 10 ms after capture; the picture 30 ms after capture.
        let mut frames: Vec<(f64, bool, u32)> = (0..750)
            .map(|k| (if k <= 30 { 0.6 + f64::from(k) * 0.000_2 } else { f64::from(k) * 0.020 + 0.010 }, false, k))
            .chain((0..375).map(|j| (f64::from(j) * 0.040 + 0.030, true, j)))
            .collect();
        frames.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut sound, mut picture) = (Vec::new(), Vec::new());
        for (arrival, is_video, n) in frames {
            let at = start + Duration::from_secs_f64(arrival);
            // Both streams' reports come only 3 s into the media.
            if is_video {
                if n >= 75 {
                    video.report(SenderReport { ntp: wall, rtp_time: video_rtp0 });
                }
                picture.push((arrival * 1000.0, timeline.place(&mut video, video_rtp0.wrapping_add(n * 3_600), at)));
            } else {
                if n >= 150 {
                    audio.report(SenderReport { ntp: wall, rtp_time: audio_rtp0 });
                }
                sound.push((arrival * 1000.0, timeline.place(&mut audio, audio_rtp0.wrapping_add(n * 960), at)));
            }
        }
        assert_unpacked(&sound, 20, "sound");
        assert_unpacked(&picture, 40, "picture");
        // From 10 s on, a picture and the sound captured with it are at one place.
        for j in 250..375 {
            let (v, a) = (picture[j].1, sound[2 * j].1);
            assert!((v - a).abs() <= 20, "the picture of {} ms at {v} ms, its sound at {a} ms", j * 40);
        }
    }

    #[test]
    fn without_a_report_a_stream_runs_from_its_first_arrival() {
        let start = Instant::now();
        let mut timeline = Timeline::new(start);
        let mut video = StreamClock::new(90_000);
        assert_eq!(timeline.place(&mut video, 500, start + Duration::from_millis(300)), 300);
        assert_eq!(timeline.place(&mut video, 500 + 9_000, start + Duration::from_millis(450)), 400);
    }
}
