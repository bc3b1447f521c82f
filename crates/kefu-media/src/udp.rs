//! The media socket's batched I/O. Receives take up to [`quinn_udp::BATCH_SIZE`] datagrams per
//! system call (`recvmmsg`, and GRO where the kernel coalesces a sender's run); sends follow
//! `send_plan`: each run of equal-sized datagrams to one destination (a video frame's packets to a
//! subscriber) is one GSO `sendmsg`, the single datagrams to many destinations one `sendmmsg`. One
//! system call per datagram each way was 30% of the media thread's time at 50 calls
//! (tools/media-load); the notes measured ~296k sends/s one by one against ~978k with GSO on
//! loopback here.

use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;

use quinn_udp::{RecvMeta, Transmit as Datagrams, UdpSocketState, BATCH_SIZE};
use rustix::net::addr::SocketAddrArg;
use rustix::net::{sendmmsg, MMsgHdr, SendAncillaryBuffer, SendFlags, SocketAddrAny};
use tokio::io::Interest;
use tokio::net::UdpSocket;

use crate::peer::Transmit;
use crate::send_plan::{plan, Step, GSO_MAX_BYTES};

/// A GRO read can coalesce up to 64 KiB of one sender's datagrams into one buffer.
const RECV_BUFFER_LEN: usize = 64 * 1024;

/// The one UDP socket of the media thread, with its batching state and buffers.
#[derive(Debug)]
pub(crate) struct MediaSocket {
    socket: UdpSocket,
    state: UdpSocketState,
    bufs: Vec<Vec<u8>>,
    meta: Vec<RecvMeta>,
    /// Where a GSO run is assembled (reused).
    run: Vec<u8>,
}

impl MediaSocket {
    /// Takes over a bound socket (it is made non-blocking). Needs a tokio runtime.
    pub(crate) fn new(socket: std::net::UdpSocket) -> io::Result<Self> {
        let state = UdpSocketState::new((&socket).into())?;
        let socket = UdpSocket::from_std(socket)?;
        Ok(MediaSocket {
            socket,
            state,
            bufs: (0..BATCH_SIZE).map(|_| vec![0; RECV_BUFFER_LEN]).collect(),
            meta: vec![RecvMeta::default(); BATCH_SIZE],
            run: Vec::with_capacity(GSO_MAX_BYTES),
        })
    }

    /// Waits until datagrams can be read.
    pub(crate) async fn readable(&self) -> io::Result<()> {
        self.socket.readable().await
    }

    /// Reads one batch without waiting and hands each datagram to `each` (source, bytes).
    /// Returns how many datagrams were read; 0 when none was waiting.
    pub(crate) fn try_recv_batch(&mut self, mut each: impl FnMut(SocketAddr, &[u8])) -> io::Result<usize> {
        let MediaSocket { socket, state, bufs, meta, .. } = self;
        let mut slices: Vec<IoSliceMut<'_>> = bufs.iter_mut().map(|b| IoSliceMut::new(b)).collect();
        let read = match socket.try_io(Interest::READABLE, || state.recv((&*socket).into(), &mut slices, meta)) {
            Ok(read) => read,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
            Err(e) => return Err(e),
        };
        let mut datagrams = 0;
        for (m, buf) in meta.iter().zip(bufs.iter()).take(read) {
            // A GRO read holds several datagrams of `stride` bytes (the last may be shorter).
            for datagram in buf[..m.len].chunks(m.stride.max(1)) {
                each(m.addr, datagram);
                datagrams += 1;
            }
        }
        Ok(datagrams)
    }

    /// Sends the UDP transmits (TCP ones are skipped) as `send_plan` says: each run of
    /// same-sized datagrams to one destination in one GSO write, the single datagrams together in
    /// `sendmmsg` calls. `transmits` must be grouped by destination ([`group_by_destination`]).
    /// A failed send is logged and dropped (RTP and ICE recover from loss).
    pub(crate) async fn send_all(&mut self, transmits: &[Transmit]) {
        let max_segments = self.state.max_gso_segments().max(1);
        for step in plan(transmits, max_segments) {
            match step {
                Step::Run(run) => self.send_run(&transmits[run]).await,
                Step::Singles(singles) => self.send_singles(transmits, &singles).await,
            }
        }
    }

