//! H.264 for the recorder (a participant whose browser publishes H.264 is written to Matroska):
//! in-order RTP payloads (RFC 6184: single NAL units, STAP-A, FU-A) joined into access units in
//! the length-prefixed form Matroska stores, the SPS and PPS kept for the track's CodecPrivate
//! (`avcC`), and the picture size read from the SPS. Pure: no I/O, no clock.

use crate::recorder::depacketize::{Frame, Packet};

/// Joins in-order H.264 packets into access units; one with a hole is dropped.
#[derive(Debug, Default)]
pub(crate) struct H264Assembler {
    current: Option<Frame>,
    /// The NAL unit an FU-A series is building.
    fragment: Option<Vec<u8>>,
    /// The latest sequence and picture parameter sets seen.
    pub sps: Option<Vec<u8>>,
    pub pps: Option<Vec<u8>>,
}

impl H264Assembler {
    /// Packets were lost: the access unit being built cannot be whole.
    pub(crate) fn gap(&mut self) {
        self.current = None;
        self.fragment = None;
    }

    /// The next packet in sequence; an access unit when this packet (marker bit) ends it.
    pub(crate) fn push(&mut self, packet: &Packet) -> Option<Frame> {
        if self.current.as_ref().is_some_and(|f| f.rtp_time != packet.rtp_time) {
            // The previous one never saw its marker: incomplete.
            self.gap();
        }
        let frame = self.current.get_or_insert_with(|| Frame {
            rtp_time: packet.rtp_time,
            arrival: packet.arrival,
            paused: false,
            keyframe: false,
            size: None,
            data: Vec::new(),
        });
        frame.paused = packet.paused;
        let payload = &packet.payload[..];
        let header = *payload.first()?;
        match header & 0x1f {
            1..=23 => self.nal(payload),
            24 => {
                // STAP-A: (16-bit size, NAL unit) pairs after the header.
                let mut at = 1;
                while let Some(size) = payload.get(at..at + 2).map(|b| usize::from(u16::from_be_bytes([b[0], b[1]]))) {
                    let Some(nal) = payload.get(at + 2..at + 2 + size) else { break };
                    self.nal(nal);
                    at += 2 + size;
                }
            }
            28 => {
                let fu = *payload.get(1)?;
                let body = payload.get(2..)?;
                if fu & 0x80 != 0 {
                    let mut nal = vec![(header & 0xe0) | (fu & 0x1f)];
                    nal.extend_from_slice(body);
                    self.fragment = Some(nal);
                } else if let Some(nal) = self.fragment.as_mut() {
                    nal.extend_from_slice(body);
                } else {
                    // A fragment whose start was lost.
                    self.current = None;
                    return None;
                }
                if fu & 0x40 != 0 {
                    if let Some(nal) = self.fragment.take() {
                        self.nal(&nal);
                    }
                }
            }
            _ => {}
        }
        if packet.marker && self.fragment.is_none() {
            let mut frame = self.current.take()?;
            if frame.data.is_empty() {
                return None;
            }
            if frame.keyframe {
                frame.size = self.sps.as_deref().and_then(sps_size);
            }
            return Some(frame);
        }
        None
    }

    /// One whole NAL unit of the access unit being built.
    fn nal(&mut self, nal: &[u8]) {
        let Some(kind) = nal.first().map(|b| b & 0x1f) else { return };
        match kind {
            5 => {
                if let Some(f) = self.current.as_mut() {
                    f.keyframe = true;
                }
            }
            7 => self.sps = Some(nal.to_vec()),
            8 => self.pps = Some(nal.to_vec()),
            _ => {}
        }
        if let Some(f) = self.current.as_mut() {
            f.data.extend_from_slice(&(nal.len() as u32).to_be_bytes());
            f.data.extend_from_slice(nal);
        }
    }

    /// The `avcC` record (ISO 14496-15) Matroska's `V_MPEG4/ISO/AVC` track carries, once both
    /// parameter sets were seen: 4-byte NAL lengths, one SPS, one PPS.
    pub(crate) fn avc_config(&self) -> Option<Vec<u8>> {
        let (sps, pps) = (self.sps.as_ref()?, self.pps.as_ref()?);
        let mut out = vec![1, *sps.get(1)?, *sps.get(2)?, *sps.get(3)?, 0xff, 0xe1];
        out.extend_from_slice(&(sps.len() as u16).to_be_bytes());
        out.extend_from_slice(sps);
        out.push(1);
        out.extend_from_slice(&(pps.len() as u16).to_be_bytes());
        out.extend_from_slice(pps);
        Some(out)
    }
}

/// Reads bits and Exp-Golomb codes of an SPS (emulation prevention bytes removed).
struct Bits {
    data: Vec<u8>,
    at: usize,
}

impl Bits {
    fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.at / 8)?;
        let bit = (byte >> (7 - self.at % 8)) & 1;
        self.at += 1;
        Some(u32::from(bit))
    }
    fn bits(&mut self, n: u32) -> Option<u32> {
        (0..n).try_fold(0, |v, _| Some((v << 1) | self.bit()?))
    }
    fn ue(&mut self) -> Option<u32> {
        let mut zeros = 0;
        while self.bit()? == 0 {
            zeros += 1;
            if zeros > 31 {
                return None;
            }
        }
        Some((1u32 << zeros) - 1 + self.bits(zeros)?)
    }
    fn se(&mut self) -> Option<i32> {
        let v = self.ue()?;
        Some(if v % 2 == 1 { v.div_ceil(2) as i32 } else { -((v / 2) as i32) })
    }
}

