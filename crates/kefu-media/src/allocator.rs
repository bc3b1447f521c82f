//! The per-subscriber layer allocator: which simulcast layer of each video track a subscriber
//! receives, from its bandwidth estimate and the layers' bitrates. Pure: figures and time in,
//! choices out; the [`crate::room::Room`] applies them and the forwarder switches at keyframes.
//!
//! Rules: the best layer that fits the budget (the estimate less the audio it receives), a
//! screen share served before cameras; nothing (video paused, audio goes on) when even the
//! lowest layer does not fit. Down at once; up only with headroom (a resume from a pause with
//! less than the whole lowest layer) and not right after a switch down, so a noisy estimate
//! does not make the subscriber flap between layers (each switch costs a keyframe). Video that
//! flows pauses only when the budget stays well short of its lowest layer
//! ([`KEEP_LOWEST_PERCENT`], [`PAUSE_AFTER`]), not on every dip of the estimate.

use std::time::{Duration, Instant};

use crate::forward::Layer;
use crate::ids::{TrackId, TrackKind};

/// An up-switch needs this much room, in percent of the layer's bitrate.
pub const UP_HEADROOM_PERCENT: u64 = 115;

/// After a switch down (or a pause), no switch up for this long.
pub const UP_HOLD: Duration = Duration::from_secs(2);

/// Paused (or not yet started) video resumes at its lowest layer when the budget holds this
/// share of the layer's rate, in percent (and [`UP_HOLD`] has passed since the pause). Under
/// 100: while paused, padding fills the link up to the estimate (see [`probe`]), so the link
/// already carries the whole estimate; media in its place adds only what the layer and the
/// audio exceed it by. Asking for the layer with headroom, as an up-switch does, a subscriber
/// paused on a 300 kbit/s link with 5% loss stayed paused: its estimate (audio and padding,
/// held by the loss) settled at 175–215 kbit/s, short of the 230 kbit/s that a 150 kbit/s layer
/// with headroom and 50 kbit/s of audio asked for — the 2 fps of
/// e2e/tests/call-weak-network.spec.ts in the whole suite (sfu_weak_link_tests.rs).
pub const RESUME_LOWEST_PERCENT: u64 = 80;

/// Video that flows keeps its lowest layer while the budget holds this share of the layer's
/// rate, in percent; below it for [`PAUSE_AFTER`], the video pauses. The hysteresis between a
/// pause and a resume is this share against [`RESUME_LOWEST_PERCENT`]. The estimate swings
/// around what is sent, by a third and more on a lossy link, and a pause costs a freeze and a
/// keyframe to resume; while paused, only audio and probes measure the link, so the estimate
/// climbs back slowly. Pausing as soon as the lowest layer did not fit, a subscriber whose link carries it
/// (300 kbit/s, 5% loss, 100 ms) flapped between it and a pause and decoded ~6 frames per second
/// instead of the layer's ~25 (e2e/tests/call-weak-network.spec.ts).
pub const KEEP_LOWEST_PERCENT: u64 = 50;

/// How long the budget must stay short of [`KEEP_LOWEST_PERCENT`] of flowing video's lowest
/// layer before the video pauses.
pub const PAUSE_AFTER: Duration = Duration::from_secs(2);

/// What a subscribed audio track is counted for before it is measured.
pub const AUDIO_RATE: u64 = 40_000;

/// A layer's bitrate before it is measured (it has not arrived yet, or is paused at the
/// publisher and was never seen): 720p simulcast as Kefu's clients cap it (`cameraEncodings`
/// in @kefu/realtime), lowest first.
pub fn nominal_rate(layers: usize, layer: Layer) -> u64 {
    const SIMULCAST: [u64; 3] = [100_000, 500_000, 1_500_000];
    if layers <= 1 {
        return 800_000;
    }
    // The top layer is the last one whatever the count.
    let from_top = layers - 1 - usize::from(layer);
    SIMULCAST.get(SIMULCAST.len().saturating_sub(1 + from_top)).copied().unwrap_or(SIMULCAST[0])
}

/// One video track a subscriber receives.
#[derive(Clone, Debug, PartialEq)]
pub struct Demand {
    /// Which.
    pub track: TrackId,
    /// Camera or screen (a screen is served first).
    pub kind: TrackKind,
    /// Bits per second of each layer, lowest first (one entry without simulcast).
    pub rates: Vec<u64>,
    /// The layer it receives now; `None`: paused or not started.
    pub current: Option<Layer>,
}

