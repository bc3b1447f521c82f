//! Images and files in a conversation: size-limited, type checked from the bytes, stored under
//! the data dir with their SHA-256.

use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::auth::{bearer, resolve, Caller};
use crate::clock::now_ms;
use crate::conversations::access::{can_write, load_visible};
use crate::conversations::messages::{retried, send, Outgoing};
use crate::error::{ApiError, ApiResult, ErrorCode, QuotaKind};
use crate::state::AppState;
use crate::views::{ApiKeyScope, MessageView};
use kefu_store::AttachmentRow;

/// Largest upload.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/conversations/{id}/attachments", post(upload).layer(axum::extract::DefaultBodyLimit::max(MAX_UPLOAD + 64 * 1024)))
        .route("/api/v1/attachments/{id}", get(download))
}

/// The allowed types, recognised from content: (mime, message kind).
fn classify(bytes: &[u8], name: &str) -> Option<(&'static str, &'static str)> {
    if let Some(t) = infer::get(bytes) {
        return match t.mime_type() {
            "image/png" => Some(("image/png", "image")),
            "image/jpeg" => Some(("image/jpeg", "image")),
            "image/gif" => Some(("image/gif", "image")),
            "image/webp" => Some(("image/webp", "image")),
            "application/pdf" => Some(("application/pdf", "file")),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                Some(("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "file"))
            }
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
                Some(("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "file"))
            }
            _ => None,
        };
    }
    // Plain text has no magic number: accept valid UTF-8 named .txt.
    (name.to_lowercase().ends_with(".txt") && std::str::from_utf8(bytes).is_ok()).then_some(("text/plain; charset=utf-8", "file"))
}

/// The multipart form of an upload (documentation only: the handler reads the fields itself).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// png, jpeg, gif or webp (an image message), or pdf, docx, xlsx or txt (a file message); at
    /// most 10 MiB; the type is recognised from the content.
    #[schema(value_type = String, format = Binary, content_media_type = "application/octet-stream")]
    file: Vec<u8>,
}

/// The query of an upload.
#[derive(Deserialize, utoipa::IntoParams)]
pub struct UploadQuery {
    /// The sender's own id for this upload (1 to 64 characters): echoed back, and a retry with
    /// the same id stores nothing new and answers 200 with the message already made.
    client_id: Option<String>,
    /// The request id of a `call.snapshot_requested` frame this upload answers (visitor only, a
    /// PNG or JPEG, within 60 s of the agent's request, once): the message is a call snapshot
    /// with its capture size read from the image. Send a client_id too, so a retry is not
    /// refused as an answered request.
    snapshot: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/conversations/{id}/attachments", tag = "attachments", params(("id" = i64, Path, description = "id"), UploadQuery), request_body(content = UploadForm, content_type = "multipart/form-data"), responses((status = 201, description = "stored as an image or file message (multipart field `file`); 200 with the earlier message for a retried client_id", body = MessageView), crate::error::ApiErrors), security(("bearer" = [])))]
pub async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    Query(retry): Query<UploadQuery>,
    mut form: Multipart,
) -> ApiResult<(StatusCode, Json<MessageView>)> {
    let c = load_visible(&state.store, &caller, id).await?;
    if !can_write(&caller, &c) {
        return Err(ApiError::Forbidden("only the visitor and the agent serving the conversation can send files".into()));
    }
    // A retried upload answers with the message it already made, before the body is read: no
    // second file, attachment row or message, and no upload counted twice.
    let mut tx = state.store.begin().await?;
    let existing = retried(&mut tx, &state, &caller, id, retry.client_id.as_deref()).await?;
    drop(tx);
    if let Some(message) = existing {
        return Ok((StatusCode::OK, Json(message)));
    }
    if let Some(request) = retry.snapshot.as_deref() {
        if !matches!(caller, Caller::Visitor(_)) {
            return Err(ApiError::Forbidden("snapshot: only the visitor's device answers a snapshot request".into()));
        }
        // Refused before the body is read: no open request, no upload.
        crate::calls::snapshots::check(&state.store, request, id, now_ms()).await?;
    }
    if let Caller::Visitor(v) = &caller {
        // Counted before the body is read: a refused upload costs neither bandwidth nor disk.
        state.limits.visitor_upload(*v).await?;
    }
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("file").chars().take(1000).collect::<String>();
            let bytes = field.bytes().await.map_err(multipart_error)?;
            file = Some((name, bytes));
        }
    }
    let (name, bytes) = file.ok_or_else(|| ApiError::invalid("file: a multipart field named file is required"))?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file: empty"));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(ApiError::file_too_large(MAX_UPLOAD as u64));
    }
    let (mime, kind) = classify(&bytes, &name).ok_or_else(|| {
        ApiError::UnsupportedMedia(
            "file: only png, jpeg, gif, webp images and pdf, docx, xlsx, txt files are accepted (checked from the content)".into(),
        )
    })?;
    let size = match retry.snapshot {
        Some(_) => Some(
            crate::calls::snapshots::dimensions(&bytes)
                .filter(|_| kind == "image")
                .ok_or_else(|| ApiError::UnsupportedMedia("snapshot: the still must be a PNG or JPEG image".into()))?,
        ),
        None => None,
    };
    // Shown as what it is: no reordering or invisible characters, the real extension.
    let name = crate::text::file_name(&name, mime);
    let sha = hex::encode(Sha256::digest(&bytes));
    let rel = format!("uploads/{}/{}", id, sha);
    let path = state.config.data_dir.join(&rel);
    if matches!(caller, Caller::Visitor(_)) {
        // The same file sent again into the same conversation is stored once: no more disk.
        let new_bytes = if tokio::fs::try_exists(&path).await.unwrap_or(false) { 0 } else { bytes.len() as u64 };
        visitor_quotas(&state, id, bytes.len() as u64, new_bytes).await?;
    }
    tokio::fs::create_dir_all(path.parent().expect("has a parent")).await.map_err(|e| ApiError::Internal(e.into()))?;
    tokio::fs::write(&path, &bytes).await.map_err(|e| ApiError::Internal(e.into()))?;
    let now = now_ms();
    let mut tx = state.store.begin().await?;
    // Answered now, once, with the attachment: a second upload for the same request is refused
    // (a retry with the same client_id was answered above with the message already made).
    let snapshot_call_id = match retry.snapshot.as_deref() {
        Some(request) => Some(crate::calls::snapshots::take(&mut tx, request, id, now).await?),
        None => None,
    };
    let row = AttachmentRow {
        id: 0,
        conversation_id: id,
        name: name.clone(),
        mime: mime.into(),
        size: bytes.len() as i64,
        sha256: sha,
        path: rel,
        snapshot_call_id,
        width: size.map(|(w, _)| i64::from(w)),
        height: size.map(|(_, h)| i64::from(h)),
    };
    let attachment_id = tx.insert_attachment(&row, now).await?;
    tx.commit().await?;
    let out = Outgoing { kind, body: &name, attachment_id: Some(attachment_id), client_id: retry.client_id.as_deref() };
    let Some((view, _)) = send(&state, &caller, id, out).await? else {
        return Err(crate::conversations::messages::refusal(&state, &caller, id).await);
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// What a visitor may still store: files and bytes per conversation, and the organisation's disk
/// quota (staff uploads are not held to these; they count towards the quota all the same).
async fn visitor_quotas(state: &AppState, conversation: i64, size: u64, new_bytes: u64) -> ApiResult<()> {
    let config = &state.config;
    let (count, bytes) = state.store.visitor_uploads(conversation).await?;
    if u64::try_from(count).unwrap_or(0) >= u64::from(config.uploads_per_conversation) {
        let limit = u64::from(config.uploads_per_conversation);
        return Err(ApiError::quota(QuotaKind::FilesPerConversation, Some(limit), format!("file: at most {limit} files per conversation")));
    }
    if u64::try_from(bytes).unwrap_or(0).saturating_add(size) > config.upload_bytes_per_conversation {
        let limit = config.upload_bytes_per_conversation / 1024 / 1024;
        return Err(ApiError::quota(
            QuotaKind::BytesPerConversation,
            Some(limit),
            format!("file: at most {limit} MiB of files per conversation"),
        ));
    }
    if u64::try_from(state.store.upload_bytes().await?).unwrap_or(0).saturating_add(new_bytes) > config.upload_quota_bytes {
        return Err(ApiError::quota(QuotaKind::OrganisationStorage, None, "file: the organisation's storage for uploads is full"));
    }
    Ok(())
}

/// Only the body limit is "too large"; a body that ends early or breaks the multipart framing is
/// the client's malformed request (axum calls a failed read a 500, which it is not).
fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::file_too_large(MAX_UPLOAD as u64)
    } else {
        ApiError::BadRequest(ErrorCode::MalformedMultipart, format!("multipart body incomplete or malformed: {}", e.body_text()))
    }
}

