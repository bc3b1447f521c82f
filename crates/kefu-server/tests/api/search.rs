//! Search (`GET /api/v1/search/conversations`): a Chinese word inside a sentence, English in any
//! case, the filters, pages that stay put while conversations and messages arrive, who finds
//! what, and 4xx for bad parameters.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};
use crate::notes::served;

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn search(app: &TestApp, token: &str, query: &str) -> Value {
    let (s, page) = app.call("GET", &format!("/api/v1/search/conversations?{query}"), Some(token), None).await;
    assert_eq!(s, 200, "{query}: {page}");
    page
}

fn ids(page: &Value) -> Vec<i64> {
    page["results"].as_array().unwrap().iter().map(|r| r["conversation"]["id"].as_i64().unwrap()).collect()
}

async fn say(app: &TestApp, token: &str, id: i64, body: &str) {
    let (s, m) = app.call("POST", &format!("/api/v1/conversations/{id}/messages"), Some(token), Some(json!({ "body": body }))).await;
    assert_eq!(s, 201, "{m}");
}

#[tokio::test]
async fn a_chinese_word_inside_a_sentence_and_english_in_any_case_are_found() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    say(&app, &visitor, id, "我想办理信用卡分期业务").await;
    say(&app, &agent, id, "Your REFUND is on its way").await;

    let page = search(&app, &agent, &format!("q={}", enc("分期"))).await;
    assert_eq!(ids(&page), vec![id]);
    let hit = &page["results"][0];
    assert_eq!((hit["snippet"]["text"].as_str(), hit["snippet"]["sender"].as_str()), (Some("我想办理信用卡分期业务"), Some("visitor")));
    assert_eq!(hit["snippet"]["highlights"], json!([[7, 9]]));
    assert_eq!(hit["conversation"]["visitor"]["name"], "客户甲");
    for q in ["信用卡", "卡", "办理 业务", "refund", "REFUND way", "Refund"] {
        assert_eq!(ids(&search(&app, &agent, &format!("q={}", enc(q))).await), vec![id], "{q}");
    }
    let page = search(&app, &agent, "q=refund").await;
    assert_eq!(page["results"][0]["snippet"]["highlights"], json!([[5, 11]]));
    assert_eq!(ids(&search(&app, &agent, &format!("q={}", enc("贷款"))).await), Vec::<i64>::new());
    assert_eq!(ids(&search(&app, &agent, &format!("q={}", enc("refund 分期"))).await), Vec::<i64>::new(), "one message holds all");
}

