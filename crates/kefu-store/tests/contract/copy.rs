//! `migrate-store`: a SQLite database with a row in every table arrives whole in PostgreSQL
//! (PostgreSQL only: skipped without `KEFU_TEST_POSTGRES_URL`).

use kefu_core::Role;
use kefu_store::{
    AttachmentRow, CallQualityRow, Download, FinishedRecording, GroupRow, MessageSentimentRow, NewCall, NewMessage, NewNote, NewQaReview,
    NewRecording, NewUser, QaResultRow, QaRuleFields, Store, StoreError, TokenOwner, TABLES,
};
use serde_json::json;

use crate::support::conversation;

/// A row in every table, including a pair of groups overflowing into each other.
async fn fill(store: &Store) {
    let agent = store
        .create_user(NewUser { email: "ag@x", name: "张三", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 }, 1)
        .await
        .unwrap();
    let a = store.save_group(&GroupRow::new("a"), 1).await.unwrap();
    let b =
        store.save_group(&GroupRow { overflow_group_id: Some(a), overflow_after_secs: Some(30), ..GroupRow::new("b") }, 1).await.unwrap();
    let mut ga = store.group(a).await.unwrap();
    ga.overflow_group_id = Some(b);
    store.save_group(&ga, 2).await.unwrap();
    store.set_members(a, &[(agent, 4)]).await.unwrap();
    store
        .save_business_type(&kefu_store::BusinessTypeRow {
            id: 0,
            name: "billing".into(),
            group_id: a,
            min_skill_level: 1,
            names: "{}".into(),
        })
        .await
        .unwrap();
    store.create_wrap_up_code("ok", "OK").await.unwrap();
    let visitor = store.create_visitor("访客 1", Some("zh-CN"), 3).await.unwrap().id;
    store.create_session("tok", TokenOwner::Visitor(visitor), 3, 99).await.unwrap();
    store.create_api_key("crm", "kf_1", "kh", "[]", 4).await.unwrap();
    store.set_setting("widget.color", "#fff").await.unwrap();
    store
        .create_canned_response(Some(agent), &kefu_store::CannedFields { category: "", shortcut: "hi", title: "Hi", body: "你好" }, 5)
        .await
        .unwrap();
    store.create_webhook("http://127.0.0.1:9/h", "[\"*\"]", "s", 5).await.unwrap();
    let tag = store.create_tag("vip", "#ff0000", false, 5).await.unwrap();
    store.add_visitor_tag(visitor, tag, Some(agent), 5).await.unwrap();
    let id = conversation(store, a, visitor).await;
    let mut tx = store.begin().await.unwrap();
    tx.set_assigned(id, agent, 20).await.unwrap();
    let call = tx.insert_call(&NewCall { conversation_id: id, media: "video", started_by: "agent", answered: true }, 21).await.unwrap();
    let still = AttachmentRow {
        id: 0,
        conversation_id: id,
        name: "s.jpg".into(),
        mime: "image/jpeg".into(),
        size: 10,
        sha256: "00".into(),
        path: "p".into(),
        snapshot_call_id: Some(call.id),
        width: Some(640),
        height: Some(480),
    };
    let file = tx.insert_attachment(&still, 22).await.unwrap();
    let seq = tx.next_seq(id).await.unwrap();
    let m = NewMessage {
        conversation_id: id,
        sender: "visitor",
        sender_id: Some(visitor),
        sender_name: Some("访客 1"),
        kind: "image",
        body: "line one\nline 'two' \"三\"",
        attachment_id: Some(file),
        client_id: Some("c1"),
        data: None,
    };
    let message = tx.insert_message(&m, seq, 23).await.unwrap();
    let sentiment = MessageSentimentRow { message_id: message.id, conversation_id: id, lang: "zh".into(), score: -0.75 };
    tx.insert_message_sentiment(&sentiment).await.unwrap();
    tx.insert_event(id, seq, "message.created", &json!({ "n": 1 }), 23).await.unwrap();
    tx.enqueue_webhooks("conversation.updated", &json!({ "id": id }), 24).await.unwrap();
    tx.log_routing("offer", Some(id), Some(agent), Some(a), &json!({ "why": "load_balance" }), 25).await.unwrap();
    tx.add_conversation_tag(id, tag, Some(agent), 26).await.unwrap();
    let note = NewNote {
        conversation_id: id,
        kind: "note",
        author_id: Some(agent),
        author_name: "张三",
        body: "@张三 看一下",
        mentions: &[agent],
        tag_id: None,
    };
    let note = tx.insert_note(&note, 27).await.unwrap();
    tx.insert_notification(agent, "mention", &note, "看一下").await.unwrap();
    tx.set_call_recording(call.id, "always", "recording").await.unwrap();
    tx.set_closed(id, 30, false, Some("ok"), None).await.unwrap();
    tx.commit().await.unwrap();
    let mood = store.insert_sentiment_alert(id, message.id, -0.75, -0.75, 24).await.unwrap();
    store.clear_sentiment_alert(mood, 31).await.unwrap();
    let file =
        NewRecording { call_id: call.id, conversation_id: id, role: "agent", agent_id: Some(agent), path: "1/a.webm", status: "recording" };
    let rec = store.insert_recording(&file, 22).await.unwrap();
    let done = FinishedRecording { status: "finished", bytes: 1000, duration_ms: Some(5000), sha256: Some("ab"), error: None };
    store.finish_recording(rec.id, &done, 28).await.unwrap();
    store.log_download(Download::Recording(rec.id), Some(agent), None, 31).await.unwrap();
    assert!(store.claim_composition(call.id, Some(agent), "1/c.mp4", 29, kefu_store::JobLease { holder: "n1", until: 99 }).await.unwrap());
    store.log_download(Download::Composition(call.id), Some(agent), None, 32).await.unwrap();
    let q = CallQualityRow {
        call_id: call.id,
        side: "visitor".into(),
        at: 24,
        bitrate_in_bps: 800_000,
        bitrate_out_bps: 700_000,
        loss_in: Some(0.015),
        loss_out: None,
        rtt_ms: Some(40),
        estimate_bps: Some(1_200_000),
        video_rid: Some("h".into()),
        video_width: Some(1280),
        video_height: Some(720),
        video_fps: Some(29.97),
        published_rids: Some("l,m,h".into()),
    };
    store.add_call_quality(&q).await.unwrap();
    let rule = QaRuleFields { name: "未填小结", definition: r#"{"kind":"wrap_up_missing"}"#, weight: 5, heavy: true, enabled: true };
    let rule = store.create_qa_rule(&rule, 32).await.unwrap();
    store.set_qa_reviewer(agent, true, 32).await.unwrap();
    let result = QaResultRow { conversation_id: id, agent_id: agent, score: 95, heavy_hit: true, closed_at: 30, scored_at: 32 };
    store.save_qa_result(&result, &[(rule, "未填小结".into(), 5, None, "no wrap-up code".into())]).await.unwrap();
    let form = store.save_qa_form(None, "表", r#"[{"label":"态度","weight":100,"fatal":false}]"#, true, 32).await.unwrap();
    store.add_qa_samples(&[(id, agent, "flagged")], 33).await.unwrap();
    let review = NewQaReview {
        conversation_id: id,
        agent_id: agent,
        reviewer_id: agent,
        form: (form, "表"),
        items: "[]",
        line_comments: "[]",
        comment: Some("好"),
        score: 90,
        fatal: false,
    };
    let review = store.create_qa_review(&review, 34).await.unwrap();
    store.create_qa_appeal(review, agent, "理由", 35).await.unwrap();
    let levels = kefu_store::ThresholdsRow {
        group_id: a,
        waiting_warning: 2,
        waiting_critical: 4,
        longest_wait_warning_secs: 30,
        longest_wait_critical_secs: 90,
        service_level_warning_pct: 80,
        service_level_critical_pct: 60,
        updated_by: Some(agent),
        updated_at: 9,
    };
    store.set_alert_thresholds(&levels).await.unwrap();
    let alert = store.insert_floor_alert(a, "waiting", "warning", 2, 2, 10).await.unwrap();
    store.clear_floor_alert(alert, 20).await.unwrap();
    let entry = kefu_store::NewAuditEntry {
        actor_id: Some(agent),
        api_key_id: None,
        actor_name: "张三",
        entity: "group",
        entity_id: "1",
        action: "updated",
        summary: "售前",
        before: Some(r#"{"name":"a"}"#),
        after: Some(r#"{"name":"售前"}"#),
    };
    store.append_audit(&entry, 21).await.unwrap();
    let history = kefu_store::HistoryRow { group_id: a, interval_start: 1_800_000, offered: 12, aht_secs: Some(180.5) };
    store.import_history(&[history]).await.unwrap();
    let plan = kefu_store::PlanningSettingsRow { group_id: a, shrinkage: 0.3, concurrency: 3, service_level: 0.8, within_secs: 20 };
    store.save_planning_settings(&plan, 22).await.unwrap();
    store.save_schedule(a, 0, "{}", Some(agent), 23).await.unwrap();
    // A fact, which also starts the conversation's row of the report's read model.
    let queued = kefu_core::Fact::Queued {
        conversation: kefu_core::ConversationId(id),
        customer: visitor,
        group: kefu_core::GroupId(a),
        business_type: None,
        channel: "web".into(),
        vip: false,
        left_message: false,
    };
    let mut tx = store.begin().await.unwrap();
    tx.record_fact(&queued, 24).await.unwrap();
    // The agent state model: a ready stretch closed (its quarter hour), an open state, a
    // conversation served; then built once (its mark).
    let status = |status, reason: Option<&str>| kefu_core::StatusFact { status, reason: reason.map(str::to_string) };
    let (offline, ready, lunch) = (
        status(kefu_core::AgentStatusKind::Offline, None),
        status(kefu_core::AgentStatusKind::Ready, None),
        status(kefu_core::AgentStatusKind::Away, Some("午饭")),
    );
    let who = kefu_core::AgentId(agent);
    tx.record_fact(&kefu_core::Fact::AgentStatus { agent: who, from: offline, to: ready.clone() }, 24).await.unwrap();
    tx.record_fact(&kefu_core::Fact::AgentStatus { agent: who, from: ready, to: lunch.clone() }, 25).await.unwrap();
    let answered = kefu_core::Fact::Answered { conversation: kefu_core::ConversationId(id), agent: who, group: kefu_core::GroupId(a) };
    tx.record_fact(&answered, 25).await.unwrap();
    // A wrap-up (`report_wraps`): another conversation of the report's, answered and closed.
    let other = kefu_core::ConversationId(id + 1_000);
    let mut queued_other = queued.clone();
    if let kefu_core::Fact::Queued { conversation, .. } = &mut queued_other {
        *conversation = other;
    }
    tx.record_fact(&queued_other, 25).await.unwrap();
    tx.record_fact(&kefu_core::Fact::Answered { conversation: other, agent: who, group: kefu_core::GroupId(a) }, 25).await.unwrap();
    let close = kefu_core::Fact::Closed {
        conversation: other,
        group: kefu_core::GroupId(a),
        agent: Some(who),
        by: kefu_core::ClosedBy::Agent,
        wrap_up_code: None,
        visitor_messages: 1,
        agent_messages: 1,
    };
    tx.record_fact(&close, 25).await.unwrap();
    let wrap = status(kefu_core::AgentStatusKind::WrapUp, None);
    tx.record_fact(&kefu_core::Fact::AgentStatus { agent: who, from: lunch, to: wrap }, 25).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.build_agent_states(25).await.unwrap());
    let export = kefu_store::ExportRow {
        user_id: Some(agent),
        api_key_id: None,
        report: "conversations".into(),
        format: "csv".into(),
        query: "{}".into(),
        rows: 1,
        created_at: 25,
    };
    store.log_export(&export).await.unwrap();
    store.save_maturity_answers(&[("channel_consistent".into(), 2)], Some(agent), 26).await.unwrap();
    store.take_rate("visitors", "203.0.113.9", 60_000, 0, 3).await.unwrap();
    store.add_login_failure("account:a@x.y", 27).await.unwrap();
    store.draw_qa_week("2025-W10", 10, &[], 28).await.unwrap();
    let request = kefu_store::SnapshotRequestRow { call_id: call.id, conversation_id: id, expires_at: 60_029 };
    store.open_snapshot_request("0029", request, 29).await.unwrap();
    store.take_routing_epoch().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_database_arrives_whole_and_a_full_target_is_refused() {
    let Some(base) = kefu_store::testing::postgres_url_from_env() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = std::env::temp_dir().join(format!("kefu-copy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kefu.db");
    let source = Store::open(&file).await.unwrap();
    fill(&source).await;
    let target = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();

    let copied = kefu_store::copy_sqlite_to_postgres(&file, &target).await.expect("copied and verified");
    assert_eq!(copied.iter().map(|t| t.table.as_str()).collect::<Vec<_>>(), TABLES);
    for t in &copied {
        assert!(t.rows > 0, "the source has a row in {}", t.table);
    }

    // What the server reads is the same on both sides; new rows continue after the copied ids.
    let pg = Store::connect(&target).await.unwrap();
    let (c_src, c_dst) = (source.routable_conversations().await.unwrap(), pg.routable_conversations().await.unwrap());
    assert_eq!(c_src.len(), c_dst.len());
    let (old, new) = (source.conversations_by_status(None, None).await.unwrap(), pg.conversations_by_status(None, None).await.unwrap());
    assert_eq!(format!("{old:?}"), format!("{new:?}"));
    let (g_src, g_dst) = (source.groups().await.unwrap(), pg.groups().await.unwrap());
    assert_eq!(format!("{g_src:?}"), format!("{g_dst:?}"), "overflow to each other survives");
    let id = old[0].id;
    assert_eq!(format!("{:?}", source.messages_after(id, 0).await.unwrap()), format!("{:?}", pg.messages_after(id, 0).await.unwrap()));
    let max_user = pg.users().await.unwrap().iter().map(|u| u.id).max().unwrap();
    let next = pg
        .create_user(NewUser { email: "new@x", name: "N", role: Role::Agent, password_hash: "h", capacity_chat: 1, capacity_call: 1 }, 9)
        .await
        .unwrap();
    assert!(next > max_user);

    // Never into a database that holds data.
    match kefu_store::copy_sqlite_to_postgres(&file, &target).await {
        Err(StoreError::Copy(m)) => assert!(m.contains("not empty"), "{m}"),
        other => panic!("a second copy must be refused: {other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every SQLite migration has its PostgreSQL twin, and the two schemas have the same tables and
/// columns (by name, nullability), all in `migrate-store`'s copy list. A migration merged for
/// SQLite only fails here on the twin check even without PostgreSQL.
#[tokio::test]
async fn both_dialects_have_the_same_migrations_tables_and_columns() {
    let names = |dir: &str| -> Vec<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut v: Vec<String> = std::fs::read_dir(path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"), "each migrations/sqlite/NNNN_x.sql needs migrations/postgres/NNNN_x.sql");

    let dir = std::env::temp_dir().join(format!("kefu-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", dir.join("s.db").display())).await.unwrap();
    kefu_store::dialect::sqlite::MIGRATOR.run(&sqlite).await.unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&sqlite)
    .await
    .unwrap();
    let mut listed: Vec<String> = TABLES.iter().map(|t| t.to_string()).collect();
    listed.sort();
    assert_eq!(tables, listed, "kefu-store's copy list (copy.rs TABLES) names every table");
    let mut sqlite_columns = vec![];
    for t in &tables {
        let cols: Vec<(String, bool)> =
            sqlx::query_as(&format!("SELECT name, \"notnull\" = 0 AND pk = 0 FROM pragma_table_info('{t}') ORDER BY name"))
                .fetch_all(&sqlite)
                .await
                .unwrap();
        sqlite_columns.push((t.clone(), cols));
    }
    sqlite.close().await;
    let _ = std::fs::remove_dir_all(&dir);

    let Some(base) = kefu_store::testing::postgres_url_from_env() else { return };
    let url = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
    let pg = sqlx::PgPool::connect(&url).await.unwrap();
    kefu_store::dialect::postgres::MIGRATOR.run(&pg).await.unwrap();
    let mut pg_columns = vec![];
    for t in &tables {
        let cols: Vec<(String, bool)> = sqlx::query_as(
            "SELECT column_name::text, is_nullable = 'YES' FROM information_schema.columns
              WHERE table_schema = current_schema() AND table_name = $1 ORDER BY column_name",
        )
        .bind(t)
        .fetch_all(&pg)
        .await
        .unwrap();
        pg_columns.push((t.clone(), cols));
    }
    assert_eq!(sqlite_columns, pg_columns);
}
