//! Wrap-up codes (服务小结): admins relabel, disable and reorder them; a disabled code is not
//! chosen any more but stays on the conversations closed with it.

use crate::helpers::spawn_app;
use serde_json::{json, Value};

fn codes(list: &Value) -> Vec<String> {
    list["codes"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_string()).collect()
}

fn id_of(list: &Value, code: &str) -> i64 {
    list["codes"].as_array().unwrap().iter().find(|c| c["code"] == code).unwrap()["id"].as_i64().unwrap()
}

#[tokio::test]
async fn admins_relabel_disable_and_reorder_codes() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, list) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    assert_eq!(s, 200);
    assert_eq!(codes(&list), ["resolved", "follow_up", "complaint", "other"]);
    assert_eq!(list["codes"][0]["disabled"], false);

    // Relabel.
    let other = id_of(&list, "other");
    let (s, c) =
        app.call("PATCH", &format!("/api/v1/wrap-up-codes/{other}"), Some(&admin), Some(json!({ "label": "其他问题 Other" }))).await;
    assert_eq!(s, 200, "{c}");
    assert_eq!((c["label"].as_str(), c["code"].as_str(), c["disabled"].as_bool()), (Some("其他问题 Other"), Some("other"), Some(false)));
    let (s, e) = app.call("PATCH", &format!("/api/v1/wrap-up-codes/{other}"), Some(&admin), Some(json!({ "label": "  " }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");

    // Reorder: kept, and new codes go to the end.
    let ids: Vec<i64> = ["other", "complaint", "resolved", "follow_up"].iter().map(|c| id_of(&list, c)).collect();
    let (s, r) = app.call("PUT", "/api/v1/wrap-up-codes/order", Some(&admin), Some(json!({ "ids": ids }))).await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(codes(&r), ["other", "complaint", "resolved", "follow_up"]);
    app.call("POST", "/api/v1/wrap-up-codes", Some(&admin), Some(json!({ "code": "sale", "label": "成交 Sale" }))).await;
    let (_, list) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    assert_eq!(codes(&list), ["other", "complaint", "resolved", "follow_up", "sale"]);
    // A list that misses a code (stale, or a typo) changes nothing.
    let (s, e) = app.call("PUT", "/api/v1/wrap-up-codes/order", Some(&admin), Some(json!({ "ids": ids }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
    let (s, _) = app
        .call("PUT", "/api/v1/wrap-up-codes/order", Some(&admin), Some(json!({ "ids": [ids[0], ids[0], ids[1], ids[2], ids[3]] })))
        .await;
    assert_eq!(s, 422);
    let (_, after) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    assert_eq!(codes(&after), codes(&list));
    let (s, _) = app.call("PATCH", "/api/v1/wrap-up-codes/999999", Some(&admin), Some(json!({ "disabled": true }))).await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn a_disabled_code_is_not_chosen_but_stays_on_old_conversations() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let a1 = app.ready_agent(1).await;
    let v = app.visitor("老客户").await;
    let first = app.start(&v, "第一次").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{first}/accept"), Some(&a1), None).await;
    let (s, e) =
        app.call("POST", &format!("/api/v1/conversations/{first}/close"), Some(&a1), Some(json!({ "wrap_up_code": "complaint" }))).await;
    assert!(s == 200 || s == 204, "{s} {e}");

    let (_, list) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    let complaint = id_of(&list, "complaint");
    let (s, c) = app.call("PATCH", &format!("/api/v1/wrap-up-codes/{complaint}"), Some(&admin), Some(json!({ "disabled": true }))).await;
    assert_eq!((s, c["disabled"].as_bool()), (200, Some(true)), "{c}");

    let v2 = app.visitor("新客户").await;
    let second = app.start(&v2, "你好").await["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{second}/accept"), Some(&a1), None).await;
    let close = format!("/api/v1/conversations/{second}/close");
    let (s, e) = app.call("POST", &close, Some(&a1), Some(json!({ "wrap_up_code": "complaint" }))).await;
    assert_eq!((s, e["error"]["code"].as_str()), (422, Some("validation")), "{e}");
    // The old conversation keeps it, and the list still names it (for its label).
    let (_, old) = app.call("GET", &format!("/api/v1/conversations/{first}"), Some(&admin), None).await;
    assert_eq!(old["wrap_up_code"], "complaint", "{old}");
    let (_, list) = app.call("GET", "/api/v1/wrap-up-codes", Some(&a1), None).await;
    assert!(codes(&list).contains(&"complaint".to_string()));
    // Enabled again, it can be chosen again.
    app.call("PATCH", &format!("/api/v1/wrap-up-codes/{complaint}"), Some(&admin), Some(json!({ "disabled": false }))).await;
    let (s, e) = app.call("POST", &close, Some(&a1), Some(json!({ "wrap_up_code": "complaint" }))).await;
    assert!(s == 200 || s == 204, "{s} {e}");
}

#[tokio::test]
async fn only_admins_change_wrap_up_codes() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, list) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    let ids: Vec<i64> = list["codes"].as_array().unwrap().iter().rev().map(|c| c["id"].as_i64().unwrap()).collect();
    let id = ids[0];
    for (email, password) in [("agent1@demo.kefu", "demo-agent"), ("supervisor@demo.kefu", "demo-supervisor")] {
        let t = app.login(email, password).await;
        let (s, _) = app.call("GET", "/api/v1/wrap-up-codes", Some(&t), None).await;
        assert_eq!(s, 200, "{email} reads the list");
        let (s, e) = app.call("PATCH", &format!("/api/v1/wrap-up-codes/{id}"), Some(&t), Some(json!({ "disabled": true }))).await;
        assert_eq!(s, 403, "{email}: {e}");
        let (s, _) = app.call("PUT", "/api/v1/wrap-up-codes/order", Some(&t), Some(json!({ "ids": ids }))).await;
        assert_eq!(s, 403, "{email}");
    }
    let (s, _) = app.call("PATCH", &format!("/api/v1/wrap-up-codes/{id}"), None, Some(json!({ "disabled": true }))).await;
    assert_eq!(s, 401);
    let (_, after) = app.call("GET", "/api/v1/wrap-up-codes", Some(&admin), None).await;
    assert_eq!(after, list, "nothing changed");
}