#[tokio::test]
async fn an_agent_finds_only_what_they_may_open_and_visitors_nothing() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    say(&app, &visitor, id, "发票抬头写错了").await;
    let q = format!("q={}", enc("发票"));
    assert_eq!(ids(&search(&app, &agent, &q).await), vec![id]);

    // agent2 never served it (and agent_id cannot widen what one may see).
    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    assert_eq!(ids(&search(&app, &other, &q).await), Vec::<i64>::new());
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    let agent1 = me["id"].as_i64().unwrap();
    assert_eq!(ids(&search(&app, &other, &format!("{q}&agent_id={agent1}")).await), Vec::<i64>::new());
    let (s, _) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&other), None).await;
    assert_eq!(s, 404, "the same rule as opening it");

    for (email, password) in [("supervisor@demo.kefu", "demo-supervisor"), ("admin@demo.kefu", "demo-admin")] {
        let t = app.login(email, password).await;
        assert_eq!(ids(&search(&app, &t, &q).await), vec![id], "{email}");
    }
    let (s, e) = app.call("GET", &format!("/api/v1/search/conversations?{q}"), Some(&visitor), None).await;
    assert!(s == 401 || s == 403, "{s} {e}");
    let (s, _) = app.call("GET", &format!("/api/v1/search/conversations?{q}"), None, None).await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn filters_narrow_the_result() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    say(&app, &visitor, id, "退款什么时候到账").await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, tag) = app.call("POST", "/api/v1/tags", Some(&admin), Some(json!({ "name": "投诉", "color": "#F56C6C" }))).await;
    let tag = tag["id"].as_i64().unwrap();
    let (_, me) = app.call("GET", "/api/v1/agents/me", Some(&agent), None).await;
    let agent1 = me["id"].as_i64().unwrap();
    let (_, conv) = app.call("GET", &format!("/api/v1/conversations/{id}"), Some(&agent), None).await;
    let group = conv["group_id"].as_i64().unwrap();
    let q = format!("q={}", enc("退款"));
    let found = |page: Value| !ids(&page).is_empty();

    assert!(found(search(&app, &agent, &format!("{q}&status=assigned&group_id={group}&agent_id={agent1}")).await));
    assert!(!found(search(&app, &agent, &format!("{q}&status=closed")).await));
    assert!(!found(search(&app, &agent, &format!("{q}&group_id={}", group + 100)).await));
    assert!(found(search(&app, &agent, &format!("{q}&customer={}", enc("客户"))).await));
    assert!(!found(search(&app, &agent, &format!("{q}&customer={}", enc("客户乙"))).await));
    assert!(found(search(&app, &agent, &format!("{q}&from={}", enc("2020-01-01T00:00:00+08:00"))).await));
    assert!(!found(search(&app, &agent, &format!("{q}&to={}", enc("2020-01-01T00:00:00Z"))).await));
    assert!(!found(search(&app, &agent, &format!("{q}&tag={tag}")).await));
    let (s, e) = app.call("PUT", &format!("/api/v1/conversations/{id}/tags/{tag}"), Some(&agent), None).await;
    assert!(s < 300, "{s} {e}");
    assert!(found(search(&app, &agent, &format!("{q}&tag={tag}")).await));
    // Filters alone: the conversation, without an excerpt.
    let page = search(&app, &agent, &format!("tag={tag}")).await;
    assert_eq!((ids(&page), page["results"][0]["snippet"].clone()), (vec![id], Value::Null));
    let (s, _) =
        app.call("POST", &format!("/api/v1/conversations/{id}/close"), Some(&agent), Some(json!({ "wrap_up_code": "resolved" }))).await;
    assert_eq!(s, 200);
    assert!(found(search(&app, &agent, &format!("{q}&status=closed")).await), "closed conversations stay findable");
}

#[tokio::test]
async fn pages_stay_put_while_conversations_and_messages_arrive() {
    let app = spawn_app().await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let mut made = vec![];
    let mut visitors = vec![];
    for i in 0..3 {
        let v = app.visitor(&format!("客户{i}")).await;
        made.push(app.start(&v, "可以分期付款吗").await["id"].as_i64().unwrap());
        visitors.push(v);
    }
    let q = format!("q={}", enc("分期"));
    let page = search(&app, &sup, &format!("{q}&limit=2")).await;
    assert_eq!(ids(&page), vec![made[2], made[1]]);
    let cursor = page["next_cursor"].as_str().unwrap().to_string();

    // Meanwhile: a newer conversation matches, and the oldest gets another matching message.
    let v = app.visitor("客户3").await;
    let newer = app.start(&v, "分期手续费多少").await["id"].as_i64().unwrap();
    say(&app, &visitors[0], made[0], "分期还能改吗").await;

    let page = search(&app, &sup, &format!("{q}&limit=2&cursor={}", enc(&cursor))).await;
    assert_eq!((ids(&page), page["next_cursor"].clone()), (vec![made[0]], Value::Null), "no repeat, none missing");
    assert_eq!(page["results"][0]["matches"], 2);
    assert_eq!(ids(&search(&app, &sup, &q).await), vec![newer, made[2], made[1], made[0]]);
}

