//! The contact reasons report over the API: agents tag conversations, customers rate them with a
//! comment, and the report shows each tag's count, share, trend, CSAT and comments newest first;
//! filters by group, business type and channel; supervisors see their groups, agents nothing;
//! the CSV export is logged.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

fn today() -> String {
    jiff::Timestamp::now().to_zoned_datetime(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap()).date().to_string()
}

async fn tag(app: &TestApp, admin: &str, name: &str) -> i64 {
    let (s, t) = app.call("POST", "/api/v1/tags", Some(admin), Some(json!({ "name": name, "color": "#ff0000" }))).await;
    assert_eq!(s, 201, "{t}");
    t["id"].as_i64().unwrap()
}

/// A conversation served by `agent`, tagged with `tags`, closed, rated `score` with `comment`.
async fn served(app: &TestApp, agent: &str, tags: &[i64], score: Option<(i64, &str)>) -> i64 {
    let visitor = app.visitor("客户").await;
    let id = app.start(&visitor, "我要退款").await["id"].as_i64().unwrap();
    let (s, v) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{v}");
    for t in tags {
        let (s, v) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{t}"), Some(agent), None).await;
        assert_eq!(s, 200, "{v}");
    }
    let (s, v) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{v}");
    if let Some((score, comment)) = score {
        let (s, v) = app
            .call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": score, "comment": comment })))
            .await;
        assert_eq!(s, 200, "{v}");
    }
    id
}

fn reason<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["reasons"].as_array().unwrap().iter().find(|x| x["name"] == name).unwrap_or_else(|| panic!("{name} in {r}"))
}

#[tokio::test]
async fn tags_and_csat_comments_make_the_reasons_report() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let refund = tag(&app, &admin, "退款").await;
    let login = tag(&app, &admin, "登录问题").await;
    let agent = app.ready_agent(1).await;
    let first = served(&app, &agent, &[refund], Some((2, "退款太慢了"))).await;
    let second = served(&app, &agent, &[refund, login], Some((5, "很快解决"))).await;
    served(&app, &agent, &[], None).await;
    let day = today();

    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, r) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}&interval=day"), Some(&sup), None).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!((r["conversations"].as_i64(), r["tagged"].as_i64()), (Some(3), Some(2)), "{r}");
    assert_eq!(r["reasons"][0]["name"], "退款", "most conversations first: {r}");
    let top = reason(&r, "退款");
    assert_eq!((top["conversations"].as_i64(), top["share"].as_f64()), (Some(2), Some(1.0)));
    assert_eq!(top["trend"], json!([2]), "one day, two conversations");
    assert_eq!(top["csat_average"], 3.5);
    assert_eq!(top["comment_count"], 2);
    let comments = top["comments"].as_array().unwrap();
    assert_eq!(comments[0]["conversation_id"], second, "newest first: {top}");
    assert_eq!((comments[1]["conversation_id"].as_i64(), comments[1]["comment"].as_str()), (Some(first), Some("退款太慢了")));
    assert_eq!(comments[1]["score"], 2);
    assert_eq!(reason(&r, "登录问题")["share"], 0.5);

    // Filters: a channel no conversation came by, a business type, the group.
    let (s, none) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}&channels=app"), Some(&sup), None).await;
    assert_eq!(s, 200);
    assert_eq!((none["conversations"].as_i64(), none["reasons"].as_array().map(Vec::len)), (Some(0), Some(0)), "{none}");
    let (s, web) = app
        .call("GET", &format!("/api/v1/reports/reasons?from={day}&channels=web&business_type_ids=1&group_ids=1"), Some(&sup), None)
        .await;
    assert_eq!(s, 200, "{web}");
    assert_eq!(web["tagged"], 2);
    // The conversation report takes the same filters.
    let (s, conv) = app.call("GET", &format!("/api/v1/reports/conversations?from={day}&channels=h5"), Some(&sup), None).await;
    assert_eq!(s, 200);
    assert_eq!(conv["overall"]["offered"], 0, "{conv}");

    // Roles and bad input.
    let (s, e) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}"), Some(&agent), None).await;
    assert_eq!(s, 403, "{e}");
    let (s, e) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}&group_ids=2"), Some(&sup), None).await;
    assert_eq!(s, 403, "not their group: {e}");
    let (s, e) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}&channels=fax"), Some(&sup), None).await;
    assert_eq!((s, e["error"]["params"]["field"].as_str()), (422, Some("channels")), "{e}");
    let (s, e) = app.call("GET", &format!("/api/v1/reports/reasons?from={day}&business_type_ids=x"), Some(&sup), None).await;
    assert!((400..500).contains(&s) && e["error"]["message"].as_str().unwrap().contains("business_type_ids"), "{s} {e}");
    let (s, e) = app.call("GET", "/api/v1/reports/reasons?from=yesterday", Some(&sup), None).await;
    assert!((400..500).contains(&s) && e["error"]["code"].is_string(), "{s} {e}");
}

#[tokio::test]
async fn the_reasons_export_is_a_logged_csv() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let refund = tag(&app, &admin, "退款").await;
    let agent = app.ready_agent(1).await;
    served(&app, &agent, &[refund], Some((4, "好"))).await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let day = today();

    let url = app.url(&format!("/api/v1/reports/reasons/export?from={day}&format=csv&locale=zh-CN"));
    let resp = app.http.get(url).bearer_auth(&sup).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains(&format!("kefu-reasons-{day}_{day}.csv")));
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("时段,咨询原因,会话数,占比 %,满意度均分"), "{text}");
    assert!(lines.contains(&"合计,退款,1,100,4,100,1,1"), "{text}");

    let (s, log) = app.call("GET", "/api/v1/reports/exports", Some(&admin), None).await;
    assert_eq!(s, 200);
    assert_eq!((log["exports"][0]["report"].as_str(), log["exports"][0]["format"].as_str()), (Some("reasons"), Some("csv")), "{log}");
}
