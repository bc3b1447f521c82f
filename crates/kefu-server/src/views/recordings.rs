//! Call recordings: the policy words, a call's recording state, a recording file's record and
//! the bodies of the recording routes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::rfc3339;
use kefu_store::RecordingRow;

/// Whether a skill group's or business type's calls are recorded: `always` (from the moment the
/// call is answered; the agent may pause and resume), `on_demand` (the agent starts and stops
/// it), `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingPolicy {
    Always,
    OnDemand,
    Off,
}

impl RecordingPolicy {
    /// The stored word.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordingPolicy::Always => "always",
            RecordingPolicy::OnDemand => "on_demand",
            RecordingPolicy::Off => "off",
        }
    }
}

/// A call's recording right now: `off`, `recording`, or `paused` (silence and black are written).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingState {
    Off,
    Recording,
    Paused,
}

/// What the agent does to a call's recording (`POST /api/v1/calls/{id}/recording`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordingAction {
    Start,
    Stop,
    Pause,
    Resume,
}

/// `POST /api/v1/calls/{id}/recording`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordingCommand {
    pub action: RecordingAction,
}

/// One participant's recording file of a call.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordingView {
    pub id: i64,
    pub call_id: i64,
    pub conversation_id: i64,
    /// Whose media: `visitor` or `agent`.
    pub role: String,
    /// `camera` (the participant's sound and camera) or `screen` (the screen they shared, a
    /// file of its own; not part of the composition).
    pub kind: String,
    /// `recording`, `paused`, `finished`, `failed` (a write error ended it; the file holds what
    /// was written) or `interrupted` (the server died; the file holds up to its last second).
    pub status: String,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(required = true, format = DateTime)]
    pub ended_at: Option<String>,
    #[schema(required = true)]
    pub bytes: Option<i64>,
    #[schema(required = true)]
    pub duration_ms: Option<i64>,
    /// Hex SHA-256 of the file, computed when it was finished.
    #[schema(required = true)]
    pub sha256: Option<String>,
    /// `video/webm` (Opus audio, VP8 video), or `video/x-matroska` (Opus audio, H.264 video:
    /// the participant's browser sent H.264).
    pub mime: String,
    /// Where to download it (bearer token of staff who may see it).
    pub url: String,
}

impl From<&RecordingRow> for RecordingView {
    fn from(r: &RecordingRow) -> Self {
        RecordingView {
            id: r.id,
            call_id: r.call_id,
            conversation_id: r.conversation_id,
            role: r.role.clone(),
            kind: if is_screen_file(&r.path) { "screen" } else { "camera" }.into(),
            status: r.status.clone(),
            started_at: rfc3339(r.started_at),
            ended_at: r.ended_at.map(rfc3339),
            bytes: r.bytes,
            duration_ms: r.duration_ms,
            sha256: r.sha256.clone(),
            mime: recording_mime(&r.path).into(),
            url: format!("/api/v1/recordings/{}/file", r.id),
        }
    }
}

/// Whether a recording file is a shared screen's (the recorder names it `<camera>-screen.webm`,
/// a later segment `<camera>-screen-2.webm`: see [`screen_camera_stem`]).
pub fn is_screen_file(path: &str) -> bool {
    screen_camera_stem(path).is_some()
}

/// A shared screen's file's camera file, without its extension: `call-1/visitor-5-123-screen.webm`
/// and `call-1/visitor-5-123-screen-2.mkv` -> `call-1/visitor-5-123`. `None` for a camera's file.
pub fn screen_camera_stem(path: &str) -> Option<&str> {
    let name = path.strip_suffix(".webm").or_else(|| path.strip_suffix(".mkv"))?;
    if let Some(stem) = name.strip_suffix("-screen") {
        return Some(stem);
    }
    let (stem, n) = name.rsplit_once("-screen-")?;
    (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(stem)
}

/// A recording file's type, by the name the recorder gave it: Matroska for H.264, else WebM.
pub fn recording_mime(path: &str) -> &'static str {
    if path.ends_with(".mkv") {
        "video/x-matroska"
    } else {
        "video/webm"
    }
}

