//! Serving a stored media file with HTTP byte ranges (`Range: bytes=a-b` -> 206), so a browser's
//! `<video>` can seek without fetching the whole file first. Only one range per request (what
//! media elements ask for); anything else is answered with the whole file (a server may ignore
//! `Range`). Who may read the file is the caller's business.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::Body;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio_util::io::ReaderStream;

use crate::error::{ApiError, ApiResult};

/// The inclusive byte span `Range` asks for in a file of `len` bytes, if it is one satisfiable
/// range: `bytes=a-b`, `bytes=a-`, `bytes=-n` (the last n bytes).
pub fn parse_range(value: &str, len: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let (start, end) = match (a.is_empty(), b.is_empty()) {
        (false, true) => (a.parse().ok()?, len - 1),
        (false, false) => (a.parse().ok()?, b.parse::<u64>().ok()?.min(len - 1)),
        (true, false) => {
            let n: u64 = b.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (true, true) => return None,
    };
    (start <= end && start < len).then_some((start, end))
}

/// Whether a request starts reading the file from its first byte (no range, or one from 0):
/// a player's first request, as opposed to the seeks that follow it.
pub fn reads_from_start(headers: &HeaderMap, len: u64) -> bool {
    match headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|v| parse_range(v, len)) {
        Some((start, _)) => start == 0,
        None => true,
    }
}

/// The file at `path` as `mime`, whole (200) or the range asked for (206), never cached.
pub async fn serve(path: &Path, len: u64, headers: &HeaderMap, mime: &str, disposition: &str) -> ApiResult<Response> {
    let mut file = tokio::fs::File::open(path).await.map_err(|e| ApiError::Internal(e.into()))?;
    let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok()).and_then(|v| parse_range(v, len));
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CONTENT_DISPOSITION, disposition)
        .header("x-content-type-options", "nosniff")
        .header(header::CACHE_CONTROL, "private, no-store");
    let response = match range {
        Some((start, end)) => {
            file.seek(SeekFrom::Start(start)).await.map_err(|e| ApiError::Internal(e.into()))?;
            let count = end - start + 1;
            builder
                .status(StatusCode::PARTIAL_CONTENT)
                .header(header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}"))
                .header(header::CONTENT_LENGTH, count)
                .body(Body::from_stream(ReaderStream::new(file.take(count))))
        }
        None => builder.header(header::CONTENT_LENGTH, len).body(Body::from_stream(ReaderStream::new(file))),
    };
    response.map_err(|e| ApiError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::parse_range;

    #[test]
    fn one_range_of_the_three_forms_is_served() {
        assert_eq!(parse_range("bytes=0-", 100), Some((0, 99)));
        assert_eq!(parse_range("bytes=10-19", 100), Some((10, 19)));
        assert_eq!(parse_range("bytes=90-500", 100), Some((90, 99)), "an end past the file is the file's end");
        assert_eq!(parse_range("bytes=-10", 100), Some((90, 99)));
        assert_eq!(parse_range("bytes=-500", 100), Some((0, 99)));
    }

    #[test]
    fn anything_else_gets_the_whole_file() {
        for v in ["bytes=100-", "bytes=20-10", "bytes=0-1,5-6", "items=0-1", "bytes=-", "bytes=x-1", ""] {
            assert_eq!(parse_range(v, 100), None, "{v}");
        }
        assert_eq!(parse_range("bytes=0-", 0), None, "an empty file has no range");
    }
}
