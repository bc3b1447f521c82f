//! The typed surface the server talks to: a cloneable handle taking commands, a stream of
//! events, and the errors commands answer. No str0m type crosses this wall.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};

use crate::directory::Directory;
use crate::ids::{LeaveReason, ParticipantId, RoomId, TrackId, TrackKind};

/// An SDP offer made by a client, with what only the client knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientOffer {
    /// The offer's SDP text, as `RTCPeerConnection.localDescription.sdp`.
    pub sdp: String,
    /// The `mid`s of the transceivers that send a screen share: its picture, and its sound (a
    /// shared tab's audio) if any. The SDP cannot say it (a browser neither lets a page choose
    /// msids nor mark content); video not listed here is a camera, audio a microphone. The
    /// client knows the mids after `setLocalDescription(offer)`.
    pub screen_mids: Vec<String>,
}

impl ClientOffer {
    /// An offer whose video, if any, is all camera.
    pub fn new(sdp: impl Into<String>) -> Self {
        ClientOffer { sdp: sdp.into(), screen_mids: Vec::new() }
    }
}

/// What the media server tells the server. Read them from [`MediaEvents`].
#[derive(Clone, Debug, PartialEq)]
pub enum MediaEvent {
    /// ICE and DTLS are up: media can flow.
    ParticipantConnected {
        /// Its room.
        room: RoomId,
        /// Who.
        participant: ParticipantId,
    },
    /// The participant is gone (its tracks are unpublished, its subscribers renegotiated).
    /// Sent once per participant that joined, whatever the reason, including after `leave`.
    ParticipantLeft {
        /// Its room.
        room: RoomId,
        /// Who.
        participant: ParticipantId,
        /// Why.
        reason: LeaveReason,
    },
    /// The participant sends a track the room forwards to the others.
    TrackPublished {
        /// Its room.
        room: RoomId,
        /// The publisher.
        participant: ParticipantId,
        /// The track.
        track: TrackId,
        /// What it carries.
        kind: TrackKind,
    },
    /// A published track ended (its transceiver stopped, or its publisher left).
    TrackUnpublished {
        /// Its room.
        room: RoomId,
        /// The publisher.
        participant: ParticipantId,
        /// The track.
        track: TrackId,
    },
    /// The server must send this SDP offer to the participant (over the WebSocket) and return
    /// the client's answer with [`MediaHandle::answer`]. Made to add or remove forwarded
    /// tracks. Superseded (and the answer then refused) if the client offers meanwhile.
    Offer {
        /// To whom.
        participant: ParticipantId,
        /// The offer's SDP text.
        sdp: String,
    },
    /// Periodic figures about one participant's connection.
    Stats(ParticipantStats),
    /// The server must tell the participant (over the WebSocket) which simulcast layers of the
    /// track it sends on `mid` are wanted: its page sets `active` on each encoding by rid, and
    /// stops encoding layers no subscriber receives.
    LayersWanted {
        /// The publisher.
        participant: ParticipantId,
        /// The publishing transceiver's mid.
        mid: String,
        /// The rids to keep sending; the others may pause.
        active: Vec<String>,
        /// Every rid of the track, lowest first.
        rids: Vec<String>,
    },
    /// The room is closed (after `close_room`, once every participant has left).
    RoomClosed {
        /// Which.
        room: RoomId,
    },
    /// A recording's writer began: the file asked for with [`MediaHandle::start_recording`], or
    /// a shared screen's file that the media server began by itself at the share's first packet
    /// (so the server can list it while the share runs, not only once it ends).
    RecordingStarted {
        /// Its room.
        room: RoomId,
        /// Whose recording.
        participant: ParticipantId,
        /// The file (`.webm`; an H.264 one is renamed `.mkv`, which its end reports).
        path: PathBuf,
        /// Its time zero, milliseconds since the Unix epoch.
        started_unix_ms: i64,
    },
    /// A recording's file is finished (stopped, the participant left, the media server
    /// stopped) or ended early by a write error.
    RecordingEnded(RecordingEnded),
}

/// How a recording ended.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordingEnded {
    /// Its room.
    pub room: RoomId,
    /// Whose recording.
    pub participant: ParticipantId,
    /// The file, as given to [`MediaHandle::start_recording`].
    pub path: PathBuf,
    /// The file actually written: `path`, or `path` with the extension `mkv` when the video was
    /// H.264 (Matroska; WebM holds only VP8).
    pub file: PathBuf,
    /// When its writer started, milliseconds since the Unix epoch.
    pub started_unix_ms: i64,
    /// The file's size.
    pub bytes: u64,
    /// The length of the media written.
    pub duration_ms: u64,
    /// Packets dropped because the writer fell behind (the channel to it was full).
    pub dropped_packets: u64,
    /// Why the recording ended early (the file could not be created or written: a full disk);
    /// `None` when it ended normally and the file is complete (Cues and Duration written).
    pub error: Option<String>,
}

