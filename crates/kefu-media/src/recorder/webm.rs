//! A WebM (Matroska subset) file writer for one participant: Opus audio and VP8 video as
//! SimpleBlocks in clusters of about a second. It owns the byte layout only — no RTP, no clocks.
//!
//! Crash safety: the Segment is written with an unknown size and each cluster is written whole
//! (buffered in memory, then one `write`), so a process killed mid-call leaves a file that ends
//! on a cluster boundary; after each cluster the Info's Duration is rewritten in place, so even
//! such a file tells players its length. [`WebmWriter::finish`] appends the Cues, fills the
//! SeekHead (reserved as a Void at the start) and the Segment size, so players can seek.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::fs::FileExt;

/// Track numbers in the file: audio (if any) first, video (if any) second. A file without audio
/// keeps video as track 2 (Matroska track numbers need not be contiguous).
pub(crate) const AUDIO_TRACK: u64 = 1;
pub(crate) const VIDEO_TRACK: u64 = 2;

/// Clusters are closed after this long (the "flushed about every second").
const CLUSTER_SPAN_MS: i64 = 1000;
/// Bytes reserved for the SeekHead (three Seek entries need 3 × ~20 bytes).
const SEEKHEAD_RESERVED: usize = 96;

/// Ids of the elements written (Matroska spec; the marker bits are part of the id).
mod id {
    pub const EBML: u32 = 0x1A45_DFA3;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const SEEK_HEAD: u32 = 0x114D_9B74;
    pub const SEEK: u32 = 0x4DBB;
    pub const SEEK_ID: u32 = 0x53AB;
    pub const SEEK_POSITION: u32 = 0x53AC;
    pub const VOID: u32 = 0xEC;
    pub const INFO: u32 = 0x1549_A966;
    pub const TIMECODE_SCALE: u32 = 0x2A_D7B1;
    pub const DURATION: u32 = 0x4489;
    pub const DATE_UTC: u32 = 0x4461;
    pub const MUXING_APP: u32 = 0x4D80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const TRACKS: u32 = 0x1654_AE6B;
    pub const TRACK_ENTRY: u32 = 0xAE;
    pub const TRACK_NUMBER: u32 = 0xD7;
    pub const TRACK_UID: u32 = 0x73C5;
    pub const TRACK_TYPE: u32 = 0x83;
    pub const FLAG_LACING: u32 = 0x9C;
    pub const CODEC_ID: u32 = 0x86;
    pub const CODEC_PRIVATE: u32 = 0x63A2;
    pub const CODEC_DELAY: u32 = 0x56AA;
    pub const SEEK_PRE_ROLL: u32 = 0x56BB;
    pub const VIDEO: u32 = 0xE0;
    pub const PIXEL_WIDTH: u32 = 0xB0;
    pub const PIXEL_HEIGHT: u32 = 0xBA;
    pub const AUDIO: u32 = 0xE1;
    pub const SAMPLING_FREQUENCY: u32 = 0xB5;
    pub const CHANNELS: u32 = 0x9F;
    pub const CLUSTER: u32 = 0x1F43_B675;
    pub const TIMECODE: u32 = 0xE7;
    pub const SIMPLE_BLOCK: u32 = 0xA3;
    pub const CUES: u32 = 0x1C53_BB6B;
    pub const CUE_POINT: u32 = 0xBB;
    pub const CUE_TIME: u32 = 0xB3;
    pub const CUE_TRACK_POSITIONS: u32 = 0xB7;
    pub const CUE_TRACK: u32 = 0xF7;
    pub const CUE_CLUSTER_POSITION: u32 = 0xF1;
}

/// What the file holds, fixed when its header is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Layout {
    /// Whether the file has an Opus track. A shared screen's file has one only when the share
    /// publishes its sound (a shared tab's audio): an audio track declared but never written
    /// makes players and ffprobe report a stream of no length next to the picture.
    pub audio: bool,
    /// The video track's size as its first keyframe said; `None`: audio only.
    pub video: Option<(u16, u16)>,
    /// Wall-clock start of the recording, milliseconds since the Unix epoch (DateUTC).
    pub started_unix_ms: i64,
    /// The video is H.264 with this `avcC` record: the file is Matroska (`V_MPEG4/ISO/AVC`),
    /// not WebM (VP8).
    pub avc: Option<Vec<u8>>,
}

