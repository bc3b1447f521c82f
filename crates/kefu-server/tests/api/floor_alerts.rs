//! Floor alerts: per-group thresholds (admins write, supervisors read, agents neither), the live
//! `floor.updated` feed, and alerts raised to supervisors when a line passes its level and
//! cleared when it drops.

use std::time::Duration;

use crate::helpers::{spawn_app, tempdir, TestApp};
use crate::restart::{app_at, free_port, start};
use serde_json::{json, Value};

fn levels(waiting: (i64, i64)) -> Value {
    json!({
        "waiting_warning": waiting.0, "waiting_critical": waiting.1,
        "longest_wait_warning_secs": 60, "longest_wait_critical_secs": 180,
        "service_level_warning_pct": 80, "service_level_critical_pct": 60,
    })
}

async fn tokens(app: &TestApp) -> (String, String, String) {
    (
        app.login("admin@demo.kefu", "demo-admin").await,
        app.login("supervisor@demo.kefu", "demo-supervisor").await,
        app.login("agent1@demo.kefu", "demo-agent").await,
    )
}

#[tokio::test]
async fn every_route_checks_the_role() {
    let app = spawn_app().await;
    let (admin, sup, agent) = tokens(&app).await;
    let reads = ["/api/v1/alert-thresholds", "/api/v1/alerts", "/api/v1/stats/floor"];
    for path in reads {
        let (s, e) = app.call("GET", path, Some(&agent), None).await;
        assert_eq!((s, e["error"]["code"].as_str()), (403, Some("forbidden")), "{path}: {e}");
        let (s, v) = app.call("GET", path, Some(&sup), None).await;
        assert_eq!(s, 200, "{path}: {v}");
        assert_eq!(app.call("GET", path, None, None).await.0, 401, "{path}");
    }
    let path = "/api/v1/groups/1/alert-thresholds";
    for who in [&agent, &sup] {
        assert_eq!(app.call("PUT", path, Some(who), Some(levels((1, 3)))).await.0, 403);
        assert_eq!(app.call("DELETE", path, Some(who), None).await.0, 403);
    }
    let (s, v) = app.call("PUT", path, Some(&admin), Some(levels((1, 3)))).await;
    assert_eq!((s, v["waiting_warning"].as_i64(), v["custom"].as_bool()), (200, Some(1), Some(true)), "{v}");
    let (_, list) = app.call("GET", "/api/v1/alert-thresholds", Some(&sup), None).await;
    let mine = |list: &Value, id: i64| list["groups"].as_array().unwrap().iter().find(|g| g["group_id"] == id).cloned().unwrap();
    assert_eq!((mine(&list, 1)["waiting_critical"].as_i64(), mine(&list, 1)["custom"].as_bool()), (Some(3), Some(true)));
    assert_eq!(mine(&list, 2)["custom"], false, "the other group keeps the defaults");
    assert_eq!(mine(&list, 2)["waiting_warning"], list["defaults"]["waiting_warning"]);
    assert_eq!(app.call("DELETE", path, Some(&admin), None).await.0, 204);
    let (_, list) = app.call("GET", "/api/v1/alert-thresholds", Some(&sup), None).await;
    assert_eq!(mine(&list, 1)["custom"], false, "reset to the defaults");
    assert_eq!(app.call("PUT", "/api/v1/groups/999/alert-thresholds", Some(&admin), Some(levels((1, 3)))).await.0, 404);
    assert_eq!(app.call("DELETE", "/api/v1/groups/999/alert-thresholds", Some(&admin), None).await.0, 404);
}

#[tokio::test]
async fn bad_levels_are_refused_naming_the_field() {
    let app = spawn_app().await;
    let (admin, _, _) = tokens(&app).await;
    let path = "/api/v1/groups/1/alert-thresholds";
    let mut cases =
        vec![(levels((5, 2)), "waiting_critical"), (levels((-1, 2)), "waiting_warning"), (levels((1, 20_000)), "waiting_critical")];
    let mut sl = levels((1, 2));
    sl["service_level_critical_pct"] = json!(90);
    cases.push((sl, "service_level_critical_pct"));
    let mut sl = levels((1, 2));
    sl["service_level_warning_pct"] = json!(120);
    cases.push((sl, "service_level_warning_pct"));
    let mut wait = levels((1, 2));
    wait["longest_wait_critical_secs"] = json!(10);
    cases.push((wait, "longest_wait_critical_secs"));
    for (body, field) in cases {
        let (s, e) = app.call("PUT", path, Some(&admin), Some(body)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
        assert_eq!(e["error"]["params"]["field"], field, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field), "{e}");
    }
    let (s, e) = app.call("PUT", path, Some(&admin), Some(json!({ "waiting_warning": 1 }))).await;
    assert_eq!(s, 422, "a missing field: {e}");
    // Switching a level off (0) is allowed, and then not compared.
    assert_eq!(app.call("PUT", path, Some(&admin), Some(levels((0, 2)))).await.0, 200);
}

