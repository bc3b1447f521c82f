//! Canned responses (快捷回复): personal and team libraries, search, and who may change what.

use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const LIST: &str = "/api/v1/canned-responses";

async fn shortcuts(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let (s, v) = app.call("GET", &format!("{LIST}{query}"), Some(token), None).await;
    assert_eq!(s, 200, "{v}");
    v["canned_responses"].as_array().unwrap().iter().map(|c| c["shortcut"].as_str().unwrap().to_string()).collect()
}

async fn key(app: &TestApp, admin: &str, scopes: Value) -> String {
    let (s, k) = app.call("POST", "/api/v1/api-keys", Some(admin), Some(json!({ "name": "crm", "scopes": scopes }))).await;
    assert_eq!(s, 201, "{k}");
    k["key"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn canned_agents_see_the_team_library_and_only_their_own_personal_ones() {
    let app = spawn_app().await;
    let (a1, a2) = (app.login("agent1@demo.kefu", "demo-agent").await, app.login("agent2@demo.kefu", "demo-agent").await);
    let team = shortcuts(&app, &a1, "").await;
    for s in ["问候", "greet", "稍等", "wait", "结束语", "bye"] {
        assert!(team.contains(&s.to_string()), "demo team response {s} in {team:?}");
    }
    let (s, mine) = app
        .call(
            "POST",
            LIST,
            Some(&a1),
            Some(json!({ "shortcut": "addr", "title": "地址", "body": "我们的地址是北京市朝阳区", "category": "常用" })),
        )
        .await;
    assert_eq!(s, 201, "{mine}");
    assert_eq!(mine["team"], false);
    assert_eq!(mine["category"], "常用");
    assert!(shortcuts(&app, &a1, "").await.contains(&"addr".to_string()));
    assert!(!shortcuts(&app, &a2, "").await.contains(&"addr".to_string()), "personal ones are private");
    // The same shortcut in another library is fine; twice in one is a conflict naming the field.
    let again = json!({ "shortcut": "addr", "title": "t", "body": "b" });
    assert_eq!(app.call("POST", LIST, Some(&a2), Some(again.clone())).await.0, 201);
    let (s, e) = app.call("POST", LIST, Some(&a1), Some(again)).await;
    assert_eq!(s, 409, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("shortcut:"), "{e}");

    // Others' personal ones are not found, to change or delete.
    let path = format!("{LIST}/{}", mine["id"]);
    let (s, e) = app.call("PATCH", &path, Some(&a2), Some(json!({ "title": "mine now" }))).await;
    assert_eq!(s, 404, "{e}");
    assert_eq!(app.call("DELETE", &path, Some(&a2), None).await.0, 404);
    let (s, v) = app.call("PATCH", &path, Some(&a1), Some(json!({ "body": "新地址 {{agent.name}}" }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!((v["body"].as_str(), v["title"].as_str()), (Some("新地址 {{agent.name}}"), Some("地址")), "unsent fields kept");
    assert_eq!(app.call("DELETE", &path, Some(&a1), None).await.0, 204);
    assert!(!shortcuts(&app, &a1, "").await.contains(&"addr".to_string()));
}

#[tokio::test]
async fn canned_search_is_case_insensitive_and_finds_chinese_inside_text() {
    let app = spawn_app().await;
    let a1 = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(shortcuts(&app, &a1, "?q=GREET").await, ["greet"]);
    assert_eq!(shortcuts(&app, &a1, "?q=/greet").await, ["greet"], "the / the agent typed is not part of the word");
    // 查询 occurs only inside the body of 稍等.
    assert_eq!(shortcuts(&app, &a1, "?q=%E6%9F%A5%E8%AF%A2").await, ["稍等"]);
    assert_eq!(shortcuts(&app, &a1, "?q=%E9%97%AE%E5%80%99").await, ["问候"]);
    let closing = shortcuts(&app, &a1, "?category=%E7%BB%93%E6%9D%9F%20Closing").await;
    assert_eq!(closing, ["bye", "结束语"]);
    assert!(shortcuts(&app, &a1, "?q=nothing-like-this").await.is_empty());
}

#[tokio::test]
async fn canned_team_library_is_managed_by_admins_only() {
    let app = spawn_app().await;
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let supervisor = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let body = json!({ "shortcut": "hours", "title": "服务时间", "body": "我们的服务时间是 9:00-18:00", "category": "常用", "team": true });
    for t in [&agent, &supervisor] {
        let (s, e) = app.call("POST", LIST, Some(t), Some(body.clone())).await;
        assert_eq!(s, 403, "{e}");
    }
    let (s, v) = app.call("POST", LIST, Some(&admin), Some(body)).await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["team"], true);
    assert!(shortcuts(&app, &agent, "").await.contains(&"hours".to_string()), "everyone sees team ones");
    let path = format!("{LIST}/{}", v["id"]);
    assert_eq!(app.call("PATCH", &path, Some(&agent), Some(json!({ "title": "x" }))).await.0, 403);
    assert_eq!(app.call("DELETE", &path, Some(&supervisor), None).await.0, 403);
    let (s, v) = app.call("PATCH", &path, Some(&admin), Some(json!({ "category": "营业 Hours" }))).await;
    assert_eq!((s, v["category"].as_str()), (200, Some("营业 Hours")), "{v}");
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 204);
    assert_eq!(app.call("DELETE", &path, Some(&admin), None).await.0, 404);
}

#[tokio::test]
async fn canned_api_keys_read_the_team_library_and_write_it_only_with_admin() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let a1 = app.login("agent1@demo.kefu", "demo-agent").await;
    let (_, mine) = app.call("POST", LIST, Some(&a1), Some(json!({ "shortcut": "p", "title": "t", "body": "b" }))).await;
    let read = key(&app, &admin, json!(["conversations:read"])).await;
    let stats = key(&app, &admin, json!(["stats:read"])).await;
    let full = key(&app, &admin, json!(["admin"])).await;
    let seen = shortcuts(&app, &read, "").await;
    assert!(seen.contains(&"greet".to_string()) && !seen.contains(&"p".to_string()), "team only: {seen:?}");
    assert_eq!(app.call("GET", LIST, Some(&stats), None).await.0, 403);
    let personal = json!({ "shortcut": "k", "title": "t", "body": "b" });
    assert_eq!(app.call("POST", LIST, Some(&read), Some(personal.clone())).await.0, 403, "a key has no personal library");
    assert_eq!(app.call("POST", LIST, Some(&full), Some(personal)).await.0, 403);
    let team = json!({ "shortcut": "k", "title": "t", "body": "b", "team": true });
    assert_eq!(app.call("POST", LIST, Some(&read), Some(team.clone())).await.0, 403);
    assert_eq!(app.call("POST", LIST, Some(&full), Some(team)).await.0, 201);
    assert_eq!(app.call("DELETE", &format!("{LIST}/{}", mine["id"]), Some(&full), None).await.0, 404, "not a key's to touch");
    assert_eq!(app.call("GET", LIST, None, None).await.0, 401);
    let visitor = app.visitor("Ann").await;
    assert_eq!(app.call("GET", LIST, Some(&visitor), None).await.0, 403, "visitors never see them");
}

#[tokio::test]
async fn canned_validation_errors_name_the_field() {
    let app = spawn_app().await;
    let a1 = app.login("agent1@demo.kefu", "demo-agent").await;
    let cases = [
        (json!({ "title": "t", "body": "b" }), "shortcut:"),
        (json!({ "shortcut": "two words", "title": "t", "body": "b" }), "shortcut:"),
        (json!({ "shortcut": "a/b", "title": "t", "body": "b" }), "shortcut:"),
        (json!({ "shortcut": "x".repeat(33), "title": "t", "body": "b" }), "shortcut:"),
        (json!({ "shortcut": "s", "title": " ", "body": "b" }), "title:"),
        (json!({ "shortcut": "s", "title": "t" }), "body:"),
        (json!({ "shortcut": "s", "title": "t", "body": "字".repeat(2001) }), "body:"),
        (json!({ "shortcut": "s", "title": "t", "body": "b", "category": "c".repeat(33) }), "category:"),
    ];
    for (body, field) in cases {
        let (s, e) = app.call("POST", LIST, Some(&a1), Some(body.clone())).await;
        assert_eq!(s, 422, "{body} -> {e}");
        assert!(e["error"]["message"].as_str().unwrap().starts_with(field), "{body} -> {e}");
    }
    let (s, v) = app.call("POST", LIST, Some(&a1), Some(json!({ "shortcut": "/s", "title": "t", "body": "字".repeat(2000) }))).await;
    assert_eq!((s, v["shortcut"].as_str()), (201, Some("s")), "2000 characters fit; the typed / is dropped: {v}");
    let (s, e) = app.call("PATCH", &format!("{LIST}/{}", v["id"]), Some(&a1), Some(json!({ "body": "" }))).await;
    assert_eq!(s, 422, "{e}");
}

#[tokio::test]
async fn canned_library_filter_pages_one_library_with_category_and_search() {
    let app = spawn_app().await;
    let a1 = app.login("agent1@demo.kefu", "demo-agent").await;
    for i in 0..5 {
        let body = json!({ "shortcut": format!("p{i}"), "title": format!("分页 {i}"), "body": "正文", "category": if i < 3 { "甲" } else { "乙" } });
        assert_eq!(app.call("POST", LIST, Some(&a1), Some(body)).await.0, 201);
    }
    let mine = shortcuts(&app, &a1, "?library=mine").await;
    assert_eq!(mine, ["p3", "p4", "p0", "p1", "p2"], "no team response among mine (by category 乙 < 甲, then shortcut)");
    let team = shortcuts(&app, &a1, "?library=team").await;
    assert!(team.contains(&"greet".to_string()) && !team.iter().any(|s| s.starts_with('p')), "{team:?}");
    // One category of one library, two a page, walked by cursor.
    let (s, first) = app.call("GET", &format!("{LIST}?library=mine&category=%E7%94%B2&limit=2"), Some(&a1), None).await;
    assert_eq!(s, 200, "{first}");
    assert_eq!((first["total"].as_i64(), first["canned_responses"].as_array().unwrap().len()), (Some(3), 2));
    let after = first["next_after"].as_i64().expect("a next page");
    let (_, second) = app.call("GET", &format!("{LIST}?library=mine&category=%E7%94%B2&limit=2&after={after}"), Some(&a1), None).await;
    assert_eq!(second["canned_responses"][0]["shortcut"], "p2");
    assert!(second["next_after"].is_null(), "{second}");
    assert_eq!(shortcuts(&app, &a1, "?library=mine&q=%E5%88%86%E9%A1%B5%204").await, ["p4"], "search inside one library");
    let (s, e) = app.call("GET", &format!("{LIST}?library=others"), Some(&a1), None).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().starts_with("library:"), "{e}");
}
