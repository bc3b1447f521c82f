//! Per-subscriber forwarding state of one track: where the subscriber's stream starts (it waits
//! for a keyframe), and the sequence-number rewriting that keeps its stream gap-free. Pure.

/// How the subscriber's sequence numbers are derived from the publisher's.
#[derive(Debug)]
pub(crate) struct Forwarder {
    video: bool,
    /// The publisher's extended sequence number of the first forwarded packet.
    base: Option<u64>,
    /// The subscriber's sequence number for `base`. Small, so the subscriber's SRTP rollover
    /// counter starts at 0 as its receiver assumes, however long the publisher has been sending.
    start: u64,
}

/// What to write to the subscriber for one incoming packet.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Forwarded {
    /// The subscriber's extended sequence number.
    pub seq_no: u64,
}

impl Forwarder {
    pub(crate) fn new(video: bool, start: u16) -> Self {
        Forwarder { video, base: None, start: u64::from(start) }
    }

    /// The decision for the publisher's packet `seq_no` (extended). `None`: drop it (video before
    /// the first keyframe, or a late packet from before the subscriber's start).
    pub(crate) fn forward(&mut self, seq_no: u64, keyframe_start: bool) -> Option<Forwarded> {
        let base = match self.base {
            Some(base) => base,
            None if !self.video || keyframe_start => *self.base.insert(seq_no),
            None => return None,
        };
        let offset = seq_no.checked_sub(base)?;
        Some(Forwarded { seq_no: self.start + offset })
    }
}

/// Whether an RTP payload is the first packet of a keyframe, for the codecs Kefu forwards.
/// Unknown codecs count as keyframes so that forwarding is never blocked by a missing parser.
pub(crate) fn starts_keyframe(codec: VideoCodec, payload: &[u8]) -> bool {
    match codec {
        VideoCodec::Vp8 => vp8_starts_keyframe(payload),
        VideoCodec::H264 => h264_has_keyframe(payload),
        VideoCodec::Other => true,
    }
}

/// The video codecs whose keyframes [`starts_keyframe`] recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VideoCodec {
    Vp8,
    H264,
    Other,
}

/// RFC 7741: payload descriptor, then the VP8 payload header whose P bit is 0 on a keyframe. Only
/// the packet that starts partition 0 (S=1, PID=0) carries that header.
fn vp8_starts_keyframe(payload: &[u8]) -> bool {
    let Some(&first) = payload.first() else { return false };
    let start_of_partition = first & 0x10 != 0;
    let partition = first & 0x07;
    if !start_of_partition || partition != 0 {
        return false;
    }
    let mut at = 1;
    if first & 0x80 != 0 {
        let Some(&ext) = payload.get(at) else { return false };
        at += 1;
        if ext & 0x80 != 0 {
            // PictureID: 7 or 15 bits (M bit).
            let Some(&pic) = payload.get(at) else { return false };
            at += if pic & 0x80 != 0 { 2 } else { 1 };
        }
        if ext & 0x40 != 0 {
            at += 1; // TL0PICIDX
        }
        if ext & 0x30 != 0 {
            at += 1; // TID/Y/KEYIDX
        }
    }
    payload.get(at).is_some_and(|header| header & 0x01 == 0)
}

/// RFC 6184, packetization mode 1: an IDR slice or SPS, alone, in a STAP-A, or at the start of a
/// FU-A.
fn h264_has_keyframe(payload: &[u8]) -> bool {
    const IDR: u8 = 5;
    const SPS: u8 = 7;
    const STAP_A: u8 = 24;
    const FU_A: u8 = 28;
    let Some(&first) = payload.first() else { return false };
    match first & 0x1f {
        IDR | SPS => true,
        STAP_A => {
            let mut rest = &payload[1..];
            while rest.len() > 2 {
                let size = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
                let Some(nal) = rest.get(2..2 + size) else { return false };
                if nal.first().is_some_and(|n| matches!(n & 0x1f, IDR | SPS)) {
                    return true;
                }
                rest = &rest[2 + size..];
            }
            false
        }
        FU_A => payload.get(1).is_some_and(|fu| fu & 0x80 != 0 && fu & 0x1f == IDR),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn video_waits_for_a_keyframe_then_renumbers_from_the_start() {
        let mut f = Forwarder::new(true, 100);
        assert_eq!(f.forward(70_000, false), None, "video waits for a keyframe");
        assert_eq!(f.forward(70_001, true), Some(Forwarded { seq_no: 100 }));
        assert_eq!(f.forward(70_003, false), Some(Forwarded { seq_no: 102 }), "a loss stays a gap");
        assert_eq!(f.forward(70_000, false), None, "from before the start");
    }

    #[test]
    fn audio_starts_at_once() {
        let mut f = Forwarder::new(false, 5);
        assert_eq!(f.forward(9, false), Some(Forwarded { seq_no: 5 }));
    }

    #[test]
    fn vp8_keyframes_are_recognised() {
        // S=1 PID=0, no extension; payload header P=0.
        assert!(starts_keyframe(VideoCodec::Vp8, &[0x10, 0x00, 0x9d]));
        // Delta frame (P=1).
        assert!(!starts_keyframe(VideoCodec::Vp8, &[0x10, 0x01]));
        // Not the start of the partition.
        assert!(!starts_keyframe(VideoCodec::Vp8, &[0x00, 0x00]));
        // X=1, I=1 with a 15-bit picture id, then the header.
        assert!(starts_keyframe(VideoCodec::Vp8, &[0x90, 0x80, 0x81, 0x23, 0x00]));
        assert!(!starts_keyframe(VideoCodec::Vp8, &[0x90, 0x80, 0x81, 0x23, 0x01]));
    }

    #[test]
    fn h264_keyframes_are_recognised() {
        assert!(starts_keyframe(VideoCodec::H264, &[0x65, 0x88]));
        assert!(!starts_keyframe(VideoCodec::H264, &[0x41, 0x9a]));
        // STAP-A with SPS and PPS.
        assert!(starts_keyframe(VideoCodec::H264, &[0x78, 0, 2, 0x67, 0x42, 0, 2, 0x68, 0xce]));
        // FU-A, start of an IDR / middle of an IDR.
        assert!(starts_keyframe(VideoCodec::H264, &[0x7c, 0x85, 0x88]));
        assert!(!starts_keyframe(VideoCodec::H264, &[0x7c, 0x05, 0x88]));
        assert!(!starts_keyframe(VideoCodec::H264, &[]));
    }
}
