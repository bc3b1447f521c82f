//! The weekly automatic QA sample: the admin's setting, and the draw the background task makes
//! once a week of the organisation's time zone is over — every flagged conversation and N% of
//! each agent's at random, once per week whatever the restarts.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::helpers::{spawn_app, TestApp};
use kefu_server::qa::sampling::{draw_due_weeks, set_setting, QaSampling, WeekDraw};
use kefu_store::QaResultRow;
use serde_json::json;

/// A conversation agent1 served and closed, once its automatic score is stored.
async fn served(app: &TestApp, agent: &str, admin: &str) -> i64 {
    let v = app.visitor("抽检客户").await;
    let id = app.start(&v, "在吗").await["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{e}");
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{e}");
    for _ in 0..100 {
        let (_, page) = app.call("GET", &format!("/api/v1/qa/conversations/{id}"), Some(admin), None).await;
        if !page["auto"].is_null() {
            return id;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("conversation {id} was not scored");
}

fn ms(rfc3339: &str) -> i64 {
    let t = time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap();
    (t.unix_timestamp_nanos() / 1_000_000) as i64
}

#[tokio::test]
async fn the_week_is_drawn_once_with_every_flagged_one_and_n_percent_per_agent() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;

    // The setting: off by default, admins set it, checked.
    let (s, v) = app.call("GET", "/api/v1/qa/sampling", Some(&admin), None).await;
    assert_eq!((s, v["enabled"].as_bool()), (200, Some(false)), "{v}");
    let (s, _) =
        app.call("PUT", "/api/v1/qa/sampling", Some(&agent), Some(json!({ "enabled": true, "percent": 50, "flag_below": 80 }))).await;
    assert_eq!(s, 403);
    let (s, e) =
        app.call("PUT", "/api/v1/qa/sampling", Some(&admin), Some(json!({ "enabled": true, "percent": 101, "flag_below": 80 }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");

    let mut ids = Vec::new();
    for _ in 0..7 {
        ids.push(served(&app, &agent, &admin).await);
    }
    // The week 2025-W10 in Shanghai: Monday 3 March 00:00 +08:00 to Monday 10 March.
    let store = app.store().await;
    let users = store.users().await.unwrap();
    let id_of = |email: &str| users.iter().find(|u| u.email == email).unwrap().id;
    let (a1, a2) = (id_of("agent1@demo.kefu"), id_of("agent2@demo.kefu"));
    let week = [
        (a1, 60, false, "2025-03-05T10:00:00+08:00"), // flagged: below 80
        (a1, 100, false, "2025-03-03T00:10:00+08:00"),
        (a1, 95, false, "2025-03-06T10:00:00+08:00"),
        (a1, 100, false, "2025-03-07T10:00:00+08:00"),
        (a2, 90, true, "2025-03-04T10:00:00+08:00"),   // flagged: a heavy hit
        (a2, 100, false, "2025-03-09T23:30:00+08:00"), // Sunday night in Shanghai, in the week
        (a2, 100, false, "2025-03-10T00:30:00+08:00"), // Monday in Shanghai (still Sunday in UTC): the next week
    ];
    for (id, (agent_id, score, heavy_hit, closed)) in ids.iter().zip(week) {
        let row = QaResultRow { conversation_id: *id, agent_id, score, heavy_hit, closed_at: ms(closed), scored_at: ms(closed) };
        store.save_qa_result(&row, &[]).await.unwrap();
    }
    let zone = app.config_again().time_zone;
    let now = ms("2025-03-12T09:00:00+08:00");

    assert_eq!(draw_due_weeks(&store, &zone, now).await.unwrap(), [], "off: nothing drawn");
    let (s, v) =
        app.call("PUT", "/api/v1/qa/sampling", Some(&admin), Some(json!({ "enabled": true, "percent": 50, "flag_below": 80 }))).await;
    assert_eq!(s, 200, "{v}");

    let drawn = draw_due_weeks(&store, &zone, now).await.unwrap();
    assert_eq!(
        drawn,
        [WeekDraw { week: "2025-W10".into(), added: 5 }],
        "turned on later than the fake now: that week only; 2 flagged, ceil(50% of 4) + ceil(50% of 2) random"
    );
    let (s, q) = app.call("GET", "/api/v1/qa/queue", Some(&admin), None).await;
    assert_eq!(s, 200, "{q}");
    let items: Vec<(i64, String)> = q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["conversation_id"].as_i64().unwrap(), i["reason"].as_str().unwrap().into()))
        .collect();
    assert_eq!(items[..2], [(ids[4], "flagged".into()), (ids[0], "flagged".into())], "flagged first, oldest first: {q}");
    assert!(items[2..].iter().all(|(_, reason)| reason == "random"), "{q}");
    let random: BTreeSet<i64> = items[2..].iter().map(|(id, _)| *id).collect();
    assert_eq!(random.len(), 3, "{q}");
    assert_eq!(random.iter().filter(|id| ids[1..4].contains(id)).count(), 2, "two of agent1's unflagged: {q}");
    assert!(random.contains(&ids[5]), "agent2's Sunday night one: {q}");
    assert!(!random.contains(&ids[6]), "Monday in Shanghai is the next week: {q}");

    // Again, later that week, and from another node's handle: the week is drawn already.
    assert_eq!(draw_due_weeks(&store, &zone, now + 3_600_000).await.unwrap(), []);
    assert_eq!(draw_due_weeks(&app.store().await, &zone, now).await.unwrap(), []);
    let (_, again) = app.call("GET", "/api/v1/qa/queue", Some(&admin), None).await;
    assert_eq!(again["items"].as_array().map(Vec::len), Some(5), "nothing added: {again}");
}

/// Weeks missed while the server was down or the sample was off are drawn late, each once,
/// back to the week the sample was first turned on in (and eight weeks at most).
#[tokio::test]
async fn missed_weeks_are_drawn_late_once_since_the_sample_was_turned_on() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let store = app.store().await;
    let agent_id = store.users().await.unwrap().iter().find(|u| u.email == "agent1@demo.kefu").unwrap().id;
    // One flagged conversation in each of 2025-W08, W09 and W10 (Shanghai).
    let mut ids = Vec::new();
    for closed in ["2025-02-19T10:00:00+08:00", "2025-02-26T10:00:00+08:00", "2025-03-05T10:00:00+08:00"] {
        let id = served(&app, &agent, &admin).await;
        let row = QaResultRow { conversation_id: id, agent_id, score: 10, heavy_hit: false, closed_at: ms(closed), scored_at: ms(closed) };
        store.save_qa_result(&row, &[]).await.unwrap();
        ids.push(id);
    }
    let zone = app.config_again().time_zone;
    let on = QaSampling { enabled: true, percent: 0, flag_below: 80 };
    // Turned on during W09, then off over the W10 boundary (and the server down over W11's).
    set_setting(&store, &on, ms("2025-02-25T09:00:00+08:00")).await.unwrap();
    set_setting(&store, &QaSampling { enabled: false, ..on.clone() }, ms("2025-02-28T09:00:00+08:00")).await.unwrap();
    assert_eq!(draw_due_weeks(&store, &zone, ms("2025-03-04T09:00:00+08:00")).await.unwrap(), [], "off");
    set_setting(&store, &on, ms("2025-03-19T09:00:00+08:00")).await.unwrap();

    let now = ms("2025-03-19T09:00:00+08:00"); // Wednesday of W12
    let week = |w: &str, added| WeekDraw { week: w.into(), added };
    let drawn = draw_due_weeks(&store, &zone, now).await.unwrap();
    assert_eq!(drawn, [week("2025-W09", 1), week("2025-W10", 1), week("2025-W11", 0)], "not W08: before it was turned on");
    assert_eq!(draw_due_weeks(&store, &zone, now + 3_600_000).await.unwrap(), [], "each week once");
    let (_, q) = app.call("GET", "/api/v1/qa/queue", Some(&admin), None).await;
    let queued: BTreeSet<i64> = q["items"].as_array().unwrap().iter().map(|i| i["conversation_id"].as_i64().unwrap()).collect();
    assert_eq!(queued, BTreeSet::from([ids[1], ids[2]]), "{q}");
    // Ten weeks later: eight weeks back at most.
    let later = draw_due_weeks(&store, &zone, now + 10 * 7 * 86_400_000).await.unwrap();
    let keys: Vec<&str> = later.iter().map(|d| d.week.as_str()).collect();
    assert_eq!(keys, ["2025-W14", "2025-W15", "2025-W16", "2025-W17", "2025-W18", "2025-W19", "2025-W20", "2025-W21"]);
}
