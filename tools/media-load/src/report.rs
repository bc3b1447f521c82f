//! What a run found, as a table for people and JSON for scripts, with the targets.

use serde_json::{json, Value};

/// Targets from issue 6 (for a 2-core machine).
pub const TARGET_PPS_PER_CORE: f64 = 100_000.0;
pub const TARGET_MB_PER_STREAM: f64 = 0.2;
pub const TARGET_JOIN_MEDIAN_MS: f64 = 30.0;

/// Medians of a participant's signalling steps, in ms since its own `call.join`.
#[derive(Debug, Default, Clone)]
pub struct Phases {
    pub answer: Option<f64>,
    pub connected: Option<f64>,
    pub offer: Option<f64>,
    pub first_packet: Option<f64>,
    pub first_video: Option<f64>,
}

/// The figures of one run.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub calls: usize,
    pub participants: usize,
    /// Streams subscribed to: each participant receives the other's audio and video.
    pub streams: usize,
    pub window_secs: f64,
    pub client_threads: usize,
    pub video_kbps: u32,
    pub fps: u32,
    /// Forwarded packets received by subscribers, per second.
    pub audio_pps: f64,
    pub video_pps: f64,
    /// RTP payload bits per second received by subscribers.
    pub bps: f64,
    /// Packets published per second.
    pub sent_pps: f64,
    /// Fraction of packets the subscribers' sequence numbers show missing.
    pub loss: f64,
    pub keyframes_sent: u64,
    pub send_errors: u64,
    pub server_pid: Option<u32>,
    pub server_cpu_secs: Option<f64>,
    /// Datagrams the kernel dropped at the server's full UDP receive buffers in the window.
    pub server_udp_drops: Option<u64>,
    /// The `kefu-media` thread's share of it.
    pub media_thread_cpu_secs: Option<f64>,
    pub rss_idle_mb: Option<f64>,
    pub rss_signalled_mb: Option<f64>,
    pub rss_media_mb: Option<f64>,
    /// The anonymous part of the RSS (heap, stacks) at the same two points.
    pub anon_signalled_mb: Option<f64>,
    pub anon_media_mb: Option<f64>,
    /// Join -> first forwarded packet, ms, one per participant that got one.
    pub join_to_first_ms: Vec<f64>,
    pub phases: Phases,
    pub tool_cpu_secs: f64,
    /// Participants whose task failed (the first errors are in `errors`).
    pub failed: usize,
    pub errors: Vec<String>,
}

/// The `q` quantile (0..=1) of `v`, nearest rank.
pub fn quantile(v: &[f64], q: f64) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    Some(s[((s.len() - 1) as f64 * q).round() as usize])
}

impl Report {
    pub fn forwarded_pps(&self) -> f64 {
        self.audio_pps + self.video_pps
    }
    /// Server CPU microseconds per forwarded packet (receiving it and sending it on included).
    pub fn cpu_us_per_packet(&self) -> Option<f64> {
        let packets = self.forwarded_pps() * self.window_secs;
        self.server_cpu_secs.filter(|_| packets > 0.0).map(|s| s * 1e6 / packets)
    }
    /// Forwarded packets per second one core would carry at this cost.
    pub fn pps_per_core(&self) -> Option<f64> {
        self.cpu_us_per_packet().filter(|us| *us > 0.0).map(|us| 1e6 / us)
    }
    /// Server memory the media added: anonymous RSS (heap, stacks) with media minus with the
    /// calls signalled. File-backed pages (the binary's code paged in when media starts, ~3 MB
    /// whatever the number of calls) are not memory per stream; without `RssAnon`, all of RSS.
    fn media_mb(&self) -> Option<f64> {
        match (self.anon_media_mb, self.anon_signalled_mb) {
            (Some(media), Some(signalled)) => Some(media - signalled),
            _ => self.media_rss_mb(),
        }
    }
    /// All resident memory the media added, file-backed pages included.
    fn media_rss_mb(&self) -> Option<f64> {
        Some(self.rss_media_mb? - self.rss_signalled_mb?)
    }
    pub fn mb_per_participant(&self) -> Option<f64> {
        self.media_mb().map(|m| m / self.participants.max(1) as f64)
    }
    pub fn mb_per_stream(&self) -> Option<f64> {
        self.media_mb().map(|m| m / self.streams.max(1) as f64)
    }
    /// Per subscribed stream counting all of RSS (the figure before file-backed pages were left out).
    pub fn rss_mb_per_stream(&self) -> Option<f64> {
        self.media_rss_mb().map(|m| m / self.streams.max(1) as f64)
    }

