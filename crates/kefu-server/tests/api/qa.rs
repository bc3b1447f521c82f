//! Quality inspection (质检): every closed conversation gets an automatic score with hits on its
//! lines; reviewers score samples with forms; the agent appeals once; a supervisor decides; and
//! each QA route checks who calls (agent, reviewer, supervisor, admin).

use std::time::Duration;

use crate::helpers::{spawn_app, TestApp};
use serde_json::{json, Value};

/// A conversation agent1 served and closed: the visitor writes `visitor_says`, the agent `says`.
pub(crate) async fn served(app: &TestApp, agent: &str, visitor_says: &str, says: &[&str]) -> (i64, String) {
    let v = app.visitor("质检客户").await;
    let id = app.start(&v, visitor_says).await["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(agent), None).await;
    assert_eq!(s, 200, "{e}");
    for text in says {
        let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(agent), Some(json!({ "body": text }))).await;
        assert!(s == 200 || s == 201, "{s} {e}");
    }
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200, "{e}");
    (id, v)
}

/// The QA page of a conversation once its automatic score is there (it is written by a task
/// after the close) and satisfies `done`.
pub(crate) async fn scored(app: &TestApp, token: &str, id: i64, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let (s, v) = app.call("GET", &format!("/api/v1/qa/conversations/{id}"), Some(token), None).await;
        assert_eq!(s, 200, "{v}");
        if !v["auto"].is_null() && done(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("conversation {id} was not scored as expected");
}

async fn rule(app: &TestApp, admin: &str, name: &str, check: Value, weight: i64, heavy: bool) -> i64 {
    let body = json!({ "name": name, "check": check, "weight": weight, "heavy": heavy });
    let (s, r) = app.call("POST", "/api/v1/qa/rules", Some(admin), Some(body)).await;
    assert_eq!(s, 201, "{r}");
    r["id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_closed_conversation_is_scored_with_its_hits_on_the_lines() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let forbidden = rule(&app, &admin, "禁用语", json!({ "kind": "forbidden_words", "words": ["看着办"] }), 20, true).await;
    let greeting = rule(&app, &admin, "问候语", json!({ "kind": "greeting", "phrases": ["您好"], "within": 1 }), 10, false).await;
    let csat = rule(&app, &admin, "差评", json!({ "kind": "low_csat", "at_most": 2 }), 15, false).await;
    let agent = app.ready_agent(1).await;
    let (id, visitor) = served(&app, &agent, "我的快递丢了", &["这事你自己看着办吧"]).await;

    let page = scored(&app, &admin, id, |_| true).await;
    assert_eq!(page["auto"]["score"], 70, "100 - 20 (forbidden word) - 10 (no greeting): {page}");
    assert_eq!(page["auto"]["heavy_hit"], true);
    let hits = page["auto"]["hits"].as_array().unwrap();
    let line = page["lines"].as_array().unwrap().iter().find(|l| l["body"] == "这事你自己看着办吧").unwrap()["id"].clone();
    let hit = |rule: i64| hits.iter().find(|h| h["rule_id"] == rule).unwrap_or_else(|| panic!("no hit of {rule}: {page}"));
    assert_eq!((hit(forbidden)["message_id"].clone(), hit(forbidden)["detail"].as_str()), (line.clone(), Some("\"看着办\"")));
    assert_eq!(hit(greeting)["message_id"], line, "marked where the greeting was expected");
    assert_eq!(hits.len(), 2, "{page}");

    // The survey answer comes after the close: the conversation is checked again.
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{id}/csat"), Some(&visitor), Some(json!({ "score": 1 }))).await;
    assert_eq!(s, 200, "{e}");
    let page = scored(&app, &admin, id, |v| v["auto"]["score"] == 55).await;
    assert!(page["auto"]["hits"].as_array().unwrap().iter().any(|h| h["rule_id"] == csat));

    // A disabled rule no longer counts after a re-run.
    let (s, _) = app.call("PATCH", &format!("/api/v1/qa/rules/{forbidden}"), Some(&admin), Some(json!({ "enabled": false }))).await;
    assert_eq!(s, 200);
    let (s, auto) = app.call("POST", &format!("/api/v1/qa/conversations/{id}/rescore"), Some(&admin), None).await;
    assert_eq!((s, auto["score"].as_i64()), (200, Some(75)), "{auto}");

    // A bad rule is refused with the field named.
    let bad = json!({ "name": "x", "check": { "kind": "first_response", "limit_secs": 0 }, "weight": 5 });
    let (s, e) = app.call("POST", "/api/v1/qa/rules", Some(&admin), Some(bad)).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("limit_secs"), "{e}");
    let (s, e) = app
        .call(
            "POST",
            "/api/v1/qa/rules",
            Some(&admin),
            Some(json!({ "name": "禁用语", "check": { "kind": "wrap_up_missing" }, "weight": 5 })),
        )
        .await;
    assert_eq!(s, 409, "{e}");
}

#[tokio::test]
async fn a_fatal_item_zeroes_the_review_and_forms_are_checked() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let items =
        json!([{ "label": "态度", "weight": 60 }, { "label": "准确", "weight": 40 }, { "label": "泄露信息", "weight": 0, "fatal": true }]);
    let (s, form) = app.call("POST", "/api/v1/qa/forms", Some(&admin), Some(json!({ "name": "表A", "items": items }))).await;
    assert_eq!(s, 201, "{form}");
    let form = form["id"].as_i64().unwrap();
    let bad = json!({ "name": "表B", "items": [{ "label": "致命", "weight": 10, "fatal": true }] });
    let (s, e) = app.call("POST", "/api/v1/qa/forms", Some(&admin), Some(bad)).await;
    assert_eq!(s, 422, "{e}");

    let (a, _) = served(&app, &agent, "你好", &["您好，请讲"]).await;
    let (b, _) = served(&app, &agent, "你好", &["您好，请讲"]).await;
    let review =
        |failed: bool| json!({ "form_id": form, "items": [{ "score": 60 }, { "score": 20 }, { "failed": failed }], "comment": "ok" });
    let (s, r) = app.call("POST", &format!("/api/v1/qa/conversations/{a}/review"), Some(&admin), Some(review(false))).await;
    assert_eq!((s, r["score"].as_i64(), r["fatal"].as_bool()), (201, Some(80), Some(false)), "{r}");
    let (s, r) = app.call("POST", &format!("/api/v1/qa/conversations/{b}/review"), Some(&admin), Some(review(true))).await;
    assert_eq!((s, r["score"].as_i64(), r["fatal"].as_bool(), r["final_score"].as_i64()), (201, Some(0), Some(true), Some(0)), "{r}");
    let (s, e) = app.call("POST", &format!("/api/v1/qa/conversations/{b}/review"), Some(&admin), Some(review(false))).await;
    assert_eq!(s, 409, "reviewed once: {e}");
    let over = json!({ "form_id": form, "items": [{ "score": 61 }, { "score": 0 }, {}] });
    let (s, e) = app.call("POST", &format!("/api/v1/qa/conversations/{a}/review"), Some(&admin), Some(over)).await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn samples_fill_the_queue_and_reviews_empty_it() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    rule(&app, &admin, "问候语", json!({ "kind": "greeting", "phrases": ["您好"], "within": 1 }), 30, false).await;
    let agent = app.ready_agent(1).await;
    let (good, _) = served(&app, &agent, "在吗", &["您好"]).await;
    let (bad, _) = served(&app, &agent, "在吗", &["嗯"]).await;
    scored(&app, &admin, bad, |_| true).await;
    scored(&app, &admin, good, |_| true).await;
    let week_start = "2000-01-01T00:00:00Z";
    let (s, r) = app.call("POST", "/api/v1/qa/samples", Some(&admin), Some(json!({ "week_start": week_start, "percent": 100 }))).await;
    assert_eq!((s, r["added"].as_u64()), (200, Some(0)), "nothing closed that week: {r}");
    let now = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    let week_start = now.format(&time::format_description::well_known::Rfc3339).unwrap();
    let (s, r) = app.call("POST", "/api/v1/qa/samples", Some(&admin), Some(json!({ "week_start": week_start, "percent": 0 }))).await;
    assert_eq!((s, r["flagged"].as_u64(), r["random"].as_u64()), (200, Some(1), Some(0)), "score 70 < 80 is flagged: {r}");
    let (_, r) = app.call("POST", "/api/v1/qa/samples", Some(&admin), Some(json!({ "week_start": week_start, "percent": 100 }))).await;
    assert_eq!((r["added"].as_u64(), r["random"].as_u64()), (Some(1), Some(1)), "{r}");
    let (s, q) = app.call("GET", "/api/v1/qa/queue", Some(&admin), None).await;
    assert_eq!(s, 200);
    let queued: Vec<(i64, &str)> =
        q["items"].as_array().unwrap().iter().map(|i| (i["conversation_id"].as_i64().unwrap(), i["reason"].as_str().unwrap())).collect();
    assert_eq!(queued, vec![(bad, "flagged"), (good, "random")], "flagged first");
    let (s, e) = app.call("POST", "/api/v1/qa/samples", Some(&admin), Some(json!({ "week_start": "last week" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");

    let (_, forms) = app.call("POST", "/api/v1/qa/starter", Some(&admin), None).await;
    assert!(forms["rules"].as_array().unwrap().len() >= 10, "{forms}");
    let (_, forms) = app.call("GET", "/api/v1/qa/forms", Some(&admin), None).await;
    let form = &forms["forms"][0];
    let marks: Vec<Value> = form["items"].as_array().unwrap().iter().map(|_| json!({ "score": 0 })).collect();
    let (s, r) = app
        .call(
            "POST",
            &format!("/api/v1/qa/conversations/{bad}/review"),
            Some(&admin),
            Some(json!({ "form_id": form["id"], "items": marks })),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, q) = app.call("GET", "/api/v1/qa/queue", Some(&admin), None).await;
    assert_eq!(q["items"].as_array().unwrap().len(), 1, "the reviewed one left the queue: {q}");

    let from = (time::OffsetDateTime::now_utc() - time::Duration::days(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let to = (time::OffsetDateTime::now_utc() + time::Duration::days(1)).format(&time::format_description::well_known::Rfc3339).unwrap();
    let (s, rep) = app.call("GET", &format!("/api/v1/qa/report?from={}&to={}", enc(&from), enc(&to)), Some(&admin), None).await;
    assert_eq!(s, 200, "{rep}");
    let line = &rep["agents"][0];
    assert_eq!(
        (line["scored"].as_i64(), line["avg_auto_score"].as_f64(), line["reviewed"].as_i64()),
        (Some(2), Some(85.0), Some(1)),
        "{rep}"
    );
    assert_eq!(rep["rules"][0]["hits"], 1, "{rep}");

    // The same report as files, per agent and per rule, each export logged.
    let export = |q: String| app.url(&format!("/api/v1/qa/report/export?from={}&to={}&{q}", enc(&from), enc(&to)));
    let resp = app.http.get(export("locale=en".into())).bearer_auth(&admin).send().await.unwrap();
    assert_eq!((resp.status().as_u16(), resp.headers()["content-type"].to_str().unwrap()), (200, "text/csv; charset=utf-8"));
    let text = resp.text().await.unwrap();
    let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[0].trim(), "Agent,Scored,Average automatic score,Heavy hits,Reviewed,Average review score");
    assert!(lines[1].contains(",2,85,") && lines.len() == 2, "{text}");
    let resp = app.http.get(export("part=rules".into())).bearer_auth(&admin).send().await.unwrap();
    let text = resp.text().await.unwrap();
    assert!(text.trim_start_matches('\u{feff}').starts_with("规则,命中次数,命中会话数"), "{text}");
    let resp = app.http.get(export("part=rules&format=xlsx".into())).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(&resp.bytes().await.unwrap()[..2], b"PK");
    let resp = app.http.get(export("part=calls".into())).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let (_, log) = app.call("GET", "/api/v1/reports/exports", Some(&admin), None).await;
    let logged: Vec<(&str, &str)> =
        log["exports"].as_array().unwrap().iter().map(|e| (e["report"].as_str().unwrap(), e["format"].as_str().unwrap())).collect();
    assert_eq!(logged, vec![("qa_rules", "xlsx"), ("qa_rules", "csv"), ("qa_agents", "csv")]);
}

fn enc(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn the_agent_appeals_once_and_a_supervisor_decides() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let agent = app.ready_agent(1).await;
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    let reviewer = app.login("agent3@demo.kefu", "demo-agent").await;
    let (_, me) = app.call("GET", "/api/v1/auth/me", Some(&reviewer), None).await;
    let reviewer_id = me["user"]["id"].as_i64().or(me["id"].as_i64()).expect("my id");
    let (_, starter) = app.call("POST", "/api/v1/qa/starter", Some(&admin), None).await;
    let rule_id = starter["rules"][0]["id"].as_i64().unwrap();
    let (_, forms) = app.call("GET", "/api/v1/qa/forms", Some(&admin), None).await;
    let form_id = forms["forms"][0]["id"].as_i64().unwrap();
    let (id, _) = served(&app, &agent, "你好", &["您好", "再见"]).await;
    scored(&app, &admin, id, |_| true).await;

    // Agents, supervisors and reviewers: what each may do before the reviewer permission exists.
    let id_path = |p: &str| p.replace("{id}", &id.to_string());
    let (s, _) = app.call("GET", "/api/v1/qa/rules", Some(&reviewer), None).await;
    assert_eq!(s, 403, "not a reviewer yet");
    for who in [&supervisor, &reviewer] {
        let (s, _) = app.call("PUT", &format!("/api/v1/qa/reviewers/{reviewer_id}"), Some(who), None).await;
        assert_eq!(s, 403);
    }
    let (s, _) = app.call("PUT", &format!("/api/v1/qa/reviewers/{reviewer_id}"), Some(&admin), None).await;
    assert_eq!(s, 204);
    let (_, list) = app.call("GET", "/api/v1/qa/reviewers", Some(&admin), None).await;
    assert_eq!(list["reviewers"][0]["user_id"], reviewer_id, "{list}");

    // A live chat is not a reviewer's to read (supervisors watch the floor anyway).
    let v = app.visitor("还在聊").await;
    let live = app.start(&v, "在吗").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{live}/accept"), Some(&agent), None).await;
    let (s, e) = app.call("GET", &format!("/api/v1/qa/conversations/{live}"), Some(&reviewer), None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("conflict")), "{e}");

    let rule_body = json!({ "name": "n", "check": { "kind": "wrap_up_missing" }, "weight": 1 });
    let form_body = json!({ "name": "f", "items": [{ "label": "a", "weight": 1 }] });
    let sample_body = json!({ "week_start": "2026-01-05T00:00:00+08:00" });
    let review_body = json!({ "form_id": form_id, "items": [{ "score": 10 }, { "score": 20 }, { "score": 30 }, { "failed": false }],
        "line_comments": [{ "message_id": 0, "body": "x" }] });
    // (method, path, body, expected status for: agent, reviewer, supervisor, admin); 0 = not tried.
    let routes: Vec<(&str, String, Option<Value>, [u16; 4])> = vec![
        ("GET", "/api/v1/qa/rules".into(), None, [403, 200, 403, 200]),
        ("POST", "/api/v1/qa/rules".into(), Some(rule_body.clone()), [403, 403, 403, 201]),
        ("PATCH", format!("/api/v1/qa/rules/{rule_id}"), Some(json!({ "weight": 21 })), [403, 403, 403, 200]),
        ("DELETE", "/api/v1/qa/rules/999999".into(), None, [403, 403, 403, 404]),
        ("POST", "/api/v1/qa/starter".into(), None, [403, 403, 403, 200]),
        ("GET", "/api/v1/qa/forms".into(), None, [403, 200, 403, 200]),
        ("POST", "/api/v1/qa/forms".into(), Some(form_body.clone()), [403, 403, 403, 201]),
        ("PATCH", format!("/api/v1/qa/forms/{form_id}"), Some(json!({ "enabled": true })), [403, 403, 403, 200]),
        ("GET", "/api/v1/qa/reviewers".into(), None, [403, 403, 403, 200]),
        ("DELETE", "/api/v1/qa/reviewers/999999".into(), None, [403, 403, 403, 404]),
        ("POST", id_path("/api/v1/qa/conversations/{id}/rescore"), None, [403, 200, 403, 200]),
        ("GET", id_path("/api/v1/qa/conversations/{id}"), None, [404, 200, 200, 200]),
        ("GET", "/api/v1/qa/queue".into(), None, [403, 200, 403, 200]),
        ("POST", "/api/v1/qa/samples".into(), Some(sample_body), [403, 200, 403, 200]),
        ("POST", id_path("/api/v1/qa/conversations/{id}/review"), Some(review_body), [403, 422, 403, 422]),
        ("GET", "/api/v1/qa/appeals".into(), None, [403, 403, 200, 200]),
        ("GET", "/api/v1/qa/report?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z".into(), None, [403, 200, 200, 200]),
    ];
    for (method, path, body, want) in &routes {
        for (who, expect) in [&other, &reviewer, &supervisor, &admin].into_iter().zip(want) {
            let (s, e) = app.call(method, path, Some(who), body.clone()).await;
            assert_eq!(s, *expect, "{method} {path}: {e}");
            if s >= 400 {
                assert!(e["error"]["code"].is_string() && e["error"]["message"].is_string(), "{method} {path}: {e}");
            }
        }
    }

    // The reviewer scores it, commenting on the agent's line.
    let page = scored(&app, &reviewer, id, |_| true).await;
    let line = page["lines"].as_array().unwrap().iter().find(|l| l["body"] == "再见").unwrap()["id"].as_i64().unwrap();
    let body = json!({ "form_id": form_id, "items": [{ "score": 10 }, { "score": 20 }, { "score": 30 }, { "failed": false }],
        "comment": "语速太快", "line_comments": [{ "message_id": line, "body": "结束语可以更完整" }] });
    let (s, review) = app.call("POST", &format!("/api/v1/qa/conversations/{id}/review"), Some(&reviewer), Some(body)).await;
    assert_eq!((s, review["score"].as_i64()), (201, Some(60)), "{review}");
    assert_eq!(review["line_comments"][0]["message_id"], line);
    let review_id = review["id"].as_i64().unwrap();

    // The agent sees it in their own results; a colleague does not.
    let (s, mine) = app.call("GET", "/api/v1/qa/mine", Some(&agent), None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (mine["results"][0]["conversation_id"].as_i64(), mine["results"][0]["review"]["score"].as_i64()),
        (Some(id), Some(60)),
        "{mine}"
    );
    assert_eq!(mine["results"][0]["hits"].as_u64(), Some(page["auto"]["hits"].as_array().unwrap().len() as u64), "{mine}");
    let (_, theirs) = app.call("GET", "/api/v1/qa/mine", Some(&other), None).await;
    assert_eq!(theirs["results"].as_array().unwrap().len(), 0);
    let (s, _) = app.call("GET", &format!("/api/v1/qa/conversations/{id}"), Some(&agent), None).await;
    assert_eq!(s, 200, "the agent opens their own");

    // Appeal: only the reviewed agent, only once.
    let appeal_path = format!("/api/v1/qa/reviews/{review_id}/appeal");
    let (s, _) = app.call("POST", &appeal_path, Some(&other), Some(json!({ "reason": "不是我" }))).await;
    assert_eq!(s, 403);
    let (s, e) = app.call("POST", &appeal_path, Some(&agent), Some(json!({ "reason": " " }))).await;
    assert_eq!(s, 422, "{e}");
    let (s, appeal) = app.call("POST", &appeal_path, Some(&agent), Some(json!({ "reason": "客户要求快速结束" }))).await;
    assert_eq!((s, appeal["status"].as_str()), (201, Some("open")), "{appeal}");
    let (s, e) = app.call("POST", &appeal_path, Some(&agent), Some(json!({ "reason": "再申诉" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (409, Some("conflict")), "{e}");
    let appeal_id = appeal["id"].as_i64().unwrap();

    // The decision: supervisors and admins, once; only an upheld appeal changes the score.
    let decide = format!("/api/v1/qa/appeals/{appeal_id}/decision");
    for who in [&agent, &reviewer] {
        let (s, _) = app.call("POST", &decide, Some(who), Some(json!({ "outcome": "upheld" }))).await;
        assert_eq!(s, 403);
    }
    let (s, _) = app.call("POST", &decide, Some(&supervisor), Some(json!({ "outcome": "rejected", "new_score": 90 }))).await;
    assert_eq!(s, 422);
    let (_, open) = app.call("GET", "/api/v1/qa/appeals?status=open", Some(&supervisor), None).await;
    assert_eq!(open["appeals"][0]["id"], appeal_id, "{open}");
    let (s, d) = app.call("POST", &decide, Some(&supervisor), Some(json!({ "outcome": "upheld", "note": "同意", "new_score": 85 }))).await;
    assert_eq!((s, d["status"].as_str(), d["new_score"].as_i64()), (200, Some("upheld"), Some(85)), "{d}");
    let (s, _) = app.call("POST", &decide, Some(&admin), Some(json!({ "outcome": "rejected" }))).await;
    assert_eq!(s, 409);
    let (_, mine) = app.call("GET", "/api/v1/qa/mine", Some(&agent), None).await;
    assert_eq!(mine["results"][0]["review"]["final_score"], 85, "{mine}");
    assert_eq!(mine["results"][0]["review"]["appeal"]["status"], "upheld");
}

#[tokio::test]
async fn a_score_lost_to_a_crash_after_the_close_is_made_at_the_next_start() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let agent = app.ready_agent(1).await;
    let (id, _) = served(&app, &agent, "我的快递丢了", &["这事你自己看着办吧"]).await;
    // And one the visitor left while waiting.
    let waiting = app.visitor("等不及的客户").await;
    let abandoned = app.start(&waiting, "还有人吗").await["id"].as_i64().unwrap();
    let (s, e) = app.call("POST", &format!("/api/v1/conversations/{abandoned}/leave"), Some(&waiting), None).await;
    assert_eq!(s, 200, "{e}");
    let before = scored(&app, &admin, id, |_| true).await["auto"]["score"].clone();
    // The process died between the close and its scoring task: no result was written.
    let store = app.store().await;
    kefu_store::testing::execute(
        &store,
        &[format!("DELETE FROM qa_hits WHERE conversation_id = {id}"), format!("DELETE FROM qa_results WHERE conversation_id = {id}")],
    )
    .await
    .unwrap();
    let (s, v) = app.call("GET", &format!("/api/v1/qa/conversations/{id}"), Some(&admin), None).await;
    assert_eq!((s, v["auto"].is_null()), (200, true), "{v}");

    // The next start finds it and scores it as the lost task would have.
    let again = kefu_server::Application::build(app.config_again()).await.expect("rebuilds");
    let next = TestApp {
        base: format!("http://{}", again.addr()),
        http: reqwest::Client::new(),
        widget_secret: String::new(),
        data_dir: crate::helpers::tempdir::Dir::new(),
        database_url: app.database_url.clone(),
    };
    tokio::spawn(again.run(std::future::pending()));
    let page = scored(&next, &admin, id, |_| true).await;
    assert_eq!(page["auto"]["score"], before, "{page}");
    // A conversation nobody served is not anyone's work to score.
    let (s, v) = next.call("GET", &format!("/api/v1/qa/conversations/{abandoned}"), Some(&admin), None).await;
    assert_eq!((s, v["auto"].is_null()), (200, true), "{v}");
}
