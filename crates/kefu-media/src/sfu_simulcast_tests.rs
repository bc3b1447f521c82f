//! In-process tests of simulcast forwarding: a str0m publisher sends three layers through the
//! SFU to a subscriber whose link is limited like a `tbf` bottleneck; the layer it receives
//! follows its bandwidth estimate down and back up. Simulated time, deterministic.

use std::time::{Duration, Instant};

use crate::api::MediaEvent;
use crate::ids::ParticipantId;
use crate::sfu_tests::World;

/// (rid, frame size in bytes) at 25 frames/s: about 70 kbit/s, 330 kbit/s and 1.3 Mbit/s on the
/// wire. The frame size tells the subscriber which layer it got.
const LAYERS: [(&str, usize); 3] = [("l", 300), ("m", 1_500), ("h", 6_000)];

/// The layer (rid) of the video frames B received in `[from, to)`, most frequent first, with
/// the number of frames.
fn received(world: &World, from: Instant, to: Instant) -> Vec<(&'static str, usize)> {
    let b = &world.clients[1];
    let mut counts: Vec<(&'static str, usize)> = LAYERS
        .iter()
        .map(|(rid, size)| (*rid, b.video_log.iter().filter(|(at, len)| *at >= from && *at < to && len == size).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts
}

/// When B first received a frame of layer `rid` after `from`.
fn first_frame(world: &World, from: Instant, rid: &str) -> Option<Duration> {
    let size = LAYERS.iter().find(|(r, _)| *r == rid).map(|(_, s)| *s)?;
    world.clients[1].video_log.iter().find(|(at, len)| *at >= from && *len == size).map(|(at, _)| *at - from)
}

#[test]
fn a_constrained_subscriber_gets_the_low_layer_and_climbs_back_when_the_limit_lifts() {
    let mut world = World::new();
    world.join_with_layers(1, &LAYERS);
    world.join(2);
    world.run(Duration::from_secs(10));
    let t_free = world.now;
    world.run(Duration::from_secs(2));
    let free = received(&world, t_free, world.now);
    assert_eq!(free.first().map(|(rid, _)| *rid), Some("h"), "unconstrained, B gets the top layer: {free:?}");
    assert_eq!(free.len(), 1, "one layer at a time: {free:?}");

    // B's downlink narrows to 250 kbit/s: only the low layer (with the audio) fits. str0m's
    // estimate falls in steps (loss-based), so B passes through the middle layer on the way.
    let b_addr = world.clients[1].addr;
    world.link.limit_to = Some((b_addr, 250_000));
    let t_limit = world.now;
    world.run(Duration::from_secs(12));
    let down = first_frame(&world, t_limit, "l").expect("B falls back to the low layer");
    let to_middle = first_frame(&world, t_limit, "m");
    let settled = world.now - Duration::from_secs(3);
    let limited = received(&world, settled, world.now);
    assert_eq!(limited.iter().map(|(rid, _)| *rid).collect::<Vec<_>>(), vec!["l"], "B stays on the low layer: {limited:?}");
    assert!(limited[0].1 >= 60, "and its video goes on: {limited:?} frames in 3 s");
    let audio_before = world.clients[1].audio_frames;
    let wanted = |events: &[MediaEvent]| {
        events.iter().rev().find_map(|e| match e {
            MediaEvent::LayersWanted { participant: ParticipantId(1), active, .. } => Some(active.clone()),
            _ => None,
        })
    };
    assert_eq!(wanted(&world.events), Some(vec!["l".to_string()]), "A may pause the layers nobody receives");

    // The limit lifts: the estimate recovers and B climbs back to the top.
    world.link.limit_to = None;
    let t_lift = world.now;
    world.run(Duration::from_secs(20));
    let up = first_frame(&world, t_lift, "h").expect("B climbs back to the top layer");
    let last = received(&world, world.now - Duration::from_secs(2), world.now);
    assert_eq!(last.first().map(|(rid, _)| *rid), Some("h"), "{last:?}");
    assert!(world.clients[1].audio_frames > audio_before + 900, "audio went on throughout");
    assert_eq!(wanted(&world.events).map(|a| a.contains(&"h".to_string())), Some(true), "the top layer is wanted again");
    let last_stats = |who: u64| {
        world.events.iter().rev().find_map(|e| match e {
            MediaEvent::Stats(s) if s.participant == ParticipantId(who) => Some(s.clone()),
            _ => None,
        })
    };
    let b_stats = last_stats(2).expect("stats about B");
    assert_eq!(b_stats.forwarded_video.and_then(|v| v.rid), Some("h".to_string()), "B's stats name the layer it gets");
    let a_stats = last_stats(1).expect("stats about A");
    assert_eq!(a_stats.published_rids, vec!["l", "m", "h"], "A's stats name the layers it sent");
    // The figures, for the report (run with --nocapture).
    println!("after the limit: middle layer at {to_middle:?}, low layer at {down:?}; after the lift: top layer at {up:?}");
}

#[test]
fn the_answer_asks_for_opus_with_in_band_fec_and_dtx_and_accepts_three_layers() {
    let mut world = World::new();
    let (_client, offer) = crate::sfu_tests::Client::with_layers(world.now, 1, 40_001, &LAYERS);
    let answer = world.sfu.join(world.now, crate::ids::RoomId(1), ParticipantId(1), &offer).expect("join accepted");
    let opus_fmtp = answer.lines().find(|l| l.starts_with("a=fmtp:111")).expect("an Opus fmtp line");
    assert!(opus_fmtp.contains("useinbandfec=1") && opus_fmtp.contains("usedtx=1"), "{opus_fmtp}");
    assert!(answer.contains("a=simulcast:recv l;m;h"), "the three layers are received: {answer}");
}

#[test]
fn a_recorded_publisher_keeps_its_top_layer_on_while_its_subscriber_gets_the_low_one() {
    let mut world = World::new();
    world.join_with_layers(1, &LAYERS);
    world.join(2);
    world.run(Duration::from_secs(10));
    let dir = std::env::temp_dir().join(format!("kefu-recorded-top-layer-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    world.sfu.start_recording(world.now, world.now, ParticipantId(1), dir.join("a.webm"), true).expect("recording starts");
    world.run(Duration::from_secs(2));
    let b_addr = world.clients[1].addr;
    world.link.limit_to = Some((b_addr, 250_000));
    world.run(Duration::from_secs(16));
    let limited = received(&world, world.now - Duration::from_secs(3), world.now);
    assert_eq!(limited.iter().map(|(rid, _)| *rid).collect::<Vec<_>>(), vec!["l"], "B is on the low layer: {limited:?}");
    let wanted = world.events.iter().rev().find_map(|e| match e {
        MediaEvent::LayersWanted { participant: ParticipantId(1), active, .. } => Some(active.clone()),
        _ => None,
    });
    let wanted = wanted.expect("A was told which layers to send");
    assert!(wanted.contains(&"h".to_string()), "the recording keeps A's top layer on: {wanted:?}");
    assert!(wanted.contains(&"l".to_string()), "and B's: {wanted:?}");
    drop(world);
    let _ = std::fs::remove_dir_all(&dir);
}
