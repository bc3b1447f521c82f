//! The media the load clients replay, generated once at start and replayed with fresh RTP
//! headers: Opus-sized audio packets (one per 20 ms) and VP8 frames packetised per RFC 7741.
//!
//! The VP8 is synthetic: each packet has a valid payload descriptor (X=1, I=1 with a 15-bit
//! picture id, S=1 and PID=0 on a frame's first packet), each frame a valid VP8 frame tag (P=0 on
//! keyframes, which also carry the start code and a 1280x720 size), and the rest is filler. The
//! SFU reads exactly these fields (it waits for a keyframe per subscriber); nothing decodes the
//! filler. Sizes follow a real encoder's shape: delta frames of `kbps / fps`, keyframes 3x that.

use std::sync::Arc;
use std::time::Duration;

/// One audio packet every 20 ms (Opus's usual frame), 48 kHz RTP clock.
pub const AUDIO_INTERVAL: Duration = Duration::from_millis(20);
/// RTP clock ticks per audio packet.
pub const AUDIO_TICKS: u32 = 960;
/// VP8 bytes per RTP packet (keeps the SRTP datagram under ~1200 bytes with header and tag).
const VP8_CHUNK: usize = 1100;
/// Keyframes are this many times a delta frame.
const KEYFRAME_FACTOR: usize = 3;

/// The pre-generated media of every client (shared, read-only).
#[derive(Debug)]
pub struct Source {
    audio: Vec<Arc<[u8]>>,
    delta: Vec<u8>,
    key: Vec<u8>,
    /// Time between video frames.
    pub frame_interval: Duration,
    /// RTP clock ticks (90 kHz) per video frame.
    pub frame_ticks: u32,
}

/// One RTP payload of a video frame.
#[derive(Debug)]
pub struct VideoPacket {
    pub payload: Vec<u8>,
    /// The frame's last packet.
    pub marker: bool,
}

/// A tiny deterministic filler generator (xorshift): the bytes only need to look like data.
fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// A VP8 frame: the 3-byte frame tag (RFC 6386 §9.1), for keyframes the start code and size,
/// then filler, `len` bytes in all.
fn vp8_frame(len: usize, keyframe: bool, seed: u64) -> Vec<u8> {
    let first_partition = (len / 4) as u32;
    // Bit 0: inverse keyframe flag; bits 1-3 version 0; bit 4 show_frame; 5-23 first partition.
    let tag = u32::from(!keyframe) | (1 << 4) | (first_partition << 5);
    let mut frame = tag.to_le_bytes()[..3].to_vec();
    if keyframe {
        frame.extend_from_slice(&[0x9d, 0x01, 0x2a]);
        frame.extend_from_slice(&1280u16.to_le_bytes());
        frame.extend_from_slice(&720u16.to_le_bytes());
    }
    let header = frame.len();
    frame.extend(filler(len.saturating_sub(header), seed));
    frame
}

impl Source {
    /// Media for a video bitrate and frame rate; audio of ~32 kbit/s (60 to 100 byte packets).
    pub fn new(video_kbps: u32, fps: u32) -> Source {
        let fps = fps.max(1);
        let audio = (0..50u64).map(|i| filler(60 + (i as usize * 7) % 41, i + 1).into()).collect();
        let delta_len = (video_kbps as usize * 1000 / 8 / fps as usize).max(16);
        Source {
            audio,
            delta: vp8_frame(delta_len, false, 7),
            key: vp8_frame(delta_len * KEYFRAME_FACTOR, true, 11),
            frame_interval: Duration::from_secs(1) / fps,
            frame_ticks: 90_000 / fps,
        }
    }

    /// The `n`th audio packet's payload (the recording loops).
    pub fn audio(&self, n: u64) -> Arc<[u8]> {
        self.audio[(n % self.audio.len() as u64) as usize].clone()
    }

    /// A video frame's RTP payloads, each with its RFC 7741 payload descriptor.
    pub fn frame(&self, picture_id: u16, keyframe: bool) -> Vec<VideoPacket> {
        let body = if keyframe { &self.key } else { &self.delta };
        let chunks: Vec<&[u8]> = body.chunks(VP8_CHUNK).collect();
        let last = chunks.len() - 1;
        let pid = (picture_id & 0x7fff) | 0x8000;
        chunks
            .into_iter()
            .enumerate()
            .map(|(i, chunk)| {
                // X=1, S only on the first packet, PID=0; then I=1 and a 15-bit picture id (M=1).
                let first = 0x80 | if i == 0 { 0x10 } else { 0 };
                let mut payload = vec![first, 0x80];
                payload.extend_from_slice(&pid.to_be_bytes());
                payload.extend_from_slice(chunk);
                VideoPacket { payload, marker: i == last }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SFU's rule (kefu-media forward.rs): S=1, PID=0, then the payload header's P bit is 0.
    fn starts_keyframe(payload: &[u8]) -> bool {
        let first = payload[0];
        if first & 0x10 == 0 || first & 0x07 != 0 {
            return false;
        }
        let mut at = 1;
        if first & 0x80 != 0 {
            let ext = payload[at];
            at += 1;
            if ext & 0x80 != 0 {
                at += if payload[at] & 0x80 != 0 { 2 } else { 1 };
            }
        }
        payload[at] & 0x01 == 0
    }

    #[test]
    fn a_keyframe_starts_with_a_recognisable_packet_and_ends_with_the_marker() {
        let source = Source::new(1000, 30);
        let key = source.frame(300, true);
        assert!(starts_keyframe(&key[0].payload));
        assert_eq!(&key[0].payload[7..10], &[0x9d, 0x01, 0x2a], "the keyframe start code follows the tag");
        assert!(key[1..].iter().all(|p| p.payload[0] & 0x10 == 0), "only the first packet starts the partition");
        assert!(key.last().is_some_and(|p| p.marker) && key.iter().filter(|p| p.marker).count() == 1);
        assert_eq!(u16::from_be_bytes([key[0].payload[2], key[0].payload[3]]), 0x8000 | 300);

        let delta = source.frame(301, false);
        assert!(!starts_keyframe(&delta[0].payload), "a delta frame is not a keyframe");
        assert!(key.len() > delta.len());
    }

    #[test]
    fn sizes_match_the_bitrate() {
        let source = Source::new(1000, 30);
        let bytes: usize = (0..30).flat_map(|i| source.frame(i, false)).map(|p| p.payload.len()).sum();
        let kbps = bytes * 8 / 1000;
        assert!((950..1100).contains(&kbps), "{kbps} kbit/s");
        assert!(source.frame(0, false).iter().all(|p| p.payload.len() <= VP8_CHUNK + 4));
        let audio: usize = (0..50).map(|i| source.audio(i).len()).sum();
        assert!((25_000..40_000).contains(&(audio * 8)), "~32 kbit/s of audio: {}", audio * 8);
    }
}
