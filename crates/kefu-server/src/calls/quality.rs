//! Calls' quality timelines and the media gauges of `/metrics`: each participant's periodic
//! figures from the media server (every 5 s) are stored in its call's timeline and summed into
//! the forwarded bitrate and worst loss. Runs on the media events task; never blocks media.

use std::collections::HashMap;

use kefu_media::{ParticipantId, ParticipantStats};
use kefu_store::{CallQualityRow, Store};

use crate::clock::now_ms;
use crate::metrics::Metrics;

/// The recorder: the store for timelines, the metrics, and each participant's latest figures.
pub struct Quality {
    store: Store,
    metrics: Metrics,
    latest: HashMap<ParticipantId, (u64, u64, f32)>,
}

impl Quality {
    pub fn new(store: Store, metrics: Metrics) -> Quality {
        Quality { store, metrics, latest: HashMap::new() }
    }

    /// One participant's figures: a timeline row for `call`, and the gauges again.
    pub async fn record(&mut self, call: i64, side: &'static str, s: &ParticipantStats) {
        let row = row(call, side, now_ms(), s);
        if let Err(e) = self.store.add_call_quality(&row).await {
            tracing::warn!(call, error = ?e, "could not store a quality reading");
        } else {
            self.metrics.media_quality_samples.inc();
        }
        self.latest.insert(s.participant, (s.egress_bps, s.ingress_bps, s.egress_loss.unwrap_or(0.0)));
        self.publish();
    }

    /// The participant left: it no longer counts in the gauges.
    pub fn forget(&mut self, participant: ParticipantId) {
        self.latest.remove(&participant);
        self.publish();
    }

    fn publish(&self) {
        let sum = |f: fn(&(u64, u64, f32)) -> u64| self.latest.values().map(f).sum::<u64>();
        self.metrics.media_forwarded_bps.set(i64::try_from(sum(|v| v.0)).unwrap_or(i64::MAX));
        self.metrics.media_received_bps.set(i64::try_from(sum(|v| v.1)).unwrap_or(i64::MAX));
        let worst = self.latest.values().map(|v| v.2).fold(0.0f32, f32::max);
        self.metrics.media_loss_ppm.set((f64::from(worst.clamp(0.0, 1.0)) * 1e6) as i64);
    }
}

/// The stored form of one reading.
pub fn row(call: i64, side: &str, at: i64, s: &ParticipantStats) -> CallQualityRow {
    let video = s.forwarded_video.as_ref();
    let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    CallQualityRow {
        call_id: call,
        side: side.to_string(),
        at,
        bitrate_in_bps: int(s.ingress_bps),
        bitrate_out_bps: int(s.egress_bps),
        loss_in: s.ingress_loss.map(f64::from),
        loss_out: s.egress_loss.map(f64::from),
        rtt_ms: s.rtt.map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        estimate_bps: s.estimate_bps.map(int),
        video_rid: video.and_then(|v| v.rid.clone()),
        video_width: video.and_then(|v| v.width).map(i64::from),
        video_height: video.and_then(|v| v.height).map(i64::from),
        video_fps: video.map(|v| f64::from(v.fps)),
        published_rids: (!s.published_rids.is_empty()).then(|| s.published_rids.join(",")),
    }
}
