//! Every failure is a JSON error naming the problem; roles are checked on every route.

use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn operational_endpoints_answer() {
    let app = spawn_app_with(|c| c.metrics_token = Some("scrape".into())).await;
    assert_eq!(app.call("GET", "/healthz", None, None).await.0, 200);
    assert_eq!(app.call("GET", "/readyz", None, None).await.0, 200);
    let metrics = app.http.get(app.url("/metrics")).bearer_auth("scrape").send().await.unwrap().text().await.unwrap();
    for name in ["kefu_websocket_connections", "kefu_queue_waiting{group=", "kefu_assignments_total", "kefu_queue_longest_wait_seconds"] {
        assert!(metrics.contains(name), "{name} missing from /metrics");
    }
    let (s, doc) = app.call("GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(s, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["components"]["schemas"]["ConversationView"].is_object());
}

#[tokio::test]
async fn malformed_input_gets_a_clear_json_error() {
    let app = spawn_app().await;
    let raw = |method: &str, path: &str, ctype: &str, body: &'static str| {
        app.http.request(method.parse().unwrap(), app.url(path)).header("content-type", ctype).body(body).send()
    };
    let r = raw("POST", "/api/v1/auth/login", "application/json", "{not json").await.unwrap();
    assert_eq!(r.status(), 400);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_json");

    let r = raw("POST", "/api/v1/auth/login", "application/json", r#"{"email": "x@y"}"#).await.unwrap();
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert!(e["error"]["message"].as_str().unwrap().contains("password"), "{e}");

    let r = raw("POST", "/api/v1/auth/login", "text/plain", "hello").await.unwrap();
    assert_eq!(r.status(), 415);

    let (s, e) = app.call("GET", "/api/v1/nothing-here", None, None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (404, Some("not_found")));
    let (s, e) = app.call("DELETE", "/api/v1/auth/login", None, None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (405, Some("method_not_allowed")));
    let (s, e) = app.call("GET", "/api/v1/conversations/abc", Some(&app.visitor("x").await), None).await;
    assert_eq!(s, 400, "{e}");
    assert!(e["error"]["message"].is_string());

    let big = "x".repeat(2 * 1024 * 1024);
    let v = app.visitor("y").await;
    let r = app
        .http
        .post(app.url("/api/v1/conversations"))
        .bearer_auth(&v)
        .header("content-type", "application/json")
        .body(format!(r#"{{"message":"{big}"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "payload_too_large");
}

#[tokio::test]
async fn tokens_and_roles_are_checked() {
    let app = spawn_app().await;
    let (s, e) = app.call("GET", "/api/v1/agents", None, None).await;
    assert_eq!((s, e["error"]["code"].as_str()), (401, Some("unauthorized")));
    let (s, _) = app.call("GET", "/api/v1/agents", Some("s_forged"), None).await;
    assert_eq!(s, 401);
    let (s, _) = app.call("POST", "/api/v1/auth/login", None, Some(json!({ "email": "agent1@demo.kefu", "password": "wrong" }))).await;
    assert_eq!(s, 401);

    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let (s, _) = app
        .call(
            "POST",
            "/api/v1/agents",
            Some(&agent),
            Some(json!({ "email": "n@x.y", "name": "N", "password": "password1", "role": "agent" })),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = app.call("GET", "/api/v1/stats/live", Some(&agent), None).await;
    assert_eq!(s, 403);
    let (s, _) = app.call("GET", "/api/v1/webhooks", Some(&agent), None).await;
    assert_eq!(s, 403);
    // A visitor token is not a staff token.
    let v = app.visitor("v").await;
    let (s, _) = app.call("GET", "/api/v1/agents", Some(&v), None).await;
    assert_eq!(s, 403);

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, created) = app.call("POST", "/api/v1/agents", Some(&admin), Some(json!({ "email": "new@demo.kefu", "name": "新坐席", "password": "password1", "role": "agent", "capacity": { "chat": 3, "call": 1 } }))).await;
    assert_eq!(s, 201, "{created}");
    let (s, e) = app
        .call(
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({ "email": "new@demo.kefu", "name": "dup", "password": "password1", "role": "agent" })),
        )
        .await;
    assert_eq!(s, 409, "{e}");
    let (s, _) = app
        .call(
            "POST",
            "/api/v1/agents",
            Some(&admin),
            Some(json!({ "email": "short@demo.kefu", "name": "x", "password": "123", "role": "agent" })),
        )
        .await;
    assert_eq!(s, 422);

    // Logout revokes the token.
    let (s, _) = app.call("POST", "/api/v1/auth/logout", Some(&agent), None).await;
    assert_eq!(s, 204);
    let (s, _) = app.call("GET", "/api/v1/auth/me", Some(&agent), None).await;
    assert_eq!(s, 401);

    // API keys with scopes.
    let (s, k) = app.call("POST", "/api/v1/api-keys", Some(&admin), Some(json!({ "name": "crm", "scopes": ["conversations:read"] }))).await;
    assert_eq!(s, 201, "{k}");
    let key = k["key"].as_str().unwrap();
    let (s, _) = app.call("GET", "/api/v1/conversations?status=queued", Some(key), None).await;
    assert_eq!(s, 200);
    let (s, _) = app
        .call("POST", "/api/v1/agents", Some(key), Some(json!({ "email": "k@x.y", "name": "k", "password": "password1", "role": "agent" })))
        .await;
    assert_eq!(s, 403);
    let id = k["api_key"]["id"].as_i64().unwrap();
    assert_eq!(app.call("DELETE", &format!("/api/v1/api-keys/{id}"), Some(&admin), None).await.0, 204);
    assert_eq!(app.call("GET", "/api/v1/conversations", Some(key), None).await.0, 401);
}

#[tokio::test]
async fn login_is_rate_limited_per_address() {
    let app = crate::helpers::spawn_app_with(|c| c.login_attempts_per_minute = 3).await;
    let (base, http) = (app.base.clone(), app.http.clone());
    let mut statuses = vec![];
    for _ in 0..5 {
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "email": "a@b.c", "password": "wrongwrong" }))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
    }
    assert_eq!(statuses, vec![401, 401, 401, 429, 429]);
}

