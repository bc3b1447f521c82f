//! The contact reasons model (`report_reason_tags`, `report_reasons`, migration 0039) equals a
//! fold of the raw rows (the tags conversations carry now, joined with the conversation report's
//! model and their comments) after tags are added and removed, facts come late (a tag before the
//! conversation's queueing, an answer that moves it to another group), CSAT answers with and
//! without comments, a tag is deleted, and after a rebuild.

use std::collections::{BTreeMap, BTreeSet};

use kefu_core::{AgentId, ConversationId, Fact, GroupId};
use kefu_store::{ContactFilter, GroupRow, ReasonSumRow, Store, TaggedContactRow};

use crate::support::{conversation, each_backend};

const MIN: i64 = 60_000;
const QUARTER: i64 = 900_000;

fn queued(c: i64, customer: i64, group: i64, channel: &str) -> Fact {
    Fact::Queued {
        conversation: ConversationId(c),
        customer,
        group: GroupId(group),
        business_type: (channel == "h5").then_some(7),
        channel: channel.into(),
        vip: false,
        left_message: false,
    }
}

async fn fact(store: &Store, at: i64, f: Fact) {
    let mut tx = store.begin().await.unwrap();
    tx.record_fact(&f, at).await.unwrap();
    tx.commit().await.unwrap();
}

async fn tag(store: &Store, c: i64, t: i64, on: bool) {
    let mut tx = store.begin().await.unwrap();
    if on {
        assert!(tx.add_conversation_tag(c, t, None, 1).await.unwrap());
    } else {
        assert!(tx.remove_conversation_tag(c, t).await.unwrap());
    }
    tx.commit().await.unwrap();
}

/// Close the conversation (its row) and answer the survey, with the CSAT fact, in one transaction.
async fn survey(store: &Store, c: i64, at: i64, score: u8, comment: Option<&str>) {
    let mut tx = store.begin().await.unwrap();
    tx.set_closed(c, at, false, None, None).await.unwrap();
    assert!(tx.set_csat(c, i64::from(score), comment).await.unwrap());
    tx.record_fact(&Fact::Csat { conversation: ConversationId(c), score }, at).await.unwrap();
    tx.commit().await.unwrap();
}

/// The fold of the raw rows: sums per tag and bucket of `step` from `from`, and the tagged count.
fn fold(rows: &[TaggedContactRow], from: i64, step: i64) -> (Vec<ReasonSumRow>, i64) {
    let mut cells: BTreeMap<(i64, i64), ReasonSumRow> = BTreeMap::new();
    let mut tagged = BTreeSet::new();
    for r in rows {
        tagged.insert(r.conversation_id);
        let slot = from + (r.queued_at - from) / step * step;
        let c = cells.entry((r.tag_id, slot)).or_insert(ReasonSumRow {
            tag_id: r.tag_id,
            slot,
            conversations: 0,
            csat_count: 0,
            csat_sum: 0,
            csat_good: 0,
            comments: 0,
        });
        c.conversations += 1;
        if let Some(s) = r.csat {
            c.csat_count += 1;
            c.csat_sum += s;
            c.csat_good += i64::from(s >= 4);
        }
        c.comments += i64::from(r.csat_comment.as_deref().is_some_and(|t| !t.trim().is_empty()));
    }
    (cells.into_values().collect(), tagged.len() as i64)
}