#[tokio::test]
async fn bad_parameters_answer_422_naming_them() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let long = "字".repeat(201);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=51", "limit"),
        ("limit=x", "limit"),
        ("status=open", "status"),
        ("agent_id=abc", "agent_id"),
        ("group_id=1.5", "group_id"),
        ("tag=x", "tag"),
        ("from=yesterday", "from"),
        ("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to"),
        ("cursor=nonsense", "cursor"),
        ("cursor=w.abc", "cursor"),
        (&format!("q={}", enc(&long)), "q"),
        (&format!("q={}", enc("，。！")), "q"),
    ] {
        let (s, e) = app.call("GET", &format!("/api/v1/search/conversations?{query}"), Some(&agent), None).await;
        assert_eq!(s, 422, "{query}: {e}");
        assert_eq!(
            (e["error"]["code"].as_str(), e["error"]["params"]["field"].as_str()),
            (Some("validation"), Some(field)),
            "{query}: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_stored_before_search_existed_are_found_after_a_restart() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    say(&app, &visitor, id, "我的积分怎么兑换").await;
    // As a database from before migration 0016 looks: messages without terms.
    kefu_store::testing::forget_search_index(&app.store().await).await.unwrap();
    let q = format!("q={}", enc("积分"));
    assert_eq!(ids(&search(&app, &agent, &q).await), Vec::<i64>::new());

    // A restart on the same data indexes them before it serves.
    let again = kefu_server::Application::build(app.config_again()).await.expect("rebuilds");
    let base = format!("http://{}", again.addr());
    tokio::spawn(again.run(std::future::pending()));
    let resp = app.http.get(format!("{base}/api/v1/search/conversations?{q}")).bearer_auth(&agent).send().await.unwrap();
    let page: Value = resp.json().await.unwrap();
    assert_eq!(ids(&page), vec![id], "{page}");
}

#[tokio::test]
async fn staff_notes_are_found_by_staff_who_may_open_them_and_never_by_api_keys() {
    let app = spawn_app().await;
    let (visitor, agent, id) = served(&app).await;
    say(&app, &visitor, id, "能快点吗").await;
    let (s, n) =
        app.call("POST", &format!("/api/v1/conversations/{id}/notes"), Some(&agent), Some(json!({ "body": "客户要求加急处理" }))).await;
    assert_eq!(s, 201, "{n}");
    let q = format!("q={}", enc("加急"));
    let page = search(&app, &agent, &q).await;
    assert_eq!(ids(&page), vec![id]);
    let snippet = &page["results"][0]["snippet"];
    assert_eq!(
        (snippet["source"].as_str(), snippet["id"].as_i64(), snippet["text"].as_str()),
        (Some("note"), n["id"].as_i64(), Some("客户要求加急处理"))
    );
    // A message and a note both matching: one result, the message as its excerpt.
    say(&app, &visitor, id, "加急可以吗").await;
    let page = search(&app, &agent, &q).await;
    assert_eq!(
        (ids(&page), page["results"][0]["snippet"]["source"].as_str(), page["results"][0]["matches"].as_i64()),
        (vec![id], Some("message"), Some(2))
    );

    let other = app.login("agent2@demo.kefu", "demo-agent").await;
    assert_eq!(ids(&search(&app, &other, &format!("q={}", enc("加急处理"))).await), Vec::<i64>::new());
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    assert_eq!(ids(&search(&app, &sup, &format!("q={}", enc("加急处理"))).await), vec![id]);
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, k) = app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "crm", "scopes": ["conversations:read"] }))).await;
    assert_eq!(s, 201, "{k}");
    let key = k["key"].as_str().unwrap();
    assert_eq!(ids(&search(&app, key, &format!("q={}", enc("加急处理"))).await), Vec::<i64>::new(), "notes are not for keys");
    assert_eq!(ids(&search(&app, key, &format!("q={}", enc("能快点吗"))).await), vec![id], "messages are");
}

#[tokio::test]
async fn a_supervisor_finds_only_their_groups_conversations_and_an_admin_all() {
    let app = spawn_app().await;
    // The demo supervisor is a member of group 1 (cards) only; business type 2 queues to loans.
    let mut made = vec![];
    for business_type in [1, 2] {
        let v = app.visitor("客户").await;
        let (s, c) = app
            .call(
                "POST",
                "/api/v1/conversations",
                Some(&v),
                Some(json!({ "business_type_id": business_type, "message": "额度调整怎么办" })),
            )
            .await;
        assert_eq!(s, 201, "{c}");
        made.push(c["id"].as_i64().unwrap());
    }
    let q = format!("q={}", enc("额度"));
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    assert_eq!(ids(&search(&app, &sup, &q).await), vec![made[0]], "loans is not the supervisor's group");
    assert_eq!(ids(&search(&app, &sup, &format!("{q}&group_id=2")).await), Vec::<i64>::new(), "group_id cannot widen it");
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    assert_eq!(ids(&search(&app, &admin, &q).await), vec![made[1], made[0]], "newest first");
}
