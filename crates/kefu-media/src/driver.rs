//! The media thread: owns the UDP socket and every participant's str0m `Rtc`, feeds them
//! datagrams, commands and time, and carries out the room's decisions.

use std::io;
use std::net::{SocketAddr, UdpSocket};
use std::thread::JoinHandle;

use tokio::sync::mpsc;

use crate::api::{Command, MediaEvent, MediaEvents, MediaHandle};
use crate::config::MediaConfig;

/// A running media server: one thread, one UDP socket. Dropping it stops the thread.
#[derive(Debug)]
pub struct MediaServer {
    handle: MediaHandle,
    local_addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl MediaServer {
    /// Bind the UDP socket and start the media thread. Fails if the socket cannot be bound.
    /// Events arrive on the returned [`MediaEvents`]; the server must keep reading them.
    pub fn start(config: MediaConfig) -> io::Result<(MediaServer, MediaEvents)> {
        let socket = UdpSocket::bind(config.udp_bind)?;
        let local_addr = socket.local_addr()?;
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let thread = std::thread::Builder::new().name("kefu-media".into()).spawn(move || run(config, socket, command_rx, event_tx))?;
        let server = MediaServer { handle: MediaHandle { commands }, local_addr, thread: Some(thread) };
        Ok((server, MediaEvents { events }))
    }

    /// A handle to send commands; clone it freely.
    pub fn handle(&self) -> MediaHandle {
        self.handle.clone()
    }

    /// The address the UDP socket is bound to (the port chosen when configured with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stop the media thread and wait for it. Every participant is dropped.
    pub fn shutdown(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        let _ = self.handle.commands.send(Command::Shutdown);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("the media thread panicked");
            }
        }
    }
}

impl Drop for MediaServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    _config: MediaConfig,
    _socket: UdpSocket,
    mut commands: mpsc::UnboundedReceiver<Command>,
    _events: mpsc::UnboundedSender<MediaEvent>,
) {
    // Skeleton: the loop over the socket, commands and timeouts lands in the next commit.
    while let Some(command) = commands.blocking_recv() {
        if matches!(command, Command::Shutdown) {
            break;
        }
    }
}
