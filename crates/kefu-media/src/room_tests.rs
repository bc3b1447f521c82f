//! Tests of the room: membership, subscriptions, keyframe throttling and layer allocation.

use super::*;

const A: ParticipantId = ParticipantId(1);
const B: ParticipantId = ParticipantId(2);
const C: ParticipantId = ParticipantId(3);
const MIC_A: TrackId = TrackId(10);
const CAM_A: TrackId = TrackId(11);
const CAM_B: TrackId = TrackId(20);

fn room() -> Room {
    Room::new(RoomId(7), RoomConfig { connect_timeout: Duration::from_secs(10) })
}

fn drain(room: &mut Room) -> Vec<Output> {
    std::iter::from_fn(|| room.poll_output()).collect()
}

/// The outputs about connections and keyframes (not announcements, nor the allocator's).
fn commands(outputs: Vec<Output>) -> Vec<Output> {
    let allocation = |o: &Output| matches!(o, Output::SetLayer { .. } | Output::Probe { .. } | Output::PublisherLayers { .. });
    outputs.into_iter().filter(|o| !matches!(o, Output::Announce(_)) && !allocation(o)).collect()
}

/// A and B joined and connected; A publishes a microphone and a camera.
fn a_publishes_to_b(t0: Instant) -> Room {
    let mut room = room();
    for p in [A, B] {
        room.handle_input(t0, Input::Join { participant: p });
        room.handle_input(t0, Input::Connected { participant: p });
    }
    room.handle_input(t0, Input::Publish { participant: A, track: MIC_A, kind: TrackKind::Audio, layers: 1 });
    room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 1 });
    drain(&mut room);
    room
}

#[test]
fn a_published_track_is_offered_to_each_connected_other_and_forwarded_once_ready() {
    let t0 = Instant::now();
    let mut room = room();
    for p in [A, B, C] {
        room.handle_input(t0, Input::Join { participant: p });
    }
    room.handle_input(t0, Input::Connected { participant: A });
    room.handle_input(t0, Input::Connected { participant: B });
    drain(&mut room);

    room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 1 });
    let out = drain(&mut room);
    assert!(out.contains(&Output::Announce(MediaEvent::TrackPublished {
        room: RoomId(7),
        participant: A,
        track: CAM_A,
        kind: TrackKind::Camera
    })));
    // Only B: A is the publisher, C is not connected yet.
    assert_eq!(commands(out), vec![Output::Subscribe { subscriber: B, track: CAM_A, kind: TrackKind::Camera }]);
    assert_eq!(room.forward_targets(CAM_A).count(), 0, "nothing forwarded before negotiation");

    room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
    assert_eq!(room.forward_targets(CAM_A).collect::<Vec<_>>(), vec![B]);
    assert_eq!(
        commands(drain(&mut room)),
        vec![Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 0 }],
        "a new subscriber gets a keyframe"
    );

    // C connects later and is offered what is already published.
    room.handle_input(t0, Input::Connected { participant: C });
    assert_eq!(commands(drain(&mut room)), vec![Output::Subscribe { subscriber: C, track: CAM_A, kind: TrackKind::Camera }]);
}

/// A and B connected; A publishes a microphone and a three-layer camera, both ready at B.
fn a_simulcasts_to_b(t0: Instant) -> Room {
    let mut room = room();
    for p in [A, B] {
        room.handle_input(t0, Input::Join { participant: p });
        room.handle_input(t0, Input::Connected { participant: p });
    }
    room.handle_input(t0, Input::Publish { participant: A, track: MIC_A, kind: TrackKind::Audio, layers: 1 });
    room.handle_input(t0, Input::Publish { participant: A, track: CAM_A, kind: TrackKind::Camera, layers: 3 });
    room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 1_500_000] });
    room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: MIC_A });
    room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
    room
}

