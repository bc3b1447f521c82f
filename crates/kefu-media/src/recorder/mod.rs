//! Server-side recording: one WebM file (Opus + VP8) per recorded participant, written from the
//! RTP the SFU already receives. The media thread only copies each packet's handle into a
//! bounded channel (`try_send`; a full channel drops the packet and counts it — the media loop
//! never waits on a disk); a writer thread per recording reorders, depacketises, places frames on
//! the timeline (RTCP sender reports keep audio and video in sync) and writes the file. It ends
//! when the recording is stopped or the participant leaves; a write error (a full disk) ends it
//! early. Either way [`MediaEvent::RecordingEnded`] follows. A participant publishing H.264 is
//! written to Matroska instead (the file takes the `.mkv` extension; [`RecordingEnded::file`]
//! names it). A screen the participant shares is recorded into a file of its own next to the
//! camera's (`<name>-screen.webm`, see [`screen_segment_path`]), from its first packet to the end of the
//! recording; its end is reported like the camera file's. The share's sound (a shared tab's
//! audio, published beside the microphone) is that file's sound track, so the file plays the
//! share as the other side saw and heard it, and the participant's own voice stays alone in the
//! camera's file; a share without sound gives a file without a sound track. (Whether a share
//! sounds is known when its file starts: both tracks come in one renegotiation. A later share in
//! the same recording continues the same file when its tracks are the file's; a later share whose
//! tracks differ (sound to a file without a sound track, or no sound to a file with one) ends that
//! file and starts the next segment, `<name>-screen-2.webm` and so on: its sound is recorded, and
//! a silent share does not fill a sound track with silence.)
//! Paused, the recording writes silence and, once a second, a
//! black keyframe: VP8's, or for H.264 a black IDR carrying its own parameter sets (the
//! following real keyframe brings the stream's back).

mod depacketize;
mod h264;
mod timing;
mod webm;
mod writer;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, Sender, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use str0m::format::Codec;
use str0m::rtp::RtpPacket;

use crate::api::{MediaError, MediaEvent};
use crate::ids::{ParticipantId, RoomId, TrackKind};
use depacketize::Packet;
use timing::SenderReport;
use writer::{Sample, Shared, Writer};

/// Packets a recording may have in flight to its writer (about five seconds of 720p video and
/// audio): enough for a slow disk's hiccup, bounded so a stuck disk cannot eat the memory.
const CHANNEL_PACKETS: usize = 2048;

/// The recordings of one media thread, by recorded participant.
#[derive(Debug)]
pub(crate) struct Recorders {
    taps: HashMap<ParticipantId, Tap>,
    /// Participants whose screen share publishes its sound now (see [`Recorders::share_sound`]).
    sounding_shares: HashSet<ParticipantId>,
    reports_tx: Sender<MediaEvent>,
    reports: Receiver<MediaEvent>,
    writers: Vec<JoinHandle<()>>,
}

/// The media thread's end of one recording.
#[derive(Debug)]
struct Tap {
    samples: SyncSender<Sample>,
    shared: Arc<Shared>,
    paused: bool,
    expect_video: bool,
    room: RoomId,
    /// The camera file's path (the screen file is named after it).
    path: PathBuf,
    /// The shared screen's own writer, once a screen packet came.
    screen: Option<Link>,
    /// How many screen files this recording began (the next segment's number is one more).
    screen_files: u32,
}

/// The media thread's end of a screen recording.
#[derive(Debug)]
struct Link {
    samples: SyncSender<Sample>,
    shared: Arc<Shared>,
    /// Whether its file has a sound track.
    sound: bool,
}

/// Where the `n`th screen file of a recording goes (counting from 1): `call-1/visitor-5-123.webm`
/// -> `call-1/visitor-5-123-screen.webm`, a later segment `call-1/visitor-5-123-screen-2.webm`.
pub(crate) fn screen_segment_path(camera: &std::path::Path, n: u32) -> PathBuf {
    let stem = camera.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match n {
        0 | 1 => camera.with_file_name(format!("{stem}-screen.webm")),
        n => camera.with_file_name(format!("{stem}-screen-{n}.webm")),
    }
}

