//! Calls: the call of a conversation, its vocabulary, the REST bodies and the signalling frames.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::CallRow;

/// What a call carries: `video` (camera and microphone) or `voice` (microphone only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallMedia {
    Video,
    Voice,
}

impl CallMedia {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            CallMedia::Video => "video",
            CallMedia::Voice => "voice",
        }
    }
}

/// What a conversation is for: `chat`, or a call queued straight from the widget's video service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConversationMedia {
    Chat,
    Video,
    Voice,
}

// Call status is the core's vocabulary (stored through sqlx::Type, documented from the same enum).
pub use kefu_core::{CallEndReason, CallStatus};

/// Which side started the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallSide {
    Visitor,
    Agent,
}

/// A call of a conversation (also the data of the `call.updated` conversation event).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallView {
    pub id: i64,
    pub conversation_id: i64,
    #[schema(value_type = CallMedia)]
    pub media: String,
    pub status: CallStatus,
    #[schema(value_type = CallSide)]
    pub started_by: String,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(required = true, format = DateTime)]
    pub answered_at: Option<String>,
    #[schema(required = true, format = DateTime)]
    pub ended_at: Option<String>,
    #[schema(required = true, value_type = Option<CallEndReason>)]
    pub end_reason: Option<String>,
    /// The policy the call was answered under (its business type's, else its group's).
    #[schema(value_type = super::RecordingPolicy)]
    pub recording_policy: String,
    /// Whether the server records the call now; the visitor is shown a notice unless `off`.
    #[schema(value_type = super::RecordingState)]
    pub recording: String,
    /// The agent records the call in their own browser now (client-side recording, where the
    /// deployment allows it); the visitor is shown the recording notice while it is true.
    pub local_recording: bool,
}

impl From<&CallRow> for CallView {
    fn from(c: &CallRow) -> Self {
        CallView {
            id: c.id,
            conversation_id: c.conversation_id,
            media: c.media.clone(),
            status: c.status,
            started_by: c.started_by.clone(),
            started_at: rfc3339(c.started_at),
            answered_at: c.answered_at.map(rfc3339),
            ended_at: c.ended_at.map(rfc3339),
            end_reason: c.end_reason.clone(),
            recording_policy: c.recording_policy.clone(),
            recording: c.recording.clone(),
            local_recording: c.local_recording,
        }
    }
}

/// `POST /api/v1/conversations/{id}/calls`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartCall {
    pub media: CallMedia,
}

/// One ICE server for `RTCPeerConnection({ iceServers })`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// `GET /api/v1/calls/{id}/ice-servers` (empty until TURN is configured), with the camera
/// capture size the deployment asks for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IceServers {
    pub ice_servers: Vec<IceServer>,
    pub capture: CaptureSize,
    /// The caller (the call's agent) may record the call in their browser: the deployment's
    /// `client_recording`. Always false for the visitor.
    pub client_recording: bool,
}

/// `POST /api/v1/calls/{id}/local-recording`: the agent's browser starts or stops recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocalRecordingAction {
    Start,
    Stop,
}

/// The body of `POST /api/v1/calls/{id}/local-recording`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocalRecordingBody {
    pub action: LocalRecordingAction,
}

/// The camera capture size: 1280x720, or 1920x1080 where the deployment enables it. Browsers
/// publish it in three simulcast layers (rids `l`, `m`, `h`: a quarter, half and full size).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CaptureSize {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
}

/// `call.layers`: which simulcast layers of the camera sent on `mid` are wanted; the page sets
/// `active` on each encoding by rid (layers nobody receives pause at the source).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallLayers {
    /// The publishing transceiver's mid.
    pub mid: String,
    /// The rids to keep sending.
    pub active: Vec<String>,
    /// Every rid of the track, lowest first.
    pub rids: Vec<String>,
}

/// `call.moved` (cluster): the node holding the call's media died and a survivor took the call
/// over; the client closes its peer connection and joins again with a new one (`call.join`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallMoved {
    /// Why: `home_lost`.
    pub reason: String,
}

/// `call.replaced`: a newer socket of the same side (the client reconnected while this socket was
/// not yet known dead, or another tab) joined the call and took it: this socket's media left the
/// room. The client closes its peer connection and does not join again by itself.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallReplaced {
    /// Why: `joined_elsewhere`.
    pub reason: String,
}

/// `call.peer`: the other side of my call lost its connection (`lost`: its network went, its
/// socket closed, or it is joining again with a new connection; the call waits
/// `call_rejoin_secs` for it) or is back (`back`: its new connection carries media). The page
/// shows "the customer / the agent is reconnecting" in between.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallPeer {
    /// Whose connection: `visitor` or `agent`.
    pub side: String,
    pub state: CallPeerState,
}

/// Where the other side's connection stands (`call.peer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallPeerState {
    Lost,
    Back,
}

/// SDP text in `call.answer` and `call.offer` frames.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallSdp {
    pub sdp: String,
}

/// What makes an attachment a call snapshot: the call whose agent asked for it and the size the
/// visitor's camera captured it at (read from the image, not claimed by the client).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnapshotView {
    pub call_id: i64,
    /// Pixels.
    pub width: i64,
    /// Pixels.
    pub height: i64,
}

/// `POST /api/v1/calls/{id}/snapshots`: the request the visitor's device answers with an upload
/// (`?snapshot=<request_id>`) within the request's lifetime.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SnapshotRequested {
    pub request_id: String,
}

/// `GET /api/v1/calls/{id}/quality`: the call's quality timeline, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CallQuality {
    pub call_id: i64,
    pub samples: Vec<QualitySample>,
}

/// One participant's media figures at one moment (every 5 s while the call runs).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QualitySample {
    /// visitor | agent: whose connection.
    #[schema(value_type = CallSide)]
    pub side: String,
    #[schema(format = DateTime)]
    pub at: String,
    /// Bits per second received from this participant.
    pub bitrate_in_bps: i64,
    /// Bits per second sent to this participant.
    pub bitrate_out_bps: i64,
    /// Fraction (0..1) of this participant's packets lost on the way to the server.
    pub loss_in: Option<f64>,
    /// Fraction (0..1) of the server's packets this participant reports lost.
    pub loss_out: Option<f64>,
    pub rtt_ms: Option<i64>,
    /// The bandwidth estimate towards this participant.
    pub estimate_bps: Option<i64>,
    /// The simulcast layer of the video forwarded to this participant (`l`, `m`, `h`).
    pub video_rid: Option<String>,
    pub video_width: Option<i64>,
    pub video_height: Option<i64>,
    pub video_fps: Option<f64>,
    /// The layers this participant's camera arrives in.
    pub published_rids: Vec<String>,
}

impl From<&kefu_store::CallQualityRow> for QualitySample {
    fn from(r: &kefu_store::CallQualityRow) -> Self {
        QualitySample {
            side: r.side.clone(),
            at: rfc3339(r.at),
            bitrate_in_bps: r.bitrate_in_bps,
            bitrate_out_bps: r.bitrate_out_bps,
            loss_in: r.loss_in,
            loss_out: r.loss_out,
            rtt_ms: r.rtt_ms,
            estimate_bps: r.estimate_bps,
            video_rid: r.video_rid.clone(),
            video_width: r.video_width,
            video_height: r.video_height,
            video_fps: r.video_fps,
            published_rids: r.published_rids.as_deref().map(|s| s.split(',').map(str::to_string).collect()).unwrap_or_default(),
        }
    }
}
