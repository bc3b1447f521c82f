//! The writer thread of one recording: takes the packets the media thread handed over, puts
//! them in order, joins them into frames, places them on the timeline and writes the WebM file.
//! All file I/O of a recording happens here, never on the media thread.

use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::api::{MediaEvent, RecordingEnded};
use crate::ids::{ParticipantId, RoomId};
use crate::recorder::depacketize::{Packet, Released, Reorder, Vp8Assembler};
use crate::recorder::h264::H264Assembler;
use crate::recorder::timing::{SenderReport, StreamClock, Timeline};
use crate::recorder::webm::{Layout, WebmWriter, AUDIO_TRACK, VIDEO_TRACK};

/// A VP8 keyframe of a black 320x180 picture (made once with ffmpeg's libvpx): written while a
/// recording is paused, so players show black rather than the last picture.
pub(crate) const BLACK_KEYFRAME: &[u8] = include_bytes!("black-320x180.vp8");
/// An H.264 IDR picture of a black 320x180 frame, with its own SPS and PPS in front, as
/// Matroska stores it (4-byte lengths; made once with ffmpeg's libx264, constrained baseline):
/// written while an H.264 recording is paused. Its parameter sets travel in-band, so decoders
/// take its size whatever the track's; the picture after the pause is a real keyframe that
/// brings the stream's own parameter sets back (see `Writer::frames`).
pub(crate) const BLACK_H264: &[u8] = include_bytes!("black-320x180.h264");
/// An Opus frame of 20 ms of silence (CELT, TOC 0xF8): replaces the audio while paused.
pub(crate) const OPUS_SILENCE: [u8; 3] = [0xF8, 0xFF, 0xFE];
/// Frames are held this long so that audio and video leave in time order.
const INTERLEAVE_MS: i64 = 300;
/// A video recording waits this long for the first keyframe (its size goes in the header).
const WAIT_FOR_VIDEO: Duration = Duration::from_secs(10);
/// Ask for a keyframe at least this often, so the file has seek points.
const KEYFRAME_EVERY: Duration = Duration::from_secs(10);

/// One packet from the media thread.
#[derive(Debug)]
pub(crate) struct Sample {
    pub video: bool,
    /// The video is H.264 (else VP8).
    pub h264: bool,
    pub ssrc: u32,
    /// Preference among simulcast layers: 0 for the full layer (or no simulcast), higher worse.
    pub layer_rank: u8,
    pub packet: Packet,
    pub report: Option<SenderReport>,
}

/// What the writer shares with its tap on the media thread.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Packets the tap could not hand over (the channel was full).
    pub dropped: AtomicU64,
    /// The writer wants a keyframe; the media thread asks the publisher and clears it.
    pub want_keyframe: AtomicBool,
}

/// One stream (audio or video) of the recording.
struct Stream {
    ssrc: Option<u32>,
    rank: u8,
    last_seen: Option<Instant>,
    reorder: Reorder,
    clock: StreamClock,
}

impl Stream {
    fn new(rate: u32) -> Self {
        Stream { ssrc: None, rank: u8::MAX, last_seen: None, reorder: Reorder::default(), clock: StreamClock::new(rate) }
    }

    /// Whether `sample` belongs to the stream recorded: the first seen, a better simulcast
    /// layer, or another one once the recorded one went quiet for a second. A switch returns
    /// `Some(true)`.
    fn accept(&mut self, sample: &Sample, now: Instant) -> Option<bool> {
        if self.ssrc == Some(sample.ssrc) {
            self.last_seen = Some(now);
            return Some(false);
        }
        let quiet = self.last_seen.is_none_or(|at| now.saturating_duration_since(at) > Duration::from_secs(1));
        if sample.layer_rank < self.rank || quiet {
            self.ssrc = Some(sample.ssrc);
            self.rank = sample.layer_rank;
            self.last_seen = Some(now);
            self.reorder = Reorder::default();
            self.clock.restart();
            return Some(true);
        }
        None
    }
}

/// A frame placed on the timeline, waiting to be written.
struct Out {
    track: u64,
    at_ms: i64,
    keyframe: bool,
    data: Vec<u8>,
}

