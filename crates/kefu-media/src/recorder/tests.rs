//! Recording tests: the writer on its own (decodable media in, ffprobe and ffmpeg read the
//! file), a full disk, and recording inside the in-process SFU with str0m peers.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use crate::api::{MediaEvent, RecordingEnded};
use crate::ids::{ParticipantId, RoomId};
use crate::recorder::depacketize::Packet;
use crate::recorder::timing::SenderReport;
use crate::recorder::writer::{Sample, Shared, Writer, BLACK_H264, BLACK_KEYFRAME, OPUS_SILENCE};
use crate::sfu_tests::World;
use crate::testing::{h264_pictures, nal_units, shown_pictures, TempFile};

/// What ffprobe says about a file: (format duration in seconds, codec types of its streams).
fn ffprobe(path: &Path) -> (f64, Vec<String>) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration:stream=codec_type,codec_name", "-of", "default=nw=1"])
        .arg(path)
        .output()
        .expect("ffprobe runs (apt-get install ffmpeg)");
    assert!(out.status.success(), "ffprobe failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let duration = text.lines().find_map(|l| l.strip_prefix("duration=")).and_then(|d| d.parse().ok()).unwrap_or(0.0);
    let kinds = text.lines().filter_map(|l| l.strip_prefix("codec_type=")).map(str::to_owned).collect();
    (duration, kinds)
}

/// Run a writer over `samples` and return its report.
fn write(path: &Path, video: bool, start: Instant, samples: Vec<Sample>) -> RecordingEnded {
    write_with(path, video, true, start, samples)
}

/// [`write`] for a file with a sound track or (a shared screen's) without.
fn write_with(path: &Path, video: bool, audio: bool, start: Instant, samples: Vec<Sample>) -> RecordingEnded {
    let (tx, rx) = mpsc::sync_channel(samples.len() + 1);
    let (reports, ended) = mpsc::channel();
    let writer = Writer {
        started: start,
        room: RoomId(1),
        participant: ParticipantId(7),
        path: path.to_path_buf(),
        expect_video: video,
        audio,
        shared: Arc::new(Shared::default()),
        samples: rx,
        reports,
    };
    let thread = std::thread::spawn(move || writer.run());
    for sample in samples {
        // A writer that could not open its file has already ended (its report says why), and
        // dropped the receiver: a refused send is then expected, not a failure.
        if tx.send(sample).is_err() {
            break;
        }
    }
    drop(tx);
    thread.join().expect("the writer does not panic");
    match ended.recv().expect("a report") {
        MediaEvent::RecordingStarted { started_unix_ms, .. } => assert!(started_unix_ms > 0, "its time zero"),
        other => panic!("the start comes first, not {other:?}"),
    }
    match ended.recv().expect("a report") {
        MediaEvent::RecordingEnded(ended) => ended,
        other => panic!("unexpected {other:?}"),
    }
}

/// `seconds` of decodable media as RTP would bring it: 20 ms Opus silence frames and 25 black
/// VP8 keyframes a second (one packet each), both with sender reports of one wall clock and
/// random-looking RTP offsets; the video packets arrive 40 ms after the audio of their instant.
fn media(seconds: u64, start: Instant) -> Vec<Sample> {
    let wall = SystemTime::now();
    let (audio_rtp0, video_rtp0) = (123_456u32, 4_000_000_000u32);
    let mut samples = Vec::new();
    let mut vp8 = vec![0x10u8]; // descriptor: S=1, partition 0
    vp8.extend_from_slice(BLACK_KEYFRAME);
    let vp8: Arc<[u8]> = vp8.into();
    for ms in (0..seconds * 1000).step_by(20) {
        let at = start + Duration::from_millis(ms);
        let rtp = audio_rtp0.wrapping_add((ms * 48) as u32);
        let packet = Packet { seq: ms / 20, rtp_time: rtp, marker: true, payload: OPUS_SILENCE.into(), arrival: at, paused: false };
        let report = Some(SenderReport { ntp: wall, rtp_time: audio_rtp0 });
        samples.push(Sample { video: false, h264: false, ssrc: 1, layer_rank: 0, packet, report });
        if ms % 40 == 0 {
            let rtp = video_rtp0.wrapping_add((ms * 90) as u32);
            let arrival = at + Duration::from_millis(40);
            let packet = Packet { seq: 1000 + ms / 40, rtp_time: rtp, marker: true, payload: vp8.clone(), arrival, paused: false };
            let report = Some(SenderReport { ntp: wall, rtp_time: video_rtp0 });
            samples.push(Sample { video: true, h264: false, ssrc: 2, layer_rank: 0, packet, report });
        }
    }
    samples
}