impl Default for Recorders {
    fn default() -> Self {
        let (reports_tx, reports) = mpsc::channel();
        Recorders { taps: HashMap::new(), sounding_shares: HashSet::new(), reports_tx, reports, writers: Vec::new() }
    }
}

impl Recorders {
    /// Start recording `participant` of `room` into a new file at `path` (video too if
    /// `expect_video`). The file is created by the writer thread; if that fails,
    /// [`MediaEvent::RecordingEnded`] says so.
    pub(crate) fn start(
        &mut self,
        now: Instant,
        room: RoomId,
        participant: ParticipantId,
        path: PathBuf,
        expect_video: bool,
    ) -> Result<(), MediaError> {
        if self.taps.contains_key(&participant) {
            return Err(MediaError::AlreadyRecording);
        }
        self.writers.retain(|w| !w.is_finished());
        let link = spawn(&self.reports_tx, &mut self.writers, now, room, participant, path.clone(), expect_video, true)?;
        let tap =
            Tap { samples: link.samples, shared: link.shared, paused: false, expect_video, room, path, screen: None, screen_files: 0 };
        self.taps.insert(participant, tap);
        Ok(())
    }

    /// Stop recording `participant`: the writer finishes the file and reports.
    pub(crate) fn stop(&mut self, participant: ParticipantId) -> Result<(), MediaError> {
        self.taps.remove(&participant).map(drop).ok_or(MediaError::NotRecording)
    }

    /// Pause (silence and black are written) or resume recording `participant`.
    pub(crate) fn pause(&mut self, participant: ParticipantId, paused: bool) -> Result<(), MediaError> {
        let tap = self.taps.get_mut(&participant).ok_or(MediaError::NotRecording)?;
        tap.paused = paused;
        if !paused {
            // The picture after the pause must start on a keyframe.
            tap.shared.want_keyframe.store(true, Ordering::Relaxed);
            if let Some(screen) = &tap.screen {
                screen.shared.want_keyframe.store(true, Ordering::Relaxed);
            }
        }
        Ok(())
    }

