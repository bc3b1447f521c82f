//! ICE over TCP (RFC 6544) for networks that block UDP: a listener on the media port's number,
//! advertised as passive host candidates next to the UDP ones. Each connection carries RFC 4571
//! frames (a 2-byte length, then one STUN, DTLS or SRTP packet). The first frame must be a STUN
//! request; its ufrag names the participant, hence the worker, which then owns the connection.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch};

use crate::api::Command;
use crate::demux::stun_local_ufrag;
use crate::directory::Directory;
use crate::worker::{Handoff, Received};

/// How long a new connection may take to send its first STUN request.
const FIRST_FRAME_TIMEOUT: Duration = Duration::from_secs(5);

/// A connection that carried nothing this long is closed.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections waiting for their first frame; more are refused (closed at once).
const MAX_PENDING: usize = 256;

/// Frames that may wait for one connection's writer; more are dropped, as a full link would.
const WRITE_QUEUE: usize = 512;

/// Splits RFC 4571 frames out of a byte stream.
#[derive(Debug, Default)]
pub(crate) struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole frame, if one has arrived.
    pub(crate) fn next_frame(&mut self) -> Option<Vec<u8>> {
        let len = usize::from(u16::from_be_bytes([*self.buf.first()?, *self.buf.get(1)?]));
        if self.buf.len() < 2 + len {
            return None;
        }
        let frame = self.buf[2..2 + len].to_vec();
        self.buf.drain(..2 + len);
        Some(frame)
    }

    /// The bytes after the whole frames.
    pub(crate) fn into_rest(self) -> Vec<u8> {
        self.buf
    }
}

/// `contents` with its RFC 4571 length in front; `None` if it cannot be framed (over 64 KiB, which
/// str0m's datagrams never are).
pub(crate) fn frame(contents: &[u8]) -> Option<Vec<u8>> {
    let len = u16::try_from(contents.len()).ok()?;
    let mut framed = Vec::with_capacity(2 + contents.len());
    framed.extend_from_slice(&len.to_be_bytes());
    framed.extend_from_slice(contents);
    Some(framed)
}

/// Accepts connections until `stop` changes, and hands each to the worker its first STUN
/// request's ufrag names.
pub(crate) async fn listen(
    listener: TcpListener,
    directory: Arc<Directory>,
    workers: Vec<mpsc::UnboundedSender<Command>>,
    loopback_only: bool,
    mut stop: watch::Receiver<bool>,
) {
    let pending = Arc::new(());
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.changed() => return,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                tracing::debug!(error = %e, "media: TCP accept failed");
                continue;
            }
        };
        if (loopback_only && !remote.ip().is_loopback()) || Arc::strong_count(&pending) > MAX_PENDING {
            continue;
        }
        let (directory, workers, token) = (directory.clone(), workers.clone(), pending.clone());
        tokio::spawn(async move {
            let _token = token;
            match tokio::time::timeout(FIRST_FRAME_TIMEOUT, first_frame(stream)).await {
                Ok(Ok((stream, first, rest))) => {
                    let owner = stun_local_ufrag(&first).and_then(|ufrag| directory.ufrag(ufrag));
                    let Some((worker, _)) = owner else { return };
                    let Ok(stream) = stream.into_std() else { return };
                    let command = Command::Tcp { stream, remote, first, rest };
                    if let Some(worker) = workers.get(worker) {
                        let _ = worker.send(command);
                    }
                }
                Ok(Err(e)) => tracing::debug!(error = %e, "media: TCP connection ended before STUN"),
                Err(_) => tracing::debug!("media: TCP connection sent no STUN request in time"),
            }
        });
    }
}

/// Reads the first frame; returns it and what came after it.
async fn first_frame(mut stream: TcpStream) -> io::Result<(TcpStream, Vec<u8>, Vec<u8>)> {
    let mut framer = Framer::default();
    let mut buf = [0u8; 2048];
    loop {
        if let Some(first) = framer.next_frame() {
            return Ok((stream, first, framer.into_rest()));
        }
        let read = stream.read(&mut buf).await?;
        if read == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        framer.push(&buf[..read]);
    }
}

/// Runs a connection a worker took over (on that worker's runtime): its frames come to the worker
/// as [`Handoff`]s on `inbox`; the returned sender takes framed packets to write.
pub(crate) fn serve_connection(
    stream: std::net::TcpStream,
    remote: SocketAddr,
    rest: Vec<u8>,
    inbox: mpsc::Sender<Handoff>,
) -> io::Result<mpsc::Sender<Vec<u8>>> {
    stream.set_nonblocking(true)?;
    let _ = stream.set_nodelay(true);
    let (mut reader, mut writer) = TcpStream::from_std(stream)?.into_split();
    let (out, mut outgoing) = mpsc::channel::<Vec<u8>>(WRITE_QUEUE);
    // The reader holds `_reading` until the connection ends; then the writer stops too, and the
    // worker sees the sender closed.
    let (_reading, mut ended) = oneshot::channel::<()>();
    tokio::spawn(async move {
        loop {
            let framed = tokio::select! {
                framed = outgoing.recv() => framed,
                _ = &mut ended => None,
            };
            let Some(framed) = framed else { return };
            if writer.write_all(&framed).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        let _reading = _reading;
        let mut framer = Framer::default();
        framer.push(&rest);
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let mut batch: Handoff = Vec::new();
            while let Some(frame) = framer.next_frame() {
                batch.push(Received { tcp: true, source: remote, contents: frame });
            }
            if !batch.is_empty() && inbox.send(batch).await.is_err() {
                return;
            }
            // Browsers check consent every few seconds: a silent connection is dead.
            match tokio::time::timeout(IDLE_TIMEOUT, reader.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) | Err(_) => return,
                Ok(Ok(read)) => framer.push(&buf[..read]),
            }
        }
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_split_wherever_the_stream_breaks() {
        let mut stream = Vec::new();
        for len in [0usize, 1, 300, 1200] {
            stream.extend(frame(&vec![len as u8; len]).expect("frames"));
        }
        for chunk in [1usize, 2, 3, 7, 1000, stream.len()] {
            let mut framer = Framer::default();
            let mut got = Vec::new();
            for piece in stream.chunks(chunk) {
                framer.push(piece);
                while let Some(f) = framer.next_frame() {
                    got.push(f);
                }
            }
            let lens: Vec<usize> = got.iter().map(Vec::len).collect();
            assert_eq!(lens, [0, 1, 300, 1200], "in pieces of {chunk}");
            assert!(got.iter().all(|f| f.iter().all(|b| usize::from(*b) == f.len() % 256)));
        }
        assert_eq!(frame(&vec![0; 70_000]), None);
    }
}
