//! The organisation's settings (`/api/v1/settings`): admins set the reports' time zone and the
//! sentiment alert thresholds, checked (422 naming the field), audited, and in force at once.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::sentiment::moods;

#[tokio::test]
async fn admins_set_the_sentiment_thresholds_and_they_apply_to_the_next_message() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, v) = app.call("GET", "/api/v1/settings", Some(&admin), None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["sentiment_alert_at"].as_f64(), v["sentiment_clear_at"].as_f64()), (Some(-0.5), Some(-0.1)), "{v}");
    assert_eq!(v["time_zone"], "Asia/Shanghai");
    for (method, body) in [("GET", None), ("PUT", Some(json!({ "sentiment_alert_at": -0.4 })))] {
        let (s, e) = app.call(method, "/api/v1/settings", Some(&sup), body).await;
        assert_eq!(s, 403, "{method}: {e}");
    }

    // "I'm not happy with this." scores about -0.46: no alert at -0.5.
    let mut watch = app.ws(&sup).await;
    let visitor = app.visitor("Ann").await;
    let id = app.start(&visitor, "I'm not happy with this.").await["id"].as_i64().unwrap();
    assert!(moods(&mut watch, 1200).await.is_empty());

    // Refused: the clear level at or below the alert level, a positive alert level, no number.
    for (body, field) in [
        (json!({ "sentiment_alert_at": -0.3, "sentiment_clear_at": -0.3 }), "sentiment_clear_at"),
        (json!({ "sentiment_clear_at": -0.6 }), "sentiment_clear_at"),
        (json!({ "sentiment_alert_at": 0.2 }), "sentiment_alert_at"),
        (json!({ "sentiment_alert_at": -1.5 }), "sentiment_alert_at"),
    ] {
        let (s, e) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(body.clone())).await;
        assert_eq!(s, 422, "{body}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().starts_with(field), "{body}: {e}");
    }
    let (s, e) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "sentiment_alert_at": "low" }))).await;
    assert!(s == 400 || s == 422, "{e}");

    let (s, v) =
        app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "sentiment_alert_at": -0.4, "sentiment_clear_at": 0.2 }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["sentiment_alert_at"].as_f64(), v["time_zone"].as_str()), (Some(-0.4), Some("Asia/Shanghai")), "unsent fields kept");
    let (s, m) = app
        .call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&visitor), Some(json!({ "body": "I'm not happy with this." })))
        .await;
    assert_eq!(s, 201, "{m}");
    let raised = watch.wait_for("sentiment.raised").await;
    assert_eq!(raised["data"]["conversation_id"].as_i64(), Some(id), "{raised}");

    // Audited, before and after.
    let (_, log) = app.call("GET", "/api/v1/audit-log?entity=org_settings", Some(&admin), None).await;
    let entry = &log["entries"][0];
    assert_eq!(
        (entry["before"]["sentiment_alert_at"].as_f64(), entry["after"]["sentiment_alert_at"].as_f64()),
        (Some(-0.5), Some(-0.4)),
        "{log}"
    );
}

#[tokio::test]
async fn the_reports_count_days_in_the_time_zone_an_admin_sets() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, e) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "time_zone": "Mars/Olympus" }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("time_zone"), "{e}");
    let (s, v) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "time_zone": "Europe/London" }))).await;
    assert_eq!((s, v["time_zone"].as_str()), (200, Some("Europe/London")), "{v}");
    let (s, r) = app.call("GET", "/api/v1/reports/conversations?from=2026-01-01&to=2026-01-02", Some(&admin), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["time_zone"], "Europe/London", "{r}");
    assert_eq!(app.call("GET", "/api/v1/settings", Some(&admin), None).await.1["time_zone"], "Europe/London");
}

/// A fixed-offset zone in which the local hour is `hour` right now (Etc/GMT-N is UTC+N).
fn zone_where_it_is(hour: i64) -> String {
    let utc_hour = jiff::Timestamp::now().as_second().rem_euclid(86_400) / 3600;
    let offset = match (hour - utc_hour).rem_euclid(24) {
        o if o > 14 => o - 24,
        o => o,
    };
    match offset {
        0 => "Etc/GMT".into(),
        o if o > 0 => format!("Etc/GMT-{o}"),
        o => format!("Etc/GMT+{}", -o),
    }
}

/// The live pages' "today" (supervisor page, an agent's day, the wallboard) starts at the
/// organisation's local midnight, as the reports' days do — not 24 hours ago. The clock is the
/// real one, so the zone is chosen to put local midnight between two conversations: one
/// queued three hours ago (yesterday where it is 01:xx now) and one just now.
#[tokio::test]
async fn the_live_pages_today_starts_at_the_organisations_local_midnight() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let (earlier, _) = crate::qa::served(&app, &agent, "昨天的", &["您好"]).await;
    crate::qa::served(&app, &agent, "今天的", &["您好"]).await;
    let sql = "UPDATE conversations SET queued_at = queued_at - $1, assigned_at = assigned_at - $1, closed_at = closed_at - $1
               WHERE id = $2";
    let hours3 = 3 * 3_600_000_i64;
    match &app.database_url {
        Some(url) => {
            let db = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sql).bind(hours3).bind(earlier).execute(&db).await.unwrap();
        }
        None => {
            let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", app.data_dir.0.join("kefu.db").display())).await.unwrap();
            sqlx::query(sql).bind(hours3).bind(earlier).execute(&db).await.unwrap();
        }
    }
    let (_, me) = app.call("GET", "/api/v1/auth/me", Some(&agent), None).await;
    let agent_id = me["user"]["id"].as_i64().or(me["id"].as_i64()).expect("my id");

    // (supervisor page, the agent's day, the wall's card services line): offered today.
    let offered = || async {
        let (s, live) = app.call("GET", "/api/v1/stats/live", Some(&admin), None).await;
        assert_eq!(s, 200, "{live}");
        let (s, day) = app.call("GET", &format!("/api/v1/stats/agents/{agent_id}"), Some(&admin), None).await;
        assert_eq!(s, 200, "{day}");
        let (s, floor) = app.call("GET", "/api/v1/stats/floor", Some(&admin), None).await;
        assert_eq!(s, 200, "{floor}");
        let wall: i64 = floor["groups"].as_array().unwrap().iter().map(|g| g["offered"].as_i64().unwrap()).sum();
        (live["today"]["offered"].as_i64().unwrap(), day["today"]["offered"].as_i64().unwrap(), wall)
    };
    for (hour, want) in [(1, 1), (4, 2)] {
        let zone = zone_where_it_is(hour);
        let (s, v) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "time_zone": zone }))).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(offered().await, (want, want, want), "at {hour}:xx local ({zone})");
    }
}