#[tokio::test]
async fn an_alert_is_raised_when_the_line_passes_its_level_and_cleared_when_it_drops() {
    let app = spawn_app().await;
    let (admin, sup, agent_token) = tokens(&app).await;
    let mut supervisor = app.ws(&sup).await;
    let mut agent_ws = app.ws(&agent_token).await;
    let (s, v) = app.call("PUT", "/api/v1/groups/1/alert-thresholds", Some(&admin), Some(levels((1, 3)))).await;
    assert_eq!(s, 200, "{v}");

    // Nobody ready: the customer waits in group 1's line.
    let visitor = app.visitor("排队的客户").await;
    app.start(&visitor, "有人吗").await;
    let floor = supervisor
        .wait_until("floor.updated", |e| e["data"]["groups"].as_array().unwrap().iter().any(|g| g["id"] == 1 && g["waiting"] == 1))
        .await;
    let group = floor["data"]["groups"].as_array().unwrap().iter().find(|g| g["id"] == 1).cloned().unwrap();
    assert!(group["waiting_since"].is_string(), "{group}");
    assert_eq!(group["thresholds"]["waiting_warning"], 1);
    let raised = supervisor.wait_for("alert.raised").await;
    assert_eq!(
        (raised["data"]["group_id"].as_i64(), raised["data"]["metric"].as_str(), raised["data"]["level"].as_str()),
        (Some(1), Some("waiting"), Some("warning")),
        "{raised}"
    );
    assert_eq!((raised["data"]["value"].as_i64(), raised["data"]["threshold"].as_i64()), (Some(1), Some(1)));
    assert!(raised["data"]["cleared_at"].is_null());
    let (_, today) = app.call("GET", "/api/v1/alerts", Some(&sup), None).await;
    assert_eq!(today["alerts"][0]["id"], raised["data"]["id"], "{today}");
    assert!(today["alerts"][0]["cleared_at"].is_null());
    let (_, floor) = app.call("GET", "/api/v1/stats/floor", Some(&sup), None).await;
    assert_eq!(floor["groups"][0]["waiting"], 1, "{floor}");

    // An agent takes the line down to 0 (the offer takes it out of the line); after settling the
    // alert clears.
    app.call("PUT", "/api/v1/agents/me/status", Some(&agent_token), Some(json!({ "status": "ready" }))).await;
    let cleared = supervisor.wait_for("alert.cleared").await;
    assert_eq!(cleared["data"]["id"], raised["data"]["id"]);
    assert!(cleared["data"]["cleared_at"].is_string(), "{cleared}");
    let (_, today) = app.call("GET", "/api/v1/alerts", Some(&sup), None).await;
    assert!(today["alerts"][0]["cleared_at"].is_string(), "recorded as cleared: {today}");

    // Agents hear neither the alerts nor the floor.
    let seen: Vec<Value> = agent_ws.drain(200).await;
    assert!(seen.iter().all(|e| !["alert.raised", "alert.cleared", "floor.updated"].contains(&e["type"].as_str().unwrap_or(""))));
}

