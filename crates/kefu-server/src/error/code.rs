//! The error codes the API answers with and the details (params) the UIs translate them with.
//! The list is the contract with the UIs' locale files: renaming a code breaks their translations.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Every code an error answer can carry. The UIs translate each one (with `params` as its
/// details); their tests walk this list, so a new code without a translation fails `npm test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Malformed request.
    BadRequest,
    /// The body is not JSON.
    InvalidJson,
    /// A multipart upload could not be read.
    MalformedMultipart,
    /// The widget's identity token is not valid.
    InvalidIdentityToken,
    /// The widget's identity token has expired.
    IdentityTokenExpired,
    /// A field failed validation (`params.field` names it when known).
    Validation,
    /// A message is longer than `params.max` characters.
    MessageTooLong,
    /// No valid credentials (or a session that ended).
    Unauthorized,
    /// Wrong email or password.
    InvalidCredentials,
    /// Authenticated but not allowed.
    Forbidden,
    /// The user must set their own password first.
    PasswordChangeRequired,
    /// The customer is blocked.
    VisitorBlocked,
    /// Nothing here (or not yours).
    NotFound,
    /// This route does not take that method.
    MethodNotAllowed,
    /// The state does not allow it.
    Conflict,
    /// The agent cannot take a transfer now (not ready, or full).
    AgentUnavailable,
    /// The conversation is not (or no longer) offered to this agent.
    NotOffered,
    /// A call is open on the conversation.
    CallOpen,
    /// No call is open on the conversation.
    NoCall,
    /// The conversation is not in service with an agent.
    NotAssigned,
    /// The skill group still holds conversations.
    GroupInUse,
    /// The agent still holds or is offered conversations.
    AgentInUse,
    /// The conversation is already closed.
    AlreadyClosed,
    /// Slow down (`params.what`, `params.retry_after`).
    RateLimited,
    /// Too many open WebSockets for one token.
    TooManyConnections,
    /// A quota that does not refill with time (`params.kind`, `params.limit`).
    QuotaExceeded,
    /// Too big (`params.max_mib` for uploads).
    PayloadTooLarge,
    /// Wrong content type.
    UnsupportedMediaType,
    /// Request headers too large.
    HeadersTooLarge,
    /// Request target too long.
    UriTooLong,
    /// The database does not answer (readiness probe).
    NotReady,
    /// A bug or an unavailable dependency; the cause is logged.
    Internal,
}

impl ErrorCode {
    /// Every code, in declaration order (the Rust test checks each one's wire name).
    pub const ALL: [ErrorCode; 32] = {
        use ErrorCode::*;
        [
            BadRequest,
            InvalidJson,
            MalformedMultipart,
            InvalidIdentityToken,
            IdentityTokenExpired,
            Validation,
            MessageTooLong,
            Unauthorized,
            InvalidCredentials,
            Forbidden,
            PasswordChangeRequired,
            VisitorBlocked,
            NotFound,
            MethodNotAllowed,
            Conflict,
            AgentUnavailable,
            NotOffered,
            CallOpen,
            NoCall,
            NotAssigned,
            GroupInUse,
            AgentInUse,
            AlreadyClosed,
            RateLimited,
            TooManyConnections,
            QuotaExceeded,
            PayloadTooLarge,
            UnsupportedMediaType,
            HeadersTooLarge,
            UriTooLong,
            NotReady,
            Internal,
        ]
    };

    /// The HTTP status this code answers with.
    pub fn status(self) -> StatusCode {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidJson | MalformedMultipart | InvalidIdentityToken | IdentityTokenExpired => StatusCode::BAD_REQUEST,
            Validation | MessageTooLong => StatusCode::UNPROCESSABLE_ENTITY,
            Unauthorized | InvalidCredentials => StatusCode::UNAUTHORIZED,
            Forbidden | PasswordChangeRequired | VisitorBlocked | QuotaExceeded => StatusCode::FORBIDDEN,
            NotFound => StatusCode::NOT_FOUND,
            MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Conflict | AgentUnavailable | NotOffered | CallOpen | NoCall | NotAssigned | GroupInUse | AgentInUse | AlreadyClosed => {
                StatusCode::CONFLICT
            }
            RateLimited | TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            UriTooLong => StatusCode::URI_TOO_LONG,
            NotReady => StatusCode::SERVICE_UNAVAILABLE,
            Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// Which quota was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaKind {
    FilesPerConversation,
    BytesPerConversation,
    OrganisationStorage,
}

/// The details a UI puts into its translation of the code; only the fields the code uses are set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ErrorParams {
    /// `validation`: the field that failed, when the server names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// `rate_limited`: which limit (`failed_logins`, `messages`, `typing_events`, `uploads`, `new_visitors`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub what: Option<String>,
    /// `rate_limited`, `too_many_connections`: seconds to wait.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// `message_too_long`: most characters allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
    /// `payload_too_large` (uploads): largest file in MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_mib: Option<u64>,
    /// `quota_exceeded`: which quota.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<QuotaKind>,
    /// `quota_exceeded`: the quota's size (files, or MiB), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl ErrorParams {
    pub(crate) fn is_empty(&self) -> bool {
        *self == ErrorParams::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names the UIs' locale files and the generated TypeScript union use: a rename here
    /// must be a decision, not an accident of `rename_all`.
    const WIRE_NAMES: [&str; 32] = [
        "bad_request",
        "invalid_json",
        "malformed_multipart",
        "invalid_identity_token",
        "identity_token_expired",
        "validation",
        "message_too_long",
        "unauthorized",
        "invalid_credentials",
        "forbidden",
        "password_change_required",
        "visitor_blocked",
        "not_found",
        "method_not_allowed",
        "conflict",
        "agent_unavailable",
        "not_offered",
        "call_open",
        "no_call",
        "not_assigned",
        "group_in_use",
        "agent_in_use",
        "already_closed",
        "rate_limited",
        "too_many_connections",
        "quota_exceeded",
        "payload_too_large",
        "unsupported_media_type",
        "headers_too_large",
        "uri_too_long",
        "not_ready",
        "internal",
    ];

    #[test]
    fn every_error_code_serialises_to_the_name_the_uis_translate() {
        let names: Vec<String> = ErrorCode::ALL.iter().map(|c| serde_json::to_value(c).unwrap().as_str().unwrap().to_string()).collect();
        assert_eq!(names, WIRE_NAMES);
    }
}