pub(crate) struct Writer {
    /// The recording's time zero, on the media thread's clock (packet arrivals are on it too).
    pub started: Instant,
    pub room: RoomId,
    pub participant: ParticipantId,
    pub path: PathBuf,
    pub expect_video: bool,
    /// Whether the file has a sound track (a shared screen's file only when the share sounds: see `Layout::audio`).
    pub audio: bool,
    pub shared: Arc<Shared>,
    pub samples: Receiver<Sample>,
    pub reports: Sender<MediaEvent>,
}

struct State {
    /// When the writer began (the timeline's zero may lie before it).
    opened: Instant,
    started_unix_ms: i64,
    timeline: Timeline,
    audio: Stream,
    video: Stream,
    vp8: Vp8Assembler,
    h264: H264Assembler,
    /// The video seen is H.264: the file becomes Matroska when it is opened.
    is_h264: bool,
    /// The file was opened with an H.264 track (else H.264 frames have nowhere to go).
    avc_open: bool,
    /// Where the file is (renamed to `.mkv` for H.264).
    written: PathBuf,
    need_keyframe: bool,
    last_keyframe: Option<Instant>,
    last_request: Option<Instant>,
    black_at: Option<i64>,
    /// A black H.264 picture (with its own parameter sets) was written since the last real
    /// keyframe: the next one must carry the stream's SPS and PPS.
    h264_black: bool,
    file: Option<File>,
    webm: Option<WebmWriter>,
    queue: Vec<Out>,
    newest_ms: i64,
}

