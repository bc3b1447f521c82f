//! Serving a listener: axum's router over hyper's HTTP/1 (what `axum::serve` does), with request
//! head limits of our own so that an oversized head is refused with the JSON error shape instead
//! of hyper's empty 431. Knows nothing of routes.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

use crate::error::{error_body, ErrorCode};

/// Most header fields in a request (browsers send about twenty).
pub const MAX_HEADERS: usize = 100;
/// Most bytes of header fields in a request (nginx's default allows 32 KiB as well).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// Longest request target (path and query).
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// hyper's own limits sit well above ours: a head between the two reaches
/// `refuse_oversized_headers`, which answers in JSON. Only a head beyond these (1 MiB, or more
/// than 256 fields, or a 64 KiB target) gets hyper's bare 431/414, since hyper stops reading it.
const HYPER_MAX_BUF: usize = 1024 * 1024;
const HYPER_MAX_HEADERS: usize = 256;
/// A client that does not finish its request head in this time is cut off (slow-loris).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// 431/414 in our JSON shape for a head over our limits.
pub async fn refuse_oversized_headers(req: Request<Body>, next: Next) -> Response {
    let fields = req.headers().len();
    let bytes: usize = req.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    if fields > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        return error_body(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeadersTooLarge,
            &format!("request headers: at most {MAX_HEADERS} fields and {} KiB in all", MAX_HEADER_BYTES / 1024),
        );
    }
    let target = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if target > MAX_URI_BYTES {
        return error_body(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            &format!("request target: at most {} KiB", MAX_URI_BYTES / 1024),
        );
    }
    next.run(req).await
}

/// Accept connections until `shutdown` resolves, then let open requests finish. Each request
/// carries `ConnectInfo<SocketAddr>` (the peer), as with axum's `into_make_service_with_connect_info`.
pub async fn serve(listener: TcpListener, app: Router, shutdown: impl Future<Output = ()>) {
    // Connections watch `stop` to begin a graceful shutdown; `done` closes when the last ends.
    let (stop_tx, stop_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            req
        });
        let mut stop = stop_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let mut http = hyper::server::conn::http1::Builder::new();
            http.max_buf_size(HYPER_MAX_BUF)
                .max_headers(HYPER_MAX_HEADERS)
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT);
            let conn = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service)).with_upgrades();
            tokio::pin!(conn);
            tokio::select! {
                result = conn.as_mut() => log_end(result, peer),
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    log_end(conn.await, peer);
                }
            }
            drop(done);
        });
    }
    drop(listener);
    drop(stop_rx);
    let _ = stop_tx.send(());
    drop(done_rx);
    done_tx.closed().await;
}

fn log_end(result: Result<(), hyper::Error>, peer: SocketAddr) {
    if let Err(e) = result {
        // Clients that vanish mid-request are routine; this is for debugging only.
        tracing::debug!(%peer, error = %e, "connection ended with an error");
    }
}