/// A WebM file being written.
pub(crate) struct WebmWriter {
    file: File,
    /// Bytes written so far (the end of the file).
    len: u64,
    /// File offset where the Segment's data starts (positions in SeekHead and Cues count from it).
    segment_data: u64,
    /// File offset of the Segment's 8-byte size field.
    segment_size_at: u64,
    seekhead_at: u64,
    info_at: u64,
    tracks_at: u64,
    /// File offset of the Duration float's 8 bytes.
    duration_at: u64,
    has_audio: bool,
    has_video: bool,
    cluster: Option<Cluster>,
    cues: Vec<(i64, u64)>,
    /// The end of the last block written, in ms: the recording's duration.
    end_ms: i64,
}

struct Cluster {
    start_ms: i64,
    body: Vec<u8>,
    /// Whether its first block is a video keyframe (then a Cue points at it).
    starts_with_keyframe: bool,
}

impl WebmWriter {
    /// Write the EBML header, a Segment of unknown size, a reserved SeekHead, Info and Tracks.
    pub(crate) fn create(mut file: File, layout: Layout) -> io::Result<WebmWriter> {
        let doc_type: &[u8] = if layout.avc.is_some() { b"matroska" } else { b"webm" };
        let mut head = Vec::new();
        let mut ebml = Vec::new();
        uint(&mut ebml, 0x4286, 1);
        uint(&mut ebml, 0x42F7, 1);
        uint(&mut ebml, 0x42F2, 4);
        uint(&mut ebml, 0x42F3, 8);
        bytes(&mut ebml, 0x4282, doc_type);
        uint(&mut ebml, 0x4287, 4);
        uint(&mut ebml, 0x4285, 2);
        bytes(&mut head, id::EBML, &ebml);
        put_id(&mut head, id::SEGMENT);
        let segment_size_at = head.len() as u64;
        // Unknown size: a reader takes everything up to the end of the file.
        head.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
        let segment_data = head.len() as u64;
        let seekhead_at = head.len() as u64;
        void(&mut head, SEEKHEAD_RESERVED);

        let info_at = head.len() as u64;
        let mut info = Vec::new();
        uint(&mut info, id::TIMECODE_SCALE, 1_000_000);
        bytes(&mut info, id::MUXING_APP, b"kefu");
        bytes(&mut info, id::WRITING_APP, b"kefu");
        // DateUTC counts nanoseconds from 2001-01-01T00:00:00Z.
        let date = (layout.started_unix_ms - 978_307_200_000) * 1_000_000;
        bytes(&mut info, id::DATE_UTC, &date.to_be_bytes());
        put_id(&mut info, id::DURATION);
        put_size(&mut info, 8);
        let duration_in_info = info.len();
        info.extend_from_slice(&0f64.to_be_bytes());
        put_id(&mut head, id::INFO);
        put_size(&mut head, info.len() as u64);
        let duration_at = head.len() as u64 + duration_in_info as u64;
        head.extend_from_slice(&info);

        let tracks_at = head.len() as u64;
        let mut tracks = Vec::new();
        if layout.audio {
            let mut audio = Vec::new();
            uint(&mut audio, id::TRACK_NUMBER, AUDIO_TRACK);
            uint(&mut audio, id::TRACK_UID, AUDIO_TRACK);
            uint(&mut audio, id::TRACK_TYPE, 2);
            uint(&mut audio, id::FLAG_LACING, 0);
            bytes(&mut audio, id::CODEC_ID, b"A_OPUS");
            bytes(&mut audio, id::CODEC_PRIVATE, &opus_head());
            uint(&mut audio, id::CODEC_DELAY, 6_500_000);
            uint(&mut audio, id::SEEK_PRE_ROLL, 80_000_000);
            let mut settings = Vec::new();
            bytes(&mut settings, id::SAMPLING_FREQUENCY, &48_000f64.to_be_bytes());
            uint(&mut settings, id::CHANNELS, 2);
            bytes(&mut audio, id::AUDIO, &settings);
            bytes(&mut tracks, id::TRACK_ENTRY, &audio);
        }
        if let Some((width, height)) = layout.video {
            let mut video = Vec::new();
            uint(&mut video, id::TRACK_NUMBER, VIDEO_TRACK);
            uint(&mut video, id::TRACK_UID, VIDEO_TRACK);
            uint(&mut video, id::TRACK_TYPE, 1);
            uint(&mut video, id::FLAG_LACING, 0);
            match &layout.avc {
                Some(avc) => {
                    bytes(&mut video, id::CODEC_ID, b"V_MPEG4/ISO/AVC");
                    bytes(&mut video, id::CODEC_PRIVATE, avc);
                }
                None => bytes(&mut video, id::CODEC_ID, b"V_VP8"),
            }
            let mut settings = Vec::new();
            uint(&mut settings, id::PIXEL_WIDTH, u64::from(width));
            uint(&mut settings, id::PIXEL_HEIGHT, u64::from(height));
            bytes(&mut video, id::VIDEO, &settings);
            bytes(&mut tracks, id::TRACK_ENTRY, &video);
        }
        bytes(&mut head, id::TRACKS, &tracks);
        file.write_all(&head)?;
        Ok(WebmWriter {
            file,
            len: head.len() as u64,
            segment_data,
            segment_size_at,
            seekhead_at,
            info_at,
            tracks_at,
            duration_at,
            has_audio: layout.audio,
            has_video: layout.video.is_some(),
            cluster: None,
            cues: Vec::new(),
            end_ms: 0,
        })
    }