impl Writer {
    /// Run until the tap is dropped (the recording stopped or the participant left), then
    /// finish the file and report.
    pub(crate) fn run(self) {
        let started = self.started;
        let behind = Instant::now().saturating_duration_since(started).as_millis() as i64;
        let started_unix_ms = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0) - behind;
        let _ = self.reports.send(MediaEvent::RecordingStarted {
            room: self.room,
            participant: self.participant,
            path: self.path.clone(),
            started_unix_ms,
        });
        let mut state = State {
            opened: Instant::now(),
            started_unix_ms,
            timeline: Timeline::new(started),
            audio: Stream::new(48_000),
            video: Stream::new(90_000),
            vp8: Vp8Assembler::default(),
            h264: H264Assembler::default(),
            is_h264: false,
            avc_open: false,
            written: self.path.clone(),
            need_keyframe: true,
            last_keyframe: None,
            last_request: None,
            black_at: None,
            h264_black: false,
            file: None,
            webm: None,
            queue: Vec::new(),
            newest_ms: 0,
        };
        let outcome = self.record(&mut state);
        let bytes = state.webm.as_ref().map(WebmWriter::len).unwrap_or(0);
        let duration_ms = state.webm.as_ref().map(WebmWriter::duration_ms).unwrap_or(0);
        let (bytes, error) = match outcome.and_then(|()| state.webm.take().map(WebmWriter::finish).transpose()) {
            Ok(finished) => (finished.unwrap_or(bytes), None),
            Err(e) => {
                tracing::warn!(participant = self.participant.0, error = %e, "recording: write failed, recording ended");
                (bytes, Some(e.to_string()))
            }
        };
        let ended = RecordingEnded {
            room: self.room,
            participant: self.participant,
            path: self.path.clone(),
            file: state.written.clone(),
            started_unix_ms,
            bytes,
            duration_ms: duration_ms.max(0) as u64,
            dropped_packets: self.shared.dropped.load(Ordering::Relaxed),
            error,
        };
        // The media server stopped: nobody listens any more.
        let _ = self.reports.send(MediaEvent::RecordingEnded(ended));
    }

    fn record(&self, state: &mut State) -> std::io::Result<()> {
        state.file = Some(File::create(&self.path)?);
        let mut released = Vec::new();
        loop {
            let sample = match self.samples.recv_timeout(Duration::from_millis(50)) {
                Ok(sample) => Some(sample),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            };
            let now = Instant::now();
            if let Some(sample) = sample {
                self.take(state, sample, now, &mut released)?;
            }
            for video in [false, true] {
                let stream = if video { &mut state.video } else { &mut state.audio };
                stream.reorder.release(now, false, &mut released);
                self.frames(state, video, &mut released)?;
            }
            self.keyframes(state, now);
            self.write_due(state, now, false)?;
        }
        for video in [false, true] {
            let stream = if video { &mut state.video } else { &mut state.audio };
            stream.reorder.release(Instant::now(), true, &mut released);
            self.frames(state, video, &mut released)?;
        }
        self.write_due(state, Instant::now(), true)
    }

    fn take(&self, state: &mut State, sample: Sample, now: Instant, released: &mut Vec<Released>) -> std::io::Result<()> {
        if !sample.video && !self.audio {
            return Ok(());
        }
        let stream = if sample.video { &mut state.video } else { &mut state.audio };
        let Some(switched) = stream.accept(&sample, now) else { return Ok(()) };
        if switched && sample.video {
            state.vp8.gap();
            state.h264.gap();
            state.is_h264 = sample.h264;
            state.need_keyframe = true;
        }
        if let Some(report) = sample.report {
            stream.clock.report(report);
        }
        let video = sample.video;
        stream.reorder.push(sample.packet);
        stream.reorder.release(now, false, released);
        self.frames(state, video, released)
    }

    /// Turn released packets of one stream into placed frames.
    fn frames(&self, state: &mut State, video: bool, released: &mut Vec<Released>) -> std::io::Result<()> {
        for item in released.drain(..) {
            let packet = match item {
                Released::Gap => {
                    if video {
                        state.vp8.gap();
                        state.h264.gap();
                        state.need_keyframe = true;
                    }
                    continue;
                }
                Released::Packet(packet) => packet,
            };
            if !video {
                let at_ms = state.timeline.place(&mut state.audio.clock, packet.rtp_time, packet.arrival);
                let data = if packet.paused { OPUS_SILENCE.to_vec() } else { packet.payload.to_vec() };
                push(state, Out { track: AUDIO_TRACK, at_ms, keyframe: true, data });
                continue;
            }
            let assembled = if state.is_h264 { state.h264.push(&packet) } else { state.vp8.push(&packet) };
            let Some(frame) = assembled else { continue };
            let at_ms = state.timeline.place(&mut state.video.clock, frame.rtp_time, frame.arrival);
            if frame.paused {
                // Black once a second (a seek into the pause lands on black too); the picture
                // after the pause must start from a real keyframe.
                state.need_keyframe = true;
                if state.is_h264 && !state.avc_open {
                    // The Matroska track needs the stream's parameter sets: open it on a
                    // keyframe that has them (a recording that starts paused); until then the
                    // paused pictures have nowhere to go.
                    if state.webm.is_none() && self.expect_video && frame.keyframe {
                        if let Some(avc) = state.h264.avc_config() {
                            self.open_h264(state, frame.size.unwrap_or((640, 360)), avc)?;
                        }
                    }
                    if !state.avc_open {
                        continue;
                    }
                }
                if state.black_at.is_none_or(|at| at_ms - at >= 1000) {
                    state.black_at = Some(at_ms);
                    let black = if state.is_h264 { BLACK_H264 } else { BLACK_KEYFRAME };
                    state.h264_black |= state.is_h264;
                    push(state, Out { track: VIDEO_TRACK, at_ms, keyframe: true, data: black.to_vec() });
                }
                continue;
            }
            state.black_at = None;
            let mut frame = frame;
            if frame.keyframe && state.is_h264 && std::mem::take(&mut state.h264_black) {
                // The black picture replaced the decoder's parameter sets: a keyframe whose
                // encoder sends them only now and then gets the stream's own in front.
                frame.data = with_parameter_sets(&state.h264, frame.data);
            }
            if frame.keyframe {
                if state.webm.is_none() && self.expect_video {
                    let size = frame.size.unwrap_or((640, 360));
                    if state.is_h264 {
                        // The track needs the parameter sets: wait for a keyframe that has them.
                        let Some(avc) = state.h264.avc_config() else { continue };
                        self.open_h264(state, size, avc)?;
                    } else {
                        self.open(state, Some(size))?;
                    }
                }
                state.need_keyframe = false;
                state.last_keyframe = Some(frame.arrival);
            } else if state.need_keyframe {
                continue;
            }
            if state.is_h264 != state.avc_open {
                // The file's video track is of the other codec (the publisher switched, or
                // H.264 arrived after the file was opened without it): nowhere to put it.
                continue;
            }
            push(state, Out { track: VIDEO_TRACK, at_ms, keyframe: frame.keyframe, data: frame.data });
        }
        Ok(())
    }

    /// Ask the publisher for a keyframe when one is needed (at most once a second) and every
    /// [`KEYFRAME_EVERY`].
    fn keyframes(&self, state: &mut State, now: Instant) {
        if !self.expect_video || state.video.ssrc.is_none() {
            return;
        }
        let stale = state.last_keyframe.is_none_or(|at| now.saturating_duration_since(at) >= KEYFRAME_EVERY);
        let recent = state.last_request.is_some_and(|at| now.saturating_duration_since(at) < Duration::from_secs(1));
        if (state.need_keyframe || stale) && !recent {
            state.last_request = Some(now);
            self.shared.want_keyframe.store(true, Ordering::Relaxed);
        }
    }

    fn open(&self, state: &mut State, video: Option<(u16, u16)>) -> std::io::Result<()> {
        let Some(file) = state.file.take() else { return Ok(()) };
        let layout = Layout { audio: self.audio, video, started_unix_ms: state.started_unix_ms, avc: None };
        state.webm = Some(WebmWriter::create(file, layout)?);
        Ok(())
    }

    /// Open the file as Matroska with an H.264 track, under the `.mkv` name.
    fn open_h264(&self, state: &mut State, size: (u16, u16), avc: Vec<u8>) -> std::io::Result<()> {
        let Some(file) = state.file.take() else { return Ok(()) };
        let mkv = self.path.with_extension("mkv");
        std::fs::rename(&self.path, &mkv)?;
        state.written = mkv;
        let layout = Layout { audio: self.audio, video: Some(size), started_unix_ms: state.started_unix_ms, avc: Some(avc) };
        state.webm = Some(WebmWriter::create(file, layout)?);
        state.avc_open = true;
        Ok(())
    }

    /// Write the frames older than the interleaving window (all of them at the end).
    fn write_due(&self, state: &mut State, now: Instant, all: bool) -> std::io::Result<()> {
        if state.webm.is_none() {
            let waited = now.saturating_duration_since(state.opened) >= WAIT_FOR_VIDEO;
            let ready = !self.expect_video || waited || all;
            if !ready || (state.queue.is_empty() && !all) {
                return Ok(());
            }
            // No keyframe came: VP8's usual size as a placeholder (H.264 needs its parameter
            // sets, so without them the file holds the sound only).
            let video = (self.expect_video && !state.is_h264).then_some((640, 360));
            self.open(state, video)?;
        }
        let Some(webm) = state.webm.as_mut() else { return Ok(()) };
        let upto = if all { i64::MAX } else { state.newest_ms - INTERLEAVE_MS };
        let due = state.queue.partition_point(|o| o.at_ms <= upto);
        for out in state.queue.drain(..due) {
            webm.write_frame(out.track, out.at_ms, out.keyframe, &out.data)?;
        }
        Ok(())
    }
}

/// An H.264 access unit (length-prefixed NAL units) with the stream's latest SPS and PPS in
/// front, unless it carries an SPS already.
fn with_parameter_sets(h264: &H264Assembler, data: Vec<u8>) -> Vec<u8> {
    let (Some(sps), Some(pps)) = (&h264.sps, &h264.pps) else { return data };
    let mut at = 0;
    while let Some(len) = data.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize) {
        if data.get(at + 4).is_some_and(|b| b & 0x1f == 7) {
            return data;
        }
        at += 4 + len;
    }
    let mut out = Vec::with_capacity(sps.len() + pps.len() + 8 + data.len());
    for nal in [sps, pps] {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
    out.extend_from_slice(&data);
    out
}

/// Queue a frame in time order (frames of one stream come in order; the two streams interleave).
fn push(state: &mut State, out: Out) {
    state.newest_ms = state.newest_ms.max(out.at_ms);
    let at = state.queue.partition_point(|o| o.at_ms <= out.at_ms);
    state.queue.insert(at, out);
}
