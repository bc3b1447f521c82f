//! Text that can deceive: reordering and invisible characters never reach an agent's screen in a
//! name, a topic or a file name; files show the extension of what they really are; messages keep
//! their emoji and line breaks.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn names_topics_and_file_names_are_shown_as_they_are() {
    let app = spawn_app().await;
    let agent = app.ready_agent(1).await;
    // "Trojan Source": U+202E shows "invoice\u{202E}fdp.exe" as "invoiceexe.pdf".
    let (s, v) = app.call("POST", "/api/v1/visitors", None, Some(json!({ "name": "客服\u{202E}理经\u{200B}" }))).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["visitor"]["name"], "客服理经");
    let visitor = v["token"].as_str().unwrap().to_string();
    let (s, c) = app
        .call(
            "POST",
            "/api/v1/conversations",
            Some(&visitor),
            Some(json!({ "business_type_id": 1, "name": "王\u{2066}五\u{3164}", "topic": "退\u{202D}款", "message": "订单号: 123\u{202E}456\n谢谢 👨\u{200D}👩\u{200D}👧" })),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["visitor"]["name"], "王五");
    assert_eq!(c["topic"], "退款");
    let id = c["id"].as_i64().unwrap();
    app.call("POST", &format!("/api/v1/conversations/{id}/accept"), Some(&agent), None).await;
    let (_, msgs) = app.call("GET", &format!("/api/v1/conversations/{id}/messages"), Some(&agent), None).await;
    let first = msgs["messages"].as_array().unwrap().iter().find(|m| m["kind"] == "text").unwrap().clone();
    assert_eq!(first["body"], "订单号: 123456\n谢谢 👨\u{200D}👩\u{200D}👧", "the message keeps emoji and lines, loses the override");

    // A PDF named to look like something else shows its real extension.
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(pdf).file_name("invoice\u{202E}fdp.exe"));
    let r = app
        .http
        .post(app.url(&format!("/api/v1/conversations/{id}/attachments")))
        .bearer_auth(&visitor)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let m: serde_json::Value = r.json().await.unwrap();
    assert_eq!(m["attachment"]["name"], "invoicefdp.exe.pdf");
    assert_eq!(m["body"], "invoicefdp.exe.pdf");
    assert_eq!(m["attachment"]["mime"], "application/pdf");
}
