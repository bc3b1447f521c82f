//! Workforce planning over the API: a planner imports an old system's interval CSV, then reads
//! the forecast, the staffing (Erlang C after shrinkage) and a shift suggestion; access follows
//! the groups a supervisor belongs to; bad CSV lines are named.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const CARDS: &str = "信用卡服务 Card services";
const LOANS: &str = "贷款咨询 Loans";

/// Three weeks (from Monday 5 January 2026 in the organisation's zone, Asia/Shanghai) of a
/// weekday pattern: 20 calls each half hour from 09:00 to 18:00 Shanghai time with a 180 s
/// handle time, nothing at night or at weekends.
fn three_weeks_csv(group: &str) -> String {
    let mut out = String::from("interval_start,group,offered,aht\n");
    for day in 0..21 {
        for slot in 0..48 {
            let weekday = day % 7 < 5;
            let open = (18..36).contains(&slot);
            let offered = if weekday && open { 20 } else { 0 };
            let (d, h, m) = (5 + day, slot / 2, (slot % 2) * 30);
            out.push_str(&format!("2026-01-{d:02}T{h:02}:{m:02}:00+08:00,{group},{offered},{}\n", if offered > 0 { "180" } else { "" }));
        }
    }
    out
}

async fn post_csv(app: &TestApp, token: &str, csv: String) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(app.url("/api/v1/planning/history/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("sent");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn group_id(app: &TestApp, token: &str, name: &str) -> i64 {
    let (s, groups) = app.call("GET", "/api/v1/planning/groups", Some(token), None).await;
    assert_eq!(s, 200, "{groups}");
    groups["groups"].as_array().unwrap().iter().find(|g| g["name"] == name).unwrap_or_else(|| panic!("{name} in {groups}"))["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn csv_import_then_forecast_then_staffing_then_schedule() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let cards = group_id(&app, &sup, CARDS).await;

    let (s, r) = post_csv(&app, &sup, three_weeks_csv(CARDS)).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["intervals"], 21 * 48);
    assert_eq!(r["groups"][0]["id"], cards);

    let (s, _) = app
        .call(
            "PUT",
            &format!("/api/v1/planning/groups/{cards}/settings"),
            Some(&sup),
            Some(json!({ "shrinkage": 0.25, "concurrency": 1, "service_level": 0.8, "within_secs": 20 })),
        )
        .await;
    assert_eq!(s, 403, "shrinkage is admin-set");
    let (s, v) = app
        .call(
            "PUT",
            &format!("/api/v1/planning/groups/{cards}/settings"),
            Some(&admin),
            Some(json!({ "shrinkage": 0.25, "concurrency": 1, "service_level": 0.8, "within_secs": 20 })),
        )
        .await;
    assert_eq!(s, 200, "{v}");

    // Forecast: the week after the import (Monday 26 January 2026 00:00 in Shanghai, 16:00 UTC
    // the day before), every half hour.
    let (s, f) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/forecast?weeks=1"), Some(&sup), None).await;
    assert_eq!(s, 200, "{f}");
    let monday = 1_769_385_600_000_i64 - 8 * 3_600_000;
    assert_eq!(f["starts_at"], monday);
    let points = f["points"].as_array().unwrap();
    assert_eq!(points.len(), 336);
    let at = |i: usize| (points[i]["offered"].as_f64().unwrap(), points[i]["aht_secs"].as_f64().unwrap());
    let (ten, aht) = at(20); // Monday 10:00
    assert!((ten - 20.0).abs() < 1.0 && (aht - 180.0).abs() < 5.0, "Monday 10:00: {ten} calls, {aht} s");
    assert!(at(6).0 < 1.0, "Monday 03:00 stays quiet: {}", at(6).0);
    assert!(at(5 * 48 + 20).0 < 1.0, "Saturday stays quiet");
    assert!(!f["backtest"].as_array().unwrap().is_empty(), "{}", f["backtest"]);
    assert_eq!(f["actual"].as_array().unwrap().len(), 2 * 336);
    // Three weeks of history: the backtest holds out a fifth (201 half hours), not a whole week.
    let held = f["backtest_points"].as_array().unwrap();
    assert_eq!(held.len(), 1008 / 5);
    assert_eq!(held.last().unwrap()["start"], monday - 1_800_000);

    // Staffing: 20 calls × 180 s per 30 min = 2 erlangs; 80/20 needs 4 agents (3 reach 60.2%,
    // 4 reach 86.1%); 25% shrinkage: ceil(4 / 0.75) = 6 to schedule.
    let (s, st) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/staffing?weeks=1"), Some(&sup), None).await;
    assert_eq!(s, 200, "{st}");
    let p = &st["points"][20];
    assert!((p["erlangs"].as_f64().unwrap() - 2.0).abs() < 0.15, "{p}");
    assert_eq!((p["required"].as_u64(), p["scheduled"].as_u64()), (Some(4), Some(6)), "{p}");
    assert_eq!(st["points"][6]["required"], 0);

    // Schedule: eight agents on 40 hours, 9- or 4-hour shifts between 08:00 and 20:00 Shanghai
    // time, its weekends off.
    let contracts: Vec<Value> = (1..=8)
        .map(|i| json!({ "name": format!("Agent {i}"), "hours_per_week": 40, "shift_hours": [9, 4], "earliest_start": "08:00", "latest_end": "20:00", "days_off": [5, 6] }))
        .collect();
    let (s, e) = app.call("POST", &format!("/api/v1/planning/groups/{cards}/schedule"), Some(&sup), Some(json!({ "contracts": [{ "name": "x", "hours_per_week": 40, "shift_hours": [8], "earliest_start": "8:15", "latest_end": "20:00" }] }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("contracts.0.earliest_start"), "{e}");
    let (s, plan) = app
        .call("POST", &format!("/api/v1/planning/groups/{cards}/schedule"), Some(&sup), Some(json!({ "weeks": 1, "contracts": contracts })))
        .await;
    assert_eq!(s, 201, "{plan}");
    let shifts = plan["shifts"].as_array().unwrap();
    assert!(!shifts.is_empty());
    for sh in shifts {
        let (start, end) = (sh["start"].as_i64().unwrap(), sh["end"].as_i64().unwrap());
        let (day, from, to) = ((start - monday) / 86_400_000, (start - monday) % 86_400_000, (end - monday) % 86_400_000);
        assert!(day < 5 && from >= 8 * 3_600_000 && (to <= 20 * 3_600_000 && to > from), "{sh}");
        // Covering 09:00-18:00 in Shanghai exactly: every shift is 01:00-10:00 UTC.
        let utc_hour = |t: i64| t.rem_euclid(86_400_000) / 3_600_000;
        assert_eq!((utc_hour(start), utc_hour(end)), (1, 10), "{sh}");
    }
    let required: Vec<u64> = plan["required"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let coverage: Vec<u64> = plan["coverage"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!((required.len(), coverage.len()), (336, 336));
    assert_eq!(required[20], 6);
    // 6 agents 09:00-18:00 on five days is thirty 9-hour shifts; eight agents may work four
    // each (36 of their 40 hours): exactly coverable, and covered exactly.
    assert_eq!((plan["under"].as_u64(), plan["over"].as_u64()), (Some(0), Some(0)), "{}", plan["shifts"]);
    assert_eq!(required, coverage);
    let (s, saved) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/schedule"), Some(&sup), None).await;
    assert_eq!(s, 200);
    assert_eq!((saved["id"].clone(), saved["shifts"].as_array().unwrap().len()), (plan["id"].clone(), shifts.len()));
}

#[tokio::test]
async fn supervisors_plan_their_groups_agents_none_and_bad_lines_are_named() {
    let app = spawn_app().await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;

    let (s, _) = post_csv(&app, &agent, three_weeks_csv(CARDS)).await;
    assert_eq!(s, 403);
    let (s, _) = app.call("GET", "/api/v1/planning/groups", Some(&agent), None).await;
    assert_eq!(s, 403);

    let (_, groups) = app.call("GET", "/api/v1/planning/groups", Some(&sup), None).await;
    assert_eq!(groups["groups"].as_array().unwrap().len(), 1, "the supervisor belongs to the cards group only: {groups}");
    let loans = group_id(&app, &admin, LOANS).await;
    let (s, e) = post_csv(&app, &sup, format!("2026-01-05T09:00:00Z,{LOANS},3\n")).await;
    assert_eq!(s, 403, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("line 1"), "{e}");
    let (s, _) = app.call("GET", &format!("/api/v1/planning/groups/{loans}/forecast"), Some(&sup), None).await;
    assert_eq!(s, 403);

    for (csv, line, what) in [
        (format!("interval_start,group,offered\n2026-01-05T09:00:00Z,{CARDS},3\n2026-01-05T09:10:00Z,{CARDS},3\n"), "line 3", "30-minute"),
        (format!("2026-01-05T09:00:00Z,{CARDS},lots\n"), "line 1", "offered"),
        ("2026-01-05T09:00:00Z,No such group,3\n".to_string(), "line 1", "no group"),
        (format!("2026-01-05T09:00:00Z,{CARDS},3,-5\n"), "line 1", "aht"),
    ] {
        let (s, e) = post_csv(&app, &admin, csv).await;
        let msg = e["error"]["message"].as_str().unwrap_or_default().to_string();
        assert_eq!(s, 422, "{e}");
        assert!(msg.starts_with(line) && msg.contains(what), "{msg}");
    }
    let (s, e) = app.call("GET", &format!("/api/v1/planning/groups/{loans}/forecast"), Some(&admin), None).await;
    assert_eq!(s, 422, "no history yet: {e}");
    let (s, _) = app.call("GET", &format!("/api/v1/planning/groups/{loans}/forecast?weeks=9"), Some(&admin), None).await;
    assert_eq!(s, 422);
}

#[tokio::test]
async fn own_conversations_are_history_when_nothing_was_imported() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let _agent = app.ready_agent(1).await;
    let visitor = app.visitor("Planner's customer").await;
    app.start(&visitor, "hello").await;
    let cards = group_id(&app, &admin, CARDS).await;
    let (s, f) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/forecast"), Some(&admin), None).await;
    assert_eq!(s, 200, "{f}");
    let actual = f["actual"].as_array().unwrap();
    assert_eq!(actual.last().unwrap()["offered"], 1.0, "{actual:?}");
}

/// A contract may name an agent (the suggested shifts then carry their id and name), and the
/// latest plan is compared with what happened: agents logged in against agents scheduled, and
/// contacts that came against the forecast, per interval that has begun.
#[tokio::test]
async fn contracts_name_agents_and_the_plan_is_compared_with_what_happened() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let (s, me) = app.call("GET", "/api/v1/auth/me", Some(&agent), None).await;
    assert_eq!(s, 200, "{me}");
    let (agent_id, agent_name) = (me["id"].as_i64().unwrap(), me["name"].as_str().unwrap().to_string());
    let visitor = app.visitor("Planned customer").await;
    app.start(&visitor, "hello").await;
    let cards = group_id(&app, &admin, CARDS).await;

    let contract = |agent: i64| json!({ "agent_id": agent, "hours_per_week": 40, "shift_hours": [8], "earliest_start": "00:00", "latest_end": "24:00" });
    let url = format!("/api/v1/planning/groups/{cards}/schedule");
    let (s, e) = app.call("POST", &url, Some(&admin), Some(json!({ "contracts": [contract(999_999)] }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("contracts.0.agent_id"), "{e}");
    let (s, plan) = app.call("POST", &url, Some(&admin), Some(json!({ "contracts": [contract(agent_id)] }))).await;
    assert_eq!(s, 201, "{plan}");
    assert_eq!(plan["contracts"][0]["name"], agent_name.as_str(), "the agent's name fills the contract's");
    for sh in plan["shifts"].as_array().unwrap() {
        assert_eq!((sh["agent_id"].as_i64(), sh["name"].as_str()), (Some(agent_id), Some(agent_name.as_str())), "{sh}");
    }
    assert_eq!(plan["forecast"].as_array().unwrap().len(), plan["required"].as_array().unwrap().len());

    let (s, cmp) = app.call("GET", &format!("{url}/actuals"), Some(&admin), None).await;
    assert_eq!(s, 200, "{cmp}");
    let points = cmp["points"].as_array().unwrap();
    assert!(points.iter().filter(|p| p["start"].as_i64() >= plan["starts_at"].as_i64()).all(|p| p["schedule_id"] == plan["id"]), "{cmp}");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    // The plan starts at the midnight (UTC) before its forecast, which starts after the last
    // half hour of history: today, unless the test runs in the day's last half hour.
    if plan["starts_at"].as_i64().unwrap() <= now - 1_800_000 {
        let last = points.last().unwrap();
        assert!(last["start"].as_i64().unwrap() <= now && now < last["start"].as_i64().unwrap() + 1_800_000, "{last}");
        assert_eq!(last["offered"], 1, "the visitor's conversation came in this half hour: {last}");
        assert!(last["logged_in"].as_f64().unwrap() > 0.0, "the ready agent is logged in: {last}");
        assert_eq!(last["agents_on"], 1, "the ready agent counts against the plan: {last}");
        let total: u64 = points.iter().map(|p| p["offered"].as_u64().unwrap()).sum();
        assert_eq!(total, 1);
    }
    let loans = group_id(&app, &admin, LOANS).await;
    let (s, _) = app.call("GET", &format!("/api/v1/planning/groups/{loans}/schedule/actuals"), Some(&admin), None).await;
    assert_eq!(s, 404, "no plan yet");
}

/// Two plans saved for two past weeks: a period spanning both shows each interval against the
/// plan made for it (the newer plan does not hide the older week), one plan may be asked for by
/// id, and the plan picker lists both, newest first.
#[tokio::test]
async fn any_period_is_compared_with_the_plans_saved_for_it() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let cards = group_id(&app, &admin, CARDS).await;
    let contract =
        |name: &str| json!({ "name": name, "hours_per_week": 40, "shift_hours": [8], "earliest_start": "08:00", "latest_end": "20:00" });
    let url = format!("/api/v1/planning/groups/{cards}/schedule");
    // History to Monday 26 January: the plan is for the week from then.
    let (s, e) = post_csv(&app, &admin, three_weeks_csv(CARDS)).await;
    assert_eq!(s, 200, "{e}");
    let (s, older) = app.call("POST", &url, Some(&admin), Some(json!({ "contracts": [contract("A"), contract("B")] }))).await;
    assert_eq!(s, 201, "{older}");
    // A fourth week of history: the next plan is for the week from Monday 2 February.
    let fourth: String = (0..7 * 48)
        .map(|i| {
            // From Monday 26 January 2026, 00:00 in Shanghai.
            let at = 1_769_385_600_000_i64 - 8 * 3_600_000 + i * 1_800_000;
            let (weekday, slot) = (i / 48 < 5, i % 48);
            let offered = if weekday && (18..36).contains(&slot) { 20 } else { 0 };
            let stamp = jiff::Timestamp::from_millisecond(at).unwrap();
            format!("{stamp},{CARDS},{offered},{}\n", if offered > 0 { "180" } else { "" })
        })
        .collect();
    let (s, e) = post_csv(&app, &admin, fourth).await;
    assert_eq!(s, 200, "{e}");
    let (s, newer) = app.call("POST", &url, Some(&admin), Some(json!({ "contracts": [contract("C")] }))).await;
    assert_eq!(s, 201, "{newer}");
    let week = 336 * 1_800_000_i64;
    assert_eq!(newer["starts_at"].as_i64().unwrap() - older["starts_at"].as_i64().unwrap(), week, "{older} {newer}");

    let (s, list) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/schedules"), Some(&admin), None).await;
    assert_eq!(s, 200, "{list}");
    let ids: Vec<&Value> = list["schedules"].as_array().unwrap().iter().map(|p| &p["id"]).collect();
    assert_eq!(ids, vec![&newer["id"], &older["id"]]);
    assert_eq!(list["schedules"][1]["ends_at"].as_i64(), newer["starts_at"].as_i64());

    // Both weeks and a day either side: each interval against the plan made for it.
    let (s, cmp) = app.call("GET", &format!("{url}/actuals?from=2026-01-25&to=2026-02-09"), Some(&admin), None).await;
    assert_eq!(s, 200, "{cmp}");
    assert_eq!((cmp["from"].as_str(), cmp["to"].as_str()), (Some("2026-01-25"), Some("2026-02-09")));
    let points = cmp["points"].as_array().unwrap();
    assert_eq!(points.len(), 16 * 48, "every half hour of the 16 days: {}", points.len());
    let mut seen = [0, 0, 0];
    for p in points {
        let start = p["start"].as_i64().unwrap();
        let plan = [&older, &newer].into_iter().find(|pl| {
            let at = pl["starts_at"].as_i64().unwrap();
            (at..at + week).contains(&start)
        });
        match plan {
            Some(pl) => {
                let i = ((start - pl["starts_at"].as_i64().unwrap()) / 1_800_000) as usize;
                assert_eq!(p["schedule_id"], pl["id"], "{p}");
                assert_eq!(p["scheduled"], pl["coverage"][i], "{p}");
                assert_eq!(p["required"], pl["required"][i], "{p}");
                seen[if pl["id"] == older["id"] { 0 } else { 1 }] += 1;
            }
            None => {
                assert!(p["schedule_id"].is_null() && p["scheduled"] == 0, "{p}");
                seen[2] += 1;
            }
        }
        assert_eq!((p["offered"].as_u64(), p["agents_on"].as_u64()), (Some(0), Some(0)), "nobody worked then: {p}");
    }
    assert_eq!(&seen[..2], &[336, 336], "{seen:?}");
    assert!(points.iter().any(|p| p["scheduled"].as_u64().unwrap() > 0), "the plans put agents on shifts");

    // One plan by id: the other week has no plan then.
    let (s, one) =
        app.call("GET", &format!("{url}/actuals?schedule_id={}&from=2026-01-25&to=2026-02-09", older["id"]), Some(&admin), None).await;
    assert_eq!(s, 200, "{one}");
    assert_eq!(one["schedule_id"], older["id"]);
    assert!(one["points"].as_array().unwrap().iter().all(|p| p["schedule_id"].is_null() || p["schedule_id"] == older["id"]));
    assert_eq!(one["points"].as_array().unwrap().iter().filter(|p| p["schedule_id"] == older["id"]).count(), 336);
    // The default period is the plan's own.
    let (s, own) = app.call("GET", &format!("{url}/actuals?schedule_id={}", older["id"]), Some(&admin), None).await;
    assert_eq!(s, 200, "{own}");
    assert!(own["starts_at"].as_i64() <= older["starts_at"].as_i64(), "{}", own["starts_at"]);

    for (q, status) in [
        ("from=2026-02-09&to=2026-01-25", 422),
        ("from=2026-01-01&to=2026-03-31", 422),
        ("to=2026-01-25", 422),
        ("from=yesterday", 422),
        ("schedule_id=999999", 404),
    ] {
        let (s, e) = app.call("GET", &format!("{url}/actuals?{q}"), Some(&admin), None).await;
        assert_eq!(s, status, "{q}: {e}");
        assert!(e["error"]["message"].is_string(), "{e}");
    }
}

/// The plan-against-actuals period exports like the reports: CSV (English headers asked for) or
/// XLSX, one row per half hour with its start in the organisation's zone, and every export is
/// logged with the report exports.
#[tokio::test]
async fn the_plan_against_actuals_period_exports_as_csv_and_xlsx() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let cards = group_id(&app, &admin, CARDS).await;
    let (s, e) = post_csv(&app, &admin, three_weeks_csv(CARDS)).await;
    assert_eq!(s, 200, "{e}");
    let contract = json!({ "name": "A", "hours_per_week": 40, "shift_hours": [8], "earliest_start": "08:00", "latest_end": "20:00" });
    let (s, plan) = app
        .call("POST", &format!("/api/v1/planning/groups/{cards}/schedule"), Some(&admin), Some(json!({ "contracts": [contract] })))
        .await;
    assert_eq!(s, 201, "{plan}");
    let url = |q: &str| app.url(&format!("/api/v1/planning/groups/{cards}/schedule/actuals/export?from=2026-01-26&to=2026-01-26&{q}"));

    let resp = app.http.get(url("locale=en")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_string();
    assert!(disposition.contains(&format!("kefu-plan_actuals-{cards}-2026-01-26_2026-01-26.csv")), "{disposition}");
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("Interval,Plan,Agents required,Agents scheduled,Agents ready or serving"), "{}", lines[0]);
    assert_eq!(lines.len(), 1 + 48, "a row per half hour of the day");
    // The organisation's day (Asia/Shanghai) and the plan both start at its midnight.
    assert_eq!(plan["starts_at"], 1_769_356_800_000_i64, "2026-01-26 00:00 in Shanghai");
    assert!(lines[1].starts_with(&format!("2026-01-26 00:00,{},", plan["id"])), "{}", lines[1]);

    let resp = app.http.get(url("format=xlsx")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(&resp.bytes().await.unwrap()[..2], b"PK");
    let resp = app.http.get(url("format=pdf")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 422);

    let (s, log) = app.call("GET", "/api/v1/reports/exports", Some(&admin), None).await;
    assert_eq!(s, 200, "{log}");
    let exports = log["exports"].as_array().unwrap();
    assert_eq!(exports.len(), 2, "{log}");
    assert_eq!((exports[0]["report"].as_str(), exports[0]["format"].as_str()), (Some("plan_actuals"), Some("xlsx")));
    assert_eq!((exports[1]["format"].as_str(), exports[1]["rows"].as_i64()), (Some("csv"), Some(48)));
    assert!(exports[1]["query"].as_str().unwrap().contains(&format!("group={cards}")), "{}", exports[1]);
}

#[tokio::test]
async fn a_zone_off_the_half_hour_plans_on_its_own_half_hours() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let cards = group_id(&app, &admin, CARDS).await;
    let (s, v) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "time_zone": "Asia/Kathmandu" }))).await;
    assert_eq!(s, 200, "{v}");
    // The same weeks with plain times: read on Kathmandu's clock (+05:45).
    let (s, e) = post_csv(&app, &admin, three_weeks_csv(CARDS).replace("+08:00", "")).await;
    assert_eq!(s, 200, "{e}");
    let (s, e) = post_csv(&app, &admin, format!("2026-01-26T09:00:00Z,{CARDS},1\n")).await;
    assert_eq!(s, 422, "09:00 UTC is 14:45 in Kathmandu, not the start of its half hour: {e}");
    let contracts: Vec<Value> = (1..=8)
        .map(|i| json!({ "name": format!("Agent {i}"), "hours_per_week": 40, "shift_hours": [9], "earliest_start": "08:00", "latest_end": "20:00", "days_off": [5, 6] }))
        .collect();
    let (s, plan) =
        app.call("POST", &format!("/api/v1/planning/groups/{cards}/schedule"), Some(&admin), Some(json!({ "contracts": contracts }))).await;
    assert_eq!(s, 201, "{plan}");
    // Monday 26 January 00:00 in Kathmandu is 18:15 UTC the day before.
    let monday = 1_769_385_600_000_i64 - 20_700_000;
    assert_eq!(plan["starts_at"], monday, "{}", plan["starts_at"]);
    assert_eq!((plan["under"].as_u64(), plan["over"].as_u64()), (Some(0), Some(0)), "{}", plan["shifts"]);
    for sh in plan["shifts"].as_array().unwrap() {
        // 09:00-18:00 in Kathmandu: 03:15-12:15 UTC.
        let minute_of_day = |t: i64| t.rem_euclid(86_400_000) / 60_000;
        let (start, end) = (sh["start"].as_i64().unwrap(), sh["end"].as_i64().unwrap());
        assert_eq!((minute_of_day(start), minute_of_day(end)), (3 * 60 + 15, 12 * 60 + 15), "{sh}");
    }
}