    pub fn json(&self) -> Value {
        json!({
            "calls": self.calls, "participants": self.participants, "subscribed_streams": self.streams,
            "window_secs": self.window_secs, "client_threads": self.client_threads,
            "video_kbps": self.video_kbps, "fps": self.fps,
            "forwarded_pps": self.forwarded_pps(), "audio_pps": self.audio_pps, "video_pps": self.video_pps,
            "forwarded_bps": self.bps, "sent_pps": self.sent_pps, "loss": self.loss,
            "keyframes_sent": self.keyframes_sent, "send_errors": self.send_errors,
            "server_pid": self.server_pid, "server_cpu_secs": self.server_cpu_secs,
            "media_thread_cpu_secs": self.media_thread_cpu_secs, "server_udp_drops": self.server_udp_drops,
            "cpu_us_per_forwarded_packet": self.cpu_us_per_packet(), "pps_per_core": self.pps_per_core(),
            "rss_idle_mb": self.rss_idle_mb, "rss_signalled_mb": self.rss_signalled_mb, "rss_media_mb": self.rss_media_mb,
            "anon_signalled_mb": self.anon_signalled_mb, "anon_media_mb": self.anon_media_mb,
            "rss_mb_per_subscribed_stream": self.rss_mb_per_stream(),
            "mb_per_participant": self.mb_per_participant(), "mb_per_subscribed_stream": self.mb_per_stream(),
            "join_to_first_packet_ms": {
                "n": self.join_to_first_ms.len(), "median": quantile(&self.join_to_first_ms, 0.5),
                "p95": quantile(&self.join_to_first_ms, 0.95), "max": quantile(&self.join_to_first_ms, 1.0),
                "phases_median_ms": {
                    "answer": self.phases.answer, "connected": self.phases.connected, "server_offer": self.phases.offer,
                    "first_packet": self.phases.first_packet, "first_video": self.phases.first_video,
                },
            },
            "tool_cpu_secs": self.tool_cpu_secs, "failed": self.failed, "errors": self.errors,
        })
    }