#[tokio::test]
async fn admin_configures_groups_and_business_hours() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, e) = app.call("POST", "/api/v1/groups", Some(&admin), Some(json!({ "name": "VIP", "strategy": "teleport" }))).await;
    assert_eq!(s, 422, "{e}");
    assert!(e["error"]["message"].as_str().unwrap().contains("strategy"));
    // Closed all week: the widget offers to leave a message.
    let (s, g) = app
        .call(
            "POST",
            "/api/v1/groups",
            Some(&admin),
            Some(json!({ "name": "Night", "strategy": "round_robin", "business_hours": { "utc_offset_minutes": 480, "days": [] } })),
        )
        .await;
    assert_eq!(s, 201, "{g}");
    let gid = g["id"].as_i64().unwrap();
    let (s, t) = app.call("POST", "/api/v1/business-types", Some(&admin), Some(json!({ "name": "夜间业务", "group_id": gid }))).await;
    assert_eq!(s, 201, "{t}");
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    let night = cfg["business_types"].as_array().unwrap().iter().find(|b| b["name"] == "夜间业务").unwrap().clone();
    assert_eq!(night["open"], false);
    assert_eq!(night["closed_reason"], "outside_hours", "{night}");
    // Card services is within its hours, but nobody is logged in: the widget must say so, not
    // "outside service hours"; once an agent is in, it is open.
    let card = |cfg: &serde_json::Value| cfg["business_types"].as_array().unwrap().iter().find(|b| b["id"] == 1).unwrap().clone();
    assert_eq!(card(&cfg)["closed_reason"], "no_agent", "{cfg}");
    app.ready_agent(1).await;
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!((card(&cfg)["open"].clone(), card(&cfg)["closed_reason"].clone()), (json!(true), json!(null)), "{cfg}");
    // Leaving a message creates a queued conversation for the next shift.
    let v = app.visitor("Late").await;
    let (s, c) = app
        .call(
            "POST",
            "/api/v1/conversations",
            Some(&v),
            Some(json!({ "business_type_id": night["id"], "leave_message": true, "message": "请明天回电" })),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!((c["status"].as_str(), c["left_message"].as_bool()), (Some("queued"), Some(true)));
    let (s, e) = app
        .call(
            "PATCH",
            &format!("/api/v1/groups/{gid}"),
            Some(&admin),
            Some(json!({ "business_hours": { "utc_offset_minutes": 480, "days": [{ "weekday": 9, "open": "09:00", "close": "18:00" }] } })),
        )
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, g) =
        app.call("PUT", &format!("/api/v1/groups/{gid}/members"), Some(&admin), Some(json!([{ "agent_id": 3, "skill_level": 5 }]))).await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["members"][0]["agent_id"], 3);
    // The night shift agent logs in and gets the left message.
    let agent = app.ready_agent(1).await;
    let (_, offered) = app.call("GET", "/api/v1/conversations?status=offered&mine=true", Some(&agent), None).await;
    assert!(offered["conversations"].as_array().unwrap().iter().any(|x| x["id"] == c["id"]));
}

