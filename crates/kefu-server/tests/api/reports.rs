//! Reports over the API: a little traffic gives the expected counts per group and agent;
//! supervisors see their own groups only, agents nothing; CSV and XLSX exports are logged.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_with, TestApp};

/// Today in the organisation's time zone (the default, Asia/Shanghai).
fn today() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date().to_string()
}

/// Two conversations answered and closed by agent 1 (one rated 5), one abandoned.
async fn traffic(app: &TestApp) -> String {
    let quitter = app.visitor("Quitter").await;
    let gone = app.start(&quitter, "hello?").await["id"].as_i64().unwrap();
    let (s, _) = app.call("POST", &format!("/api/v1/conversations/{gone}/leave"), Some(&quitter), None).await;
    assert_eq!(s, 200);
    let agent = app.ready_agent(1).await;
    for (name, score) in [("Ann", Some(5)), ("Bob", None)] {
        let visitor = app.visitor(name).await;
        let id = app.start(&visitor, "hi").await["id"].as_i64().unwrap();
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
        assert_eq!(s, 200);
        let (s, _) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), Some(json!({ "body": "您好" }))).await;
        assert_eq!(s, 201);
        let (s, _) =
            app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
        assert_eq!(s, 200);
        if let Some(score) = score {
            let (s, _) =
                app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": score }))).await;
            assert_eq!(s, 200);
        }
    }
    agent
}

fn total_for<'a>(report: &'a Value, name_part: &str) -> &'a Value {
    report["totals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"]["name"].as_str().unwrap().contains(name_part))
        .unwrap_or_else(|| panic!("{report}"))
}

#[tokio::test]
async fn a_supervisor_reads_the_days_figures_of_their_groups() {
    let app = spawn_app().await;
    let agent = traffic(&app).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let day = today();

    let (s, r) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&interval=15m&by=group"), Some(&sup), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["time_zone"], "Asia/Shanghai");
    assert_eq!(r["intervals"].as_array().unwrap().len(), 96, "a day of quarter hours");
    let cards = &total_for(&r, "Card")["figures"];
    assert_eq!((cards["offered"].as_i64(), cards["answered"].as_i64(), cards["abandoned"].as_i64()), (Some(3), Some(2), Some(1)));
    assert_eq!(cards["handled"], 2);
    assert_eq!(cards["csat_average"], 5.0);
    assert_eq!(cards["messages_per_conversation"], 2.0, "the opening message and the agent's reply");
    // The abandon came within seconds: a short abandon, out of the service level.
    assert_eq!(cards["abandoned_short"], 1);
    assert_eq!(cards["service_level"], 1.0);
    assert_eq!(r["totals"].as_array().unwrap().len(), 1, "the supervisor's only group: {r}");

    let (s, by_agent) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&by=agent"), Some(&sup), None).await;
    assert_eq!(s, 200);
    assert_eq!(total_for(&by_agent, "Li Na")["figures"]["handled"], 2);

    let (s, states) = app.call("GET", &format!("/api/v1/reports/agents?from={day}"), Some(&sup), None).await;
    assert_eq!(s, 200, "{states}");
    assert!(total_for(&states, "Li Na")["figures"]["logged_in_ms"].as_i64().unwrap() > 0, "{states}");

    // Not their group; not for agents; nonsense refused by name.
    let (s, e) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&group_ids=2"), Some(&sup), None).await;
    assert_eq!(s, 403, "{e}");
    let (s, _) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}"), Some(&agent), None).await;
    assert_eq!(s, 403);
    let (s, e) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&interval=hour"), Some(&sup), None).await;
    assert!(e["error"]["message"].as_str().unwrap().contains("interval"), "{s} {e}");
    let (s, e) = app.call("GET", "/api/v1/reports/conversations?from=2026-01-01&to=2027-06-01", Some(&sup), None).await;
    assert!((400..500).contains(&s) && e["error"]["message"].as_str().unwrap().contains("366"), "{e}");

    // The admin sees both groups.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, r) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&by=group&group_ids=1,2"), Some(&admin), None).await;
    assert_eq!(s, 200);
    assert_eq!(r["overall"]["offered"], 3);
}