    pub fn table(&self) -> String {
        let w = self.window_secs;
        let mut out = format!(
            "media-load: {} calls = {} participants publishing audio + video, {} subscribed streams; {w:.1} s window\n\
             \x20 clients: {} worker threads; video {} kbit/s at {} fps (synthetic VP8), audio 50 packets/s\n",
            self.calls, self.participants, self.streams, self.client_threads, self.video_kbps, self.fps
        );
        out += "forwarded (as received by subscribers)\n";
        out += &format!(
            "  packets/s      {:>10.0}   (audio {:.0}, video {:.0}); published {:.0}/s\n",
            self.forwarded_pps(),
            self.audio_pps,
            self.video_pps,
            self.sent_pps
        );
        out += &format!("  Mbit/s         {:>10.1}   (RTP payload)\n", self.bps / 1e6);
        out += &format!("  loss           {:>9.2} %   keyframes sent {}\n", self.loss * 100.0, self.keyframes_sent);
        match (self.server_pid, self.server_cpu_secs) {
            (Some(pid), Some(cpu)) => {
                let media = self.media_thread_cpu_secs.map(|m| format!(" (media thread {:.1} %)", m / w * 100.0)).unwrap_or_default();
                out += &format!("server (pid {pid})\n  CPU            {cpu:>10.2} s  = {:.1} % of a core{media}\n", cpu / w * 100.0);
                if let Some(drops) = self.server_udp_drops {
                    out += &format!("  UDP drops      {drops:>10}   (datagrams the kernel dropped at the server's full receive buffer)\n");
                }
            }
            _ => out += "server: no pid, no CPU or memory figures\n",
        }
        if let (Some(us), Some(pps)) = (self.cpu_us_per_packet(), self.pps_per_core()) {
            out += &format!(
                "  CPU/packet     {us:>10.2} µs -> {pps:.0} forwarded packets/s per core  [target >= {TARGET_PPS_PER_CORE:.0}: {}]\n",
                verdict(pps >= TARGET_PPS_PER_CORE)
            );
        }
        if let (Some(idle), Some(sig), Some(media)) = (self.rss_idle_mb, self.rss_signalled_mb, self.rss_media_mb) {
            out += &format!("  RSS            idle {idle:.1} MB, calls signalled {sig:.1} MB, with media {media:.1} MB\n");
            if let (Some(sig), Some(media), Some(all)) = (self.anon_signalled_mb, self.anon_media_mb, self.rss_mb_per_stream()) {
                out += &format!(
                    "  anonymous RSS  calls signalled {sig:.1} MB, with media {media:.1} MB  (all of RSS: {all:.3} MB per subscribed stream)\n"
                );
            }
        }
        if let (Some(p), Some(s)) = (self.mb_per_participant(), self.mb_per_stream()) {
            out += &format!(
                "  memory         {p:>10.3} MB per participant, {s:.3} MB per subscribed stream  [target <= {TARGET_MB_PER_STREAM}: {}]\n",
                verdict(s <= TARGET_MB_PER_STREAM)
            );
        }
        let j = &self.join_to_first_ms;
        out += &format!("join -> first forwarded packet (n = {} of {})\n", j.len(), self.participants);
        if let (Some(med), Some(p95), Some(max)) = (quantile(j, 0.5), quantile(j, 0.95), quantile(j, 1.0)) {
            out += &format!(
                "  median {med:.1} ms, p95 {p95:.1} ms, max {max:.1} ms  [target < {TARGET_JOIN_MEDIAN_MS} ms median: {}]\n",
                verdict(med < TARGET_JOIN_MEDIAN_MS)
            );
        }
        let ms = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.1} ms"));
        let p = &self.phases;
        out += &format!(
            "  steps (median, since own call.join): answer {}, ICE+DTLS up {}, server offer {}, first packet {}, first video {}\n",
            ms(p.answer),
            ms(p.connected),
            ms(p.offer),
            ms(p.first_packet),
            ms(p.first_video)
        );
        out += &format!(
            "tool\n  CPU            {:>10.2} s  = {:.1} % of a core; send errors {}; failed participants {}\n",
            self.tool_cpu_secs,
            self.tool_cpu_secs / w * 100.0,
            self.send_errors,
            self.failed
        );
        for e in &self.errors {
            out += &format!("  error: {e}\n");
        }
        out
    }
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_figures_follow_from_the_counts() {
        let r = Report {
            participants: 4,
            streams: 8,
            window_secs: 10.0,
            audio_pps: 200.0,
            video_pps: 800.0,
            server_cpu_secs: Some(0.05),
            rss_signalled_mb: Some(30.0),
            rss_media_mb: Some(31.6),
            anon_signalled_mb: Some(20.0),
            anon_media_mb: Some(21.2),
            join_to_first_ms: vec![40.0, 10.0, 20.0, 30.0],
            ..Report::default()
        };
        assert_eq!(r.cpu_us_per_packet(), Some(5.0));
        assert_eq!(r.pps_per_core(), Some(200_000.0));
        // Anonymous memory only: the file-backed pages the media paged in are no stream's.
        assert!((r.mb_per_stream().unwrap() - 0.15).abs() < 1e-9);
        assert!((r.rss_mb_per_stream().unwrap() - 0.2).abs() < 1e-9);
        let without_anon = Report { anon_media_mb: None, ..r.clone() };
        assert!((without_anon.mb_per_stream().unwrap() - 0.2).abs() < 1e-9, "all of RSS when RssAnon is unknown");
        assert_eq!(quantile(&r.join_to_first_ms, 0.5), Some(30.0));
        assert!(r.table().contains("200000 forwarded packets/s per core  [target >= 100000: met]"), "{}", r.table());
        assert_eq!(r.json()["pps_per_core"], 200_000.0);
    }
}
