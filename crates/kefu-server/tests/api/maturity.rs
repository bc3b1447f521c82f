//! The maturity assessment over the API: four dimensions scored from the data and the
//! questionnaire; answering changes a score; admins and supervisors only; bad answers are
//! refused by name and nothing of them is saved.

use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn dimension<'a>(a: &'a Value, name: &str) -> &'a Value {
    a["dimensions"].as_array().unwrap().iter().find(|d| d["dimension"] == name).unwrap_or_else(|| panic!("{name} in {a}"))
}

#[tokio::test]
async fn the_questionnaire_moves_a_dimension_and_bad_answers_are_refused() {
    let app = spawn_app().await;
    let sup = app.login("supervisor@demo.kefu", "demo-supervisor").await;
    let (s, a) = app.call("GET", "/api/v1/maturity", Some(&sup), None).await;
    assert_eq!(s, 200, "{a}");
    let names: Vec<&str> = a["dimensions"].as_array().unwrap().iter().map(|d| d["dimension"].as_str().unwrap()).collect();
    assert_eq!(names, ["channel_management", "customer_experience", "process_reengineering", "data_insight"]);
    assert_eq!(a["questions"].as_array().unwrap().len(), 8);
    assert!(a["questions"].as_array().unwrap().iter().all(|q| q["answer"].is_null()));
    let process = dimension(&a, "process_reengineering");
    // The demo has business types; what holds level 2 is the written-processes question.
    assert_eq!(process["level"], "service_driven", "{process}");
    let next: Vec<&str> = process["next"].as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
    assert_eq!(next, ["process_documented"], "{process}");
    let before = process["score"].as_f64().unwrap();

    let (s, after) = app.call("PUT", "/api/v1/maturity/answers", Some(&sup), Some(json!({ "answers": { "process_documented": 3 } }))).await;
    assert_eq!(s, 200, "{after}");
    let process = dimension(&after, "process_reengineering");
    assert_eq!((process["level"].as_str(), process["level_number"].as_i64()), (Some("process_driven"), Some(2)), "{process}");
    assert!(process["score"].as_f64().unwrap() > before);
    let q = after["questions"].as_array().unwrap().iter().find(|q| q["question"] == "process_documented").unwrap();
    assert_eq!(q["answer"], 3);
    // The evidence carries the figures used.
    let checks = process["checks"].as_array().unwrap();
    let bt = checks.iter().find(|c| c["key"] == "business_types").unwrap();
    assert_eq!((bt["source"].as_str(), bt["passed"].as_bool()), (Some("data"), Some(true)), "{bt}");

    // The admin sees the same; a fresh GET keeps the answer.
    let admin = app.login("admin@demo.kefu", "demo-admin").await;
    let (s, again) = app.call("GET", "/api/v1/maturity", Some(&admin), None).await;
    assert_eq!(s, 200);
    assert_eq!(dimension(&again, "process_reengineering")["level_number"], 2);

    // The answer is in the audit log, before and after.
    let (s, log) = app.call("GET", "/api/v1/audit-log", Some(&admin), None).await;
    assert_eq!(s, 200, "{log}");
    let entry = &log["entries"][0];
    assert_eq!((entry["entity"].as_str(), entry["action"].as_str()), (Some("maturity_answers"), Some("updated")), "{entry}");
    assert_eq!(entry["after"]["process_documented"], 3, "{entry}");

    // Bad input: an unknown question, an answer out of range, nothing at all, not JSON. None saved.
    for (body, word) in [
        (json!({ "answers": { "nonsense": 1, "cx_owned": 3 } }), "nonsense"),
        (json!({ "answers": { "cx_owned": 3, "data_shared": 4 } }), "data_shared"),
        (json!({ "answers": {} }), "answers"),
        (json!({ "answers": [1, 2] }), ""),
    ] {
        let (s, e) = app.call("PUT", "/api/v1/maturity/answers", Some(&admin), Some(body)).await;
        assert!((400..500).contains(&s), "{s} {e}");
        assert!(e["error"]["message"].as_str().unwrap().contains(word), "{e}");
    }
    let (_, again) = app.call("GET", "/api/v1/maturity", Some(&admin), None).await;
    assert!(again["questions"].as_array().unwrap().iter().find(|q| q["question"] == "cx_owned").unwrap()["answer"].is_null());

    // Agents: neither read nor answer.
    let agent = app.login("agent1@demo.kefu", "demo-agent").await;
    let (s, _) = app.call("GET", "/api/v1/maturity", Some(&agent), None).await;
    assert_eq!(s, 403);
    let (s, _) = app.call("PUT", "/api/v1/maturity/answers", Some(&agent), Some(json!({ "answers": { "cx_owned": 1 } }))).await;
    assert_eq!(s, 403);
}