#[test]
fn each_subscriber_gets_the_layer_its_estimate_carries_and_unneeded_layers_pause() {
    let t0 = Instant::now();
    let mut room = a_simulcasts_to_b(t0);
    let out = drain(&mut room);
    assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "no estimate yet: the top");
    assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }));
    assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, false, true] }));

    // The estimate towards B falls: the middle layer, its keyframe asked for at once.
    let t1 = t0 + Duration::from_secs(1);
    room.handle_input(t1, Input::Estimate { subscriber: B, bps: 700_000 });
    let out = drain(&mut room);
    assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(1) }));
    assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 1 }));
    assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, true, false] }));
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)));

    // Not even the lowest fits beside the audio: video pauses, the lowest layer stays on.
    // (After a while: a dip alone does not pause.)
    let t2 = t1 + Duration::from_secs(1);
    room.handle_input(t2, Input::Estimate { subscriber: B, bps: 100_000 });
    assert_eq!(room.layer(B, CAM_A), Some(Some(0)), "a dip: the lowest layer");
    let out = drain(&mut room);
    assert!(out.contains(&Output::PublisherLayers { publisher: A, track: CAM_A, active: vec![true, false, false] }));
    let t2 = t2 + allocator::PAUSE_AFTER;
    room.handle_input(t2, Input::Estimate { subscriber: B, bps: 100_000 });
    let out = drain(&mut room);
    assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: None }));
    assert_eq!(room.forward_targets(MIC_A).collect::<Vec<_>>(), vec![B], "audio goes on");
    if let Some(Output::Probe { minimum, .. }) = out.iter().find(|o| matches!(o, Output::Probe { .. })) {
        assert!(*minimum >= 190_000, "the estimator probes for the lowest layer: {minimum}");
    }

    // The estimate recovers: held a moment after going down, then back to the top.
    let t3 = t2 + Duration::from_millis(500);
    room.handle_input(t3, Input::Estimate { subscriber: B, bps: 3_000_000 });
    assert!(!drain(&mut room).iter().any(|o| matches!(o, Output::SetLayer { .. })), "held");
    let t4 = t2 + allocator::UP_HOLD;
    room.handle_input(t4, Input::Estimate { subscriber: B, bps: 3_000_000 });
    let out = drain(&mut room);
    assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "{out:?}");
    assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }));
}

#[test]
fn a_keyframes_burst_on_a_layer_does_not_switch_the_subscriber_down() {
    let t0 = Instant::now();
    let mut room = a_simulcasts_to_b(t0);
    room.handle_input(t0, Input::Estimate { subscriber: B, bps: 700_000 });
    drain(&mut room);
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
    // One half second with a keyframe on the middle layer measures 800 kbit/s: more than B's
    // budget, but not what the layer costs over time.
    let t1 = t0 + Duration::from_millis(500);
    room.handle_input(t1, Input::LayerRates { track: CAM_A, bps: vec![150_000, 800_000, 1_500_000] });
    drain(&mut room);
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)), "still the middle layer");
    // A layer that really costs more is followed: down after a few intervals.
    for i in 2..6 {
        room.handle_input(t0 + Duration::from_millis(500 * i), Input::LayerRates { track: CAM_A, bps: vec![150_000, 900_000, 1_500_000] });
    }
    assert_eq!(room.layer(B, CAM_A), Some(Some(0)), "down once the layer's rate stays high");
}

#[test]
fn a_wanted_layer_the_publisher_does_not_send_yet_is_asked_for_and_the_best_arriving_one_forwarded() {
    let t0 = Instant::now();
    let mut room = a_simulcasts_to_b(t0);
    // Only the low and middle layers arrive (the top is paused, or the publisher's own
    // congestion control dropped it).
    room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
    drain(&mut room);
    room.handle_input(t0, Input::Estimate { subscriber: B, bps: 3_000_000 });
    let out = drain(&mut room);
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)), "the top is wanted but B gets the middle: {out:?}");
    assert_eq!(room.wanted.get(&(B, CAM_A)), Some(&Some(2)), "the top is what the publisher is asked for");
    // The top starts arriving: B switches up to it, its keyframe asked for.
    let t1 = t0 + Duration::from_millis(500);
    room.handle_input(t1, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 1_200_000] });
    let out = drain(&mut room);
    assert!(out.contains(&Output::SetLayer { subscriber: B, track: CAM_A, layer: Some(2) }), "{out:?}");
    assert!(out.contains(&Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 2 }), "{out:?}");
    // It stops arriving: back to the middle at once, not a frozen picture.
    let t2 = t1 + Duration::from_millis(500);
    room.handle_input(t2, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
}

