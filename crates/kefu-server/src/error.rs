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

/// What went wrong, as the client sees it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed request (a message says what).
    #[error("{1}")]
    BadRequest(&'static str, String),
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
    /// Slow down: `what` names the limit, the client may try again after `retry_after`.
    #[error("too many {what}; try again in {} s", retry_secs(*.retry_after))]
    RateLimited { what: &'static str, retry_after: Duration },
    /// A quota that does not refill with time (uploads per conversation, disk space).
    #[error("{0}")]
    QuotaExceeded(String),
    /// Too big.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// Wrong content type.
    #[error("{0}")]
    UnsupportedMedia(String),
    /// A bug or an unavailable dependency; the cause is logged.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// Shorthand for a validation error.
    pub fn invalid(msg: impl Into<String>) -> ApiError {
        ApiError::Validation(msg.into())
    }
    /// Shorthand for "not found".
    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }

    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::BadRequest(code, _) => (StatusCode::BAD_REQUEST, code),
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation"),
            ApiError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            ApiError::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            ApiError::QuotaExceeded(_) => (StatusCode::FORBIDDEN, "quota_exceeded"),
            ApiError::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ApiError::UnsupportedMedia(_) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// Every failure: `{"error": {"code", "message"}}` (and `retry_after` when rate limited).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The error's stable code and a message that names the problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// e.g. `invalid_json`, `validation`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `rate_limited`,
    /// `quota_exceeded`
    pub code: String,
    /// Human readable; names the field or the problem.
    pub message: String,
    /// With `rate_limited` only: seconds to wait before trying again (also the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// Every route's failure answers, declared once for the OpenAPI document: a handler's
/// `responses(...)` lists its successes and then `ApiErrors`.
#[derive(utoipa::IntoResponses)]
#[response(status = "4XX", description = "JSON error naming the problem")]
pub struct ApiErrors(#[allow(dead_code)] /* read by the derive only */ ErrorBody);

/// The JSON error body every failure uses (the `ErrorBody` schema).
pub fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_string(), message: message.to_string(), retry_after: None } };
    (status, Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        if let ApiError::RateLimited { retry_after, .. } = &self {
            // The same figure twice: the header for HTTP clients and proxies, the field for code
            // that only reads the JSON body.
            let secs = retry_secs(*retry_after);
            let body = ErrorBody { error: ErrorDetail { code: code.to_string(), message: self.to_string(), retry_after: Some(secs) } };
            return (status, [(header::RETRY_AFTER, secs.to_string())], Json(body)).into_response();
        }
        error_body(status, code, &self.to_string())
    }
}

/// Whole seconds to wait, rounded up and at least one (`Retry-After: 0` would invite a hot loop).
fn retry_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("not found".into()),
            StoreError::Conflict(what) => ApiError::Conflict(conflict_message(&what)),
            other => ApiError::Internal(other.into()),
        }
    }
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
        match e {
            UnknownAgent(_) | UnknownGroup(_) | UnknownConversation(_) => ApiError::NotFound(e.to_string()),
            InvalidConfig(_) => ApiError::Validation(e.to_string()),
            _ => ApiError::Conflict(e.to_string()),
        }
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
                JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest("invalid_json", format!("malformed JSON: {}", e.body_text())),
                JsonRejection::JsonDataError(e) => ApiError::Validation(e.body_text()),
                JsonRejection::BytesRejection(e) => match e.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge("request body too large".into()),
                    _ => ApiError::BadRequest("bad_request", e.body_text()),
                },
                other => ApiError::BadRequest("bad_request", other.body_text()),
            }),
        }
    }
}

/// Result of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
