//! Call recordings (migration 0008) and call quality timelines (0009).

use kefu_store::{BusinessTypeRow, CallQualityRow, Download, FinishedRecording, NewCall, NewRecording, StoreError};

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

        assert!(store.claim_composition(call.id, None, "1/c.mp4", 49).await.unwrap());
        assert_eq!(store.release_unfinished_compositions().await.unwrap(), [call.id], "a job cut off is released");
        assert!(store.claim_composition(call.id, None, "1/c.mp4", 50).await.unwrap(), "and can be claimed again");
        assert!(!store.claim_composition(call.id, None, "1/c.mp4", 51).await.unwrap(), "one job per call");
        store.finish_composition(call.id, Some(9), Some("cd"), None, 52).await.unwrap();
        let c = store.composition(call.id).await.unwrap().unwrap();
        assert_eq!((c.status.as_str(), c.finished_at, c.bytes), ("finished", Some(52), Some(9)));
        assert!(store.release_unfinished_compositions().await.unwrap().is_empty(), "a finished one stays");
        store.log_download(Download::Composition(call.id), Some(7), None, 53).await.unwrap();
        store.log_download(Download::Composition(call.id), None, Some(3), 54).await.unwrap();
        assert_eq!(store.downloads(Download::Composition(call.id)).await.unwrap(), [(Some(7), None, 53), (None, Some(3), 54)]);

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
