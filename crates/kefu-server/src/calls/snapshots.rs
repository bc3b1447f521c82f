//! Call snapshots: the agent asks, the visitor's device takes a full-resolution still from its
//! own camera and uploads it. This owns the open requests (rows in the store, so the agent's
//! request and the visitor's upload may reach different nodes of a cluster) and reading a
//! still's pixel size from its PNG or JPEG header.

use rand::RngCore;

use kefu_store::{SnapshotRequestRow, Store, Tx};

use crate::error::{ApiError, ApiResult};

/// A new request from `call` of `conversation`, answerable for `ttl_ms`; returns its id
/// (random, so a visitor cannot answer a request it was not sent). Expired ones are dropped.
pub async fn request(store: &Store, call: i64, conversation: i64, now: i64, ttl_ms: i64) -> ApiResult<String> {
    let mut bytes = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut bytes);
    let id = hex::encode(bytes);
    let row = SnapshotRequestRow { call_id: call, conversation_id: conversation, expires_at: now + ttl_ms };
    store.open_snapshot_request(&id, row, now).await?;
    Ok(id)
}

/// The call of an open request of `conversation`, or why an upload cannot answer it.
pub async fn check(store: &Store, request_id: &str, conversation: i64, now: i64) -> ApiResult<i64> {
    answerable(store.snapshot_request(request_id).await?, conversation, now)
}

/// Answer the request inside the upload's transaction: it is gone afterwards (a retry is
/// answered by its client_id), and of two uploads racing for it only one gets it.
pub async fn take(tx: &mut Tx, request_id: &str, conversation: i64, now: i64) -> ApiResult<i64> {
    answerable(tx.take_snapshot_request(request_id).await?, conversation, now)
}

/// Whether an open request (if any) may be answered from `conversation` at `now`.
fn answerable(open: Option<SnapshotRequestRow>, conversation: i64, now: i64) -> ApiResult<i64> {
    match open {
        Some(o) if o.conversation_id == conversation && o.expires_at > now => Ok(o.call_id),
        Some(o) if o.conversation_id == conversation => {
            Err(ApiError::Conflict("snapshot: the agent's snapshot request has expired; the agent can ask again".into()))
        }
        _ => Err(ApiError::Conflict("snapshot: no open snapshot request with this id in this conversation's call".into())),
    }
}

/// Pixel width and height of a PNG or JPEG, read from its header (the size the camera captured,
/// whatever the client says); None for anything else or a header that does not parse.
pub fn dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    png_size(bytes).or_else(|| jpeg_size(bytes))
}

fn be16(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?])))
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// PNG: the IHDR chunk comes first, right after the 8-byte signature.
fn png_size(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(b"\x89PNG\r\n\x1a\n") || b.get(12..16)? != b"IHDR" {
        return None;
    }
    Some((be32(b, 16)?, be32(b, 20)?)).filter(|&(w, h)| w > 0 && h > 0)
}

/// JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 except DHT, JPG and
/// DAC), whose body is precision, height, width.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut at = 2;
    loop {
        if *b.get(at)? != 0xFF {
            return None;
        }
        // Fill bytes: any number of 0xFF before the marker.
        while *b.get(at + 1)? == 0xFF {
            at += 1;
        }
        let marker = *b.get(at + 1)?;
        at += 2;
        match marker {
            // Markers without a length: RST0..7, SOI, TEM.
            0xD0..=0xD8 | 0x01 => continue,
            0xD9 | 0xDA => return None,
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) => {
                let (h, w) = (be16(b, at + 3)?, be16(b, at + 5)?);
                return Some((w, h)).filter(|&(w, h)| w > 0 && h > 0);
            }
            _ => at += usize::try_from(be16(b, at)?).ok()?,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_and_jpeg_sizes_come_from_their_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&1280u32.to_be_bytes());
        png.extend_from_slice(&720u32.to_be_bytes());
        assert_eq!(dimensions(&png), Some((1280, 720)));
        // SOI, an APP0 segment of 4 bytes, then SOF2 (progressive): 480 high, 640 wide.
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1, 2, 0xFF, 0xC2, 0, 11, 8, 0x01, 0xE0, 0x02, 0x80, 3];
        assert_eq!(dimensions(&jpeg), Some((640, 480)));
        assert_eq!(dimensions(b"GIF89a"), None);
        assert_eq!(dimensions(&jpeg[..10]), None, "cut short");
    }

    #[test]
    fn a_request_is_answered_only_in_its_conversation_before_it_expires() {
        let open = Some(SnapshotRequestRow { call_id: 5, conversation_id: 9, expires_at: 61_000 });
        assert!(answerable(open, 8, 2_000).is_err(), "another conversation");
        assert!(answerable(open, 9, 61_000).is_err(), "expired");
        assert!(answerable(None, 9, 2_000).is_err(), "answered already, or never asked");
        assert_eq!(answerable(open, 9, 2_000).ok(), Some(5));
    }
}
