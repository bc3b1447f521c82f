//! Media load tool: N concurrent 1:1 video calls through a real `kefu`, set up through its public
//! API (visitors start video-service conversations, agents accept), each side a str0m client in
//! RTP mode replaying pre-generated audio and VP8 ([`media`]) and receiving the other's.
//! It reports forwarded packets and bits per second, server CPU time per forwarded packet, server
//! memory per participant and per subscribed stream, and time from join to first forwarded
//! packet. Traffic goes to loopback only.

pub mod client;
pub mod media;
pub mod procfs;
pub mod report;
pub mod setup;

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, Result};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use ws_load::Server;

use crate::client::{Counters, Seat, Timeline};
use crate::media::Source;
use crate::report::{quantile, Phases, Report};

/// What a run does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `kefu` binary to start (with a fresh data dir and the demo organisation), unless
    /// `url` names a running one.
    pub kefu: String,
    /// A running server with the demo organisation (admin sign-in, group 1, business type 1).
    pub url: Option<String>,
    /// The running server's process id, for CPU and memory figures.
    pub server_pid: Option<u32>,
    pub admin_email: String,
    pub admin_password: String,
    pub calls: usize,
    /// The measured window, after every participant has media and `warmup`.
    pub secs: f64,
    pub warmup_secs: f64,
    /// Pause between one call joining media and the next.
    pub join_interval: Duration,
    /// The client runtime's worker threads (reported only; the caller builds the runtime).
    pub client_threads: usize,
    /// The started server's `media_threads` (`None`: its default, one per core).
    pub media_threads: Option<usize>,
    /// More lines for the started server's kefu.toml (e.g. `media_rtx_cache_ms = 500`).
    pub server_config: String,
    pub video_kbps: u32,
    pub fps: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            kefu: "target/release/kefu".into(),
            url: None,
            server_pid: None,
            admin_email: "admin@demo.kefu".into(),
            admin_password: "demo-admin".into(),
            calls: 10,
            secs: 10.0,
            warmup_secs: 5.0,
            join_interval: Duration::from_millis(20),
            client_threads: 2,
            media_threads: None,
            server_config: String::new(),
            video_kbps: 1000,
            fps: 30,
        }
    }
}

/// The server's settings for a run: every client comes from 127.0.0.1, media on loopback.
const SERVER_CONFIG: &str = "visitors_per_minute = 1000000\nlogin_attempts_per_minute = 1000000\n\
                             media_udp = \"127.0.0.1:0\"\nmedia_loopback_only = true\n";

/// How long every participant may take to get its first forwarded packet.
const MEDIA_DEADLINE: Duration = Duration::from_secs(30);

struct Seated {
    call: i64,
    counters: Arc<Counters>,
    timeline: Arc<Mutex<Timeline>>,
    task: JoinHandle<Result<()>>,
}

/// Counters summed over participants, with the process readings, at one instant.
struct Snapshot {
    at: Instant,
    server_cpu: Option<f64>,
    media_cpu: Option<f64>,
    tool_cpu: f64,
    server_udp_drops: Option<u64>,
    /// recv audio, recv video, recv bytes, expected, sent packets, keyframes, send errors.
    sums: [u64; 7],
}

impl Snapshot {
    fn take(pid: Option<u32>, seats: &[Seated]) -> Snapshot {
        let mut sums = [0u64; 7];
        for s in seats {
            let c = &s.counters;
            let v = [&c.recv_audio, &c.recv_video, &c.recv_bytes, &c.expected, &c.sent_packets, &c.keyframes_sent, &c.send_errors];
            for (sum, counter) in sums.iter_mut().zip(v) {
                *sum += counter.load(Ordering::Relaxed);
            }
        }
        Snapshot {
            at: Instant::now(),
            server_cpu: pid.and_then(|p| procfs::cpu_secs(p).ok()),
            media_cpu: pid.and_then(|p| procfs::thread_cpu_secs(p, "kefu-media")),
            tool_cpu: procfs::cpu_secs(std::process::id()).unwrap_or(0.0),
            server_udp_drops: pid.and_then(procfs::udp_drops),
            sums,
        }
    }
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Run the load: set up the calls, join their media, measure a window, report.
pub async fn run(o: &Options) -> Result<Report> {
    let own = match &o.url {
        Some(_) => None,
        None => {
            let threads = o.media_threads.map(|n| format!("media_threads = {n}\n")).unwrap_or_default();
            Some(Server::start(&o.kefu, free_port()?, "media-load", &format!("{SERVER_CONFIG}{threads}{}\n", o.server_config)).await?)
        }
    };
    let base = o.url.clone().or_else(|| own.as_ref().map(|s| s.base.clone())).context("no server")?;
    let pid = own.as_ref().map(Server::pid).or(o.server_pid);
    let rss = || pid.and_then(|p| procfs::rss(p).ok());
    let rss_idle = rss();

    let http = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let tag = format!("ml{}", SystemTime::now().duration_since(SystemTime::UNIX_EPOCH)?.as_secs());
    let calls = setup::calls(&http, &base, (&o.admin_email, &o.admin_password), o.calls, &tag).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_signalled = rss();

    let source = Arc::new(Source::new(o.video_kbps, o.fps));
    let (stop, stop_rx) = watch::channel(false);
    let t0 = Instant::now();
    let mut seats = Vec::new();
    let mut hangups = Vec::new();
    for c in calls {
        for ws in [c.visitor, c.agent] {
            let counters = Arc::new(Counters::default());
            let timeline = Arc::new(Mutex::new(Timeline::default()));
            let seat = Seat {
                call: c.id,
                ws,
                source: source.clone(),
                t0,
                counters: counters.clone(),
                timeline: timeline.clone(),
                stop: stop_rx.clone(),
            };
            seats.push(Seated { call: c.id, counters, timeline, task: tokio::spawn(client::run(seat)) });
        }
        hangups.push((c.id, c.agent_token));
        tokio::time::sleep(o.join_interval).await;
    }

    // Every participant has media (or has failed), then the warm-up, then the window.
    let deadline = Instant::now() + MEDIA_DEADLINE;
    while Instant::now() < deadline
        && seats.iter().any(|s| s.timeline.lock().expect("timeline").first_video.is_none() && !s.task.is_finished())
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_secs_f64(o.warmup_secs)).await;
    let a = Snapshot::take(pid, &seats);
    tokio::time::sleep(Duration::from_secs_f64(o.secs)).await;
    let b = Snapshot::take(pid, &seats);
    let rss_media = rss();