/// The picture size an SPS (NAL header included) describes, after cropping (4:2:0 sampling,
/// what browsers send).
pub(crate) fn sps_size(sps: &[u8]) -> Option<(u16, u16)> {
    let mut data = Vec::with_capacity(sps.len());
    let mut zeros = 0;
    for &b in sps.get(1..)? {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        data.push(b);
    }
    let mut r = Bits { data, at: 0 };
    let profile = r.bits(8)?;
    r.bits(16)?; // constraint flags, level
    r.ue()?; // seq_parameter_set_id
    if matches!(profile, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
        let chroma = r.ue()?;
        if chroma == 3 {
            r.bit()?;
        }
        r.ue()?;
        r.ue()?;
        r.bit()?;
        if r.bit()? == 1 {
            for i in 0..if chroma == 3 { 12 } else { 8 } {
                if r.bit()? == 1 {
                    // scaling_list(): skip its delta_scale values.
                    let (mut last, mut next) = (8i32, 8i32);
                    for _ in 0..if i < 6 { 16 } else { 64 } {
                        if next != 0 {
                            next = (last + r.se()? + 256) % 256;
                        }
                        last = if next == 0 { last } else { next };
                    }
                }
            }
        }
    }
    r.ue()?; // log2_max_frame_num_minus4
    match r.ue()? {
        0 => {
            r.ue()?;
        }
        1 => {
            r.bit()?;
            r.se()?;
            r.se()?;
            for _ in 0..r.ue()? {
                r.se()?;
            }
        }
        _ => {}
    }
    r.ue()?; // max_num_ref_frames
    r.bit()?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = r.ue()? + 1;
    let height_units = r.ue()? + 1;
    let frame_mbs_only = r.bit()?;
    if frame_mbs_only == 0 {
        r.bit()?;
    }
    r.bit()?; // direct_8x8_inference_flag
    let (mut left, mut right, mut top, mut bottom) = (0, 0, 0, 0);
    if r.bit()? == 1 {
        (left, right, top, bottom) = (r.ue()?, r.ue()?, r.ue()?, r.ue()?);
    }
    let rows = 2 - frame_mbs_only;
    let width = (width_mbs * 16).checked_sub(2 * (left + right))?;
    let height = (rows * height_units * 16).checked_sub(2 * rows * (top + bottom))?;
    Some((u16::try_from(width).ok()?, u16::try_from(height).ok()?)).filter(|&(w, h)| w > 0 && h > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn packet(seq: u64, rtp_time: u32, marker: bool, payload: &[u8]) -> Packet {
        Packet { seq, rtp_time, marker, payload: payload.into(), arrival: Instant::now(), paused: false }
    }

    /// x264's SPS of a 320x240 constrained-baseline stream (levels and flags as ffmpeg wrote it).
    const SPS_320X240: [u8; 24] = [
        0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0x20, 0xf1, 0x42,
        0xa4, 0x80,
    ];

    #[test]
    fn the_sps_tells_the_picture_size() {
        assert_eq!(sps_size(&SPS_320X240), Some((320, 240)));
        assert_eq!(sps_size(&[0x67]), None, "too short");
    }

    #[test]
    fn stap_a_and_fu_a_make_one_length_prefixed_keyframe() {
        let mut a = H264Assembler::default();
        let pps = [0x68, 0xcb, 0x83, 0xcb, 0x20];
        let mut stap = vec![0x78];
        for nal in [&SPS_320X240[..], &pps[..]] {
            stap.extend_from_slice(&(nal.len() as u16).to_be_bytes());
            stap.extend_from_slice(nal);
        }
        assert!(a.push(&packet(1, 90, false, &stap)).is_none());
        // An IDR slice (NAL type 5, nal_ref_idc 3) in two fragments.
        assert!(a.push(&packet(2, 90, false, &[0x7c, 0x85, 0xaa, 0xbb])).is_none());
        let frame = a.push(&packet(3, 90, true, &[0x7c, 0x45, 0xcc])).expect("the marker ends it");
        assert!(frame.keyframe);
        assert_eq!(frame.size, Some((320, 240)));
        let idr = [0, 0, 0, 4, 0x65, 0xaa, 0xbb, 0xcc];
        assert!(frame.data.ends_with(&idr), "{:x?}", frame.data);
        assert_eq!(frame.data.len(), 4 + SPS_320X240.len() + 4 + pps.len() + idr.len());
        let config = a.avc_config().expect("both parameter sets seen");
        assert_eq!(config[..6], [1, 0x42, 0xc0, 0x0d, 0xff, 0xe1]);
        // A frame whose first fragment was lost never comes out.
        a.gap();
        assert!(a.push(&packet(9, 180, true, &[0x5c, 0x41, 0x01])).is_none());
        let single = a.push(&packet(10, 270, true, &[0x41, 0x9a])).expect("a single NAL unit frame");
        assert!(!single.keyframe);
        assert_eq!(single.data, [0, 0, 0, 2, 0x41, 0x9a]);
    }
}
