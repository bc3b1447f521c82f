//! One error type for every route: a status, a stable code and a message that names the problem.
//! Internal causes are logged, never sent.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

use kefu_store::StoreError;

mod code;
pub use code::{ErrorCode, ErrorParams, QuotaKind};

/// What went wrong, as the client sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request (a message says what).
    #[error("{1}")]
    BadRequest(ErrorCode, String),
    /// A field failed validation; the message names the field.
    #[error("{0}")]
    Validation(String),
    /// No valid credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated but not allowed.
    #[error("{0}")]
    Forbidden(String),
    /// Nothing here (or not yours).
    #[error("{0}")]
    NotFound(String),
    /// The state does not allow it.
    #[error("{0}")]
    Conflict(String),
    /// Slow down: `what` names the limit (a code such as `failed_logins`), the client may try
    /// again after `retry_after`.
    #[error("too many {}; try again in {} s", what.replace('_', " "), retry_secs(*.retry_after))]
    RateLimited { what: &'static str, retry_after: Duration },
    /// Too big.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Wrong content type.
    #[error("{0}")]
    UnsupportedMedia(String),
    /// A specific code with its details (its status follows from the code).
    #[error("{message}")]
    Coded { code: ErrorCode, message: String, params: Box<ErrorParams> },
    /// A bug or an unavailable dependency; the cause is logged.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A validation error. Messages follow "field: problem"; that field becomes `params.field`
    /// so a UI can say which one in its own language.
    pub fn invalid(msg: impl Into<String>) -> ApiError {
        let msg = msg.into();
        match field_of(&msg) {
            Some(field) => {
                ApiError::coded(ErrorCode::Validation, msg.clone(), ErrorParams { field: Some(field.into()), ..Default::default() })
            }
            None => ApiError::Validation(msg),
        }
    }
    /// A validation error naming its field (`params.field`), so a UI can say which.
    pub fn invalid_field(field: &str, msg: impl Into<String>) -> ApiError {
        ApiError::coded(ErrorCode::Validation, msg, ErrorParams { field: Some(field.into()), ..Default::default() })
    }
    /// Shorthand for "not found".
    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }
    /// A specific code with its details.
    pub fn coded(code: ErrorCode, msg: impl Into<String>, params: ErrorParams) -> ApiError {
        ApiError::Coded { code, message: msg.into(), params: Box::new(params) }
    }
    /// A message longer than `max` characters; `what` names the field in the English message.
    pub fn message_too_long(what: &str, max: usize) -> ApiError {
        let params = ErrorParams { field: Some(what.into()), max: Some(max as u64), ..Default::default() };
        ApiError::coded(ErrorCode::MessageTooLong, format!("{what}: at most {max} characters"), params)
    }
    /// An upload over `max_bytes`.
    pub fn file_too_large(max_bytes: u64) -> ApiError {
        let mib = max_bytes / 1024 / 1024;
        let params = ErrorParams { max_mib: Some(mib), ..Default::default() };
        ApiError::coded(ErrorCode::PayloadTooLarge, format!("file: larger than {mib} MiB"), params)
    }
    /// A quota reached.
    pub fn quota(kind: QuotaKind, limit: Option<u64>, msg: impl Into<String>) -> ApiError {
        ApiError::coded(ErrorCode::QuotaExceeded, msg, ErrorParams { kind: Some(kind), limit, ..Default::default() })
    }

    /// The code this error answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(code, _) => *code,
            ApiError::Validation(_) => ErrorCode::Validation,
            ApiError::Unauthorized(_) => ErrorCode::Unauthorized,
            ApiError::Forbidden(_) => ErrorCode::Forbidden,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Conflict(_) => ErrorCode::Conflict,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            ApiError::UnsupportedMedia(_) => ErrorCode::UnsupportedMediaType,
            ApiError::Coded { code, .. } => *code,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// Every failure: `{"error": {"code", "message", "params"?}}` (and `retry_after` when rate limited).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The error's stable code, a message that names the problem, and the details a UI translates with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What went wrong; the UIs translate it (with `params`).
    pub code: ErrorCode,
    /// Human readable (English, for API users); names the field or the problem.
    pub message: String,
    /// With `rate_limited` only: seconds to wait before trying again (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// The code's details (omitted when it has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<ErrorParams>,
}

/// Every route's failure answers, declared once for the OpenAPI document: a handler's
/// `responses(...)` lists its successes and then `ApiErrors`.
#[derive(utoipa::IntoResponses)]
#[response(status = "4XX", description = "JSON error naming the problem")]
pub struct ApiErrors(#[allow(dead_code)] /* read by the derive only */ ErrorBody);

/// The JSON error body every failure uses (the `ErrorBody` schema).
pub fn error_body(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = ErrorBody { error: ErrorDetail { code, message: message.to_string(), retry_after: None, params: None } };
    (status, Json(body)).into_response()
}

/// A 429 with `Retry-After`, the figure in the body twice (top-level for older clients, in params).
pub fn too_many(code: ErrorCode, message: String, what: Option<&str>, secs: u64) -> Response {
    let params = ErrorParams { what: what.map(str::to_string), retry_after: Some(secs), ..Default::default() };
    let body = ErrorBody { error: ErrorDetail { code, message, retry_after: Some(secs), params: Some(params) } };
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, secs.to_string())], Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = self.code();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        if let ApiError::RateLimited { retry_after, what } = &self {
            // The same figure twice: the header for HTTP clients and proxies, the field for code
            // that only reads the JSON body.
            return too_many(code, self.to_string(), Some(what), retry_secs(*retry_after));
        }
        let message = self.to_string();
        let params = match self {
            ApiError::Coded { params, .. } if !params.is_empty() => Some(*params),
            _ => None,
        };
        let body = ErrorBody { error: ErrorDetail { code, message, retry_after: None, params } };
        (code.status(), Json(body)).into_response()
    }
}

