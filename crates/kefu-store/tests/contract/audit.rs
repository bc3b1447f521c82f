//! The audit log of administrative changes (migration 0017): append-only, paged newest first by
//! id, filtered by text, object, actor and time.

use kefu_store::{AuditFilter, NewAuditEntry};

use crate::support::each_backend;

fn entry<'a>(entity: &'a str, id: &'a str, summary: &'a str) -> NewAuditEntry<'a> {
    NewAuditEntry {
        actor_id: None,
        api_key_id: Some(7),
        actor_name: "API key 7",
        entity,
        entity_id: id,
        action: "updated",
        summary,
        before: Some(r#"{"name":"a"}"#),
        after: Some(r#"{"name":"b"}"#),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn audit_pages_newest_first_and_filters_by_text_object_and_time() {
    each_backend(|store| async move {
        for i in 0..5 {
            store.append_audit(&entry("group", &i.to_string(), &format!("售前咨询 {i}")), 1000 + i).await.unwrap();
        }
        store.append_audit(&entry("tag", "9", "VIP_100%"), 2000).await.unwrap();
        let all = AuditFilter::default();
        let first = store.audit_entries(&all, None, 4).await.unwrap();
        assert_eq!(first.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>()[..2], ["VIP_100%", "售前咨询 4"]);
        // An entry appended between pages neither repeats nor shifts the next page.
        store.append_audit(&entry("group", "0", "later"), 3000).await.unwrap();
        let next = store.audit_entries(&all, Some(first[3].id), 4).await.unwrap();
        assert_eq!(next.iter().map(|r| r.entity_id.as_str()).collect::<Vec<_>>(), ["1", "0"]);

        let text = |t: &str| AuditFilter { text: Some(t.into()), ..Default::default() };
        assert_eq!(store.audit_entries(&text("咨询"), None, 50).await.unwrap().len(), 5);
        assert_eq!(store.audit_entries(&text("vip_100%"), None, 50).await.unwrap().len(), 1, "case-insensitive; % and _ literal");
        assert_eq!(store.audit_entries(&text("vip%100"), None, 50).await.unwrap().len(), 0);
        let group0 = AuditFilter { entity: Some("group".into()), entity_id: Some("0".into()), ..Default::default() };
        assert_eq!(store.audit_entries(&group0, None, 50).await.unwrap().len(), 2);
        let window = AuditFilter { from: Some(1001), to: Some(1003), ..Default::default() };
        let rows = store.audit_entries(&window, None, 50).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.at).collect::<Vec<_>>(), [1002, 1001]);
        assert_eq!(rows[0].before_json.as_deref(), Some(r#"{"name":"a"}"#));
        assert_eq!(rows[0].api_key_id, Some(7));
    })
    .await;
}