#[test]
fn the_committed_openapi_document_is_current() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.json")).unwrap_or_default();
    let current = kefu_server::api::openapi::document();
    assert!(
        committed.trim() == current.trim(),
        "docs/openapi.json is stale: run `cargo run -p kefu-server -- openapi > docs/openapi.json`"
    );
    let doc: serde_json::Value = serde_json::from_str(&current).unwrap();
    assert!(doc["paths"].as_object().unwrap().len() >= 35, "every route is documented");
}

#[test]
fn every_answer_and_payload_is_typed() {
    let doc: serde_json::Value = serde_json::from_str(&kefu_server::api::openapi::document()).unwrap();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            for (status, answer) in op["responses"].as_object().unwrap() {
                if status == "204" {
                    continue;
                }
                let content = answer["content"].as_object();
                assert!(content.is_some_and(|c| !c.is_empty()), "{method} {path} {status}: the answer names no body type");
                if let Some(json) = content.and_then(|c| c.get("application/json")) {
                    assert!(json["schema"]["$ref"].is_string(), "{method} {path} {status}: the JSON body is not a named schema");
                }
            }
        }
    }
    let mut ids: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().values().map(|op| op["operationId"].as_str().unwrap_or("")))
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids must be unique (client generators key on them)");
    // A bare `{"type": "object"}` says nothing: each object lists its properties or its values.
    fn walk(at: &str, v: &serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                let bare = o.get("type").is_some_and(|t| t == "object")
                    && !o.contains_key("properties")
                    && !o.contains_key("additionalProperties");
                assert!(!bare || at == "Hello", "{at}: an untyped object");
                o.iter().for_each(|(k, x)| walk(if at.is_empty() { k } else { at }, x));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| walk(at, x)),
            _ => {}
        }
    }
    walk("", &doc["components"]["schemas"]);
    for event in ["WsEvent", "WsClientFrame", "OfferCreated", "Typing", "MessageRead", "OfferRevoked", "QueueView"] {
        assert!(doc["components"]["schemas"][event].is_object(), "{event} is missing");
    }
}

#[tokio::test]
async fn each_widget_has_its_own_pre_chat_form() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (_, default) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(default["business_types"].as_array().unwrap().len(), 2);
    let form = json!({
        "fields": [
            { "name": "name", "label": { "zh-CN": "姓名", "en": "Name" }, "required": true, "kind": "text" },
            { "name": "phone", "label": { "zh-CN": "手机号", "en": "Phone" }, "required": false, "kind": "text" },
            { "name": "business_type_id", "label": { "zh-CN": "业务", "en": "Service" }, "required": true, "kind": "select" }
        ],
        "welcome": { "zh-CN": "欢迎使用手机银行客服", "en": "Welcome to mobile banking support" },
        "business_type_ids": [2]
    });
    let (s, saved) = app.call("PUT", "/api/v1/widgets/app", Some(&admin), Some(form.clone())).await;
    assert_eq!(s, 200, "{saved}");
    let (_, app_cfg) = app.call("GET", "/api/v1/widget/config?widget=app", None, None).await;
    assert_eq!(app_cfg["pre_chat_form"]["fields"][1]["name"], "phone");
    assert_eq!(app_cfg["business_types"].as_array().unwrap().len(), 1, "only the loans business type");
    assert_eq!(app_cfg["welcome"]["en"], "Welcome to mobile banking support");
    let (s, _) = app.call("GET", "/api/v1/widget/config?widget=nope", None, None).await;
    assert_eq!(s, 404);
    let mut bad = form.clone();
    bad["fields"][1]["kind"] = json!("select");
    let (s, e) = app.call("PUT", "/api/v1/widgets/app", Some(&admin), Some(bad)).await;
    assert_eq!(s, 422, "{e}");
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    assert_eq!(app.call("PUT", "/api/v1/widgets/app", Some(&agent), Some(form)).await.0, 403);
}