#[tokio::test]
async fn the_short_abandon_limit_is_the_deployments_in_the_report_and_its_export() {
    let app = spawn_app_with(|c| c.short_abandon_secs = 10).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let day = today();
    let (s, r) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}"), Some(&sup), None).await;
    assert_eq!((s, r["short_abandon_secs"].as_u64()), (200, Some(10)), "{r}");
    for (locale, header) in [("en", "Abandoned,Abandoned within 10 s,Service level %"), ("zh-CN", "放弃量,10秒内放弃,服务水平 %")]
    {
        let url = app.url(&format!("/api/v1/reports/conversations/export?from={day}&format=csv&locale={locale}"));
        let text = app.http.get(url).bearer_auth(&sup).send().await.unwrap().text().await.unwrap();
        assert!(text.lines().next().unwrap_or("").contains(header), "{locale}: {text}");
    }
}

#[tokio::test]
async fn exports_carry_the_rows_and_are_logged() {
    let app = spawn_app().await;
    traffic(&app).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let day = today();

    let url = app.url(&format!("/api/v1/reports/conversations/export?from={day}&by=group&format=csv&locale=en"));
    let resp = app.http.get(url).bearer_auth(&sup).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains(&format!("kefu-conversations-{day}_{day}.csv")));
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("Interval,Key,Offered,Answered,Abandoned"), "{text}");
    let total = lines.iter().find(|l| l.starts_with("Total,")).unwrap_or_else(|| panic!("{text}"));
    assert!(total.contains("Card services,3,2,1,1,100,"), "{total}");

    let url = app.url(&format!("/api/v1/reports/agents/export?from={day}&format=xlsx"));
    let resp = app.http.get(url).bearer_auth(&sup).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert_eq!(&resp.bytes().await.unwrap()[..2], b"PK");

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, log) = app.call("GET", "/api/v1/reports/exports", Some(&admin), None).await;
    assert_eq!(s, 200, "{log}");
    let exports = log["exports"].as_array().unwrap();
    assert_eq!(exports.len(), 2, "{log}");
    assert_eq!((exports[0]["report"].as_str(), exports[0]["format"].as_str()), (Some("agents"), Some("xlsx")));
    assert_eq!((exports[1]["report"].as_str(), exports[1]["format"].as_str()), (Some("conversations"), Some("csv")));
    assert_eq!(exports[1]["user_id"], 2, "the supervisor");
    assert!(exports[1]["query"].as_str().unwrap().contains("by=group"));
    let (s, _) = app.call("GET", "/api/v1/reports/exports", Some(&sup), None).await;
    assert_eq!(s, 403, "the log is the admin's");
}

#[tokio::test]
async fn the_agent_state_export_names_away_reasons_in_words_of_its_language() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    for reason in ["meal", "training"] {
        let (s, v) = app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "away", "reason": reason }))).await;
        assert_eq!(s, 200, "{v}");
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    app.call("PUT", "/api/v1/agents/me/status", Some(&agent), Some(json!({ "status": "offline" }))).await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let day = today();
    for (locale, words) in [("en", ["Away: Meal s", "Away: Training s"]), ("zh-CN", ["小休: 用餐 s", "小休: 培训 s"])] {
        let url = app.url(&format!("/api/v1/reports/agents/export?from={day}&format=csv&locale={locale}"));
        let text = app.http.get(url).bearer_auth(&admin).send().await.unwrap().text().await.unwrap();
        let header = text.trim_start_matches('\u{feff}').lines().next().unwrap_or_default().to_string();
        for w in words {
            assert!(header.contains(w), "{locale}: {header}");
        }
        assert!(!header.contains("meal"), "{header}");
    }
}