    /// Append one frame at `at_ms` (from the recording's start; never before the previous
    /// frame of the same track). A cluster older than a second is written out first, and so is
    /// any cluster when a video keyframe arrives, so that keyframes start clusters (seek points).
    /// A frame of a track the file does not have (video of a file opened audio-only, sound for
    /// a screen's file) is left out.
    pub(crate) fn write_frame(&mut self, track: u64, at_ms: i64, keyframe: bool, frame: &[u8]) -> io::Result<()> {
        let declared = if track == AUDIO_TRACK { self.has_audio } else { self.has_video };
        if !declared {
            return Ok(());
        }
        let at_ms = at_ms.max(0);
        let video_key = track == VIDEO_TRACK && keyframe;
        let close = match &self.cluster {
            None => false,
            Some(c) => {
                let age = at_ms - c.start_ms;
                !(0..CLUSTER_SPAN_MS).contains(&age) || (video_key && age > 0)
            }
        };
        if close {
            self.flush_cluster()?;
        }
        let cluster = self.cluster.get_or_insert_with(|| Cluster {
            start_ms: at_ms,
            body: Vec::with_capacity(64 * 1024),
            starts_with_keyframe: video_key || (track == AUDIO_TRACK && !self.has_video),
        });
        let relative = i16::try_from(at_ms - cluster.start_ms).unwrap_or(i16::MAX);
        let mut block = Vec::with_capacity(frame.len() + 4);
        block.push(0x80 | track as u8);
        block.extend_from_slice(&relative.to_be_bytes());
        // Every Opus frame is independently decodable; a VP8 frame only if it is a keyframe.
        block.push(if keyframe || track == AUDIO_TRACK { 0x80 } else { 0x00 });
        block.extend_from_slice(frame);
        bytes(&mut cluster.body, id::SIMPLE_BLOCK, &block);
        // A frame lasts until the next; 20 ms is Opus's usual frame length.
        self.end_ms = self.end_ms.max(at_ms + if track == AUDIO_TRACK { 20 } else { 0 });
        Ok(())
    }

    /// Write the open cluster (one `write`), then the Duration so far. Returns the bytes written.
    pub(crate) fn flush_cluster(&mut self) -> io::Result<()> {
        let Some(cluster) = self.cluster.take() else { return Ok(()) };
        let mut out = Vec::with_capacity(cluster.body.len() + 16);
        let mut body = Vec::with_capacity(cluster.body.len() + 8);
        uint(&mut body, id::TIMECODE, cluster.start_ms as u64);
        body.extend_from_slice(&cluster.body);
        bytes(&mut out, id::CLUSTER, &body);
        if cluster.starts_with_keyframe {
            self.cues.push((cluster.start_ms, self.len - self.segment_data));
        }
        self.file.write_all(&out)?;
        self.len += out.len() as u64;
        self.file.write_all_at(&(self.end_ms as f64).to_be_bytes(), self.duration_at)?;
        Ok(())
    }

    /// Bytes in the file so far.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// The recording's length so far, in milliseconds.
    pub(crate) fn duration_ms(&self) -> i64 {
        self.end_ms
    }