#[tokio::test]
async fn a_widgets_branding_reaches_the_loader_on_any_site_and_bad_branding_is_named() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    // Before anything is saved, the built-in look.
    let res = app.http.get(format!("{}/api/v1/widget/config", app.base)).header("origin", "https://shop.example").send().await.unwrap();
    assert_eq!(res.headers()["access-control-allow-origin"], "*", "the loader reads it from the customer's site");
    let cfg: serde_json::Value = res.json().await.unwrap();
    assert_eq!((cfg["branding"]["color"].as_str(), cfg["branding"]["position"].as_str()), (Some("#1f5fbf"), Some("right")));

    let (_, list) = app.call("GET", "/api/v1/widgets", Some(&admin), None).await;
    assert_eq!(list["widgets"][0]["name"], "default", "{list}");
    let mut settings = list["widgets"][0]["settings"].clone();
    let logo = "data:image/png;base64,iVBORw0KGgo=";
    settings["branding"] =
        json!({ "color": "#C0392B", "position": "left", "title": { "zh-CN": "招财银行客服", "en": "Bank support" }, "logo": logo });
    let (s, saved) = app.call("PUT", "/api/v1/widgets/default", Some(&admin), Some(settings.clone())).await;
    assert_eq!(s, 200, "{saved}");
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(cfg["branding"]["position"], "left");
    assert_eq!(cfg["branding"]["title"]["zh-CN"], "招财银行客服");
    assert_eq!(cfg["branding"]["logo"], logo);

    for (field, bad) in [
        ("branding.color", json!({ "color": "red" })),
        ("branding.title", json!({ "title": { "en": "x".repeat(33) } })),
        ("branding.logo", json!({ "logo": "javascript:alert(1)" })),
        ("branding.logo", json!({ "logo": format!("data:image/png;base64,{}", "A".repeat(200_000)) })),
        ("branding.position", json!({ "position": "top" })),
    ] {
        let mut b = settings.clone();
        b["branding"] = bad;
        let (s, e) = app.call("PUT", "/api/v1/widgets/default", Some(&admin), Some(b)).await;
        assert_eq!(s, 422, "{field}: {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(field.trim_start_matches("branding.")), "{field}: {e}");
    }
}

#[tokio::test]
async fn business_hours_follow_a_named_zone_and_the_holiday_calendar() {
    let app = spawn_app().await;
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let all_week: Vec<_> = (1..=7).map(|d| json!({ "weekday": d, "open": "00:00", "close": "24:00" })).collect();
    let today = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap().to_datetime(jiff::Timestamp::now()).date();
    let hours = |holidays: serde_json::Value, make_up: serde_json::Value| json!({ "business_hours": { "time_zone": "Asia/Shanghai", "days": all_week, "holidays": holidays, "make_up_days": make_up } });
    // Card services (group 1) is open every hour of the week, but today is a holiday in Shanghai.
    let (s, g) = app
        .call("PATCH", "/api/v1/groups/1", Some(&admin), Some(hours(json!([{ "date": today.to_string(), "name": "国庆节" }]), json!([]))))
        .await;
    assert_eq!(s, 200, "{g}");
    assert_eq!(g["business_hours"]["time_zone"], "Asia/Shanghai");
    assert_eq!(g["business_hours"]["holidays"][0]["name"], "国庆节");
    app.ready_agent(1).await;
    let card = |cfg: &serde_json::Value| cfg["business_types"].as_array().unwrap().iter().find(|b| b["id"] == 1).unwrap().clone();
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(card(&cfg)["closed_reason"], "outside_hours", "a holiday closes the group: {cfg}");

    // Without the holiday it is open again.
    let (s, _) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(hours(json!([]), json!([])))).await;
    assert_eq!(s, 200);
    let (_, cfg) = app.call("GET", "/api/v1/widget/config", None, None).await;
    assert_eq!(card(&cfg)["open"], true, "{cfg}");

    // Nonsense is refused by name.
    for (body, needle) in [
        (json!({ "business_hours": { "time_zone": "Asia/Beijing", "days": [] } }), "Asia/Beijing"),
        (hours(json!([{ "date": "2026-13-01" }]), json!([])), "2026-13-01"),
        (hours(json!([{ "date": "2026-10-01" }]), json!([{ "date": "2026-10-01", "as_weekday": 1 }])), "both a holiday"),
        (hours(json!([]), json!([{ "date": "2026-10-10", "as_weekday": 8 }])), "weekday 8"),
    ] {
        let (s, e) = app.call("PATCH", "/api/v1/groups/1", Some(&admin), Some(body)).await;
        assert_eq!(s, 422, "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(needle), "{e}");
    }
}
