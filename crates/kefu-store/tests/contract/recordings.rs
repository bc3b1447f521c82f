//! Call recordings (migration 0008), their compositions' leases (0034) and call quality
//! timelines (0009).

use std::collections::BTreeSet;

use kefu_store::{BusinessTypeRow, CallQualityRow, Download, FinishedRecording, JobLease, NewCall, NewRecording, StoreError};

use crate::support::{conversation, each_backend, group_and_visitor};

fn reading(call_id: i64, side: &str, at: i64) -> CallQualityRow {
    CallQualityRow {
        call_id,
        side: side.into(),
        at,
        bitrate_in_bps: 800_000,
        bitrate_out_bps: 650_000,
        loss_in: Some(0.0125),
        loss_out: None,
        rtt_ms: Some(42),
        estimate_bps: Some(1_500_000),
        video_rid: Some("h".into()),
        video_width: Some(1280),
        video_height: Some(720),
        video_fps: Some(29.97),
        published_rids: Some("l,m,h".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn policies_a_calls_recording_state_and_its_files() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        assert_eq!(store.recording_policy_of(id).await.unwrap(), "off");
        store.set_group_recording_policy(group, "always").await.unwrap();
        assert!(matches!(store.set_group_recording_policy(group + 1000, "off").await, Err(StoreError::NotFound)));
        assert_eq!(store.recording_policy_of(id).await.unwrap(), "always");
        let t = store
            .save_business_type(&BusinessTypeRow { id: 0, name: "billing".into(), group_id: group, min_skill_level: 1, names: "{}".into() })
            .await
            .unwrap();
        store.set_business_type_recording_policy(t, Some("on_demand")).await.unwrap();
        let (groups, types) = store.recording_policies().await.unwrap();
        assert_eq!((groups, types), (vec![(group, "always".to_string())], vec![(t, Some("on_demand".to_string()))]));
        store.set_business_type_recording_policy(t, None).await.unwrap();
        assert!(matches!(store.recording_policy_of(id + 1000).await, Err(StoreError::NotFound)));

        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&NewCall { conversation_id: id, media: "video", started_by: "agent", answered: true }, 20).await.unwrap();
        assert_eq!((call.recording_policy.as_str(), call.recording.as_str()), ("off", "off"));
        assert_eq!(tx.recording_policy_of(id).await.unwrap(), "always");
        let call = tx.set_call_recording(call.id, "always", "recording").await.unwrap();
        assert_eq!(call.recording, "recording");
        tx.commit().await.unwrap();
        assert_eq!(store.open_call(id).await.unwrap().unwrap().recording, "recording");

        let new =
            NewRecording { call_id: call.id, conversation_id: id, role: "visitor", agent_id: None, path: "1/v.webm", status: "recording" };
        let r = store.insert_recording(&new, 21).await.unwrap();
        assert!(store.insert_recording(&new, 21).await.is_err(), "one row per path");
        store.set_recordings_paused(call.id, true).await.unwrap();
        assert_eq!(store.recording(r.id).await.unwrap().status, "paused");
        assert_eq!(store.open_recordings().await.unwrap().len(), 1);
        let done = FinishedRecording { status: "finished", bytes: 4096, duration_ms: Some(9000), sha256: Some("ab12"), error: None };
        let finished = store.finish_recording(r.id, &done, 30).await.unwrap().expect("finished once");
        assert_eq!((finished.status.as_str(), finished.bytes, finished.ended_at), ("finished", Some(4096), Some(30)));
        assert_eq!(store.finish_recording(r.id, &done, 31).await.unwrap(), None, "a second report is ignored");
        assert!(store.open_recordings().await.unwrap().is_empty());
        assert_eq!(store.recording_by_path("1/v.webm").await.unwrap().id, r.id);
        assert_eq!(store.recordings_of_call(call.id).await.unwrap(), store.recordings_of_conversation(id).await.unwrap());
        store.log_download(Download::Recording(r.id), Some(7), None, 40).await.unwrap();
        store.log_download(Download::Recording(r.id), None, Some(3), 41).await.unwrap();
        assert_eq!(store.downloads(Download::Recording(r.id)).await.unwrap(), [(Some(7), None, 40), (None, Some(3), 41)]);

        let (a, b) = (JobLease { holder: "node-a", until: 100 }, JobLease { holder: "node-b", until: 200 });
        assert!(store.claim_composition(call.id, None, "1/c.mp4", 49, a).await.unwrap());
        assert!(!store.claim_composition(call.id, None, "1/c.mp4", 51, b).await.unwrap(), "one job per call");
        assert!(store.claim_stale_compositions(99, b, 10).await.unwrap().is_empty(), "leased to node-a until 100");
        assert!(store.renew_composition(call.id, JobLease { until: 150, ..a }).await.unwrap(), "node-a is still at it");
        assert!(!store.renew_composition(call.id, b).await.unwrap(), "not node-b's to renew");
        assert!(store.claim_stale_compositions(149, b, 10).await.unwrap().is_empty(), "renewed until 150");
        assert_eq!(store.claim_stale_compositions(150, b, 10).await.unwrap(), [call.id], "node-a died: node-b takes it over");
        assert!(!store.renew_composition(call.id, JobLease { until: 300, ..a }).await.unwrap(), "node-a lost it");
        assert!(!store.finish_composition(call.id, "node-a", Some(1), Some("ab"), None, 151).await.unwrap(), "and reports nothing");
        assert!(store.finish_composition(call.id, "node-b", Some(9), Some("cd"), None, 152).await.unwrap());
        let c = store.composition(call.id).await.unwrap().unwrap();
        assert_eq!((c.status.as_str(), c.finished_at, c.bytes), ("finished", Some(152), Some(9)));
        assert!(store.claim_stale_compositions(i64::MAX, a, 10).await.unwrap().is_empty(), "a finished one stays");
        store.log_download(Download::Composition(call.id), Some(7), None, 153).await.unwrap();
        store.log_download(Download::Composition(call.id), None, Some(3), 154).await.unwrap();
        assert_eq!(store.downloads(Download::Composition(call.id)).await.unwrap(), [(Some(7), None, 153), (None, Some(3), 154)]);

        let mut tx = store.begin().await.unwrap();
        let ended = tx.end_call(call.id, "hangup", None, 60).await.unwrap().unwrap();
        tx.commit().await.unwrap();
        assert_eq!(ended.recording, "off", "an ended call records nothing");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_quality_timeline_comes_back_as_written_in_time_order() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        let mut tx = store.begin().await.unwrap();
        let call = tx.insert_call(&NewCall { conversation_id: id, media: "video", started_by: "agent", answered: true }, 20).await.unwrap();
        tx.commit().await.unwrap();
        let late = reading(call.id, "agent", 30);
        let early = CallQualityRow { loss_in: None, video_rid: None, video_fps: None, ..reading(call.id, "visitor", 25) };
        store.add_call_quality(&late).await.unwrap();
        store.add_call_quality(&early).await.unwrap();
        assert_eq!(store.call_quality(call.id).await.unwrap(), [early, late]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn compositions_cut_off_are_taken_over_by_exactly_one_of_several_nodes() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let id = conversation(&store, group, visitor).await;
        // 30 ended calls whose jobs a dead node held (leased until 100), and one still leased.
        let mut calls = Vec::new();
        for n in 0..31 {
            let mut tx = store.begin().await.unwrap();
            let call =
                tx.insert_call(&NewCall { conversation_id: id, media: "video", started_by: "agent", answered: true }, 10).await.unwrap();
            tx.end_call(call.id, "hangup", None, 20).await.unwrap();
            tx.commit().await.unwrap();
            let lease = JobLease { holder: "dead", until: if n == 30 { 10_000 } else { 100 } };
            assert!(store.claim_composition(call.id, None, &format!("call-{}/composed.mp4", call.id), 30, lease).await.unwrap());
            calls.push(call.id);
        }
        // Four nodes sweep at once, in small rounds.
        let node = |store: kefu_store::Store, name: String| async move {
            let mut mine = vec![];
            loop {
                let got = store.claim_stale_compositions(500, JobLease { holder: &name, until: 2_000 }, 3).await.unwrap();
                if got.is_empty() {
                    return (name, mine);
                }
                mine.extend(got);
            }
        };
        let nodes: Vec<_> = (0..4).map(|n| tokio::spawn(node(store.clone(), format!("node-{n}")))).collect();
        let mut taken: Vec<(String, i64)> = vec![];
        for n in nodes {
            let (name, mine) = n.await.unwrap();
            taken.extend(mine.into_iter().map(|c| (name.clone(), c)));
        }
        let distinct: BTreeSet<i64> = taken.iter().map(|(_, c)| *c).collect();
        assert_eq!(distinct.len(), taken.len(), "a job was taken by two nodes");
        assert_eq!(distinct, calls[..30].iter().copied().collect(), "every stale job, and not the one still leased");
        // Each job is its taker's: only it may renew and finish it.
        for (name, call) in &taken {
            let other = if name == "node-0" { "node-1" } else { "node-0" };
            assert!(!store.renew_composition(*call, JobLease { holder: other, until: 3_000 }).await.unwrap());
            assert!(store.renew_composition(*call, JobLease { holder: name, until: 3_000 }).await.unwrap());
        }
        assert!(store.claim_stale_compositions(2_999, JobLease { holder: "late", until: 4_000 }, 100).await.unwrap().is_empty());
        // A lone server at start-up takes every unfinished job whatever its lease, and asking
        // again takes none of its own: the sweep ends.
        let lone = JobLease { holder: "lone", until: 5_000 };
        assert_eq!(store.claim_stale_compositions(i64::MAX, lone, 100).await.unwrap(), calls);
        assert!(store.claim_stale_compositions(i64::MAX, lone, 100).await.unwrap().is_empty(), "not its own jobs again");
    })
    .await;
}
