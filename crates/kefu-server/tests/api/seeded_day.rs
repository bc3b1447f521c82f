//! A seeded day of traffic over the API (issue 9, "How it is checked"): two quick abandons, six
//! conversations served by 李娜 (tagged, some rated with comments), one transferred to the loans
//! line and served there by 刘洋, and one still waiting when 李娜 steps away. The conversation
//! report, the contact reasons report, the agent state report, the wallboard and the automatic
//! QA scores (the starter rules in force) then show the numbers the definitions give.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// A served conversation's tags and its CSAT (score, comment), if rated.
type Served<'a> = (&'a [i64], Option<(i64, &'a str)>);

fn today() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date().to_string()
}

async fn ok(app: &TestApp, method: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let (s, v) = app.call(method, path, Some(token), body).await;
    assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
    v
}

fn by_name<'a>(rows: &'a Value, name_part: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"]["name"].as_str().unwrap_or("").contains(name_part))
        .unwrap_or_else(|| panic!("{name_part} in {rows}"))
}

#[tokio::test]
async fn a_seeded_day_gives_the_expected_reports_and_wallboard() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let refund =
        ok(&app, "POST", "/api/v1/tags", &admin, Some(json!({ "name": "退款", "color": "#e6a23c" }))).await["id"].as_i64().unwrap();
    let bill = ok(&app, "POST", "/api/v1/tags", &admin, Some(json!({ "name": "账单", "color": "#409eff" }))).await["id"].as_i64().unwrap();
    // The QA starter rules are in force for every conversation of the day.
    ok(&app, "POST", "/api/v1/qa/starter", &admin, None).await;

    // Two customers give up at once, before anyone is ready: short abandons.
    for name in ["走了甲", "走了乙"] {
        let v = app.visitor(name).await;
        let id = app.start(&v, "有人吗").await["id"].as_i64().unwrap();
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/leave"), &v, None).await;
    }

    // Six served and closed by 李娜: tags and CSAT (5, 4, 2 with comments; the rest unrated).
    let li = app.ready_agent(1).await;
    let plan: [Served; 6] = [
        (&[refund], Some((5, "很快"))),
        (&[refund, bill], Some((4, "还行"))),
        (&[bill], Some((2, "账单说不清楚"))),
        (&[], None),
        (&[], None),
        (&[], None),
    ];
    let mut served = Vec::new();
    for (tags, rating) in plan {
        let v = app.visitor("客户").await;
        let id = app.start(&v, "你好").await["id"].as_i64().unwrap();
        served.push(id);
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/accept"), &li, None).await;
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/messages"), &li, Some(json!({ "body": "您好" }))).await;
        for t in tags {
            ok(&app, "PUT", &format!("/api/v1/conversations/{id}/tags/{t}"), &li, None).await;
        }
        ok(&app, "POST", &format!("/api/v1/conversations/{id}/close"), &li, Some(json!({ "wrap_up_code": "resolved" }))).await;
        if let Some((score, comment)) = rating {
            ok(&app, "POST", &format!("/api/v1/conversations/{id}/csat"), &v, Some(json!({ "score": score, "comment": comment }))).await;
        }
    }

    // One goes to the loans line, where 刘洋 answers and closes it.
    let liu = app.ready_agent(3).await;
    let v = app.visitor("贷款客户").await;
    let moved = app.start(&v, "我想问贷款").await["id"].as_i64().unwrap();
    ok(&app, "POST", &format!("/api/v1/conversations/{moved}/accept"), &li, None).await;
    ok(&app, "PUT", &format!("/api/v1/conversations/{moved}/tags/{refund}"), &li, None).await;
    ok(&app, "POST", &format!("/api/v1/conversations/{moved}/transfer"), &li, Some(json!({ "group_id": 2 }))).await;
    ok(&app, "POST", &format!("/api/v1/conversations/{moved}/accept"), &liu, None).await;
    ok(&app, "POST", &format!("/api/v1/conversations/{moved}/close"), &liu, Some(json!({ "wrap_up_code": "resolved" }))).await;

    // 李娜 steps away; the last customer waits in the cards line.
    ok(&app, "PUT", "/api/v1/agents/me/status", &li, Some(json!({ "status": "away", "reason": "meal" }))).await;
    let v = app.visitor("还在等").await;
    app.start(&v, "在吗").await;

    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let day = today();

    // The conversation report: every contact once, under the group that last answered it.
    let r = ok(&app, "GET", &format!("/api/v1/reports/conversations?from={day}&by=group&group_ids=1,2"), &admin, None).await;
    let all = &r["overall"];
    let figures = |f: &Value| {
        ["offered", "answered", "abandoned", "abandoned_short", "handled", "transfers", "csat_count"].map(|k| f[k].as_i64().unwrap())
    };
    assert_eq!(figures(all), [10, 7, 2, 2, 7, 1, 3], "{all}");
    assert_eq!(all["service_level"], 1.0, "short abandons are out, everyone answered at once");
    assert!((all["csat_average"].as_f64().unwrap() - 11.0 / 3.0).abs() < 1e-9);
    assert_eq!(all["fcr_rate"], 1.0, "nobody came back");
    let cards = &by_name(&r["totals"], "Card")["figures"];
    assert_eq!(figures(cards), [9, 6, 2, 2, 6, 0, 3], "{cards}");
    let loans = &by_name(&r["totals"], "Loans")["figures"];
    assert_eq!(figures(loans), [1, 1, 0, 0, 1, 1, 0], "the transferred one counts where it was last answered: {loans}");
    let by_agent = ok(&app, "GET", &format!("/api/v1/reports/conversations?from={day}&by=agent&group_ids=1,2"), &admin, None).await;
    assert_eq!(by_name(&by_agent["totals"], "Li Na")["figures"]["handled"], 6);
    assert_eq!(by_name(&by_agent["totals"], "Liu Yang")["figures"]["handled"], 1);

    // Contact reasons: 退款 on three (one of them in loans), 账单 on two; 4 of the 10 tagged.
    let reasons = ok(&app, "GET", &format!("/api/v1/reports/reasons?from={day}&group_ids=1,2"), &admin, None).await;
    assert_eq!((reasons["conversations"].as_i64(), reasons["tagged"].as_i64()), (Some(10), Some(4)), "{reasons}");
    let names: Vec<(&str, i64)> = reasons["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["name"].as_str().unwrap(), x["conversations"].as_i64().unwrap()))
        .collect();
    assert_eq!(names, [("退款", 3), ("账单", 2)]);
    assert_eq!(reasons["reasons"][1]["csat_average"], 3.0, "账单: 4 and 2");
    assert_eq!(reasons["reasons"][1]["comments"][0]["comment"], "账单说不清楚", "newest first");
    // The supervisor (cards only) sees the cards part.
    let mine = ok(&app, "GET", &format!("/api/v1/reports/reasons?from={day}"), &sup, None).await;
    assert_eq!(mine["reasons"][0]["conversations"], 2, "the transferred 退款 is counted in loans: {mine}");

    // Agent states: both logged in today; 李娜 served and is away now.
    let states = ok(&app, "GET", &format!("/api/v1/reports/agents?from={day}"), &admin, None).await;
    let li_states = &by_name(&states["totals"], "Li Na")["figures"];
    assert!(li_states["logged_in_ms"].as_i64().unwrap() > 0 && li_states["busy_ms"].as_i64().unwrap() > 0, "{li_states}");
    assert!(by_name(&states["totals"], "Liu Yang")["figures"]["logged_in_ms"].as_i64().unwrap() > 0);

    // The wallboard: one waiting in cards, 李娜 away, 刘洋 ready in loans; today's counts per line.
    let floor = ok(&app, "GET", "/api/v1/stats/floor", &admin, None).await;
    let group = |name: &str| {
        floor["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"].as_str().unwrap().contains(name))
            .unwrap_or_else(|| panic!("{floor}"))
            .clone()
    };
    let (c, l) = (group("Card"), group("Loans"));
    assert_eq!((c["waiting"].as_i64(), c["agents"]["away"].as_i64()), (Some(1), Some(1)), "{c}");
    assert_eq!((l["waiting"].as_i64(), l["agents"]["ready"].as_i64()), (Some(0), Some(1)), "{l}");
    // The live line counts a transferred conversation in the line it moved to (the report counts
    // it under the group that last answered it: the same place here).
    assert_eq!((c["offered"].as_i64(), c["answered"].as_i64()), (Some(9), Some(6)), "{c}");
    assert_eq!((l["offered"].as_i64(), l["answered"].as_i64()), (Some(1), Some(1)), "{l}");
    // One definition of service level: the live line leaves out the two quick abandons and judges
    // each group by its own target, as the report does (it showed 0.75 while the report said 1.0).
    assert_eq!(c["service_level"], cards["service_level"], "wallboard {c} vs report {cards}");
    assert_eq!(l["service_level"], loans["service_level"], "wallboard {l} vs report {loans}");
    assert_eq!(c["service_level_judged"], 6, "six answered; the two quick abandons are out: {c}");
    // The supervisor page's day figure, over both lines, says the same as the report's overall.
    let live = ok(&app, "GET", "/api/v1/stats/live", &admin, None).await;
    assert_eq!(live["today"]["service_level"], all["service_level"], "{}", live["today"]);
    assert_eq!((live["today"]["abandoned"].as_i64(), live["today"]["abandoned_short"].as_i64()), (Some(2), Some(2)));
    // The supervisor (cards only) sees the cards line, its agents and its day; the admin all.
    let names =
        |v: &Value, key: &str| v[key].as_array().unwrap().iter().map(|g| g["name"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(names(&live, "groups").iter().any(|n| n.contains("Loans")), "{live}");
    let mine = ok(&app, "GET", "/api/v1/stats/live", &sup, None).await;
    let groups = names(&mine, "groups");
    assert!(!groups.is_empty() && groups.iter().all(|n| n.contains("Card")), "{groups:?}");
    assert_eq!((mine["today"]["offered"].as_i64(), live["today"]["offered"].as_i64()), (Some(9), Some(10)));
    assert_eq!(mine["today"]["service_level"], cards["service_level"]);
    let agents = names(&mine, "agents");
    assert!(agents.iter().any(|n| n.contains("Li Na")) && !agents.iter().any(|n| n.contains("Liu Yang")), "{agents:?}");
    let sup_floor = ok(&app, "GET", "/api/v1/stats/floor", &sup, None).await;
    assert_eq!(names(&sup_floor, "groups"), groups, "the wallboard shows the supervisor the same lines");

    // QA, by hand from the starter rules (100 minus each hit's weight). 李娜's six: greeted
    // (您好), quick, wrapped up, but no closing phrase in her last messages: 100 - 5 = 95; the one
    // rated 2 also hits 差评 (15, heavy): 80. 刘洋's transferred one: he wrote nothing, so no
    // greeting (10), no closing (5) and no first reply (10): 75; one transfer is within the limit.
    // The two abandons (no agent) and the one still waiting (open) are not scored.
    let from = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24)).to_string();
    let to = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24)).to_string();
    let path = format!("/api/v1/qa/report?from={}&to={}", from.replace('+', "%2B"), to.replace('+', "%2B"));
    let mut report = Value::Null;
    for _ in 0..100 {
        // Scores are written by a task after each close and again after each survey answer.
        report = ok(&app, "GET", &path, &admin, None).await;
        let agents = &report["agents"];
        let done = agents.as_array().unwrap().len() == 2
            && by_agent_name(agents, "Li Na")["heavy_hits"] == 1
            && by_agent_name(agents, "Liu Yang")["scored"] == 1;
        if done {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let line = |name: &str| {
        let a = by_agent_name(&report["agents"], name);
        (a["scored"].as_i64().unwrap(), a["avg_auto_score"].as_f64().unwrap(), a["heavy_hits"].as_i64().unwrap())
    };
    assert_eq!(line("Li Na"), (6, 92.5, 1), "(5 × 95 + 80) / 6: {report}");
    assert_eq!(line("Liu Yang"), (1, 75.0, 0), "{report}");
    let mut hits: Vec<(&str, i64, i64)> = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule_name"].as_str().unwrap(), r["hits"].as_i64().unwrap(), r["conversations"].as_i64().unwrap()))
        .collect();
    hits.sort();
    assert_eq!(hits, [("差评", 1, 1), ("结束语", 7, 7), ("问候语", 1, 1), ("首次响应超时", 1, 1)], "{report}");
    let scores: Vec<i64> = {
        let mut v = Vec::new();
        for id in served.iter().chain([&moved]) {
            v.push(ok(&app, "GET", &format!("/api/v1/qa/conversations/{id}"), &admin, None).await["auto"]["score"].as_i64().unwrap());
        }
        v
    };
    assert_eq!(scores, [95, 95, 80, 95, 95, 95, 75], "in the order served");
}

fn by_agent_name<'a>(rows: &'a Value, name_part: &str) -> &'a Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["agent_name"].as_str().unwrap_or("").contains(name_part))
        .unwrap_or_else(|| panic!("{name_part} in {rows}"))
}
