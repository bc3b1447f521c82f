//! The short live lists page by cursor like every other list: today's alerts (newest first),
//! sentiment alerts (oldest first), a call's and a conversation's recordings, and the planning
//! groups. A row added meanwhile, or the cursor's row going away, never makes a page repeat or
//! skip one.

use serde_json::Value;

use crate::helpers::{spawn_app, TestApp};

fn ids(v: &Value, key: &str) -> Vec<i64> {
    v[key].as_array().unwrap_or_else(|| panic!("no {key}: {v}")).iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

/// Every page of `path` (which already has a `?`), `limit` rows at a time, as lists of ids.
async fn pages(app: &TestApp, token: &str, path: &str, key: &str, limit: i64) -> Vec<Vec<i64>> {
    let mut out = vec![];
    let mut after: Option<i64> = None;
    loop {
        let cursor = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let (s, v) = app.call("GET", &format!("{path}limit={limit}{cursor}"), Some(token), None).await;
        assert_eq!(s, 200, "{v}");
        out.push(ids(&v, key));
        match v["next_after"].as_i64() {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

#[tokio::test]
async fn todays_alerts_page_newest_first_and_a_new_alert_does_not_shift_a_later_page() {
    let app = spawn_app().await;
    let sup = app.login("admin@demo.kefu", "demo-admin").await;
    let store = app.store().await;
    let now = kefu_server::clock::now_ms();
    let mut made = vec![];
    for i in 0..5 {
        made.push(store.insert_floor_alert(1, "waiting", "warning", 3 + i, 3, now - 1000 + i).await.unwrap());
    }
    let (s, first) = app.call("GET", "/api/v1/alerts?limit=2", Some(&sup), None).await;
    assert_eq!((s, first["total"].as_i64()), (200, Some(5)), "{first}");
    assert_eq!(ids(&first, "alerts"), vec![made[4], made[3]]);
    // An alert raised meanwhile comes on top, not on the next page.
    store.insert_floor_alert(1, "longest_wait", "critical", 90, 60, now).await.unwrap();
    let after = first["next_after"].as_i64().unwrap();
    let (_, second) = app.call("GET", &format!("/api/v1/alerts?limit=2&after={after}"), Some(&sup), None).await;
    assert_eq!(ids(&second, "alerts"), vec![made[2], made[1]]);
    let all = pages(&app, &sup, "/api/v1/alerts?", "alerts", 4).await;
    assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), vec![4, 2]);
    let (s, _) = app.call("GET", "/api/v1/alerts?limit=0", Some(&sup), None).await;
    assert_eq!(s, 422);
    // The banners' list: only those still active, however old and however many pages of today's
    // alerts come before them.
    let old = store.insert_floor_alert(1, "service_level", "critical", 40, 80, now - 3 * 86_400_000).await.unwrap();
    store.clear_floor_alert(made[0], now).await.unwrap();
    let (s, active) = app.call("GET", "/api/v1/alerts?active=true&limit=50", Some(&sup), None).await;
    assert_eq!(s, 200, "{active}");
    let active_ids = ids(&active, "alerts");
    assert!(active_ids.contains(&old) && !active_ids.contains(&made[0]), "{active}");
    assert!(active["alerts"].as_array().unwrap().iter().all(|a| a["cleared_at"].is_null()), "{active}");
    let (s, v) = app.call("GET", "/api/v1/alerts?active=maybe", Some(&sup), None).await;
    assert!(s == 400 || s == 422, "{s} {v}");
    // Agents read neither alert list, paged or not.
    let agent = app.ready_agent(1).await;
    for path in ["/api/v1/alerts?limit=2", "/api/v1/sentiment-alerts?limit=2"] {
        let (s, _) = app.call("GET", path, Some(&agent), None).await;
        assert_eq!(s, 403, "{path}");
    }
}

#[tokio::test]
async fn sentiment_alerts_page_oldest_first_past_a_cleared_cursor() {
    let app = spawn_app().await;
    let sup = app.login("admin@demo.kefu", "demo-admin").await;
    let store = app.store().await;
    let now = kefu_server::clock::now_ms();
    let mut made = vec![];
    for i in 0..4 {
        let visitor = app.visitor(&format!("不满的客户{i}")).await;
        let c = app.start(&visitor, "太差了").await["id"].as_i64().unwrap();
        made.push(store.insert_sentiment_alert(c, 1, -0.9, -0.8, now + i).await.unwrap());
    }
    let (s, first) = app.call("GET", "/api/v1/sentiment-alerts?limit=2", Some(&sup), None).await;
    assert_eq!((s, first["total"].as_i64(), ids(&first, "alerts")), (200, Some(4), vec![made[0], made[1]]), "{first}");
    // The cursor's customer recovers: the next page still starts after it.
    store.clear_sentiment_alert(made[1], now + 10).await.unwrap();
    let after = first["next_after"].as_i64().unwrap();
    let (s, second) = app.call("GET", &format!("/api/v1/sentiment-alerts?limit=2&after={after}"), Some(&sup), None).await;
    assert_eq!((s, ids(&second, "alerts"), second["next_after"].as_i64()), (200, vec![made[2], made[3]], None), "{second}");
    // `q` finds the customer's name.
    let (_, hit) = app.call("GET", "/api/v1/sentiment-alerts?q=%E5%AE%A2%E6%88%B73", Some(&sup), None).await;
    assert_eq!(ids(&hit, "alerts"), vec![made[3]], "{hit}");
}

#[tokio::test]
async fn a_calls_recordings_page_by_cursor_for_those_who_may_fetch_them() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let visitor = app.visitor("录像客户").await;
    let conversation = app.start(&visitor, "视频").await["id"].as_i64().unwrap();
    let store = app.store().await;
    let mut tx = store.begin().await.unwrap();
    let new = kefu_store::NewCall { conversation_id: conversation, media: "video", started_by: "visitor", answered: true };
    let call = tx.insert_call(&new, 100).await.unwrap();
    tx.commit().await.unwrap();
    for (i, role) in ["visitor", "agent", "visitor"].into_iter().enumerate() {
        let path = format!("call-{}-{i}.webm", call.id);
        let r = kefu_store::NewRecording {
            call_id: call.id,
            conversation_id: conversation,
            role,
            agent_id: Some(3),
            path: &path,
            status: "recording",
        };
        store.insert_recording(&r, 200 + i as i64).await.unwrap();
    }
    for path in [format!("/api/v1/calls/{}/recordings?", call.id), format!("/api/v1/conversations/{conversation}/recordings?")] {
        let all = pages(&app, &admin, &path, "recordings", 2).await;
        assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), vec![2, 1], "{path}");
        assert!(all.concat().windows(2).all(|w| w[0] < w[1]), "oldest first, no repeat: {all:?}");
    }
    let (_, hit) = app.call("GET", &format!("/api/v1/calls/{}/recordings?q=agent", call.id), Some(&admin), None).await;
    assert_eq!((hit["total"].as_i64(), hit["recordings"][0]["role"].as_str()), (Some(1), Some("agent")), "{hit}");
    // A visitor never lists them.
    let (s, _) = app.call("GET", &format!("/api/v1/calls/{}/recordings?limit=1", call.id), Some(&visitor), None).await;
    assert!(s == 401 || s == 403, "{s}");
}

#[tokio::test]
async fn planning_groups_page_by_name_and_agents_are_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, whole) = app.call("GET", "/api/v1/planning/groups", Some(&admin), None).await;
    let every = ids(&whole, "groups");
    assert!(every.len() >= 2, "{whole}");
    assert_eq!(whole["total"].as_i64(), Some(every.len() as i64));
    let all = pages(&app, &admin, "/api/v1/planning/groups?", "groups", 1).await;
    assert_eq!(all.concat(), every, "one a page, in the same order");
    let agent = app.ready_agent(1).await;
    let (s, _) = app.call("GET", "/api/v1/planning/groups?limit=1", Some(&agent), None).await;
    assert_eq!(s, 403);
}