    /// A packet `publisher` sent on a track of `kind`: handed to its recording, if any, without
    /// waiting. Returns true when the recording wants a keyframe from the publisher.
    pub(crate) fn offer(&mut self, publisher: ParticipantId, kind: TrackKind, codec: Codec, packet: &RtpPacket) -> bool {
        let Some(tap) = self.taps.get_mut(&publisher) else { return false };
        let (video, h264) = match (kind, codec) {
            (TrackKind::Audio | TrackKind::ScreenAudio, Codec::Opus) => (false, false),
            (TrackKind::Camera | TrackKind::Screen, Codec::Vp8) if tap.expect_video => (true, false),
            (TrackKind::Camera | TrackKind::Screen, Codec::H264) if tap.expect_video => (true, true),
            _ => return false,
        };
        let screen = matches!(kind, TrackKind::Screen | TrackKind::ScreenAudio);
        let sound = kind == TrackKind::ScreenAudio || self.sounding_shares.contains(&publisher);
        // A later share whose tracks are not the open screen file's (sound to a file without a
        // sound track, or none to a file with one): that file ends (its writer finishes it and
        // reports) and the next segment starts now, with the tracks this share has.
        let other_tracks = tap.screen.as_ref().is_some_and(|link| link.sound != sound);
        if screen && (tap.screen.is_none() || other_tracks) {
            // The share began: its file starts now (its time zero is its first packet), with a
            // sound track when the share publishes its sound.
            tap.screen = None;
            tap.screen_files += 1;
            let path = screen_segment_path(&tap.path, tap.screen_files);
            match spawn(&self.reports_tx, &mut self.writers, packet.timestamp, tap.room, publisher, path, true, sound) {
                Ok(link) => tap.screen = Some(link),
                Err(e) => {
                    tracing::warn!(participant = publisher.0, error = %e, "recording: could not start the screen's file");
                    return false;
                }
            }
        }
        // A report sent before its sender sent a packet ties no media to the sender's clock
        // (str0m sends one with RTP time 0 when a new track's first report is due before its first
        // frame, which places that track seconds off): it is left out.
        let report = packet
            .last_sender_info
            .filter(|s| s.sender_packet_count > 0)
            .map(|s| SenderReport { ntp: s.ntp_time, rtp_time: s.rtp_time.numer() as u32 });
        let layer_rank = match packet.header.ext_vals.rid.as_deref() {
            None | Some("h" | "f") => 0,
            Some("m") => 1,
            Some(_) => 2,
        };
        let sample = Sample {
            video,
            h264,
            ssrc: *packet.header.ssrc,
            layer_rank,
            report,
            packet: Packet {
                seq: *packet.seq_no,
                rtp_time: packet.header.timestamp,
                marker: packet.header.marker,
                payload: packet.payload.clone(),
                arrival: packet.timestamp,
                paused: tap.paused,
            },
        };
        let (samples, shared) = match (&tap.screen, screen) {
            (Some(link), true) => (&link.samples, &link.shared),
            _ => (&tap.samples, &tap.shared),
        };
        match samples.try_send(sample) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                shared.dropped.fetch_add(1, Ordering::Relaxed);
            }
            // The screen's writer ended (a write error) and has reported it: the camera goes on.
            Err(TrySendError::Disconnected(_)) if screen => return false,
            // The writer ended (a write error) and has reported it: stop offering.
            Err(TrySendError::Disconnected(_)) => {
                self.taps.remove(&publisher);
                return false;
            }
        }
        shared.want_keyframe.swap(false, Ordering::Relaxed)
    }

    /// `participant`'s screen share publishes its sound (`on`), or no longer does: a screen file
    /// started meanwhile gets a sound track.
    pub(crate) fn share_sound(&mut self, participant: ParticipantId, on: bool) {
        if on {
            self.sounding_shares.insert(participant);
        } else {
            self.sounding_shares.remove(&participant);
        }
    }

    /// Whether `participant` is being recorded.
    pub(crate) fn records(&self, participant: ParticipantId) -> bool {
        self.taps.contains_key(&participant)
    }

    /// The participant left: its recording ends.
    pub(crate) fn forget(&mut self, participant: ParticipantId) {
        self.taps.remove(&participant);
        self.sounding_shares.remove(&participant);
    }

    /// A recording's end, reported by its writer.
    pub(crate) fn poll_event(&mut self) -> Option<MediaEvent> {
        self.reports.try_recv().ok()
    }
}

/// Start a writer thread for the file at `path` (with a sound track if `audio`); the media
/// thread's end of it.
#[allow(clippy::too_many_arguments)]
fn spawn(
    reports: &Sender<MediaEvent>,
    writers: &mut Vec<JoinHandle<()>>,
    now: Instant,
    room: RoomId,
    participant: ParticipantId,
    path: PathBuf,
    expect_video: bool,
    audio: bool,
) -> Result<Link, MediaError> {
    let (samples_tx, samples) = mpsc::sync_channel(CHANNEL_PACKETS);
    let shared = Arc::new(Shared::default());
    let writer =
        Writer { started: now, room, participant, path, expect_video, audio, shared: shared.clone(), samples, reports: reports.clone() };
    let thread = std::thread::Builder::new()
        .name(format!("kefu-rec-{}", participant.0))
        .spawn(move || writer.run())
        .map_err(|e| MediaError::Recording(format!("cannot start the recording thread: {e}")))?;
    writers.push(thread);
    Ok(Link { samples: samples_tx, shared, sound: audio })
}

impl Drop for Recorders {
    /// The media server stops: every recording is finished (Cues and Duration written) before
    /// the media thread ends.
    fn drop(&mut self) {
        self.taps.clear();
        for writer in self.writers.drain(..) {
            let _ = writer.join();
        }
    }
}