/// `GET /api/v1/calls/{id}/recordings`, `GET /api/v1/conversations/{id}/recordings`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordingList {
    pub recordings: Vec<RecordingView>,
    /// Rows matching `q` on every page together.
    pub total: i64,
    /// `after` for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// The side-by-side MP4 of a call's recordings, with its watermark (time, agent, conversation).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompositionView {
    pub call_id: i64,
    /// `composing`, `finished` or `failed`.
    pub status: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(required = true, format = DateTime)]
    pub finished_at: Option<String>,
    #[schema(required = true)]
    pub bytes: Option<i64>,
    /// Hex SHA-256 of the MP4.
    #[schema(required = true)]
    pub sha256: Option<String>,
    /// `video/mp4`.
    pub mime: String,
    /// Where to download it once finished (Bearer token).
    pub url: String,
    /// When the MP4's first frame was recorded (where the chat's messages fall on its timeline).
    #[schema(required = true, format = DateTime)]
    pub starts_at: Option<String>,
    /// Once finished: `url` signed for the caller, for a `<video src>` (valid about 10 minutes;
    /// fetch the composition again for a fresh one). Its use is logged as the caller's download.
    #[schema(required = true)]
    pub play_url: Option<String>,
}

impl From<&kefu_store::CompositionRow> for CompositionView {
    fn from(c: &kefu_store::CompositionRow) -> Self {
        CompositionView {
            call_id: c.call_id,
            status: c.status.clone(),
            created_at: rfc3339(c.created_at),
            finished_at: c.finished_at.map(rfc3339),
            bytes: c.bytes,
            sha256: c.sha256.clone(),
            mime: "video/mp4".into(),
            url: format!("/api/v1/calls/{}/composition/file", c.call_id),
            starts_at: None,
            play_url: None,
        }
    }
}

/// A skill group's recording policy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupRecordingPolicy {
    pub group_id: i64,
    pub policy: RecordingPolicy,
}

/// A business type's override (`null`: its group's policy applies).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BusinessTypeRecordingPolicy {
    pub business_type_id: i64,
    #[schema(required = true)]
    pub policy: Option<RecordingPolicy>,
}

/// `GET /api/v1/recording-policies`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordingPolicies {
    /// The groups of this page, in the groups' order.
    pub groups: Vec<GroupRecordingPolicy>,
    /// The business types of those groups.
    pub business_types: Vec<BusinessTypeRecordingPolicy>,
    /// Groups matching `q` on every page together.
    pub total: i64,
    /// `after` (a group id) for the next page; null on the last page.
    #[schema(required = true)]
    pub next_after: Option<i64>,
}

/// `PUT /api/v1/groups/{id}/recording-policy`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetGroupRecordingPolicy {
    pub policy: RecordingPolicy,
}

/// `PUT /api/v1/business-types/{id}/recording-policy` (`null` clears the override).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetBusinessTypeRecordingPolicy {
    pub policy: Option<RecordingPolicy>,
}

/// The stored word as a policy (`off` for anything unknown).
pub fn parse_policy(word: &str) -> RecordingPolicy {
    match word {
        "always" => RecordingPolicy::Always,
        "on_demand" => RecordingPolicy::OnDemand,
        _ => RecordingPolicy::Off,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_screen_file_of_any_segment_names_its_camera_file() {
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen.webm"), Some("call-1/visitor-5-123"));
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen.mkv"), Some("call-1/visitor-5-123"));
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen-2.webm"), Some("call-1/visitor-5-123"));
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen-12.mkv"), Some("call-1/visitor-5-123"));
        assert_eq!(screen_camera_stem("call-1/visitor-5-123.webm"), None, "a camera's file");
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen-.webm"), None);
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen-x.webm"), None);
        assert_eq!(screen_camera_stem("call-1/visitor-5-123-screen.mp4"), None);
        assert!(is_screen_file("call-1/agent-2-9-screen-3.webm"));
        assert!(!is_screen_file("call-1/agent-2-9.mkv"));
    }
}