    /// Write the last cluster, the Cues, the SeekHead and the Segment size, and sync the file.
    pub(crate) fn finish(mut self) -> io::Result<u64> {
        self.flush_cluster()?;
        let cues_at = self.len;
        let mut cues = Vec::new();
        let track = if self.has_video { VIDEO_TRACK } else { AUDIO_TRACK };
        for (time, position) in &self.cues {
            let mut point = Vec::new();
            uint(&mut point, id::CUE_TIME, *time as u64);
            let mut positions = Vec::new();
            uint(&mut positions, id::CUE_TRACK, track);
            uint(&mut positions, id::CUE_CLUSTER_POSITION, *position);
            bytes(&mut point, id::CUE_TRACK_POSITIONS, &positions);
            bytes(&mut cues, id::CUE_POINT, &point);
        }
        let mut out = Vec::new();
        if !self.cues.is_empty() {
            bytes(&mut out, id::CUES, &cues);
        }
        self.file.write_all(&out)?;
        self.len += out.len() as u64;

        let mut seeks = Vec::new();
        let mut entries = vec![(id::INFO, self.info_at), (id::TRACKS, self.tracks_at)];
        if !self.cues.is_empty() {
            entries.push((id::CUES, cues_at));
        }
        for (element, at) in entries {
            let mut seek = Vec::new();
            bytes(&mut seek, id::SEEK_ID, &id_bytes(element));
            uint(&mut seek, id::SEEK_POSITION, at - self.segment_data);
            bytes(&mut seeks, id::SEEK, &seek);
        }
        let mut seekhead = Vec::new();
        bytes(&mut seekhead, id::SEEK_HEAD, &seeks);
        let rest = SEEKHEAD_RESERVED - seekhead.len();
        void(&mut seekhead, rest);
        self.file.write_all_at(&seekhead, self.seekhead_at)?;
        let size = (self.len - self.segment_data) | (0x01 << 56);
        self.file.write_all_at(&size.to_be_bytes(), self.segment_size_at)?;
        self.file.write_all_at(&(self.end_ms as f64).to_be_bytes(), self.duration_at)?;
        self.file.sync_all()?;
        Ok(self.len)
    }
}

/// Opus's CodecPrivate: the "OpusHead" of RFC 7845 — version 1, 2 channels, 312 samples of
/// pre-skip, 48 kHz, no gain, mapping family 0.
fn opus_head() -> Vec<u8> {
    let mut head = b"OpusHead".to_vec();
    head.extend_from_slice(&[1, 2]);
    head.extend_from_slice(&312u16.to_le_bytes());
    head.extend_from_slice(&48_000u32.to_le_bytes());
    head.extend_from_slice(&0i16.to_le_bytes());
    head.push(0);
    head
}

fn id_bytes(element: u32) -> Vec<u8> {
    let all = element.to_be_bytes();
    let skip = all.iter().take_while(|b| **b == 0).count();
    all[skip..].to_vec()
}

fn put_id(out: &mut Vec<u8>, element: u32) {
    out.extend_from_slice(&id_bytes(element));
}

/// An EBML variable-size integer, in the fewest bytes (all-ones values are reserved).
fn put_size(out: &mut Vec<u8>, size: u64) {
    let mut length = 1;
    while length < 8 && size >= (1u64 << (7 * length)) - 1 {
        length += 1;
    }
    let marked = size | (1u64 << (7 * length));
    out.extend_from_slice(&marked.to_be_bytes()[8 - length..]);
}

fn bytes(out: &mut Vec<u8>, element: u32, value: &[u8]) {
    put_id(out, element);
    put_size(out, value.len() as u64);
    out.extend_from_slice(value);
}

fn uint(out: &mut Vec<u8>, element: u32, value: u64) {
    let all = value.to_be_bytes();
    let skip = all.iter().take_while(|b| **b == 0).count().min(7);
    bytes(out, element, &all[skip..]);
}

/// A Void element of exactly `total` bytes (at least 2), to be overwritten later.
fn void(out: &mut Vec<u8>, total: usize) {
    put_id(out, id::VOID);
    // One size byte up to 127 bytes of content; the reserved spaces here are smaller.
    let content = total.saturating_sub(2);
    put_size(out, content as u64);
    out.resize(out.len() + content, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_minimal_vints() {
        let enc = |n| {
            let mut v = Vec::new();
            put_size(&mut v, n);
            v
        };
        assert_eq!(enc(0), [0x80]);
        assert_eq!(enc(126), [0xFE]);
        assert_eq!(enc(127), [0x40, 0x7F], "0xFF is reserved for unknown");
        assert_eq!(enc(300), [0x41, 0x2C]);
        let mut v = Vec::new();
        void(&mut v, SEEKHEAD_RESERVED);
        assert_eq!(v.len(), SEEKHEAD_RESERVED);
    }
}
