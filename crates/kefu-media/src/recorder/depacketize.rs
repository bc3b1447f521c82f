//! From RTP packets to whole frames, on the recorder's writer thread: a small reorder buffer per
//! stream (packets by extended sequence number; a hole not filled within [`REORDER_WAIT`] is
//! given up as lost) and the VP8 depacketiser of RFC 7741. Opus needs none: a packet is a frame.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a hole in the sequence numbers may wait for a late packet (a NACK's retransmission
/// takes about one round trip).
pub(crate) const REORDER_WAIT: Duration = Duration::from_millis(250);

/// One RTP packet as the recorder needs it.
#[derive(Clone, Debug)]
pub(crate) struct Packet {
    /// Extended (never wrapping) sequence number.
    pub seq: u64,
    /// The RTP timestamp as sent.
    pub rtp_time: u32,
    pub marker: bool,
    pub payload: Arc<[u8]>,
    /// When it arrived at the media thread.
    pub arrival: Instant,
    /// The recording was paused when it arrived (its frame is replaced by silence or black).
    pub paused: bool,
}

/// Packets of one stream, released in sequence order; a hole is skipped once a later packet
/// has waited [`REORDER_WAIT`].
#[derive(Debug, Default)]
pub(crate) struct Reorder {
    next: Option<u64>,
    held: BTreeMap<u64, Packet>,
}

/// What the reorder buffer releases.
#[derive(Debug)]
pub(crate) enum Released {
    Packet(Packet),
    /// Packets were lost before the next one.
    Gap,
}

impl Reorder {
    /// Take a packet; duplicates and packets older than what was released are dropped.
    pub(crate) fn push(&mut self, packet: Packet) {
        if self.next.is_some_and(|next| packet.seq < next) {
            return;
        }
        self.held.entry(packet.seq).or_insert(packet);
    }

    /// The packets that can go on at `now` (all of them when `flush`).
    pub(crate) fn release(&mut self, now: Instant, flush: bool, out: &mut Vec<Released>) {
        loop {
            let Some((&first, oldest)) = self.held.first_key_value() else { return };
            match self.next {
                Some(next) if first != next => {
                    if !flush && now.saturating_duration_since(oldest.arrival) < REORDER_WAIT {
                        return;
                    }
                    out.push(Released::Gap);
                }
                _ => {}
            }
            if let Some((seq, packet)) = self.held.pop_first() {
                self.next = Some(seq + 1);
                out.push(Released::Packet(packet));
            }
        }
    }
}

/// A whole VP8 frame.
#[derive(Debug)]
pub(crate) struct Frame {
    pub rtp_time: u32,
    pub arrival: Instant,
    pub paused: bool,
    pub keyframe: bool,
    /// Width and height, on a keyframe.
    pub size: Option<(u16, u16)>,
    pub data: Vec<u8>,
}

/// Joins in-order VP8 packets into frames; a frame with a hole is dropped.
#[derive(Debug, Default)]
pub(crate) struct Vp8Assembler {
    current: Option<Frame>,
}

impl Vp8Assembler {
    /// Packets were lost: the frame being built cannot be whole.
    pub(crate) fn gap(&mut self) {
        self.current = None;
    }

    /// The next packet in sequence; a frame when this packet completes it.
    pub(crate) fn push(&mut self, packet: &Packet) -> Option<Frame> {
        let (start, body) = vp8_descriptor(&packet.payload)?;
        if start {
            let keyframe = body.first().is_some_and(|b| b & 0x01 == 0);
            let size = if keyframe { keyframe_size(body) } else { None };
            self.current =
                Some(Frame { rtp_time: packet.rtp_time, arrival: packet.arrival, paused: false, keyframe, size, data: Vec::new() });
        }
        let frame = self.current.as_mut()?;
        if frame.rtp_time != packet.rtp_time {
            // A new frame began without its first packet.
            self.current = None;
            return None;
        }
        frame.data.extend_from_slice(body);
        frame.paused = packet.paused;
        if packet.marker {
            return self.current.take();
        }
        None
    }
}