/// One participant's connection figures, from str0m's stats and bandwidth estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct ParticipantStats {
    /// Its room.
    pub room: RoomId,
    /// Who.
    pub participant: ParticipantId,
    /// Bits per second received from the participant (all its published tracks).
    pub ingress_bps: u64,
    /// Bits per second sent to the participant (all forwarded tracks).
    pub egress_bps: u64,
    /// Fraction (0..=1) of the participant's packets lost on the way to us, if known.
    pub ingress_loss: Option<f32>,
    /// Fraction (0..=1) of our packets the participant reports lost, if known.
    pub egress_loss: Option<f32>,
    /// Round-trip time to the participant, if measured.
    pub rtt: Option<Duration>,
    /// The bandwidth estimate towards the participant, if the estimator has one.
    pub estimate_bps: Option<u64>,
    /// The video layer forwarded to the participant (its first video track), if any flows.
    pub forwarded_video: Option<VideoLayerStats>,
    /// The simulcast layers the participant's camera has arrived in (rids, lowest first; some
    /// may be paused now because nobody receives them); empty without simulcast.
    pub published_rids: Vec<String>,
}

/// One video layer as it arrives from its publisher.
#[derive(Clone, Debug, PartialEq)]
pub struct VideoLayerStats {
    /// Its rid (`None` without simulcast).
    pub rid: Option<String>,
    /// Frame size from its last keyframe (VP8; unknown for H.264).
    pub width: Option<u16>,
    /// Frame height.
    pub height: Option<u16>,
    /// Frames per second, lately.
    pub fps: f32,
    /// Bits per second, lately.
    pub bps: u64,
}

/// Why a command was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// No open room with this id.
    #[error("no such room")]
    UnknownRoom,
    /// `open_room` for a room already open.
    #[error("the room is already open")]
    RoomExists,
    /// No participant with this id.
    #[error("no such participant")]
    UnknownParticipant,
    /// `join` with a participant id already in use.
    #[error("the participant has already joined")]
    ParticipantExists,
    /// The SDP could not be parsed or negotiated; the text says why (no secret in it).
    #[error("bad SDP: {0}")]
    BadSdp(String),
    /// `answer` while the server has no offer out to that participant (it was superseded by a
    /// client offer, or already answered).
    #[error("no offer is waiting for an answer")]
    NoPendingOffer,
    /// The media server has stopped.
    #[error("the media server has stopped")]
    Stopped,
    /// `start_recording` for a participant already being recorded.
    #[error("the participant is already being recorded")]
    AlreadyRecording,
    /// `stop_recording`/`pause_recording` for a participant not being recorded.
    #[error("the participant is not being recorded")]
    NotRecording,
    /// A recording could not be started; the text says why.
    #[error("recording: {0}")]
    Recording(String),
}

