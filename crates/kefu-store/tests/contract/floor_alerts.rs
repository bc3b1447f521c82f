//! Migration 0013: per-group alert thresholds and the record of floor alerts.

use kefu_store::{StoreError, ThresholdsRow};

use crate::support::{each_backend, group_and_visitor};

fn row(group_id: i64, waiting_warning: i64) -> ThresholdsRow {
    ThresholdsRow {
        group_id,
        waiting_warning,
        waiting_critical: 9,
        longest_wait_warning_secs: 30,
        longest_wait_critical_secs: 90,
        service_level_warning_pct: 80,
        service_level_critical_pct: 60,
        updated_by: None,
        updated_at: 5,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thresholds_are_set_replaced_and_reset_per_group() {
    each_backend(|store| async move {
        let (group, _) = group_and_visitor(&store).await;
        assert!(store.alert_thresholds().await.unwrap().is_empty());
        store.set_alert_thresholds(&row(group, 2)).await.unwrap();
        store.set_alert_thresholds(&row(group, 3)).await.unwrap();
        assert_eq!(store.alert_thresholds().await.unwrap(), vec![row(group, 3)]);
        store.reset_alert_thresholds(group).await.unwrap();
        assert!(store.alert_thresholds().await.unwrap().is_empty());
        assert!(matches!(store.reset_alert_thresholds(group).await, Err(StoreError::NotFound)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_alert_keeps_its_peak_and_is_listed_until_cleared() {
    each_backend(|store| async move {
        let (group, _) = group_and_visitor(&store).await;
        let id = store.insert_floor_alert(group, "waiting", "warning", 2, 2, 1_000).await.unwrap();
        store.relevel_floor_alert(id, "critical", 5, 4).await.unwrap();
        store.relevel_floor_alert(id, "warning", 3, 2).await.unwrap();
        let active = store.active_floor_alerts().await.unwrap();
        assert_eq!((active.len(), active[0].level.as_str(), active[0].peak_level.as_str()), (1, "warning", "critical"));
        store.clear_floor_alert(id, 9_000).await.unwrap();
        assert!(store.active_floor_alerts().await.unwrap().is_empty());
        assert!(matches!(store.clear_floor_alert(id, 9_500).await, Err(StoreError::NotFound)), "cleared once");
        let old = store.insert_floor_alert(group, "service_level", "warning", 70, 80, 10).await.unwrap();
        store.clear_floor_alert(old, 20).await.unwrap();
        let today = store.floor_alerts_since(500, 100).await.unwrap();
        assert_eq!(today.iter().map(|a| a.id).collect::<Vec<_>>(), vec![id], "older cleared alerts are not today's");
        assert_eq!(today[0].cleared_at, Some(9_000));
    })
    .await;
}