/// The layer of each demand (in the demands' order) for a subscriber whose budget is `budget`
/// bits per second (`None`: unknown, no limit).
///
/// A chosen layer fits what is left of the budget, except the lowest layer of a track: kept,
/// once it flows, while [`KEEP_LOWEST_PERCENT`] of it fits (and whatever the budget unless
/// `may_pause`); resumed or started when [`RESUME_LOWEST_PERCENT`] of it fits. Above the current
/// layer it must fit with [`UP_HEADROOM_PERCENT`]; any layer above the current one (a resume
/// too) needs `may_go_up`.
pub fn choose(budget: Option<u64>, demands: &[Demand], may_go_up: bool, may_pause: bool) -> Vec<Option<Layer>> {
    let mut order: Vec<usize> = (0..demands.len()).collect();
    order.sort_by_key(|&i| (demands[i].kind != TrackKind::Screen, demands[i].track));
    let mut left = budget;
    let mut chosen = vec![None; demands.len()];
    for i in order {
        let d = &demands[i];
        let pick = (0..d.rates.len()).rev().find(|&layer| {
            let rate = d.rates[layer];
            let up = d.current.is_none_or(|current| layer > usize::from(current));
            let needs = match (up, layer) {
                (false, _) => rate,
                (true, 0) => rate.saturating_mul(RESUME_LOWEST_PERCENT) / 100,
                (true, _) => rate.saturating_mul(UP_HEADROOM_PERCENT) / 100,
            };
            left.is_none_or(|left| needs <= left) && (!up || may_go_up)
        });
        let keep_lowest = || {
            let lowest = *d.rates.first()?;
            let nearly = left.is_none_or(|left| lowest.saturating_mul(KEEP_LOWEST_PERCENT) / 100 <= left);
            (d.current.is_some() && (nearly || !may_pause)).then_some(0)
        };
        if let Some(layer) = pick.or_else(keep_lowest) {
            left = left.map(|left| left.saturating_sub(d.rates[layer]));
            chosen[i] = Some(layer as Layer);
        }
    }
    chosen
}

/// One subscriber's budget: its estimate, when it last went down, and since when it has been
/// too short for video that flows.
#[derive(Clone, Debug, Default)]
pub struct Budget {
    /// The bandwidth estimate towards the subscriber, bits per second; `None` until the
    /// estimator has one (then no limit applies). It decides everything but how far down
    /// flowing video goes.
    pub estimate: Option<u64>,
    /// A faster, lower figure (str0m's raw estimate, or what got through a lossy second; see
    /// `estimate.rs`), if there is one: flowing video steps down to the layer it carries at
    /// once, but it never pauses nor holds back a resume. The raw estimate of a link that just
    /// narrowed falls to str0m's floor (40 kbit/s) for seconds: taken for everything, it paused
    /// the video of e2e/tests/call-weak-network.spec.ts for half a minute.
    pub fast: Option<u64>,
    last_down: Option<Instant>,
    short_since: Option<Instant>,
}

impl Budget {
    /// Choose the subscriber's layers at `now`; `audio` is what its audio tracks take.
    pub fn allocate(&mut self, now: Instant, audio: u64, demands: &[Demand]) -> Vec<Option<Layer>> {
        let may_go_up = self.last_down.is_none_or(|at| now >= at + UP_HOLD);
        let budget = self.estimate.map(|e| e.saturating_sub(audio));
        let mut chosen = choose(budget, demands, may_go_up, true);
        let pauses = chosen.iter().zip(demands).any(|(c, d)| c.is_none() && d.current.is_some());
        if !pauses {
            self.short_since = None;
        } else if now < *self.short_since.get_or_insert(now) + PAUSE_AFTER {
            chosen = choose(budget, demands, may_go_up, false);
        }
        if let Some(fast) = self.fast.filter(|f| self.estimate.is_none_or(|e| *f < e)) {
            let lower = choose(Some(fast.saturating_sub(audio)), demands, may_go_up, false);
            for (c, l) in chosen.iter_mut().zip(lower) {
                if let Some(layer) = c {
                    *layer = (*layer).min(l.unwrap_or(0));
                }
            }
        }
        if chosen.iter().zip(demands).any(|(c, d)| *c < d.current) {
            self.last_down = Some(now);
        }
        chosen
    }
}

/// What the estimator towards a subscriber should probe for, given what was chosen: the
/// minimum is the rate of one step up (padding fills the gap, so the estimate can grow to
/// it), the desired rate every track's top layer with the headroom an up-switch needs.
/// Bits per second.
pub fn probe(audio: u64, demands: &[Demand], chosen: &[Option<Layer>]) -> (u64, u64) {
    let rate = |d: &Demand, layer: Option<Layer>| layer.map_or(0, |l| d.rates[usize::from(l)]);
    let sending: u64 = demands.iter().zip(chosen).map(|(d, c)| rate(d, *c)).sum();
    let tops: u64 = demands.iter().map(|d| d.rates.last().copied().unwrap_or(0)).sum();
    let desired = audio + tops * UP_HEADROOM_PERCENT / 100;
    let step = demands
        .iter()
        .zip(chosen)
        .filter_map(|(d, c)| {
            let next = c.map_or(0, |l| l + 1);
            let up = d.rates.get(usize::from(next))?;
            Some(up - rate(d, *c).min(*up))
        })
        .min()
        .unwrap_or(0);
    let minimum = (audio + sending + step * UP_HEADROOM_PERCENT / 100).min(desired);
    (minimum, desired)
}

#[cfg(test)]
#[path = "allocator_tests.rs"]
mod tests;
