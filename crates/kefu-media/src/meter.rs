//! Figures of the media arriving from publishers, per track and layer: bits and frames per
//! second over the last interval, and the frame size the last keyframe declared. They feed the
//! allocator (layer bitrates) and the participants' stats (what a subscriber receives).

use rustc_hash::FxHashMap;
use std::time::{Duration, Instant};

use crate::api::VideoLayerStats;
use crate::forward::Layer;
use crate::ids::{RoomId, TrackId};

/// How often layer bitrates are measured and given to the room.
pub(crate) const RATE_INTERVAL: Duration = Duration::from_millis(500);

/// What a packet costs on the wire besides its payload: RTP header with extensions (~24), SRTP
/// tag (16), UDP/IP (28). The estimate counts whole packets, so must the layers' rates.
const PACKET_OVERHEAD: u64 = 68;

#[derive(Debug, Default)]
struct LayerMeter {
    rid: Option<String>,
    bytes: u64,
    frames: u32,
    bps: u64,
    fps: f32,
    size: Option<(u16, u16)>,
    /// Anything ever arrived on this layer (it may be paused at the publisher now).
    seen: bool,
}

#[derive(Debug)]
struct TrackMeter {
    room: RoomId,
    layers: Vec<LayerMeter>,
}

/// Every published track's meters.
#[derive(Debug, Default)]
pub(crate) struct Meters {
    tracks: FxHashMap<TrackId, TrackMeter>,
    since: Option<Instant>,
}

impl Meters {
    /// Start measuring a track with these layers (rids lowest first; empty: one layer).
    pub(crate) fn add(&mut self, now: Instant, room: RoomId, track: TrackId, rids: &[String]) {
        self.since.get_or_insert(now);
        let layers = if rids.is_empty() {
            vec![LayerMeter::default()]
        } else {
            rids.iter().map(|rid| LayerMeter { rid: Some(rid.clone()), ..LayerMeter::default() }).collect()
        };
        self.tracks.insert(track, TrackMeter { room, layers });
    }

    pub(crate) fn remove(&mut self, track: TrackId) {
        self.tracks.remove(&track);
    }

    /// One packet arrived: `end_of_frame` is its marker bit, `size` a keyframe's frame size.
    pub(crate) fn record(&mut self, track: TrackId, layer: Layer, payload: usize, end_of_frame: bool, size: Option<(u16, u16)>) {
        let Some(m) = self.tracks.get_mut(&track).and_then(|t| t.layers.get_mut(usize::from(layer))) else { return };
        m.bytes += payload as u64 + PACKET_OVERHEAD;
        m.seen = true;
        m.frames += u32::from(end_of_frame);
        if size.is_some() {
            m.size = size;
        }
    }

    /// When the next measurement is due.
    pub(crate) fn due(&self) -> Option<Instant> {
        if self.tracks.is_empty() {
            return None;
        }
        self.since.map(|at| at + RATE_INTERVAL)
    }

    /// Close the interval at `now`: each track's per-layer bitrates, for the room.
    pub(crate) fn measure(&mut self, now: Instant) -> Vec<(RoomId, TrackId, Vec<u64>)> {
        let Some(since) = self.since.replace(now) else { return Vec::new() };
        let secs = now.saturating_duration_since(since).as_secs_f64();
        if secs <= 0.0 {
            return Vec::new();
        }
        let mut rates = Vec::new();
        for (track, t) in &mut self.tracks {
            for m in &mut t.layers {
                m.bps = (m.bytes as f64 * 8.0 / secs) as u64;
                m.fps = (f64::from(m.frames) / secs) as f32;
                m.bytes = 0;
                m.frames = 0;
            }
            rates.push((t.room, *track, t.layers.iter().map(|m| m.bps).collect()));
        }
        rates
    }

    /// A layer of a track as last measured.
    pub(crate) fn layer(&self, track: TrackId, layer: Layer) -> Option<VideoLayerStats> {
        let m = self.tracks.get(&track)?.layers.get(usize::from(layer))?;
        Some(VideoLayerStats { rid: m.rid.clone(), width: m.size.map(|s| s.0), height: m.size.map(|s| s.1), fps: m.fps, bps: m.bps })
    }

    /// The rids of a track that have arrived (some may be paused at the publisher now), lowest
    /// first.
    pub(crate) fn received_rids(&self, track: TrackId) -> Vec<String> {
        let Some(t) = self.tracks.get(&track) else { return Vec::new() };
        t.layers.iter().filter(|m| m.seen).filter_map(|m| m.rid.clone()).collect()
    }
}
