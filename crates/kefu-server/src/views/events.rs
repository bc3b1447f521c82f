//! WebSocket frames (`/api/v1/ws?token=`) and their payloads. The frames are written by the
//! realtime hub as `{type, conversation_id?, seq?, data}`; `WsEvent` is that envelope as one
//! tagged union, so clients get a typed `data` per `type`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    AgentView, CallLayers, CallSdp, CallView, ConversationView, MessageView, OfferReasonKind, OfferRevokedReason, Party, QueueView,
    SnapshotRequested, Strategy,
};
use crate::error::ErrorDetail;

/// `typing`: the other side started or stopped typing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Typing {
    #[schema(value_type = Party)]
    pub who: &'static str,
    pub typing: bool,
}

/// `message.read`: one side has read up to `seq`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MessageRead {
    #[schema(value_type = Party)]
    pub reader: String,
    pub seq: i64,
}

/// How the router chose the agent: `{kind: "strategy" | "named_agent", strategy}` or
/// `{kind: "transfer"}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OfferReason {
    pub kind: OfferReasonKind,
    /// The strategy that chose (absent for transfers).
    pub strategy: Option<Strategy>,
}

/// `offer.created`: a conversation is offered to the receiving agent until `expires_at`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferCreated {
    pub conversation: ConversationView,
    #[schema(format = DateTime)]
    pub expires_at: String,
    pub reason: OfferReason,
}

impl From<kefu_core::OfferReason> for OfferReason {
    fn from(r: kefu_core::OfferReason) -> Self {
        match r {
            kefu_core::OfferReason::Strategy(s) => OfferReason { kind: OfferReasonKind::Strategy, strategy: Some(s) },
            kefu_core::OfferReason::NamedAgent(s) => OfferReason { kind: OfferReasonKind::NamedAgent, strategy: Some(s) },
            kefu_core::OfferReason::Transfer => OfferReason { kind: OfferReasonKind::Transfer, strategy: None },
        }
    }
}

impl From<kefu_core::WithdrawReason> for OfferRevokedReason {
    fn from(r: kefu_core::WithdrawReason) -> Self {
        use kefu_core::WithdrawReason as W;
        match r {
            W::Declined => OfferRevokedReason::Declined,
            W::Expired => OfferRevokedReason::Expired,
            W::AgentUnavailable => OfferRevokedReason::AgentUnavailable,
            W::Ended => OfferRevokedReason::Ended,
            W::Transferred => OfferRevokedReason::Transferred,
        }
    }
}

/// `offer.revoked`: the offer to the receiving agent is gone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferRevoked {
    pub reason: OfferRevokedReason,
}

/// `hello`: sent right after connecting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Hello {
    /// The server's clock, so clients can correct offer countdowns for their own clock's skew.
    #[schema(format = DateTime)]
    pub server_time: String,
}

/// Why a session ended (`session.ended`, and the WebSocket close reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionEndReason {
    /// The user or visitor logged out with this token.
    LoggedOut,
    /// The token was revoked or is unknown.
    Revoked,
    /// An admin disabled the user.
    Disabled,
    /// The password changed (by the user from another session, or by an admin).
    PasswordChanged,
    /// An admin changed the user's role: sign in again to get it.
    RoleChanged,
    /// The token's lifetime is over.
    Expired,
    /// A supervisor blocked the visitor.
    Blocked,
}

impl SessionEndReason {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionEndReason::LoggedOut => "logged_out",
            SessionEndReason::Revoked => "revoked",
            SessionEndReason::Disabled => "disabled",
            SessionEndReason::PasswordChanged => "password_changed",
            SessionEndReason::RoleChanged => "role_changed",
            SessionEndReason::Expired => "expired",
            SessionEndReason::Blocked => "blocked",
        }
    }
    /// From the store's word for a dead token.
    pub fn parse(word: &str) -> SessionEndReason {
        match word {
            "expired" => SessionEndReason::Expired,
            "disabled" => SessionEndReason::Disabled,
            "blocked" => SessionEndReason::Blocked,
            _ => SessionEndReason::Revoked,
        }
    }
}

/// `session.ended`: the last frame of a connection whose session is over; the server then closes
/// the socket (code 4401, the reason as close reason). Do not reconnect with the same token.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionEnded {
    pub reason: SessionEndReason,
}

/// `resync`: frames may have been lost (this node's link to the other nodes broke and came
/// back, or another node's did). Conversation events are not lost for good: re-send `resume`
/// with the cursors to get what was missed from the database; reload what ephemeral frames
/// keep up to date (offers, queue places, agent statuses) from REST.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Resync {
    /// `bus_reconnected`.
    pub reason: String,
}