    let _ = stop.send(true);
    let mut errors = Vec::new();
    let mut timelines = Vec::new();
    for s in seats {
        match s.task.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("{e:#}")),
            Err(e) => errors.push(format!("a participant's task: {e}")),
        }
        let timeline = *s.timeline.lock().expect("timeline");
        timelines.push((s.call, timeline));
    }
    if o.url.is_some() {
        // A shared server keeps running: free the agents' call slots.
        for (id, token) in &hangups {
            let _ = ws_load::call(&http, &base, "POST", &format!("/api/v1/calls/{id}/hangup"), Some(token), None).await;
        }
    }
    drop(own);

    let window = (b.at - a.at).as_secs_f64();
    let d = |i: usize| b.sums[i].saturating_sub(a.sums[i]);
    let received = d(0) + d(1);
    let (join_to_first_ms, phases) = latencies(&timelines);
    Ok(Report {
        calls: o.calls,
        participants: 2 * o.calls,
        streams: 4 * o.calls,
        window_secs: window,
        client_threads: o.client_threads,
        video_kbps: o.video_kbps,
        fps: o.fps,
        audio_pps: d(0) as f64 / window,
        video_pps: d(1) as f64 / window,
        bps: d(2) as f64 * 8.0 / window,
        sent_pps: d(4) as f64 / window,
        loss: if d(3) > 0 { 1.0 - received as f64 / d(3) as f64 } else { 0.0 }.max(0.0),
        keyframes_sent: b.sums[5],
        send_errors: b.sums[6],
        server_pid: pid,
        server_cpu_secs: b.server_cpu.zip(a.server_cpu).map(|(b, a)| b - a),
        server_udp_drops: b.server_udp_drops.zip(a.server_udp_drops).map(|(b, a)| b.saturating_sub(a)),
        media_thread_cpu_secs: b.media_cpu.zip(a.media_cpu).map(|(b, a)| b - a),
        rss_idle_mb: rss_idle.map(|r| r.total_mb),
        rss_signalled_mb: rss_signalled.map(|r| r.total_mb),
        rss_media_mb: rss_media.map(|r| r.total_mb),
        anon_signalled_mb: rss_signalled.map(|r| r.anon_mb),
        anon_media_mb: rss_media.map(|r| r.anon_mb),
        join_to_first_ms,
        phases,
        tool_cpu_secs: b.tool_cpu - a.tool_cpu,
        failed: errors.len(),
        errors: errors.into_iter().take(5).collect(),
    })
}

/// Join -> first forwarded packet per participant: from the later of its call's two
/// `call.join`s (before it there is nothing to forward) to its first packet. And the median
/// of each signalling step since the participant's own join.
fn latencies(timelines: &[(i64, Timeline)]) -> (Vec<f64>, Phases) {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mut first = Vec::new();
    let mut steps: [Vec<f64>; 5] = Default::default();
    for (call, t) in timelines {
        let Some(join) = t.join else { continue };
        let later_join = timelines.iter().filter(|(c, _)| c == call).filter_map(|(_, t)| t.join).max().unwrap_or(join);
        if let Some(p) = t.first_packet {
            first.push(ms(p.saturating_sub(later_join)));
        }
        for (i, step) in [t.answer, t.connected, t.offer, t.first_packet, t.first_video].into_iter().enumerate() {
            if let Some(at) = step {
                steps[i].push(ms(at.saturating_sub(join)));
            }
        }
    }
    let med = |v: &Vec<f64>| quantile(v, 0.5);
    let phases = Phases {
        answer: med(&steps[0]),
        connected: med(&steps[1]),
        offer: med(&steps[2]),
        first_packet: med(&steps[3]),
        first_video: med(&steps[4]),
    };
    (first, phases)
}
