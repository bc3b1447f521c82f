//! The media crate's vocabulary: ids the server maps to its calls, track kinds, leave reasons.

use std::fmt;

/// A room: one call. The server maps it to its conversation/call; the media crate only
/// compares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoomId(pub i64);

/// A participant: one WebRTC connection (one browser tab in one call). Unique across the whole
/// media server, not only within its room, because commands such as `leave` and `answer` name
/// the participant alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId(pub u64);

/// A published track, unique within the media server. Given by the media crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId(pub u64);

impl fmt::Display for RoomId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "room {}", self.0)
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "participant {}", self.0)
    }
}

impl fmt::Display for TrackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "track {}", self.0)
    }
}

/// What a published track carries. Camera and screen are both video; they differ in what a
/// subscriber wants (a screen share is kept sharp, a camera may drop resolution first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// A microphone (Opus).
    Audio,
    /// A camera (VP8 or H.264).
    Camera,
    /// A shared screen or window (VP8 or H.264).
    Screen,
    /// The sound of a shared screen or tab (Opus), beside the microphone: Chromium offers a
    /// shared tab's audio with `getDisplayMedia({ audio: true })`.
    ScreenAudio,
}

impl TrackKind {
    /// Whether this kind is video (camera or screen).
    pub fn is_video(self) -> bool {
        matches!(self, TrackKind::Camera | TrackKind::Screen)
    }
}

/// Why a participant left its room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeaveReason {
    /// The server asked (`leave`, `close_room`) or the peer closed DTLS.
    Hangup,
    /// The peer never connected within the connect timeout.
    Timeout,
    /// The peer had connected, then stopped answering (ICE disconnected: a network switch, a NAT
    /// rebinding, a network gone for a while). Its client may join again with a new connection.
    Lost,
    /// The connection broke: a DTLS/SRTP or negotiation error.
    Failed,
}
