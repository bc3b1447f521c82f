//! Reads of migration 0019's features: tagged conversations for the contact reasons report
//! (filtered by group, business type and channel; a quote in a channel word stays a word) and
//! the maturity assessment's usage counts and questionnaire answers.

use kefu_core::{ConversationId, Fact, GroupId};
use kefu_store::ContactFilter;

use crate::support::{conversation, each_backend, group_and_visitor};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tagged_conversations_usage_and_answers() {
    each_backend(|store| async move {
        let (group, visitor) = group_and_visitor(&store).await;
        let tag = store.create_tag("退款", "#ff0000", false, 1).await.unwrap();
        let id = conversation(&store, group, visitor).await;
        let queued = Fact::Queued {
            conversation: ConversationId(id),
            customer: visitor,
            group: GroupId(group),
            business_type: None,
            channel: "h5".into(),
            vip: false,
            left_message: false,
        };
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(&queued, 100).await.unwrap();
        tx.add_conversation_tag(id, tag, None, 101).await.unwrap();
        tx.commit().await.unwrap();

        let all = ContactFilter::default();
        let rows = store.tagged_contacts(0, 1000, &all).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].conversation_id, rows[0].tag_id, rows[0].queued_at), (id, tag, 100));
        assert_eq!(store.contact_count(0, 1000, &all).await.unwrap(), 1);
        assert!(store.tagged_contacts(101, 1000, &all).await.unwrap().is_empty(), "queued before the range");
        let h5 = ContactFilter { channels: Some(vec!["h5".into()]), groups: Some(vec![group]), ..ContactFilter::default() };
        assert_eq!(store.tagged_contacts(0, 1000, &h5).await.unwrap().len(), 1);
        let odd = ContactFilter { channels: Some(vec!["web' OR '1'='1".into()]), ..ContactFilter::default() };
        assert_eq!(store.contact_count(0, 1000, &odd).await.unwrap(), 0, "a quote stays inside the word");
        let none = ContactFilter { business_types: Some(vec![]), ..ContactFilter::default() };
        assert_eq!(store.contact_count(0, 1000, &none).await.unwrap(), 0);

        let usage = store.usage_counts(0, 1000).await.unwrap();
        assert_eq!((usage.channels_in_use, usage.conversations, usage.tagged, usage.video_conversations), (1, 1, 1, 0));
        store.create_webhook("http://127.0.0.1:9/h", "[\"*\"]", "s", 5).await.unwrap();
        store.set_setting("widget:shop", "{}").await.unwrap();
        let usage = store.usage_counts(0, 1000).await.unwrap();
        assert_eq!((usage.webhooks, usage.widgets, usage.api_keys), (1, 1, 0));

        assert!(store.maturity_answers().await.unwrap().is_empty());
        store.save_maturity_answers(&[("cx_owned".into(), 1), ("data_shared".into(), 3)], None, 5).await.unwrap();
        store.save_maturity_answers(&[("cx_owned".into(), 2)], None, 6).await.unwrap();
        assert_eq!(store.maturity_answers().await.unwrap(), vec![("cx_owned".to_string(), 2), ("data_shared".to_string(), 3)]);
    })
    .await;
}