/// A frame from the server on `/api/v1/ws?token=`: `{type, conversation_id?, seq?, data}`.
///
/// Conversation events (`message.created` data = MessageView, `conversation.updated` data =
/// ConversationView, `message.read` data = MessageRead) carry `seq`, the conversation's event
/// sequence number (1, 2, 3 ...): clients apply `seq == applied + 1`, drop `seq <= applied` and
/// re-send `resume` on a gap. Ephemeral events carry no `seq`: `typing` (Typing),
/// `queue.position` (QueueView), `offer.created` (OfferCreated), `offer.revoked` (OfferRevoked),
/// `agent.status` (AgentView), `hello` (`{}`), `pong` (null), `error` (ErrorDetail, for a
/// client frame the server could not read) and `session.ended` (SessionEnded, the last frame
/// before the server closes the socket with code 4401). `resync` (Resync) asks the client to
/// re-send `resume`: frames may have been lost between nodes. Clients send `WsClientFrame`s.
///
/// Calls: `call.updated` (CallView) is a conversation event with a seq. Media signalling frames
/// go only to the socket that joined the call and carry `call_id` instead of a conversation:
/// `call.answer` (the answer to its `call.join` / `call.renegotiate`), `call.offer` (a server
/// offer to answer with `call.answer`) and `call.error` (bad SDP, not in the call, call not
/// active ...). `call.snapshot_requested` (to the visitor's sockets only) asks the visitor's
/// device for a full-resolution still of its own camera, uploaded with `?snapshot=<request_id>`.
/// `call.layers` (to the publishing socket) says which simulcast layers of its camera anyone
/// receives: the page sets `active` on its encodings by rid. `call.moved` (to both sides' sockets,
/// cluster only) says the node holding the call's media died and a survivor took the call over:
/// the client shows "reconnecting", makes a new peer connection and sends `call.join` again (a
/// socket that died with that node reconnects first, then joins its still-active call again).
/// `call.peer` (to the other side's sockets in the call) says a side lost its connection and the
/// call waits for it (`lost`), or that it is back (`back`). `call.replaced` (to a socket whose
/// participant a newer socket of the same side replaced) says its media left the call.
/// `call.ended` answers a party's `call.join` of a call that ended meanwhile with the call as it
/// ended (instead of a `call_not_active` error).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "type")]
pub enum WsEvent {
    #[serde(rename = "message.created")]
    MessageCreated { conversation_id: i64, seq: i64, data: MessageView },
    #[serde(rename = "conversation.updated")]
    ConversationUpdated { conversation_id: i64, seq: i64, data: ConversationView },
    #[serde(rename = "message.read")]
    MessageRead { conversation_id: i64, seq: i64, data: MessageRead },
    #[serde(rename = "typing")]
    Typing { conversation_id: i64, data: Typing },
    #[serde(rename = "queue.position")]
    QueuePosition { conversation_id: i64, data: QueueView },
    #[serde(rename = "offer.created")]
    OfferCreated { conversation_id: i64, data: OfferCreated },
    #[serde(rename = "offer.revoked")]
    OfferRevoked { conversation_id: i64, data: OfferRevoked },
    #[serde(rename = "agent.status")]
    AgentStatus { data: AgentView },
    #[serde(rename = "hello")]
    Hello { data: Hello },
    #[serde(rename = "pong")]
    Pong {
        #[schema(schema_with = null)]
        data: (),
    },
    #[serde(rename = "error")]
    Error { data: ErrorDetail },
    #[serde(rename = "session.ended")]
    SessionEnded { data: SessionEnded },
    #[serde(rename = "resync")]
    Resync { data: Resync },
    #[serde(rename = "call.updated")]
    CallUpdated { conversation_id: i64, seq: i64, data: CallView },
    #[serde(rename = "call.answer")]
    CallAnswer { call_id: i64, data: CallSdp },
    #[serde(rename = "call.offer")]
    CallOffer { call_id: i64, data: CallSdp },
    #[serde(rename = "call.error")]
    CallError { call_id: i64, data: ErrorDetail },
    #[serde(rename = "call.moved")]
    CallMoved { call_id: i64, data: super::CallMoved },
    #[serde(rename = "call.peer")]
    CallPeer { call_id: i64, data: super::CallPeer },
    #[serde(rename = "call.replaced")]
    CallReplaced { call_id: i64, data: super::CallReplaced },
    #[serde(rename = "call.ended")]
    CallEnded { call_id: i64, data: CallView },
    #[serde(rename = "call.snapshot_requested")]
    CallSnapshotRequested { call_id: i64, data: SnapshotRequested },
    /// A staff-only line (internal note, whisper, tag line) of a conversation: staff only, and
    /// without `seq` (it takes no number of the conversation's sequence; resume replays it).
    #[serde(rename = "note.created")]
    NoteCreated { conversation_id: i64, data: super::NoteView },
    /// Its author edited an internal note (staff only): replace it by id.
    #[serde(rename = "note.updated")]
    NoteUpdated { conversation_id: i64, data: super::NoteView },
    /// The conversation's tags changed (staff only).
    #[serde(rename = "conversation.tags")]
    ConversationTags { conversation_id: i64, data: super::TagList },
    /// The customer's tags changed (staff only): sent to the staff of the customer's open
    /// conversation, whose customer panel shows them.
    #[serde(rename = "visitor.tags")]
    VisitorTags { conversation_id: i64, data: super::VisitorTags },
    /// The caller was @mentioned or whispered to.
    #[serde(rename = "notification.created")]
    NotificationCreated { data: super::NotificationView },
    #[serde(rename = "call.layers")]
    CallLayers { call_id: i64, data: CallLayers },
    /// The floor changed (supervisors and admins): every group's line, agents and service level.
    #[serde(rename = "floor.updated")]
    FloorUpdated { data: super::FloorView },
    /// A group's line crossed an alert level, or an active alert changed level (supervisors of
    /// the group and admins).
    #[serde(rename = "alert.raised")]
    AlertRaised { data: super::AlertView },
    /// An alert cleared: the line has been healthy again for a few seconds.
    #[serde(rename = "alert.cleared")]
    AlertCleared { data: super::AlertView },
    /// A customer turned strongly negative (supervisors of the conversation's group and admins).
    #[serde(rename = "sentiment.raised")]
    SentimentRaised { data: super::SentimentAlertView },
    /// That customer recovered, or the conversation ended.
    #[serde(rename = "sentiment.cleared")]
    SentimentCleared { data: super::SentimentAlertView },
}