/// The field a "field: problem" message names (a plain identifier such as `name` or
/// `customer.external_id`; indexed paths like `fields[2].kind` are left unnamed).
fn field_of(msg: &str) -> Option<&str> {
    let (field, _) = msg.split_once(": ")?;
    let plain = field.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.');
    (plain && field.starts_with(|c: char| c.is_ascii_lowercase())).then_some(field)
}

/// Whole seconds to wait, rounded up and at least one (`Retry-After: 0` would invite a hot loop).
fn retry_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            StoreError::Conflict(what) => match conflict_field(&what) {
                // A duplicate in an admin form: name the field so the UI can say which is taken.
                Some(field) => ApiError::coded(
                    ErrorCode::Conflict,
                    conflict_message(&what),
                    ErrorParams { field: Some(field.into()), ..Default::default() },
                ),
                None => ApiError::Conflict(conflict_message(&what)),
            },
            other => ApiError::Internal(other.into()),
        }
    }
}

/// The field a unique constraint is on, for the ones admin forms hit.
fn conflict_field(constraint: &str) -> Option<&'static str> {
    [("users.email", "email"), ("skill_groups.name", "name"), ("business_types.name", "name"), ("wrap_up_codes.code", "code")]
        .into_iter()
        .find(|(c, _)| constraint.contains(c))
        .map(|(_, field)| field)
}

fn conflict_message(constraint: &str) -> String {
    if constraint.contains("users.email") {
        "a user with this email already exists".into()
    } else if constraint.contains("skill_groups.name") {
        "a skill group with this name already exists".into()
    } else if constraint.contains("business_types.name") {
        "a business type with this name already exists".into()
    } else if constraint.contains("wrap_up_codes.code") {
        "a wrap-up code with this code already exists".into()
    } else if constraint.contains("FOREIGN KEY") {
        "it refers to something that does not exist".into()
    } else {
        constraint.to_string()
    }
}

impl From<kefu_core::CoreError> for ApiError {
    fn from(e: kefu_core::CoreError) -> Self {
        use kefu_core::CoreError::*;
        let code = match e {
            UnknownAgent(_) | UnknownGroup(_) | UnknownConversation(_) => return ApiError::NotFound(e.to_string()),
            InvalidConfig(_) => return ApiError::Validation(e.to_string()),
            DuplicateConversation(_) => return ApiError::Conflict(e.to_string()),
            NotOffered(..) => ErrorCode::NotOffered,
            AgentUnavailable(_) => ErrorCode::AgentUnavailable,
            GroupInUse(_) => ErrorCode::GroupInUse,
            AgentInUse(_) => ErrorCode::AgentInUse,
            CallOpen(_) => ErrorCode::CallOpen,
            NoCall(_) => ErrorCode::NoCall,
            NotAssigned(_) => ErrorCode::NotAssigned,
        };
        ApiError::coded(code, e.to_string(), ErrorParams::default())
    }
}

/// `Json<T>` whose rejections use our error shape (malformed JSON, wrong type, missing field).
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => {
                    ApiError::UnsupportedMedia("expected a JSON body with Content-Type: application/json".into())
                }
                JsonRejection::JsonSyntaxError(e) => {
                    ApiError::BadRequest(ErrorCode::InvalidJson, format!("malformed JSON: {}", e.body_text()))
                }
                JsonRejection::JsonDataError(e) => ApiError::Validation(e.body_text()),
                JsonRejection::BytesRejection(e) => match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("request body too large".into()),
                    _ => ApiError::BadRequest(ErrorCode::BadRequest, e.body_text()),
                },
                other => ApiError::BadRequest(ErrorCode::BadRequest, other.body_text()),
            }),
        }
    }
}

/// Result of handlers.
pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_omitted_when_empty_and_carried_when_set() {
        let detail = |e: ApiError| {
            let params = match &e {
                ApiError::Coded { params, .. } if !params.is_empty() => Some((**params).clone()),
                _ => None,
            };
            serde_json::to_value(ErrorDetail { code: e.code(), message: e.to_string(), retry_after: None, params }).unwrap()
        };
        let named = detail(ApiError::invalid("name: 1 to 64 characters"));
        assert_eq!((named["code"].as_str(), named["params"]["field"].as_str()), (Some("validation"), Some("name")));
        assert!(detail(ApiError::invalid("fields[2].kind: one of text")).get("params").is_none());
        assert!(detail(ApiError::invalid("give exactly one of agent_id or group_id")).get("params").is_none());
        let plain = detail(ApiError::Conflict("x".into()));
        assert!(plain.get("params").is_none(), "{plain}");
        let long = detail(ApiError::message_too_long("body", 5000));
        assert_eq!(long["code"], "message_too_long");
        assert_eq!(long["params"]["max"], 5000);
        let quota = detail(ApiError::quota(QuotaKind::FilesPerConversation, Some(20), "file: at most 20"));
        assert_eq!(quota["params"]["kind"], "files_per_conversation");
        assert_eq!(quota["params"]["limit"], 20);
    }
}
