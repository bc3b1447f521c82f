//! A call's quality timeline over the real server: two WebRTC peers in a call, the media
//! server's figures stored every interval per participant, read back by staff (not visitors),
//! and the media gauges of `/metrics`.

use std::time::Duration;

use serde_json::Value;

use crate::calls::{active_call, flowing_call, served_chat, FlowingCall};
use crate::helpers::spawn_app_with;

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calls_quality_timeline_is_kept_per_participant_and_shown_to_staff_only() {
    let app = spawn_app_with(|c| {
        c.metrics_token = Some("scrape".into());
        c.media_stats_interval_ms = 500;
    })
    .await;
    let agent = app.ready_agent(1).await;
    let FlowingCall {
        visitor,
        conversation: _conv,
        call,
        visitor_ws: _visitor_ws,
        agent_ws: _agent_ws,
        visitor_peer: _visitor_peer,
        agent_peer: _agent_peer,
    } = flowing_call(&app, &agent, "Zhao").await;

    // Both sides' readings arrive, each with traffic both ways.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    let samples: Vec<Value> = loop {
        let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/quality"), Some(&agent), None).await;
        assert_eq!(s, 200, "{v}");
        let samples = v["samples"].as_array().cloned().unwrap_or_default();
        let flowing = |side: &str| {
            samples.iter().any(|x| x["side"] == side && x["bitrate_in_bps"].as_i64() > Some(0) && x["bitrate_out_bps"].as_i64() > Some(0))
        };
        if flowing("visitor") && flowing("agent") {
            break samples;
        }
        assert!(tokio::time::Instant::now() < deadline, "no readings with media both ways: {v}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    let first = &samples[0];
    for field in ["at", "loss_in", "loss_out", "rtt_ms", "video_rid", "video_width", "video_fps", "published_rids"] {
        assert!(first.get(field).is_some(), "{field} in {first}");
    }
    assert!(samples.iter().all(|x| x["at"].as_str().is_some_and(|t| t.ends_with('Z'))), "RFC 3339 times: {samples:?}");

    // Operators' figures: not for the visitor; 404 for an unknown call.
    let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/quality"), Some(&visitor), None).await;
    assert_eq!(s, 404, "{v}");
    assert_eq!(v["error"]["code"], "not_found", "{v}");
    let (s, _) = app.call("GET", "/api/v1/calls/999999/quality", Some(&agent), None).await;
    assert_eq!(s, 404);

    // /metrics: what the SFU forwards now, the worst loss, the readings taken.
    let text = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    assert!(metric(&text, "kefu_media_forwarded_bitrate_bps") > Some(0.0), "{text}");
    assert!(metric(&text, "kefu_media_received_bitrate_bps") > Some(0.0), "{text}");
    assert!(metric(&text, "kefu_media_packet_loss_ratio").is_some(), "{text}");
    assert!(metric(&text, "kefu_media_quality_samples_total") >= Some(2.0), "{text}");

    let (s, v) = app.call("POST", &format!("/api/v1/calls/{call}/hangup"), Some(&agent), None).await;
    assert_eq!(s, 200, "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_capture_720p_unless_the_deployment_enables_1080p() {
    for (setting, size) in [(false, (1280, 720)), (true, (1920, 1080))] {
        let app = spawn_app_with(|c| c.video_1080p = setting).await;
        let agent = app.ready_agent(1).await;
        let (visitor, conv) = served_chat(&app, &agent, "Qian").await;
        let call = active_call(&app, &visitor, &agent, conv).await;
        for token in [&visitor, &agent] {
            let (s, v) = app.call("GET", &format!("/api/v1/calls/{call}/ice-servers"), Some(token), None).await;
            assert_eq!(s, 200, "{v}");
            assert_eq!((v["capture"]["width"].as_i64(), v["capture"]["height"].as_i64()), (Some(size.0), Some(size.1)), "{v}");
        }
    }
}
