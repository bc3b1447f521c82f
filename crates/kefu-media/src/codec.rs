//! What the SFU reads from video payloads: where a keyframe starts, and its frame size. Pure.

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
    vp8_header_at(payload).and_then(|at| payload.get(at)).is_some_and(|header| header & 0x01 == 0)
}

/// Where the VP8 payload header starts, in the packet that starts partition 0.
fn vp8_header_at(payload: &[u8]) -> Option<usize> {
    let &first = payload.first()?;
    let start_of_partition = first & 0x10 != 0;
    let partition = first & 0x07;
    if !start_of_partition || partition != 0 {
        return None;
    }
    let mut at = 1;
    if first & 0x80 != 0 {
        let &ext = payload.get(at)?;
        at += 1;
        if ext & 0x80 != 0 {
            // PictureID: 7 or 15 bits (M bit).
            let &pic = payload.get(at)?;
            at += if pic & 0x80 != 0 { 2 } else { 1 };
        }
        if ext & 0x40 != 0 {
            at += 1; // TL0PICIDX
        }
        if ext & 0x30 != 0 {
            at += 1; // TID/Y/KEYIDX
        }
    }
    Some(at)
}

/// The frame size a keyframe's first packet declares (RFC 6386 9.1: after the 3-byte frame tag,
/// the start code 9d 01 2a, then 14-bit width and height, little-endian). VP8 only: an H.264
/// size needs an SPS parser, which the SFU does without (the size is then unknown).
pub(crate) fn keyframe_size(codec: VideoCodec, payload: &[u8]) -> Option<(u16, u16)> {
    if codec != VideoCodec::Vp8 {
        return None;
    }
    let at = vp8_header_at(payload)?;
    let header = payload.get(at..at + 10)?;
    if header[0] & 0x01 != 0 || header[3..6] != [0x9d, 0x01, 0x2a] {
        return None;
    }
    let width = u16::from_le_bytes([header[6], header[7]]) & 0x3fff;
    let height = u16::from_le_bytes([header[8], header[9]]) & 0x3fff;
    Some((width, height))
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
    fn a_vp8_keyframe_tells_its_size() {
        // S=1, then frame tag (keyframe), start code, 1280 x 720.
        let key = [0x10, 0x50, 0x2a, 0x01, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02];
        assert_eq!(keyframe_size(VideoCodec::Vp8, &key), Some((1280, 720)));
        let mut delta = key;
        delta[1] |= 0x01;
        assert_eq!(keyframe_size(VideoCodec::Vp8, &delta), None);
        assert_eq!(keyframe_size(VideoCodec::H264, &key), None);
        assert_eq!(keyframe_size(VideoCodec::Vp8, &key[..8]), None);
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
