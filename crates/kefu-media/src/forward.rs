//! Per-subscriber forwarding state of one track: which simulcast layer the subscriber receives,
//! switching only at a keyframe of the target layer, and the rewriting (sequence numbers, RTP
//! timestamps, VP8 picture ids) that makes the layers it receives one continuous stream. Pure.

use std::time::Instant;

/// A simulcast layer of a track, 0 the lowest. A track without simulcast has layer 0 only.
pub type Layer = u8;

/// VP8 picture ids are 15 bits (Chromium always uses the long form).
const PICTURE_ID_MOD: u16 = 0x8000;

/// One incoming packet, as far as forwarding cares.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Incoming {
    pub layer: Layer,
    /// The publisher's extended sequence number on this layer's stream.
    pub seq_no: u64,
    pub timestamp: u32,
    /// The packet starts a keyframe (always true for audio).
    pub keyframe: bool,
    pub picture_id: Option<u16>,
    pub tl0_pic_idx: Option<u8>,
    /// When it arrived.
    pub at: Instant,
    /// RTP clock ticks per millisecond (90 for video).
    pub ticks_per_ms: u32,
}

/// What to write to the subscriber for one incoming packet.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Forwarded {
    /// The subscriber's extended sequence number.
    pub seq_no: u64,
    pub timestamp: u32,
    pub picture_id: Option<u16>,
    pub tl0_pic_idx: Option<u8>,
    /// This packet starts a new layer (or the stream).
    pub switched: bool,
}

/// Where the current layer's numbers map to the subscriber's.
#[derive(Debug, Clone, Copy)]
struct Source {
    layer: Layer,
    seq_in: u64,
    seq_out: u64,
    timestamp_delta: u32,
    picture_id_delta: u16,
    tl0_delta: u8,
}

/// The newest packet written to the subscriber, to continue from on a switch.
#[derive(Debug, Clone, Copy)]
struct Last {
    timestamp: u32,
    at: Instant,
    picture_id: Option<u16>,
    tl0_pic_idx: Option<u8>,
}

/// The forwarding state of one track towards one subscriber.
#[derive(Debug)]
pub(crate) struct Forwarder {
    video: bool,
    /// The layer the allocator wants; `None`: video paused for this subscriber.
    target: Option<Layer>,
    source: Option<Source>,
    /// The subscriber's sequence number after the highest one written. Starts small, so the
    /// subscriber's SRTP rollover counter starts at 0 as its receiver assumes.
    next_seq: u64,
    last: Option<Last>,
}

impl Forwarder {
    /// Audio forwards its one layer at once; video waits for the allocator's target.
    pub(crate) fn new(video: bool, start: u16) -> Self {
        let target = if video { None } else { Some(0) };
        Forwarder { video, target, source: None, next_seq: u64::from(start), last: None }
    }

    /// The layer to forward from now on (switched to at its next keyframe); `None` pauses at
    /// once, and so does a lower layer: the current one stops at once and the video resumes at
    /// the target's keyframe. Returns whether a keyframe of the target is needed for the switch.
    ///
    /// A switch up keeps the current layer until the target's keyframe (nothing lost). A switch
    /// down comes when the subscriber's link no longer carries the current layer: what is
    /// forwarded of it meanwhile only queues in str0m's pacer (up to 2 s of it, paced at the
    /// fallen estimate) and delays the lower layer's keyframe behind it. Forwarding the top
    /// layer until the low one's keyframe, a subscriber whose link fell from unlimited to
    /// 300 kbit/s got its first low-layer frame 1.5 s after the switch (sfu_weak_link_tests.rs).
    pub(crate) fn set_target(&mut self, target: Option<Layer>) -> bool {
        self.target = target;
        if target.is_none_or(|t| self.current().is_some_and(|c| t < c)) {
            self.source = None;
        }
        self.switch_pending()
    }

    /// The layer being forwarded, if any.
    pub(crate) fn current(&self) -> Option<Layer> {
        self.source.map(|s| s.layer)
    }

    /// The target, if any.
    #[cfg(test)]
    pub(crate) fn target(&self) -> Option<Layer> {
        self.target
    }

    /// A switch waits for a keyframe of the target layer.
    pub(crate) fn switch_pending(&self) -> bool {
        self.target.is_some() && self.current() != self.target
    }

    /// The decision for one incoming packet. `None`: drop it (another layer, video before the
    /// target's keyframe, or a late packet from before the current layer's start).
    pub(crate) fn forward(&mut self, p: &Incoming) -> Option<Forwarded> {
        let on_current = self.source.is_some_and(|s| s.layer == p.layer);
        let switched = !on_current && self.target == Some(p.layer) && (p.keyframe || !self.video);
        if switched {
            self.source = Some(self.continue_with(p));
        }
        let s = self.source.filter(|s| s.layer == p.layer)?;
        let seq_no = s.seq_out + p.seq_no.checked_sub(s.seq_in)?;
        let out = Forwarded {
            seq_no,
            timestamp: p.timestamp.wrapping_add(s.timestamp_delta),
            picture_id: p.picture_id.map(|id| id.wrapping_add(s.picture_id_delta) % PICTURE_ID_MOD),
            tl0_pic_idx: p.tl0_pic_idx.map(|i| i.wrapping_add(s.tl0_delta)),
            switched,
        };
        if seq_no >= self.next_seq {
            self.next_seq = seq_no + 1;
            self.last = Some(Last { timestamp: out.timestamp, at: p.at, picture_id: out.picture_id, tl0_pic_idx: out.tl0_pic_idx });
        }
        Some(out)
    }

    /// The mapping that makes `p` follow the last packet written, whatever layer it came from.
    fn continue_with(&self, p: &Incoming) -> Source {
        let Some(last) = self.last else {
            return Source {
                layer: p.layer,
                seq_in: p.seq_no,
                seq_out: self.next_seq,
                timestamp_delta: 0,
                picture_id_delta: 0,
                tl0_delta: 0,
            };
        };
        // The layers' RTP clocks have unrelated offsets: continue from the last timestamp by the
        // time that passed (at least one tick, so the new frame is a new frame).
        let elapsed_ms = p.at.saturating_duration_since(last.at).as_millis().min(u128::from(u32::MAX / 90)) as u32;
        let timestamp = last.timestamp.wrapping_add((elapsed_ms * p.ticks_per_ms).max(1));
        let picture_id_delta = match (last.picture_id, p.picture_id) {
            (Some(last), Some(now)) => ((last + 1) % PICTURE_ID_MOD).wrapping_sub(now).wrapping_add(PICTURE_ID_MOD) % PICTURE_ID_MOD,
            _ => 0,
        };
        let tl0_delta = match (last.tl0_pic_idx, p.tl0_pic_idx) {
            (Some(last), Some(now)) => last.wrapping_add(1).wrapping_sub(now),
            _ => 0,
        };
        Source {
            layer: p.layer,
            seq_in: p.seq_no,
            seq_out: self.next_seq,
            timestamp_delta: timestamp.wrapping_sub(p.timestamp),
            picture_id_delta,
            tl0_delta,
        }
    }
}

#[cfg(test)]
#[path = "forward_tests.rs"]
mod tests;
