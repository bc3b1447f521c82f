//! `media-load`: N concurrent 1:1 video calls through a real kefu; prints the report table (or
//! JSON). See tools/media-load/README.md.
//!
//! `cargo build --release -p media-load -p kefu-server && target/release/media-load --calls 50`

use std::time::Duration;

use anyhow::Result;
use clap::Parser;
use media_load::Options;

#[derive(Parser, Debug)]
#[command(about = "Media load: N 1:1 video calls through kefu, str0m clients in RTP mode")]
struct Args {
    /// Concurrent 1:1 video calls (two participants each).
    #[arg(long, default_value_t = 10)]
    calls: usize,
    /// Seconds measured once every participant has media.
    #[arg(long, default_value_t = 10.0)]
    secs: f64,
    /// Seconds between all media flowing and the measured window (the server's bandwidth
    /// estimate starts at 300 kbit/s and holds video back for the first seconds).
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Milliseconds between one call joining media and the next.
    #[arg(long, default_value_t = 20)]
    join_interval_ms: u64,
    /// The kefu binary to start (fresh data dir, demo organisation).
    #[arg(long, default_value = "target/release/kefu")]
    kefu: String,
    /// Use a running demo-data server instead of starting one, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: Option<String>,
    /// The running server's process id (CPU and memory figures need it).
    #[arg(long)]
    server_pid: Option<u32>,
    #[arg(long, default_value = "admin@demo.kefu")]
    admin_email: String,
    #[arg(long, default_value = "demo-admin")]
    admin_password: String,
    /// Worker threads of the tool's clients.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// The started server's media worker threads (`media_threads`; default: the server's, 1).
    #[arg(long)]
    media_threads: Option<usize>,
    /// More lines for the started server's kefu.toml, e.g. "media_rtx_cache_ms = 500".
    #[arg(long, default_value = "")]
    server_config: String,
    /// Each publisher's video bitrate.
    #[arg(long, default_value_t = 1000)]
    video_kbps: u32,
    /// Video frames per second.
    #[arg(long, default_value_t = 30)]
    fps: u32,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let options = Options {
        kefu: args.kefu,
        url: args.url,
        server_pid: args.server_pid,
        admin_email: args.admin_email,
        admin_password: args.admin_password,
        calls: args.calls,
        secs: args.secs,
        warmup_secs: args.warmup,
        join_interval: Duration::from_millis(args.join_interval_ms),
        client_threads: args.threads,
        media_threads: args.media_threads,
        server_config: args.server_config,
        video_kbps: args.video_kbps,
        fps: args.fps,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(args.threads.max(1)).enable_all().build()?;
    let report = runtime.block_on(media_load::run(&options))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}