/// The model's sums and newest comments equal the raw rows' under several filters and steps.
async fn assert_model(store: &Store, what: &str, groups: (i64, i64)) {
    let (from, to) = (0, 100 * QUARTER);
    let filters = [
        ContactFilter::default(),
        ContactFilter { groups: Some(vec![groups.0]), ..ContactFilter::default() },
        ContactFilter { groups: Some(vec![groups.1]), ..ContactFilter::default() },
        ContactFilter { channels: Some(vec!["h5".into()]), ..ContactFilter::default() },
        ContactFilter { business_types: Some(vec![7]), groups: Some(vec![groups.0, groups.1]), ..ContactFilter::default() },
    ];
    for (i, filter) in filters.iter().enumerate() {
        let rows = store.tagged_contacts(from, to, filter).await.unwrap();
        for step in [QUARTER, 2 * QUARTER, 96 * QUARTER] {
            let (mut sums, tagged) = store.reason_sums(from, to, step, filter).await.unwrap();
            sums.retain(|s| s.conversations != 0);
            sums.sort_by_key(|s| (s.tag_id, s.slot));
            assert_eq!((sums, tagged), fold(&rows, from, step), "{what}: filter {i}, step {step}");
        }
        // Each tag's newest two comments, newest first (an open conversation's the newest).
        let mut expected: Vec<TaggedContactRow> =
            rows.iter().filter(|r| r.csat_comment.as_deref().is_some_and(|t| !t.trim().is_empty())).cloned().collect();
        expected.sort_by_key(|r| (r.tag_id, std::cmp::Reverse((r.ended_at.unwrap_or(i64::MAX), r.conversation_id))));
        let mut per_tag: BTreeMap<i64, usize> = BTreeMap::new();
        expected.retain(|r| {
            let n = per_tag.entry(r.tag_id).or_default();
            *n += 1;
            *n <= 2
        });
        let mut listed = store.reason_comments(from, to, 2, filter).await.unwrap();
        listed.sort_by_key(|r| (r.tag_id, std::cmp::Reverse((r.ended_at.unwrap_or(i64::MAX), r.conversation_id))));
        assert_eq!(listed, expected, "{what}: comments, filter {i}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reasons_model_follows_tags_and_late_facts() {
    each_backend(|store| async move {
        let g1 = store.save_group(&GroupRow::new("售前"), 1).await.unwrap();
        let g2 = store.save_group(&GroupRow::new("售后"), 1).await.unwrap();
        let groups = (g1, g2);
        let refund = store.create_tag("退款", "#ff0000", false, 1).await.unwrap();
        let slow = store.create_tag("slow", "#00ff00", false, 1).await.unwrap();
        let odd = store.create_tag("odd", "#0000ff", false, 1).await.unwrap();
        let mut ids = vec![];
        for i in 0..5 {
            let v = store.create_visitor(&format!("v{i}"), None, 1).await.unwrap().id;
            ids.push((conversation(&store, g1, v).await, v));
        }
        let (a, b, c, d, e) = (ids[0], ids[1], ids[2], ids[3], ids[4]);

        // Queued in time order, then tagged.
        fact(&store, 3 * MIN, queued(a.0, a.1, g1, "web")).await;
        fact(&store, 20 * MIN, queued(b.0, b.1, g1, "h5")).await;
        tag(&store, a.0, refund, true).await;
        tag(&store, a.0, slow, true).await;
        tag(&store, b.0, refund, true).await;
        assert_model(&store, "tagged after queueing", groups).await;

        // Tagged before its queueing is written (late): counts once the fact comes.
        tag(&store, c.0, slow, true).await;
        assert_model(&store, "tag before the conversation's fact", groups).await;
        fact(&store, 40 * MIN, queued(c.0, c.1, g1, "web")).await;
        assert_model(&store, "its queueing written", groups).await;

        // Answered in another group: its tags move with it; a late answer too.
        fact(&store, 41 * MIN, Fact::Answered { conversation: ConversationId(c.0), agent: AgentId(9), group: GroupId(g2) }).await;
        fact(&store, 50 * MIN, queued(d.0, d.1, g2, "h5")).await;
        tag(&store, d.0, odd, true).await;
        fact(&store, 52 * MIN, Fact::Answered { conversation: ConversationId(d.0), agent: AgentId(9), group: GroupId(g2) }).await;
        fact(&store, 21 * MIN, Fact::Answered { conversation: ConversationId(b.0), agent: AgentId(8), group: GroupId(g2) }).await;
        assert_model(&store, "answers move conversations between groups", groups).await;

        // Surveys: scores, a comment, a blank one; then a tag added after the close.
        survey(&store, a.0, 60 * MIN, 5, Some("很快")).await;
        survey(&store, b.0, 61 * MIN, 2, Some("   ")).await;
        survey(&store, c.0, 62 * MIN, 4, Some("ok")).await;
        survey(&store, d.0, 63 * MIN, 1, None).await;
        tag(&store, c.0, refund, true).await;
        assert_model(&store, "surveys and a tag after the close", groups).await;

        // Removed: the last tag of a conversation takes it out of the coverage.
        tag(&store, a.0, slow, false).await;
        tag(&store, b.0, refund, false).await;
        assert_model(&store, "tags removed", groups).await;

        // A conversation whose facts all come late, tagged in the same transaction as its queueing.
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(&queued(e.0, e.1, g2, "web"), MIN).await.unwrap();
        tx.add_conversation_tag(e.0, odd, None, 1).await.unwrap();
        tx.add_conversation_tag(e.0, refund, None, 1).await.unwrap();
        tx.commit().await.unwrap();
        assert_model(&store, "tagged with its queueing", groups).await;

        // A tag deleted everywhere.
        store.delete_tag(refund).await.unwrap();
        assert_model(&store, "a tag deleted", groups).await;

        // A rebuild (and a start-up build, once) makes the same model.
        let (before, tagged) = store.reason_sums(0, 100 * QUARTER, QUARTER, &ContactFilter::default()).await.unwrap();
        store.rebuild_report_contacts().await.unwrap();
        assert_model(&store, "rebuilt", groups).await;
        assert!(store.build_report_reasons(5).await.unwrap(), "not built at start-up yet");
        assert!(!store.build_report_reasons(6).await.unwrap(), "built once");
        let (mut after, tagged_after) = store.reason_sums(0, 100 * QUARTER, QUARTER, &ContactFilter::default()).await.unwrap();
        let mut before: Vec<ReasonSumRow> = before.into_iter().filter(|s| s.conversations != 0).collect();
        after.retain(|s| s.conversations != 0);
        before.sort_by_key(|s| (s.tag_id, s.slot));
        after.sort_by_key(|s| (s.tag_id, s.slot));
        assert_eq!((after, tagged_after), (before, tagged), "the build makes what the writes made");
    })
    .await;
}

/// Tags added and removed, answers that move conversations and a tag's deletion, written side
/// by side from several connections (PostgreSQL runs them at once): the model still equals the
/// raw rows, and nobody deadlocks.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writers_side_by_side_keep_the_reasons_model_whole() {
    each_backend(|store| async move {
        let g1 = store.save_group(&GroupRow::new("售前"), 1).await.unwrap();
        let g2 = store.save_group(&GroupRow::new("售后"), 1).await.unwrap();
        let tags = [
            store.create_tag("a", "#ff0000", false, 1).await.unwrap(),
            store.create_tag("b", "#00ff00", false, 1).await.unwrap(),
            store.create_tag("c", "#0000ff", false, 1).await.unwrap(),
        ];
        let mut ids = vec![];
        for i in 0..12i64 {
            let v = store.create_visitor(&format!("v{i}"), None, 1).await.unwrap().id;
            let c = conversation(&store, g1, v).await;
            fact(&store, (i + 1) * MIN, queued(c, v, g1, if i % 2 == 0 { "web" } else { "h5" })).await;
            tag(&store, c, tags[0], true).await;
            if i % 2 == 1 {
                tag(&store, c, tags[2], true).await;
            }
            ids.push(c);
        }
        let at = 100 * MIN;
        let writers = ids.iter().enumerate().map(|(i, &c)| {
            let (s1, s2, s3) = (store.clone(), store.clone(), store.clone());
            async move {
                let add = async {
                    let mut tx = s1.begin().await.unwrap();
                    tx.add_conversation_tag(c, tags[1], None, 2).await.unwrap();
                    tx.commit().await.unwrap();
                };
                let answer = async {
                    let mut tx = s2.begin().await.unwrap();
                    let answered = Fact::Answered { conversation: ConversationId(c), agent: AgentId(1 + i as i64 % 3), group: GroupId(g2) };
                    tx.record_fact(&answered, at + i as i64).await.unwrap();
                    tx.commit().await.unwrap();
                };
                let remove = async {
                    let mut tx = s3.begin().await.unwrap();
                    tx.remove_conversation_tag(c, tags[0]).await.unwrap();
                    tx.commit().await.unwrap();
                };
                tokio::join!(add, answer, remove);
            }
        });
        let delete = {
            let s = store.clone();
            async move { s.delete_tag(tags[2]).await.unwrap() }
        };
        tokio::join!(futures::future::join_all(writers), delete);
        assert_model(&store, "written side by side", (g1, g2)).await;
    })
    .await;
}