#[test]
fn a_subscriber_below_the_top_keeps_asking_its_estimator_to_probe() {
    let t0 = Instant::now();
    let mut room = a_simulcasts_to_b(t0);
    room.handle_input(t0, Input::Estimate { subscriber: B, bps: 1_000_000 });
    drain(&mut room);
    let probes = |out: Vec<Output>| {
        out.into_iter()
            .filter_map(|o| match o {
                Output::Probe { desired, .. } => Some(desired),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    room.handle_input(t0 + Duration::from_secs(1), Input::Estimate { subscriber: B, bps: 1_000_000 });
    assert!(probes(drain(&mut room)).is_empty(), "not within the interval");
    room.handle_input(t0 + PROBE_INTERVAL, Input::Estimate { subscriber: B, bps: 1_000_001 });
    let again = probes(drain(&mut room));
    assert_eq!(again.len(), 1, "asked again after the interval");
    room.handle_input(t0 + PROBE_INTERVAL * 2, Input::Estimate { subscriber: B, bps: 1_000_000 });
    let third = probes(drain(&mut room));
    assert!(third.len() == 1 && third[0] > again[0], "each time a rise, which is what makes str0m probe: {again:?} then {third:?}");
}

#[test]
fn a_silent_layer_keeps_its_last_known_rate() {
    let t0 = Instant::now();
    let mut room = a_simulcasts_to_b(t0);
    room.handle_input(t0, Input::Estimate { subscriber: B, bps: 800_000 });
    drain(&mut room);
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
    // The top is paused at the publisher and measures 0; 0 must not make it look free.
    room.handle_input(t0, Input::LayerRates { track: CAM_A, bps: vec![150_000, 500_000, 0] });
    let later = t0 + allocator::UP_HOLD;
    room.handle_input(later, Input::Estimate { subscriber: B, bps: 800_000 });
    assert_eq!(room.layer(B, CAM_A), Some(Some(1)));
}

#[test]
fn keyframe_requests_are_throttled_per_track_and_the_owed_one_follows() {
    let t0 = Instant::now();
    let mut room = a_publishes_to_b(t0);
    room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: CAM_A });
    assert_eq!(commands(drain(&mut room)).len(), 1);

    let t1 = t0 + Duration::from_millis(100);
    room.handle_input(t1, Input::KeyframeWanted { subscriber: B, track: CAM_A });
    room.handle_input(t1, Input::KeyframeWanted { subscriber: B, track: CAM_A });
    assert!(drain(&mut room).is_empty(), "held back within the interval");
    assert_eq!(room.poll_timeout(), Some(t0 + KEYFRAME_REQUEST_INTERVAL));

    room.handle_input(t0 + KEYFRAME_REQUEST_INTERVAL, Input::Tick);
    assert_eq!(commands(drain(&mut room)), vec![Output::RequestKeyframe { publisher: A, track: CAM_A, layer: 0 }], "one request for both");
    assert_eq!(room.poll_timeout(), None);
}

#[test]
fn audio_needs_no_keyframe_and_unready_subscribers_cannot_ask() {
    let t0 = Instant::now();
    let mut room = a_publishes_to_b(t0);
    room.handle_input(t0, Input::SubscriptionReady { subscriber: B, track: MIC_A });
    room.handle_input(t0, Input::KeyframeWanted { subscriber: B, track: CAM_A });
    assert!(commands(drain(&mut room)).is_empty());
    assert_eq!(room.forward_targets(MIC_A).collect::<Vec<_>>(), vec![B]);
}

#[test]
fn a_publisher_leaving_unpublishes_and_unsubscribes_its_tracks() {
    let t0 = Instant::now();
    let mut room = a_publishes_to_b(t0);
    room.handle_input(t0, Input::Publish { participant: B, track: CAM_B, kind: TrackKind::Camera, layers: 1 });
    drain(&mut room);

    room.handle_input(t0, Input::Leave { participant: A, reason: LeaveReason::Hangup });
    let out = drain(&mut room);
    assert!(out.contains(&Output::Unsubscribe { subscriber: B, track: MIC_A }));
    assert!(out.contains(&Output::Unsubscribe { subscriber: B, track: CAM_A }));
    assert!(out.contains(&Output::Release { participant: A }));
    assert!(out.contains(&Output::Announce(MediaEvent::ParticipantLeft { room: RoomId(7), participant: A, reason: LeaveReason::Hangup })));
    // A's subscription to B's camera went with A's connection: no renegotiation for it.
    assert!(!out.iter().any(|o| matches!(o, Output::Unsubscribe { subscriber: A, .. })));
    assert_eq!(room.track(CAM_A), None);
    assert_eq!(room.track(CAM_B), Some((B, TrackKind::Camera)));
}

#[test]
fn a_participant_that_never_connects_times_out() {
    let t0 = Instant::now();
    let mut room = room();
    room.handle_input(t0, Input::Join { participant: A });
    assert_eq!(room.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    room.handle_input(t0 + Duration::from_secs(9), Input::Tick);
    assert!(drain(&mut room).is_empty());
    room.handle_input(t0 + Duration::from_secs(10), Input::Tick);
    let out = drain(&mut room);
    assert!(out.contains(&Output::Announce(MediaEvent::ParticipantLeft { room: RoomId(7), participant: A, reason: LeaveReason::Timeout })));
    assert!(!room.contains(A));
}

#[test]
fn closing_makes_everyone_leave_and_refuses_newcomers() {
    let t0 = Instant::now();
    let mut room = a_publishes_to_b(t0);
    room.handle_input(t0, Input::Close);
    let out = drain(&mut room);
    let left = out.iter().filter(|o| matches!(o, Output::Announce(MediaEvent::ParticipantLeft { .. }))).count();
    assert_eq!(left, 2);
    assert_eq!(out.last(), Some(&Output::Announce(MediaEvent::RoomClosed { room: RoomId(7) })));
    room.handle_input(t0, Input::Join { participant: C });
    assert!(!room.contains(C));
}