/// A command to the media thread. Replies travel on oneshots.
#[derive(Debug)]
pub(crate) enum Command {
    OpenRoom {
        room: RoomId,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    CloseRoom {
        room: RoomId,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    Join {
        room: RoomId,
        participant: ParticipantId,
        offer: ClientOffer,
        reply: oneshot::Sender<Result<String, MediaError>>,
    },
    Renegotiate {
        participant: ParticipantId,
        offer: ClientOffer,
        reply: oneshot::Sender<Result<String, MediaError>>,
    },
    Answer {
        participant: ParticipantId,
        sdp: String,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    Leave {
        participant: ParticipantId,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    RequestKeyframe {
        participant: ParticipantId,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    StartRecording {
        participant: ParticipantId,
        path: PathBuf,
        video: bool,
        lead: Duration,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    StopRecording {
        participant: ParticipantId,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    PauseRecording {
        participant: ParticipantId,
        paused: bool,
        reply: oneshot::Sender<Result<(), MediaError>>,
    },
    Shutdown,
    /// A TCP connection whose first frame (a STUN request) names one of this worker's
    /// participants; `rest` is what followed that frame.
    Tcp {
        stream: std::net::TcpStream,
        remote: std::net::SocketAddr,
        first: Vec<u8>,
        rest: Vec<u8>,
    },
}

/// The server's handle on the media server. Cheap to clone; every method is a message to the
/// media thread that owns the room or participant, and waits for its reply.
#[derive(Clone, Debug)]
pub struct MediaHandle {
    workers: Arc<[mpsc::UnboundedSender<Command>]>,
    directory: Arc<Directory>,
}

impl MediaHandle {
    pub(crate) fn new(workers: Vec<mpsc::UnboundedSender<Command>>, directory: Arc<Directory>) -> Self {
        MediaHandle { workers: workers.into(), directory }
    }

    /// Tell every worker to stop.
    pub(crate) fn shutdown(&self) {
        for worker in self.workers.iter() {
            let _ = worker.send(Command::Shutdown);
        }
    }

    async fn ask<T>(&self, worker: usize, make: impl FnOnce(oneshot::Sender<Result<T, MediaError>>) -> Command) -> Result<T, MediaError> {
        let (reply, answer) = oneshot::channel();
        self.workers.get(worker).ok_or(MediaError::Stopped)?.send(make(reply)).map_err(|_| MediaError::Stopped)?;
        answer.await.map_err(|_| MediaError::Stopped)?
    }

    fn room_worker(&self, room: RoomId) -> Result<usize, MediaError> {
        self.directory.room(room).ok_or(MediaError::UnknownRoom)
    }

    fn participant_worker(&self, participant: ParticipantId) -> Result<usize, MediaError> {
        self.directory.participant(participant).ok_or(MediaError::UnknownParticipant)
    }

    /// Open a room so participants can join it.
    pub async fn open_room(&self, room: RoomId) -> Result<(), MediaError> {
        self.ask(self.directory.place_room(room), |reply| Command::OpenRoom { room, reply }).await
    }

    /// Close a room: every participant leaves ([`LeaveReason::Hangup`]), then
    /// [`MediaEvent::RoomClosed`].
    pub async fn close_room(&self, room: RoomId) -> Result<(), MediaError> {
        self.ask(self.room_worker(room)?, |reply| Command::CloseRoom { room, reply }).await
    }

    /// A participant joins `room` with its first offer; the answer's SDP is returned. The
    /// tracks of those already in the room follow in a server [`MediaEvent::Offer`] once this
    /// participant is connected.
    pub async fn join(&self, room: RoomId, participant: ParticipantId, offer: ClientOffer) -> Result<String, MediaError> {
        let worker = self.room_worker(room)?;
        if !self.directory.claim_participant(participant, worker) {
            return Err(MediaError::ParticipantExists);
        }
        let joined = self.ask(worker, |reply| Command::Join { room, participant, offer, reply }).await;
        if joined.is_err() {
            self.directory.forget_participant(participant);
        }
        joined
    }

    /// A later offer from the client (it starts or stops sharing its screen, mutes a track...);
    /// the answer's SDP is returned. Supersedes any server offer the client has not answered.
    pub async fn renegotiate(&self, participant: ParticipantId, offer: ClientOffer) -> Result<String, MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::Renegotiate { participant, offer, reply }).await
    }

    /// The client's answer to the last [`MediaEvent::Offer`] sent to it.
    pub async fn answer(&self, participant: ParticipantId, sdp: String) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::Answer { participant, sdp, reply }).await
    }

    /// The participant leaves its room ([`MediaEvent::ParticipantLeft`] with
    /// [`LeaveReason::Hangup`] follows).
    pub async fn leave(&self, participant: ParticipantId) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::Leave { participant, reply }).await
    }

    /// Ask the participant for a keyframe on each video track it publishes (for example when a
    /// recording starts).
    pub async fn request_keyframe(&self, participant: ParticipantId) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::RequestKeyframe { participant, reply }).await
    }

    /// Record what `participant` publishes (its microphone, and its camera if `video`) into a
    /// new WebM file at `path` (the directory must exist). The file's time zero is `lead` before
    /// now: a participant who joins after the call's recording began gets a file on the call's
    /// timeline, so the files of one call line up. Ends with [`MediaEvent::RecordingEnded`]
    /// after [`MediaHandle::stop_recording`], when the participant leaves, or on a write error.
    pub async fn start_recording(&self, participant: ParticipantId, path: PathBuf, video: bool, lead: Duration) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::StartRecording { participant, path, video, lead, reply }).await
    }

    /// Stop recording `participant`; its file is finished and reported.
    pub async fn stop_recording(&self, participant: ParticipantId) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::StopRecording { participant, reply }).await
    }

    /// Pause (`true`: silence and black are written in place of the media) or resume recording
    /// `participant`.
    pub async fn pause_recording(&self, participant: ParticipantId, paused: bool) -> Result<(), MediaError> {
        self.ask(self.participant_worker(participant)?, |reply| Command::PauseRecording { participant, paused, reply }).await
    }
}

/// The events of one media server, in the order they happened.
#[derive(Debug)]
pub struct MediaEvents {
    pub(crate) events: mpsc::UnboundedReceiver<MediaEvent>,
}

impl MediaEvents {
    /// The next event; `None` once the media server has stopped.
    pub async fn recv(&mut self) -> Option<MediaEvent> {
        self.events.recv().await
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Option<MediaEvent> {
        self.events.try_recv().ok()
    }
}
