//! Which participant a datagram is for: by its source address once that address has passed
//! an ICE check, by the STUN USERNAME's local ufrag before. A map lookup, never a scan.

use std::collections::HashMap;
use std::net::SocketAddr;

use crate::ids::ParticipantId;

/// The routing table of the one UDP socket.
#[derive(Debug, Default)]
pub(crate) struct Demux {
    by_ufrag: HashMap<String, ParticipantId>,
    by_addr: HashMap<SocketAddr, ParticipantId>,
}

impl Demux {
    /// A participant is reachable by the ufrag of its connection's local ICE credentials.
    pub(crate) fn add(&mut self, participant: ParticipantId, local_ufrag: String) {
        self.by_ufrag.insert(local_ufrag, participant);
    }

    /// Forget every route to the participant.
    pub(crate) fn remove(&mut self, participant: ParticipantId) {
        self.by_ufrag.retain(|_, p| *p != participant);
        self.by_addr.retain(|_, p| *p != participant);
    }

    /// The participant a datagram from `source` is for. A STUN binding request names its
    /// target by ufrag (and teaches us the address); anything else must come from a known
    /// address.
    pub(crate) fn route(&mut self, source: SocketAddr, datagram: &[u8]) -> Option<ParticipantId> {
        if let Some(ufrag) = stun_local_ufrag(datagram) {
            let participant = *self.by_ufrag.get(ufrag)?;
            // An address is bound to the participant whose ufrag it used: str0m then checks the
            // request's integrity with that participant's password before answering it.
            self.by_addr.insert(source, participant);
            return Some(participant);
        }
        self.by_addr.get(&source).copied()
    }
}

/// The local (first) part of the USERNAME attribute of a STUN message, `local:remote`.
pub(crate) fn stun_local_ufrag(datagram: &[u8]) -> Option<&str> {
    const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
    const USERNAME: u16 = 0x0006;
    // RFC 7983: STUN starts with 0 or 1 in its first byte; RTP/RTCP 128..=191, DTLS 20..=63.
    if datagram.len() < 20 || datagram[0] > 1 || datagram[4..8] != MAGIC_COOKIE {
        return None;
    }
    let length = usize::from(u16::from_be_bytes([datagram[2], datagram[3]]));
    let attributes = datagram.get(20..20 + length)?;
    let mut at = 0;
    while at + 4 <= attributes.len() {
        let kind = u16::from_be_bytes([attributes[at], attributes[at + 1]]);
        let len = usize::from(u16::from_be_bytes([attributes[at + 2], attributes[at + 3]]));
        let value = attributes.get(at + 4..at + 4 + len)?;
        if kind == USERNAME {
            let username = std::str::from_utf8(value).ok()?;
            return username.split(':').next();
        }
        // Attributes are padded to 4 bytes.
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn binding_request(username: &str) -> Vec<u8> {
        let mut attr = vec![0x00, 0x06];
        attr.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attr.extend_from_slice(username.as_bytes());
        while attr.len() % 4 != 0 {
            attr.push(0);
        }
        let mut msg = vec![0x00, 0x01];
        msg.extend_from_slice(&(attr.len() as u16).to_be_bytes());
        msg.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
        msg.extend_from_slice(&[7; 12]);
        msg.extend_from_slice(&attr);
        msg
    }

    #[test]
    fn stun_routes_by_ufrag_and_teaches_the_address() {
        let mut demux = Demux::default();
        demux.add(ParticipantId(1), "srvA".into());
        demux.add(ParticipantId(2), "srvB".into());
        let from: SocketAddr = "127.0.0.1:5000".parse().expect("literal address");
        let rtp = [0x80, 0x60, 0, 1];

        assert_eq!(demux.route(from, &rtp), None, "unknown address");
        assert_eq!(demux.route(from, &binding_request("srvB:cli")), Some(ParticipantId(2)));
        assert_eq!(demux.route(from, &rtp), Some(ParticipantId(2)));
        assert_eq!(demux.route(from, &binding_request("nobody:cli")), None);

        demux.remove(ParticipantId(2));
        assert_eq!(demux.route(from, &rtp), None);
        assert_eq!(demux.route(from, &binding_request("srvB:cli")), None);
    }
}