#[tokio::test]
async fn a_supervisor_hears_only_the_alerts_of_their_groups() {
    let app = spawn_app().await;
    let (admin, sup, _) = tokens(&app).await;
    // The demo supervisor is a member of group 1 (cards) only; this alert is group 2's (loans).
    let mut admin_ws = app.ws(&admin).await;
    let mut sup_ws = app.ws(&sup).await;
    app.call("PUT", "/api/v1/groups/2/alert-thresholds", Some(&admin), Some(levels((1, 3)))).await;
    let visitor = app.visitor("贷款客户").await;
    let (s, v) = app.call("POST", "/api/v1/conversations", Some(&visitor), Some(json!({ "business_type_id": 2, "message": "贷款" }))).await;
    assert_eq!(s, 201, "{v}");
    // The round that raises the alert sends the floor first: keep the admin's frames until then
    // (a later frame comes only when a figure changes again).
    let mut admin_seen = vec![admin_ws.next_event().await];
    while admin_seen.last().unwrap()["type"] != "alert.raised" {
        admin_seen.push(admin_ws.next_event().await);
    }
    let raised = admin_seen.last().unwrap();
    assert_eq!(raised["data"]["group_id"], 2);
    let seen = sup_ws.drain(500).await;
    assert!(seen.iter().all(|e| e["type"] != "alert.raised"), "{seen:?}");
    // The floor too: the supervisor's frames and snapshot carry their own line only, the admin's all.
    let ids = |groups: &Value| groups.as_array().unwrap().iter().map(|g| g["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let floors: Vec<&Value> = seen.iter().filter(|e| e["type"] == "floor.updated").collect();
    assert!(!floors.is_empty(), "{seen:?}");
    assert!(floors.iter().all(|e| ids(&e["data"]["groups"]) == [1]), "{floors:?}");
    let admin_floor = admin_seen.iter().rfind(|e| e["type"] == "floor.updated").expect("the admin's floor before the alert");
    assert!(ids(&admin_floor["data"]["groups"]).contains(&1) && ids(&admin_floor["data"]["groups"]).contains(&2), "{admin_floor}");
    let (_, snapshot) = app.call("GET", "/api/v1/stats/floor", Some(&sup), None).await;
    assert_eq!(ids(&snapshot["groups"]), [1], "{snapshot}");
    let (_, snapshot) = app.call("GET", "/api/v1/stats/floor", Some(&admin), None).await;
    assert!(ids(&snapshot["groups"]).contains(&2), "{snapshot}");
    let (_, theirs) = app.call("GET", "/api/v1/alerts", Some(&sup), None).await;
    assert_eq!(theirs["alerts"].as_array().map(Vec::len), Some(0), "{theirs}");
    let (_, all) = app.call("GET", "/api/v1/alerts", Some(&admin), None).await;
    assert_eq!(all["alerts"][0]["group_id"], 2, "{all}");
}

/// Today's alerts as `who` sees them, once `pred` holds (polled for up to 15 s).
async fn alerts_when(app: &TestApp, who: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..150 {
        let (_, v) = app.call("GET", "/api/v1/alerts", Some(who), None).await;
        let list = v["alerts"].as_array().cloned().unwrap_or_default();
        if pred(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("alerts never got there");
}

#[tokio::test]
async fn an_alert_active_at_a_crash_is_taken_over_not_raised_again() {
    let dir = tempdir::Dir::new();
    let port = free_port();
    let mut child = start(&dir.0, port).await;
    let app = app_at(port, None);
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    app.call("PUT", "/api/v1/groups/1/alert-thresholds", Some(&admin), Some(levels((1, 3)))).await;
    let visitor = app.visitor("等待中").await;
    let id = app.start(&visitor, "在吗").await["id"].as_i64().unwrap();
    let before = alerts_when(&app, &admin, |a| a.len() == 1).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let mut child = start(&dir.0, port).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (_, after) = app.call("GET", "/api/v1/alerts", Some(&admin), None).await;
    assert_eq!(after["alerts"].as_array().map(Vec::len), Some(1), "still the one alert: {after}");
    assert_eq!(after["alerts"][0]["id"], before[0]["id"]);
    // The line drops after the restart: the same alert clears.
    app.call("POST", &format!("/api/v1/conversations/{id}/leave"), Some(&visitor), Some(json!({}))).await;
    let cleared = alerts_when(&app, &admin, |a| a.iter().all(|x| x["metric"] != "waiting" || x["cleared_at"].is_string())).await;
    let waiting: Vec<&Value> = cleared.iter().filter(|a| a["metric"] == "waiting").collect();
    assert_eq!(waiting.len(), 1, "{cleared:?}");
    assert_eq!(waiting[0]["id"], before[0]["id"]);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test]
async fn the_floor_reports_each_groups_own_service_level_target() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, g) = app.call("PATCH", "/api/v1/groups/2", Some(&admin), Some(json!({ "service_level_target_secs": 45 }))).await;
    assert_eq!(s, 200, "{g}");
    let (s, floor) = app.call("GET", "/api/v1/stats/floor", Some(&admin), None).await;
    assert_eq!(s, 200, "{floor}");
    let target = |id: i64| floor["groups"].as_array().unwrap().iter().find(|g| g["id"] == id).unwrap()["service_level_target_secs"].clone();
    assert_eq!((target(1), target(2)), (json!(20), json!(45)), "cards keeps the server's default, loans has its own: {floor}");
    assert!(floor.get("service_level_target_secs").is_none(), "no single server-wide target any more: {floor}");
}