/// In a zone with daylight saving the forecast keeps the daily peak at its wall time: six weeks
/// of a 10:00 peak in Berlin winter time (+01), forecast into summer time (+02).
#[tokio::test]
async fn a_daily_peak_stays_at_its_wall_time_after_a_dst_change() {
    use jiff::{civil::date, tz::TimeZone, Timestamp, ToSpan};
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let cards = group_id(&app, &admin, CARDS).await;
    let (s, v) = app.call("PUT", "/api/v1/settings", Some(&admin), Some(json!({ "time_zone": "Europe/Berlin" }))).await;
    assert_eq!(s, 200, "{v}");
    // Sunday 15 February to Saturday 28 March 2026, plain times on Berlin's clock; the clocks
    // go forward that night (02:00 -> 03:00).
    let mut csv = String::from("interval_start,group,offered\n");
    for d in 0..42 {
        let day = date(2026, 2, 15).checked_add(d.days()).unwrap();
        for slot in 0..48 {
            let offered = match slot {
                20 => 40,
                19 | 21 => 20,
                16..=37 => 8,
                _ => 1,
            };
            csv.push_str(&format!("{day} {:02}:{:02},{CARDS},{offered}\n", slot / 2, (slot % 2) * 30));
        }
    }
    let (s, r) = post_csv(&app, &admin, csv).await;
    assert_eq!(s, 200, "{r}");
    let (s, f) = app.call("GET", &format!("/api/v1/planning/groups/{cards}/forecast?weeks=1"), Some(&admin), None).await;
    assert_eq!(s, 200, "{f}");
    let berlin = TimeZone::get("Europe/Berlin").unwrap();
    let local = |ms: i64| berlin.to_datetime(Timestamp::from_millisecond(ms).unwrap());
    let points = f["points"].as_array().unwrap();
    assert_eq!(points.len(), 336, "a week of real half hours from the end of the history");
    assert_eq!(local(points[0]["start"].as_i64().unwrap()).to_string(), "2026-03-29T00:00:00");
    // Each whole local day's busiest half hour.
    let mut peaks: Vec<(String, String, f64)> = vec![];
    for p in points {
        let t = local(p["start"].as_i64().unwrap());
        let (day, time, v) = (t.date().to_string(), t.time().to_string(), p["offered"].as_f64().unwrap());
        match peaks.last_mut() {
            Some(last) if last.0 == day => {
                if v > last.2 {
                    (last.1, last.2) = (time, v);
                }
            }
            _ => peaks.push((day, time, v)),
        }
    }
    assert!(peaks[..7].iter().all(|(_, time, _)| time == "10:00:00"), "{peaks:?}");
}