#[test]
fn the_writer_makes_a_webm_that_ffprobe_reads_and_ffmpeg_decodes() {
    let file = TempFile::new("writer");
    let start = Instant::now();
    let ended = write(&file.0, true, start, media(5, start));
    assert_eq!(ended.error, None);
    assert_eq!(ended.bytes, std::fs::metadata(&file.0).expect("the file").len());
    let (duration, mut kinds) = ffprobe(&file.0);
    kinds.sort();
    assert_eq!(kinds, ["audio", "video"], "one audio and one video stream");
    assert!((duration - 5.0).abs() < 0.2, "duration {duration}");
    // Every frame decodes, and the file has Cues: a seek to 3 s works.
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", "3", "-i"])
        .arg(&file.0)
        .args(["-f", "null", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success() && out.stderr.is_empty(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&file.0).expect("the file");
    assert!(bytes.windows(4).any(|w| w == [0x1C, 0x53, 0xBB, 0x6B]), "Cues are written at the end");
}

#[test]
fn a_voice_recording_has_one_audio_stream() {
    let file = TempFile::new("voice");
    let start = Instant::now();
    let samples = media(3, start).into_iter().filter(|s| !s.video).collect();
    let ended = write(&file.0, false, start, samples);
    assert_eq!(ended.error, None);
    let (duration, kinds) = ffprobe(&file.0);
    assert_eq!(kinds, ["audio"]);
    assert!((duration - 3.0).abs() < 0.2, "duration {duration}");
}

#[test]
fn a_full_disk_ends_the_recording_with_an_error_not_a_panic() {
    let start = Instant::now();
    // /dev/full accepts the open and fails every write with ENOSPC, as a full disk does.
    let ended = write(Path::new("/dev/full"), true, start, media(3, start));
    let error = ended.error.expect("the write error is reported");
    assert!(error.contains("space"), "{error}");
    let ended = write(Path::new("/nonexistent-dir/x.webm"), true, start, media(1, start));
    assert!(ended.error.is_some(), "a file that cannot be created is reported too");
}

/// Run the world until the recording of `participant` reports its end.
fn wait_for_end(world: &mut World, participant: ParticipantId) -> RecordingEnded {
    for _ in 0..500 {
        world.run(Duration::from_millis(10));
        let found = world.events.iter().find_map(|e| match e {
            MediaEvent::RecordingEnded(ended) if ended.participant == participant => Some(ended.clone()),
            _ => None,
        });
        if let Some(ended) = found {
            return ended;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the recording never ended");
}

#[test]
fn a_participant_of_a_live_room_is_recorded_paused_and_finished() {
    let mut world = World::new();
    world.join(1);
    world.join(2);
    world.run(Duration::from_secs(2));
    let file = TempFile::new("room");
    let a = ParticipantId(1);
    world.sfu.start_recording(world.now, world.now, a, file.0.clone(), true).expect("recording starts");
    world.run(Duration::from_secs(3));
    world.sfu.recorders.pause(a, true).expect("paused");
    world.run(Duration::from_millis(2500));
    world.sfu.recorders.pause(a, false).expect("resumed");
    world.run(Duration::from_secs(3));
    world.sfu.recorders.stop(a).expect("stopped");
    let ended = wait_for_end(&mut world, a);

    assert_eq!(ended.error, None);
    assert_eq!(ended.dropped_packets, 0);
    let (duration, mut kinds) = ffprobe(&file.0);
    kinds.sort();
    assert_eq!(kinds, ["audio", "video"]);
    assert!((duration - 8.5).abs() < 0.5, "duration {duration} for 8.5 s recorded");
    let bytes = std::fs::read(&file.0).expect("the file");
    let blacks = bytes.windows(BLACK_KEYFRAME.len()).filter(|w| *w == BLACK_KEYFRAME).count();
    assert!((2..=4).contains(&blacks), "a black picture each second of the pause: {blacks}");
    let silences = bytes.windows(4).filter(|w| w[0] == 0x80 && w[1..] == OPUS_SILENCE).count();
    assert!(silences >= 100, "silence for the 2.5 s pause: {silences} frames");
    // Someone who was not recorded has no recording.
    assert!(world.sfu.recorders.stop(ParticipantId(2)).is_err());
}

#[test]
fn a_participant_who_leaves_ends_their_recording() {
    let mut world = World::new();
    world.join(1);
    world.run(Duration::from_secs(1));
    let file = TempFile::new("leave");
    world.sfu.start_recording(world.now, world.now, ParticipantId(1), file.0.clone(), false).expect("recording starts");
    world.run(Duration::from_secs(2));
    world.sfu.leave(world.now, ParticipantId(1), crate::LeaveReason::Hangup).expect("leaves");
    let ended = wait_for_end(&mut world, ParticipantId(1));
    assert_eq!(ended.error, None);
    let (duration, kinds) = ffprobe(&file.0);
    assert_eq!(kinds, ["audio"]);
    assert!((duration - 2.0).abs() < 0.3, "duration {duration}");
}

#[test]
fn a_file_cut_off_mid_call_still_plays_to_its_last_cluster() {
    use crate::recorder::webm::{Layout, WebmWriter, AUDIO_TRACK, VIDEO_TRACK};
    let file = TempFile::new("cut");
    let out = std::fs::File::create(&file.0).expect("a temporary file");
    let mut webm = WebmWriter::create(out, Layout { audio: true, video: Some((320, 180)), started_unix_ms: 0, avc: None }).expect("header");
    for ms in (0..3_500).step_by(20) {
        webm.write_frame(AUDIO_TRACK, ms, true, &OPUS_SILENCE).expect("written");
        if ms % 40 == 0 {
            webm.write_frame(VIDEO_TRACK, ms, ms == 0, BLACK_KEYFRAME).expect("written");
        }
    }
    // The process dies here: no Cues, no Segment size; the clusters written so far remain (the
    // last, still in memory, is lost).
    drop(webm);
    let (duration, kinds) = ffprobe(&file.0);
    assert_eq!(kinds.len(), 2);
    assert!((2.9..=3.1).contains(&duration), "the Duration rewritten after each cluster: {duration}");
}

/// `seconds` of real H.264 as a browser's RTP would bring it (x264, 320x240 constrained
/// baseline, a keyframe a second with its SPS and PPS in front): single NAL units and FU-A
/// fragments, the marker on each picture's last packet; with the Opus audio of [`media`].
fn h264_media(seconds: u64, start: Instant) -> Vec<Sample> {
    let stream = h264_pictures(seconds);
    let pictures: Vec<Vec<&[u8]>> = stream.iter().map(|p| nal_units(p).into_iter().map(|(_, nal)| nal).collect()).collect();
    let wall = SystemTime::now();
    let video_rtp0 = 4_000_000_000u32;
    let mut samples: Vec<(Instant, Sample)> =
        media(seconds, start).into_iter().filter(|s| !s.video).map(|s| (s.packet.arrival, s)).collect();
    let mut seq = 5000;
    for (i, picture) in pictures.iter().enumerate() {
        let rtp_time = video_rtp0.wrapping_add(i as u32 * 3600);
        let arrival = start + Duration::from_millis(i as u64 * 40 + 40);
        let mut payloads: Vec<Vec<u8>> = Vec::new();
        for nal in picture {
            if nal.len() <= 1000 {
                payloads.push(nal.to_vec());
                continue;
            }
            let chunks: Vec<&[u8]> = nal[1..].chunks(1000).collect();
            for (c, chunk) in chunks.iter().enumerate() {
                let (first, last) = (c == 0, c == chunks.len() - 1);
                let fu = (nal[0] & 0x1f) | if first { 0x80 } else { 0 } | if last { 0x40 } else { 0 };
                let mut p = vec![(nal[0] & 0xe0) | 28, fu];
                p.extend_from_slice(chunk);
                payloads.push(p);
            }
        }
        let count = payloads.len();
        for (n, payload) in payloads.into_iter().enumerate() {
            seq += 1;
            let packet = Packet { seq, rtp_time, marker: n == count - 1, payload: payload.into(), arrival, paused: false };
            let report = Some(SenderReport { ntp: wall, rtp_time: video_rtp0 });
            samples.push((arrival, Sample { video: true, h264: true, ssrc: 3, layer_rank: 0, packet, report }));
        }
    }
    samples.sort_by_key(|(at, _)| *at);
    samples.into_iter().map(|(_, s)| s).collect()
}

#[test]
fn h264_video_is_written_to_matroska_that_ffprobe_reads_and_ffmpeg_decodes() {
    let file = TempFile::new("h264");
    let mkv = TempFile(file.0.with_extension("mkv"));
    let start = Instant::now();
    let ended = write(&file.0, true, start, h264_media(4, start));
    assert_eq!(ended.error, None);
    assert_eq!(ended.path, file.0, "the path asked for");
    assert_eq!(ended.file, mkv.0, "the file written is Matroska, named so");
    assert!(!file.0.exists() && mkv.0.exists());
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration,format_name:stream=codec_name,width,height", "-of", "default=nw=1"])
        .arg(&mkv.0)
        .output()
        .expect("ffprobe runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(text.contains("codec_name=h264") && text.contains("codec_name=opus"), "{text}");
    assert!(text.contains("width=320") && text.contains("height=240"), "the size from the SPS: {text}");
    let duration: f64 = text.lines().find_map(|l| l.strip_prefix("duration=")).and_then(|d| d.parse().ok()).unwrap_or(0.0);
    assert!((duration - 4.0).abs() < 0.2, "duration {duration}");
    let bytes = std::fs::read(&mkv.0).expect("the file");
    assert!(bytes.windows(8).any(|w| w == b"matroska"), "DocType matroska");
    // Every picture decodes, and a seek to 2 s works (Cues).
    let out =
        Command::new("ffmpeg").args(["-v", "error", "-ss", "2", "-i"]).arg(&mkv.0).args(["-f", "null", "-"]).output().expect("ffmpeg runs");
    assert!(out.status.success() && out.stderr.is_empty(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    let frames = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(&mkv.0)
        .output()
        .expect("ffprobe runs");
    let decoded: u32 = String::from_utf8_lossy(&frames.stdout).trim().parse().unwrap_or(0);
    assert!(decoded >= 95, "about 100 pictures decoded: {decoded}");
}

#[test]
fn a_screen_file_has_its_picture_and_no_empty_sound_track() {
    let file = TempFile::new("screen");
    let start = Instant::now();
    // Sound reaching a screen's writer (it should not) is left out rather than declared empty.
    let ended = write_with(&file.0, true, false, start, media(3, start));
    assert_eq!(ended.error, None);
    let (duration, kinds) = ffprobe(&file.0);
    assert_eq!(kinds, ["video"], "a screen's file declares no audio track it never fills");
    assert!((duration - 3.0).abs() < 0.2, "duration {duration}");
    let out = Command::new("ffmpeg").args(["-v", "error", "-i"]).arg(&file.0).args(["-f", "null", "-"]).output().expect("ffmpeg runs");
    assert!(out.status.success() && out.stderr.is_empty(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn a_paused_h264_recording_shows_black_and_resumes_on_the_real_picture() {
    let file = TempFile::new("h264-pause");
    let mkv = TempFile(file.0.with_extension("mkv"));
    let start = Instant::now();
    // Paused from 1.5 s to 3.5 s of 5 s (the publisher goes on sending; the writer blanks it).
    let mut samples = h264_media(5, start);
    for s in &mut samples {
        let at = s.packet.arrival.duration_since(start);
        s.packet.paused = (Duration::from_millis(1500)..Duration::from_millis(3500)).contains(&at);
    }
    let ended = write(&file.0, true, start, samples);
    assert_eq!(ended.error, None);
    assert_eq!(ended.file, mkv.0);
    let bytes = std::fs::read(&mkv.0).expect("the file");
    let blacks = bytes.windows(BLACK_H264.len()).filter(|w| *w == BLACK_H264).count();
    assert!((2..=3).contains(&blacks), "a black picture each second of the pause: {blacks}");
    // Every picture decodes, black included, and the stream's own after the pause.
    let out = Command::new("ffmpeg").args(["-v", "error", "-i"]).arg(&mkv.0).args(["-f", "null", "-"]).output().expect("ffmpeg runs");
    assert!(out.status.success() && out.stderr.is_empty(), "ffmpeg: {}", String::from_utf8_lossy(&out.stderr));
    let shown = shown_pictures(&mkv.0);
    let at = |t: f64| shown.iter().take_while(|(pts, _)| *pts <= t).last().map_or(f64::NAN, |(_, luma)| *luma);
    let luma: Vec<f64> = (0..50).map(|tenth| at(f64::from(tenth) / 10.0)).collect();
    println!("mean luma shown ten times a second: {:?}", luma.iter().map(|l| l.round()).collect::<Vec<_>>());
    // A little margin around the pause's edges (a frame is placed by its capture time; the
    // picture comes back on the first keyframe after it, at 4 s).
    let (before, during, after) = (&luma[2..14], &luma[16..39], &luma[41..50]);
    assert!(during.iter().all(|&l| l < 20.0), "black while paused, not the last picture held: {during:?}");
    assert!(before.iter().chain(after).all(|&l| l > 60.0), "the picture before and after: {before:?} {after:?}");
    let (duration, _) = ffprobe(&mkv.0);
    assert!((duration - 5.0).abs() < 0.2, "duration {duration}");
}