/// The query of a signed link, as message payloads hand it out (`url`).
#[derive(Deserialize, utoipa::IntoParams)]
pub struct SignedLink {
    /// Unix seconds after which the link no longer works.
    exp: Option<i64>,
    /// Hex HMAC-SHA256 of the attachment id and `exp`, made by the server.
    sig: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", params(("id" = i64, Path, description = "id"), SignedLink), responses((status = 200, description = "the file, with the Content-Type recognised at upload; with the Bearer token, or without one through the signed link a message's `attachment.url` gives (valid about 10 minutes)", content_type = "application/octet-stream", body = String), crate::error::ApiErrors), security(("bearer" = []), ()))]
pub async fn download(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(link): Query<SignedLink>,
) -> ApiResult<Response> {
    // Who may fetch is settled before the attachment is looked up: strangers learn nothing.
    let caller = match (bearer(&headers), link.exp, link.sig.as_deref()) {
        (Some(token), _, _) => {
            let caller = resolve(&state, &token).await?;
            caller.require_scope(ApiKeyScope::ConversationsRead)?;
            Some(caller)
        }
        (None, Some(exp), Some(sig)) => {
            state.links.verify(id, exp, sig, now_ms())?;
            None
        }
        _ => {
            return Err(ApiError::Unauthorized(
                "send Authorization: Bearer <token>, or use the signed link of the message's attachment.url".into(),
            ))
        }
    };
    let a = state.store.attachment(id).await.map_err(|_| ApiError::not_found("attachment"))?;
    if let Some(caller) = &caller {
        load_visible(&state.store, caller, a.conversation_id).await.map_err(|_| ApiError::not_found("attachment"))?;
    }
    let bytes = tokio::fs::read(state.config.data_dir.join(&a.path)).await.map_err(|e| ApiError::Internal(e.into()))?;
    let disposition = if a.mime.starts_with("image/") { "inline" } else { "attachment" };
    Response::builder()
        .header(header::CONTENT_TYPE, &a.mime)
        .header(header::CONTENT_DISPOSITION, format!("{disposition}; filename*=UTF-8''{}", urlencode(&a.name)))
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "private, max-age=86400")
        .body(Body::from(bytes))
        .map_err(|e| ApiError::Internal(e.into()))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}
