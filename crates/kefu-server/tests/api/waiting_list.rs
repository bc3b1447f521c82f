//! The supervisor's waiting list in `GET /api/v1/stats/live`: who waits, since when, VIP level,
//! group and first message, scoped to the groups the supervisor watches.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn supervisors_see_who_waits_in_their_groups_with_the_first_message() {
    let app = spawn_app().await;
    let (card, loan) = (app.visitor("排队的张三").await, app.visitor("Loan customer").await);
    let first = app.start(&card, "我的信用卡被冻结了").await;
    let (s, second) =
        app.call("POST", "/api/v1/conversations", Some(&loan), Some(json!({ "business_type_id": 2, "message": "loan rates?" }))).await;
    assert_eq!(s, 201, "{second}");

    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, all) = app.call("GET", "/api/v1/stats/live", Some(&admin), None).await;
    assert_eq!(s, 200, "{all}");
    let waiting = all["waiting"].as_array().unwrap();
    let ids: Vec<_> = waiting.iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, vec![first["id"].clone(), second["id"].clone()], "longest waiting first: {all}");
    let row = &waiting[0];
    assert_eq!(row["visitor"]["name"], "排队的张三");
    assert_eq!(row["first_message"]["body"], "我的信用卡被冻结了", "{row}");
    assert_eq!(row["visitor"]["vip_level"], 0);
    assert!(row["queued_at"].is_string(), "{row}");
    assert_eq!(row["group_id"], first["group_id"]);
    assert!(all["groups"][0]["service_level_target_secs"].as_u64().unwrap() > 0, "{all}");

    // The cards supervisor watches the cards line only.
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (_, theirs) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    let ids: Vec<_> = theirs["waiting"].as_array().unwrap().iter().map(|c| c["id"].clone()).collect();
    assert_eq!(ids, vec![first["id"].clone()], "{theirs}");

    // An agent may not read the floor.
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("GET", "/api/v1/stats/live", Some(&agent), None).await;
    assert_eq!(s, 403);

    // Offered, the customer still waits; accepted, they leave the list.
    let a1 = app.ready_agent(1).await;
    let id = first["id"].as_i64().unwrap();
    let mut status = String::new();
    for _ in 0..50 {
        let (s, c) = app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&a1), None).await;
        status = format!("{s} {c}");
        if s == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(status.starts_with("200"), "{status}");
    let (_, now) = app.call("GET", "/api/v1/stats/live", Some(&sup), None).await;
    assert_eq!(now["waiting"], json!([]), "{now}");
}
