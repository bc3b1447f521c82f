//! Measures the abuse limits against a `kefu` it starts on 127.0.0.1 with a fresh data dir and the
//! default limits: how many messages per second one visitor gets through when it pushes as fast
//! as it can, and how much server memory (VmRSS) each idle visitor WebSocket takes and gives back.
//!
//! `cargo run --release -p ws-load --bin limits-probe -- --kefu target/release/kefu --sockets 1000`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use futures::StreamExt;
use serde_json::json;
use tokio_tungstenite::connect_async;
use ws_load::{call, visitor, Server};

#[derive(Parser, Debug)]
struct Args {
    /// The kefu binary to start.
    #[arg(long, default_value = "target/release/kefu")]
    kefu: String,
    /// How long the visitor floods.
    #[arg(long, default_value_t = 20)]
    flood_secs: u64,
    /// Requests the flooding visitor keeps in flight.
    #[arg(long, default_value_t = 8)]
    in_flight: usize,
    /// Idle visitor WebSockets to open.
    #[arg(long, default_value_t = 1000)]
    sockets: usize,
    /// Port for the server.
    #[arg(long, default_value_t = 18_778)]
    port: u16,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    // Default limits, except visitor creation per address: every socket here comes from 127.0.0.1.
    let server = Server::start(&args.kefu, args.port, "probe", "visitors_per_minute = 1000000\n").await?;
    let (base, pid) = (server.base.clone(), server.pid());
    let http = reqwest::Client::new();

    flood(&http, &base, &args).await?;
    idle_sockets(&http, &base, pid, args.sockets).await?;
    Ok(())
}

/// One visitor with one conversation pushes messages as fast as it can.
async fn flood(http: &reqwest::Client, base: &str, args: &Args) -> Result<()> {
    let token = visitor(http, base, "flood").await?;
    let (s, c) = call(http, base, "POST", "/api/v1/conversations", Some(&token), Some(json!({ "business_type_id": 1 }))).await?;
    if s != 201 {
        bail!("starting a conversation: {c}");
    }
    let path = format!("/api/v1/conversations/{}/messages", c["id"]);
    let (accepted, limited, other) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let first_second = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let until = start + Duration::from_secs(args.flood_secs);
    let workers: Vec<_> = (0..args.in_flight)
        .map(|w| {
            let (http, base, token, path) = (http.clone(), base.to_string(), token.clone(), path.clone());
            let (accepted, limited, other, first_second) = (accepted.clone(), limited.clone(), other.clone(), first_second.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < until {
                    n += 1;
                    let body = json!({ "body": format!("flood {w}-{n}") });
                    match call(&http, &base, "POST", &path, Some(&token), Some(body)).await {
                        Ok((201, _)) => {
                            accepted.fetch_add(1, Ordering::Relaxed);
                            if start.elapsed() < Duration::from_secs(1) {
                                first_second.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        Ok((429, _)) => {
                            limited.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            other.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.await?;
    }
    let secs = start.elapsed().as_secs_f64();
    let (a, l, o) = (accepted.load(Ordering::Relaxed), limited.load(Ordering::Relaxed), other.load(Ordering::Relaxed));
    println!("flood: one visitor, {} requests in flight, {secs:.1} s", args.in_flight);
    println!(
        "  attempted {:.0} messages/s; stored {a} ({:.1}/s), refused 429: {l}, other: {o}",
        (a + l + o) as f64 / secs,
        a as f64 / secs
    );
    println!("  stored in the first second: {}", first_second.load(Ordering::Relaxed));
    Ok(())
}

/// Open `n` idle visitor sockets and read the server's VmRSS before, with them, and after; then
/// a second round: memory freed by the first is reused (no growth), not leaked.
async fn idle_sockets(http: &reqwest::Client, base: &str, pid: u32, n: usize) -> Result<()> {
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        tokens.push(visitor(http, base, &format!("idle {i}")).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(pid)?;
    println!("idle sockets: {n} visitor WebSockets, opened and closed twice");
    for round in 1..=2 {
        let (open, after) = open_and_close(base, pid, &tokens).await?;
        println!(
            "  round {round}: VmRSS before {before} KiB, with them open {open} KiB ({:.1} KiB per idle socket), after closing {after} KiB",
            (open as f64 - before as f64) / n as f64
        );
    }
    Ok(())
}

/// VmRSS with every token's socket open, and after they all closed.
async fn open_and_close(base: &str, pid: u32, tokens: &[String]) -> Result<(u64, u64)> {
    let ws_base = base.replace("http://", "ws://");
    let mut sockets = Vec::with_capacity(tokens.len());
    for t in tokens {
        let (mut ws, _) = connect_async(format!("{ws_base}/api/v1/ws?token={t}")).await?;
        // The hello frame: the server has registered the socket.
        ws.next().await.context("no hello")??;
        sockets.push(ws);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let open = rss_kib(pid)?;
    drop(sockets);
    tokio::time::sleep(Duration::from_secs(2)).await;
    Ok((open, rss_kib(pid)?))
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    line.split_whitespace().nth(1).context("no figure")?.parse().context("not a number")
}
