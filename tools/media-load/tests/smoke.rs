//! The load tool keeps working as the code changes: two calls for three seconds against a
//! `kefu` it starts (the debug build, built here if needed; `KEFU_BIN` names another). Checks
//! that media flows both ways through the real server and that every figure is there; the
//! figures themselves are the tool's business, not a test's.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use media_load::Options;

/// The kefu binary: `KEFU_BIN`, else the workspace's debug build (built now; quick when fresh).
fn kefu() -> String {
    if let Ok(bin) = std::env::var("KEFU_BIN") {
        return bin;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status =
        Command::new(cargo).args(["build", "-q", "-p", "kefu-server", "--bin", "kefu"]).current_dir(&root).status().expect("cargo runs");
    assert!(status.success(), "building kefu failed");
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
    target.join("debug/kefu").to_string_lossy().into_owned()
}

#[test]
fn two_calls_carry_audio_and_video_both_ways_and_every_figure_is_reported() {
    let options =
        Options { kefu: kefu(), calls: 2, secs: 3.0, warmup_secs: 0.5, join_interval: Duration::from_millis(0), ..Options::default() };
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    let report = runtime.block_on(media_load::run(&options)).expect("the run completes");
    println!("{}", report.table());

    assert_eq!(report.failed, 0, "{:?}", report.errors);
    assert_eq!((report.participants, report.streams), (4, 8));
    assert_eq!(report.join_to_first_ms.len(), 4, "every participant got forwarded media");
    // 4 subscribers x 50 audio packets/s, and video: both kinds are forwarded throughout.
    assert!(report.audio_pps > 50.0, "audio forwarded: {}", report.audio_pps);
    assert!(report.video_pps > 50.0, "video forwarded: {}", report.video_pps);
    assert!(report.bps > 1e6, "bits forwarded: {}", report.bps);
    assert!(report.keyframes_sent >= 4, "each publisher sent a keyframe when asked");
    assert!(report.cpu_us_per_packet().is_some_and(|us| us > 0.0), "server CPU measured");
    assert!(report.mb_per_stream().is_some(), "server memory measured");
    let json = report.json();
    assert_eq!(json["join_to_first_packet_ms"]["n"], 4);
    assert!(json["phases_median_ms"].is_null() && json["join_to_first_packet_ms"]["phases_median_ms"]["server_offer"].is_f64());
}
