//! Prometheus metrics (`/metrics`), all named `kefu_*`. A small registry per application instance
//! (not a process-global recorder), so tests can run several servers in one process.

use std::fmt::Write;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// A counter or gauge.
#[derive(Default, Debug)]
pub struct Value(AtomicI64);

impl Value {
    /// Add one.
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
    /// Take one.
    pub fn dec(&self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
    /// Set (a gauge read from elsewhere).
    pub fn set(&self, v: i64) {
        self.0.store(v, Ordering::Relaxed);
    }
    /// Read.
    pub fn get(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// Every metric the server keeps itself; queue figures are read live from the router.
#[derive(Default, Debug)]
pub struct MetricsInner {
    pub ws_connections: Value,
    /// 1 while this node owns the router (always on a single node; the lease holder in a cluster).
    pub routing_owner: Value,
    pub messages: Value,
    /// Transactions that stored messages (group commit: one holds many messages under load).
    pub message_batches: Value,
    pub offers: Value,
    /// Transactions that stored offers (a burst of offers shares one).
    pub offer_batches: Value,
    pub assignments: Value,
    pub abandoned: Value,
    pub conversations_created: Value,
    /// Transactions that stored conversation starts (group commit: many starts share one).
    pub start_batches: Value,
    pub webhook_deliveries: Value,
    pub webhook_failures: Value,
    pub calls_active: Value,
    /// Bits per second the SFU sends to all participants (their latest stats).
    pub media_forwarded_bps: Value,
    /// Bits per second the SFU receives from all participants.
    pub media_received_bps: Value,
    /// The worst packet loss towards a participant, in parts per million (rendered as a ratio).
    pub media_loss_ppm: Value,
    /// Quality readings taken (each stored in a call's timeline).
    pub media_quality_samples: Value,
    /// Administrative changes whose audit entry could not be written.
    pub audit_failures: Value,
}

/// Shared handle.
pub type Metrics = Arc<MetricsInner>;

/// Per-group live figures.
pub struct GroupFigures {
    pub name: String,
    pub waiting: u32,
    pub longest_wait_secs: u32,
    pub agents_ready: u32,
}

/// Render the Prometheus text format.
pub fn render(m: &MetricsInner, groups: &[GroupFigures]) -> String {
    let mut out = String::new();
    let mut one = |name: &str, kind: &str, help: &str, v: i64| {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {v}");
    };
    one("kefu_websocket_connections", "gauge", "Open WebSocket connections.", m.ws_connections.get());
    one("kefu_routing_owner", "gauge", "1 while this node owns routing (holds the routing lease).", m.routing_owner.get());
    one("kefu_messages_total", "counter", "Messages stored and delivered.", m.messages.get());
    one(
        "kefu_message_transactions_total",
        "counter",
        "Transactions that stored sent messages (group commit: many messages share one under load).",
        m.message_batches.get(),
    );
    one("kefu_conversations_created_total", "counter", "Conversations created.", m.conversations_created.get());
    one(
        "kefu_start_transactions_total",
        "counter",
        "Transactions that stored conversation starts (group commit: many starts share one under load).",
        m.start_batches.get(),
    );
    one("kefu_offers_total", "counter", "Offers made to agents.", m.offers.get());
    one(
        "kefu_offer_transactions_total",
        "counter",
        "Transactions that stored offers (a burst of offers, agents going ready in front of a line, shares one).",
        m.offer_batches.get(),
    );
    one("kefu_assignments_total", "counter", "Offers accepted.", m.assignments.get());
    one("kefu_abandoned_total", "counter", "Conversations given up while waiting.", m.abandoned.get());
    one("kefu_webhook_deliveries_total", "counter", "Webhook deliveries that succeeded.", m.webhook_deliveries.get());
    one("kefu_webhook_failures_total", "counter", "Webhook attempts that failed.", m.webhook_failures.get());
    one("kefu_calls_active", "gauge", "Calls answered and not ended.", m.calls_active.get());
    one(
        "kefu_media_forwarded_bitrate_bps",
        "gauge",
        "Bits per second the SFU forwards to all call participants.",
        m.media_forwarded_bps.get(),
    );
    one(
        "kefu_media_received_bitrate_bps",
        "gauge",
        "Bits per second the SFU receives from all call participants.",
        m.media_received_bps.get(),
    );
    one("kefu_media_quality_samples_total", "counter", "Quality readings stored in calls' timelines.", m.media_quality_samples.get());
    one(
        "kefu_audit_failures_total",
        "counter",
        "Administrative changes whose audit log entry could not be written.",
        m.audit_failures.get(),
    );
    let loss = m.media_loss_ppm.get() as f64 / 1e6;
    let _ = writeln!(
        out,
        "# HELP kefu_media_packet_loss_ratio Worst packet loss (0..1) towards a call participant, as it reports.\n# TYPE kefu_media_packet_loss_ratio gauge\nkefu_media_packet_loss_ratio {loss}"
    );
    type Gauge = (&'static str, &'static str, fn(&GroupFigures) -> u32);
    let labelled: [Gauge; 3] = [
        ("kefu_queue_waiting", "Conversations waiting in a skill group.", |g| g.waiting),
        ("kefu_queue_longest_wait_seconds", "Longest current wait in a skill group.", |g| g.longest_wait_secs),
        ("kefu_agents_ready", "Ready agents in a skill group.", |g| g.agents_ready),
    ];
    for (name, help, get) in labelled {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for g in groups {
            let label = g.name.replace('\\', "\\\\").replace('"', "\\\"");
            let _ = writeln!(out, "{name}{{group=\"{label}\"}} {}", get(g));
        }
    }
    out
}
