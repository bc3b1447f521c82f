//! Test support shared by this crate's recorder tests and the server's recording tests (the
//! `testing` feature, enabled only as a dev-dependency): real H.264 to send, and what a player
//! shows of a recorded file. Shells out to ffmpeg/ffprobe (apt-get install ffmpeg); never built
//! into the server binary.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A file in the temporary directory, removed when dropped.
pub struct TempFile(pub PathBuf);

impl TempFile {
    /// `kefu-<name>-<pid>.webm` in the temporary directory (not created).
    pub fn new(name: &str) -> Self {
        TempFile(std::env::temp_dir().join(format!("kefu-rec-{}-{name}.webm", std::process::id())))
    }

    /// `bytes` written to `kefu-<name>-<pid>.<ext>` in the temporary directory.
    pub fn with_bytes(name: &str, ext: &str, bytes: &[u8]) -> Self {
        let file = TempFile(std::env::temp_dir().join(format!("kefu-{name}-{}.{ext}", std::process::id())));
        std::fs::write(&file.0, bytes).expect("the temporary file");
        file
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl std::ops::Deref for TempFile {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

/// `seconds` of x264 as a browser sends it (320x240 constrained baseline, 25 pictures a second,
/// a keyframe a second with its SPS and PPS in front), one Annex B access unit per picture with
/// its start codes.
pub fn h264_pictures(seconds: u64) -> Vec<Vec<u8>> {
    let raw = TempFile(std::env::temp_dir().join(format!("kefu-h264-{}-{seconds}s.h264", std::process::id())));
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", &seconds.to_string()])
        .args(["-pix_fmt", "yuv420p", "-c:v", "libx264", "-profile:v", "baseline", "-threads", "1", "-g", "25"])
        .args(["-x264-params", "repeat-headers=1", "-f", "h264"])
        .arg(&raw.0)
        .output()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stream = std::fs::read(&raw.0).expect("the H.264 stream");
    // A picture ends with its slice (x264 writes one per picture: NAL types 1 and 5); a 4-byte
    // start code's leading zero goes with the next picture.
    let mut pictures = Vec::new();
    let mut from = 0;
    for (start, nal) in nal_units(&stream) {
        if matches!(nal[0] & 0x1f, 1 | 5) {
            let end = start + nal.len();
            pictures.push(stream[from..end].to_vec());
            from = end;
        }
    }
    pictures
}

/// The NAL units of an Annex B stream (after each 00 00 01 start code, without a following
/// 4-byte code's leading zero), each with its offset in `stream`.
pub fn nal_units(stream: &[u8]) -> Vec<(usize, &[u8])> {
    let starts: Vec<usize> = (0..stream.len().saturating_sub(3)).filter(|&i| stream[i..i + 3] == [0, 0, 1]).map(|i| i + 3).collect();
    starts
        .iter()
        .enumerate()
        .map(|(n, &s)| {
            let end = starts.get(n + 1).map_or(stream.len(), |&next| next - 3);
            let nal = &stream[s..end];
            (s, nal.strip_suffix(&[0]).unwrap_or(nal))
        })
        .collect()
}

/// Each decoded picture's time (s) and mean luma (0 black .. 255 white), in order, as a player
/// reads the file: it shows each until the next one's time.
pub fn shown_pictures(path: &Path) -> Vec<(f64, f64)> {
    let times = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v", "-show_entries", "frame=pts_time", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    let times: Vec<f64> =
        String::from_utf8_lossy(&times.stdout).lines().filter_map(|l| l.trim().trim_end_matches(',').parse().ok()).collect();
    // Every picture scaled to one size (the black ones are smaller), none dropped or repeated.
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-map", "0:v", "-vf", "scale=160:90", "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray", "-"])
        .output()
        .expect("ffmpeg runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lumas = out.stdout.chunks(160 * 90).map(|f| f.iter().map(|&b| f64::from(b)).sum::<f64>() / f.len() as f64);
    assert_eq!(times.len(), out.stdout.len() / (160 * 90), "one time per picture");
    times.into_iter().zip(lumas).collect()
}