/// The schema of JSON `null`.
fn null() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Null).build()
}

/// A frame from the client: `resume` asks for every event of the listed conversations after
/// the given seq (conversation id as a string key -> last applied seq), then the stream goes on;
/// `ping` is answered by `pong`.
///
/// Calls (after the call is `active`): `call.join` joins this socket to the call's media with
/// the client's first SDP offer (`screen_mids`: the mids of screen-share transceivers) and is
/// answered by `call.answer`; `call.renegotiate` is a later client offer (only in signalling
/// state `stable`); `call.answer` answers a server `call.offer`; `call.leave` leaves media (the
/// REST hang-up ends the call).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "type")]
pub enum WsClientFrame {
    #[serde(rename = "resume")]
    Resume { cursors: BTreeMap<String, i64> },
    #[serde(rename = "ping")]
    Ping,
    #[serde(rename = "call.join")]
    CallJoin {
        call_id: i64,
        sdp: String,
        #[serde(default)]
        screen_mids: Vec<String>,
    },
    #[serde(rename = "call.renegotiate")]
    CallRenegotiate {
        call_id: i64,
        sdp: String,
        #[serde(default)]
        screen_mids: Vec<String>,
    },
    #[serde(rename = "call.answer")]
    CallAnswer { call_id: i64, sdp: String },
    #[serde(rename = "call.leave")]
    CallLeave { call_id: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::realtime::frame;
    use serde_json::{json, Value};

    fn sent(kind: &str, conversation: Option<i64>, seq: Option<i64>, data: &Value) -> Value {
        serde_json::from_str(&frame(kind, conversation, seq, data)).unwrap_or_default()
    }

    #[test]
    fn the_union_is_the_envelope_the_hub_sends() {
        let typing = Typing { who: "agent", typing: true };
        let ours = serde_json::to_value(WsEvent::Typing { conversation_id: 7, data: typing.clone() }).unwrap_or_default();
        assert_eq!(ours, sent("typing", Some(7), None, &serde_json::to_value(&typing).unwrap_or_default()));
        let read = MessageRead { reader: "visitor".into(), seq: 4 };
        let ours = serde_json::to_value(WsEvent::MessageRead { conversation_id: 7, seq: 9, data: read }).unwrap_or_default();
        assert_eq!(ours, sent("message.read", Some(7), Some(9), &json!({ "reader": "visitor", "seq": 4 })));
        let hello = Hello { server_time: "2026-11-21T10:00:00Z".into() };
        assert_eq!(
            serde_json::to_value(WsEvent::Hello { data: hello }).unwrap_or_default(),
            sent("hello", None, None, &json!({ "server_time": "2026-11-21T10:00:00Z" }))
        );
        assert_eq!(serde_json::to_value(WsEvent::Pong { data: () }).unwrap_or_default(), sent("pong", None, None, &Value::Null));
        let ended = SessionEnded { reason: SessionEndReason::PasswordChanged };
        assert_eq!(
            serde_json::to_value(WsEvent::SessionEnded { data: ended }).unwrap_or_default(),
            sent("session.ended", None, None, &json!({ "reason": SessionEndReason::PasswordChanged.as_str() }))
        );
    }

    #[test]
    fn client_frames_read_as_documented() {
        let resume: Result<WsClientFrame, _> = serde_json::from_value(json!({ "type": "resume", "cursors": { "3": 12 } }));
        assert!(matches!(resume, Ok(WsClientFrame::Resume { cursors }) if cursors.get("3") == Some(&12)));
        assert!(matches!(serde_json::from_value(json!({ "type": "ping" })), Ok(WsClientFrame::Ping)));
    }
}