    /// One GSO write of datagrams to one destination, equal-sized but the last.
    async fn send_run(&mut self, run: &[Transmit]) {
        let Some(first) = run.first() else { return };
        self.run.clear();
        for t in run {
            self.run.extend_from_slice(&t.contents);
        }
        let datagrams = Datagrams {
            destination: first.destination,
            ecn: None,
            contents: &self.run,
            segment_size: (run.len() > 1).then_some(first.contents.len()),
            src_ip: None,
        };
        loop {
            // `send` logs and swallows every error but "would block".
            match self.socket.try_io(Interest::WRITABLE, || self.state.send((&self.socket).into(), &datagrams)) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if let Err(e) = self.socket.writable().await {
                        tracing::debug!(error = %e, "media: socket not writable");
                        break;
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "media: send failed");
                    break;
                }
            }
        }
    }

    /// `transmits[i]` for each of `singles`, one datagram each, in as few `sendmmsg` calls as
    /// the kernel takes. A datagram the kernel refuses is dropped and the rest still go.
    async fn send_singles(&self, transmits: &[Transmit], singles: &[usize]) {
        let addrs: Vec<SocketAddrAny> = singles.iter().map(|&i| transmits[i].destination.as_any()).collect();
        let iovs: Vec<[IoSlice<'_>; 1]> = singles.iter().map(|&i| [IoSlice::new(&transmits[i].contents)]).collect();
        let mut controls: Vec<SendAncillaryBuffer<'_, '_, '_>> = singles.iter().map(|_| SendAncillaryBuffer::default()).collect();
        let mut messages: Vec<MMsgHdr<'_>> = addrs
            .iter()
            .zip(&iovs)
            .zip(controls.iter_mut())
            .map(|((addr, iov), control)| MMsgHdr::new_with_addr(addr, iov, control))
            .collect();
        let mut sent = 0;
        while sent < messages.len() {
            let batch = &mut messages[sent..];
            let result = self.socket.try_io(Interest::WRITABLE, || Ok(sendmmsg(&self.socket, batch, SendFlags::empty())?));
            match result {
                // The kernel reports at least one message sent, or an error for the first.
                Ok(n) => sent += n.max(1),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if let Err(e) = self.socket.writable().await {
                        tracing::debug!(error = %e, "media: socket not writable");
                        return;
                    }
                }
                Err(e) => {
                    tracing::debug!(error = %e, "media: send failed");
                    sent += 1;
                }
            }
        }
    }
}

/// Puts each destination's datagrams next to each other, in their order: a subscriber's burst of
/// equal-sized video packets, released while other subscribers' packets were too, then leaves in
/// one GSO write. The order between destinations does not matter.
pub(crate) fn group_by_destination(transmits: &mut [Transmit]) {
    // Stable: a destination's datagrams keep their order (RTP sequence, DTLS records, TCP frames).
    transmits.sort_by_key(|t| t.destination);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(port: u16, len: usize) -> Transmit {
        Transmit { tcp: false, destination: SocketAddr::from(([127, 0, 0, 1], port)), contents: vec![len as u8; len] }
    }

    #[test]
    fn interleaved_bursts_become_runs_in_their_order() {
        let mut ts = vec![t(1, 100), t(2, 100), t(1, 101), t(3, 80), t(2, 101), t(1, 102), t(2, 60)];
        group_by_destination(&mut ts);
        let got: Vec<(u16, usize)> = ts.iter().map(|t| (t.destination.port(), t.contents.len())).collect();
        assert_eq!(got, [(1, 100), (1, 101), (1, 102), (2, 100), (2, 101), (2, 60), (3, 80)]);
    }

    #[tokio::test]
    async fn what_is_sent_in_batches_arrives_whole_and_in_order() {
        let open = || std::net::UdpSocket::bind("127.0.0.1:0").expect("binds");
        let (a, b) = (open(), open());
        let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let mut a = MediaSocket::new(a).expect("socket");
        let mut b = MediaSocket::new(b).expect("socket");
        let mut sent: Vec<Transmit> = Vec::new();
        for i in 0..40u8 {
            let len = if i % 10 == 9 { 300 } else { 1000 };
            let mut contents = vec![i; len];
            contents[0] = i;
            sent.push(Transmit { tcp: false, destination: b_addr, contents });
        }
        a.send_all(&sent).await;
        let mut got: Vec<(SocketAddr, Vec<u8>)> = Vec::new();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
        while got.len() < sent.len() && tokio::time::Instant::now() < deadline {
            let _ = tokio::time::timeout(std::time::Duration::from_millis(200), b.readable()).await;
            b.try_recv_batch(|from, d| got.push((from, d.to_vec()))).expect("receives");
        }
        assert_eq!(got.len(), sent.len());
        for ((from, d), t) in got.iter().zip(&sent) {
            assert_eq!(*from, a_addr);
            assert_eq!(d, &t.contents);
        }
    }
}