/// RFC 7741 payload descriptor: whether the packet starts a frame (S=1 and partition 0), and the
/// VP8 bytes after the descriptor.
fn vp8_descriptor(payload: &[u8]) -> Option<(bool, &[u8])> {
    let first = *payload.first()?;
    let start = first & 0x10 != 0 && first & 0x07 == 0;
    let mut at = 1;
    if first & 0x80 != 0 {
        let ext = *payload.get(at)?;
        at += 1;
        if ext & 0x80 != 0 {
            // PictureID: 15 bits when its M bit is set, else 7.
            at += if payload.get(at)? & 0x80 != 0 { 2 } else { 1 };
        }
        if ext & 0x40 != 0 {
            at += 1; // TL0PICIDX
        }
        if ext & 0x30 != 0 {
            at += 1; // TID / KEYIDX
        }
    }
    Some((start, payload.get(at..)?))
}

/// A VP8 keyframe's frame header: 3-byte tag, start code 9d 01 2a, then 14-bit width and height.
fn keyframe_size(body: &[u8]) -> Option<(u16, u16)> {
    if body.get(3..6)? != [0x9d, 0x01, 0x2a] {
        return None;
    }
    let width = u16::from_le_bytes([*body.get(6)?, *body.get(7)?]) & 0x3fff;
    let height = u16::from_le_bytes([*body.get(8)?, *body.get(9)?]) & 0x3fff;
    Some((width, height)).filter(|&(w, h)| w > 0 && h > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(seq: u64, rtp_time: u32, marker: bool, payload: &[u8], arrival: Instant) -> Packet {
        Packet { seq, rtp_time, marker, payload: payload.into(), arrival, paused: false }
    }

    #[test]
    fn reorder_waits_for_a_late_packet_then_gives_a_hole_up() {
        let t = Instant::now();
        let mut r = Reorder::default();
        let mut out = Vec::new();
        r.push(packet(10, 0, false, &[1], t));
        r.push(packet(12, 0, false, &[3], t));
        r.push(packet(11, 0, false, &[2], t));
        r.push(packet(11, 0, false, &[9], t));
        r.release(t, false, &mut out);
        let seqs: Vec<u64> = out.iter().filter_map(|o| if let Released::Packet(p) = o { Some(p.seq) } else { None }).collect();
        assert_eq!(seqs, [10, 11, 12], "reordered, duplicate dropped");
        out.clear();
        r.push(packet(14, 0, false, &[5], t));
        r.release(t + Duration::from_millis(10), false, &mut out);
        assert!(out.is_empty(), "13 may still come");
        r.release(t + REORDER_WAIT, false, &mut out);
        assert!(matches!(out.as_slice(), [Released::Gap, Released::Packet(p)] if p.seq == 14));
    }

    #[test]
    fn vp8_frames_are_joined_and_a_keyframe_tells_its_size() {
        let t = Instant::now();
        // Descriptor with X=1, I=1 (7-bit picture id), S=1; keyframe header 640x360.
        let mut first = vec![0x90, 0x80, 0x05, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a];
        first.extend_from_slice(&640u16.to_le_bytes());
        first.extend_from_slice(&360u16.to_le_bytes());
        let mut a = Vp8Assembler::default();
        assert!(a.push(&packet(1, 90, false, &first, t)).is_none());
        let frame = a.push(&packet(2, 90, true, &[0x80, 0x80, 0x05, 0xAA], t)).expect("marker ends the frame");
        assert!(frame.keyframe);
        assert_eq!(frame.size, Some((640, 360)));
        assert_eq!(frame.data.len(), first.len() - 3 + 1);
        // A frame whose first packet was lost never comes out.
        a.gap();
        assert!(a.push(&packet(5, 180, true, &[0x80, 0x80, 0x06, 0xBB], t)).is_none());
    }
}
