//! Tests of the forwarder: unit cases, then properties over random packet/target sequences.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;

fn packet(t0: Instant, layer: Layer, seq_no: u64, keyframe: bool, ms: u64) -> Incoming {
    Incoming {
        layer,
        seq_no,
        // Each layer's clock has its own offset, as Chromium's simulcast streams do.
        timestamp: (u32::from(layer) * 1_000_000).wrapping_add(ms as u32 * 90),
        keyframe,
        picture_id: Some((u16::from(layer) * 1000 + seq_no as u16) % PICTURE_ID_MOD),
        tl0_pic_idx: Some(layer * 50),
        at: t0 + Duration::from_millis(ms),
        ticks_per_ms: 90,
    }
}

#[test]
fn video_waits_for_a_target_and_its_keyframe_then_renumbers_from_the_start() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(true, 100);
    assert_eq!(f.forward(&packet(t0, 0, 70_000, true, 0)), None, "no target yet");
    assert!(f.set_target(Some(0)), "a keyframe is needed");
    assert_eq!(f.forward(&packet(t0, 0, 70_001, false, 1)), None, "waits for a keyframe");
    let first = f.forward(&packet(t0, 0, 70_002, true, 2)).expect("the keyframe starts it");
    assert_eq!((first.seq_no, first.switched), (100, true));
    assert_eq!(f.forward(&packet(t0, 0, 70_004, false, 3)).map(|o| o.seq_no), Some(102), "a loss stays a gap");
    assert_eq!(f.forward(&packet(t0, 0, 70_000, false, 4)), None, "from before the start");
    assert!(!f.switch_pending());
}

#[test]
fn audio_starts_at_once() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(false, 5);
    assert_eq!(f.forward(&packet(t0, 0, 9, false, 0)).map(|o| o.seq_no), Some(5));
}

#[test]
fn a_switch_happens_at_the_targets_keyframe_and_continues_every_number() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(true, 1);
    f.set_target(Some(0));
    let low = f.forward(&packet(t0, 0, 500, true, 0)).expect("low layer starts");
    let low2 = f.forward(&packet(t0, 0, 501, false, 33)).expect("low layer goes on");
    assert_eq!(low2.picture_id, low.picture_id.map(|p| p + 1));

    assert!(f.set_target(Some(2)));
    assert_eq!(f.forward(&packet(t0, 2, 9_000, false, 40)), None, "not a keyframe of the target");
    assert!(f.forward(&packet(t0, 0, 502, false, 66)).is_some(), "the low layer goes on meanwhile");
    let high = f.forward(&packet(t0, 2, 9_001, true, 100)).expect("switch on the keyframe");
    assert!(high.switched);
    assert_eq!(high.seq_no, low.seq_no + 3, "sequence numbers continue");
    let low3_ts = packet(t0, 0, 502, false, 66).timestamp;
    assert_eq!(high.timestamp, low3_ts + 34 * 90, "timestamps continue by the time that passed");
    assert_eq!(high.picture_id, Some(low.picture_id.expect("has one") + 3), "picture ids continue");
    assert_eq!(high.tl0_pic_idx, Some(1), "TL0PICIDX continues");
    assert_eq!(f.forward(&packet(t0, 0, 503, false, 100)), None, "the old layer stops");
    assert_eq!(f.current(), Some(2));
}

#[test]
fn pausing_stops_video_at_once_and_resuming_waits_for_a_keyframe() {
    let t0 = Instant::now();
    let mut f = Forwarder::new(true, 1);
    f.set_target(Some(1));
    assert!(f.forward(&packet(t0, 1, 10, true, 0)).is_some());
    assert!(!f.set_target(None));
    assert_eq!(f.forward(&packet(t0, 1, 11, false, 10)), None);
    f.set_target(Some(1));
    assert_eq!(f.forward(&packet(t0, 1, 12, false, 20)), None);
    assert_eq!(f.forward(&packet(t0, 1, 13, true, 30)).map(|o| o.seq_no), Some(2), "resumes after the last number");
}

/// One step of a random scenario.
#[derive(Clone, Debug)]
enum Step {
    Packet { layer: Layer, keyframe: bool, reorder: bool },
    Target(Option<Layer>),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        8 => (0..3u8, prop::bool::weighted(0.1), prop::bool::weighted(0.05))
            .prop_map(|(layer, keyframe, reorder)| Step::Packet { layer, keyframe, reorder }),
        1 => prop::option::of(0..3u8).prop_map(Step::Target),
    ]
}

proptest! {
    /// Whatever the packets and targets: one layer at a time reaches the subscriber, a layer
    /// starts only at its keyframe and only when it is the target, nothing flows while paused,
    /// and the subscriber's sequence numbers are never reused.
    #[test]
    fn one_layer_at_a_time_switching_only_at_keyframes(steps in prop::collection::vec(step(), 1..400)) {
        let t0 = Instant::now();
        let mut f = Forwarder::new(true, 1000);
        let mut seqs = [10_000u64, 20_000, 30_000];
        let mut delivered_layer: Option<Layer> = None;
        let mut used = HashSet::new();
        let mut highest = None;
        for (i, s) in steps.iter().enumerate() {
            match *s {
                Step::Target(t) => { f.set_target(t); if t.is_none() { delivered_layer = None; } }
                Step::Packet { layer, keyframe, reorder } => {
                    // A reordered pair arrives second-first; the keyframe flag stays on the first.
                    let base = seqs[layer as usize];
                    let arrivals = if reorder { vec![(base + 1, false), (base, keyframe)] } else { vec![(base, keyframe)] };
                    seqs[layer as usize] += arrivals.len() as u64;
                    for (seq, keyframe) in arrivals {
                    let target = f.target();
                    let Some(out) = f.forward(&packet(t0, layer, seq, keyframe, i as u64)) else { continue };
                    prop_assert!(target.is_some(), "nothing flows while paused");
                    if out.switched {
                        prop_assert!(keyframe, "a layer starts only at its keyframe");
                        prop_assert_eq!(target, Some(layer), "and only when it is the target");
                        prop_assert!(highest.is_none_or(|h| out.seq_no > h), "a new layer continues after everything written");
                        delivered_layer = Some(layer);
                    } else {
                        prop_assert_eq!(delivered_layer, Some(layer), "one layer at a time");
                    }
                    prop_assert!(used.insert(out.seq_no), "sequence number {} reused", out.seq_no);
                    highest = highest.max(Some(out.seq_no));
                    }
                }
            }
        }
    }
}
