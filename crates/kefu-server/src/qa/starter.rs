//! The starter rule set an admin may add with one click and then tune: common faults of a
//! Chinese contact centre, with English equivalents. Weights and phrases are examples, not a
//! standard; they are not seeded by the migration (a copy between databases needs empty tables).
//! Phrases match inside words too, so short English ones ("hi") are left out: they would match
//! "this" and "which".

use kefu_core::qa::{Check, FormItem};

fn words(w: &[&str]) -> Vec<String> {
    w.iter().map(|s| s.to_string()).collect()
}

/// (name, check, weight, heavy).
pub fn rules() -> Vec<(&'static str, Check, u32, bool)> {
    vec![
        ("禁用语", Check::ForbiddenWords { words: words(&["你自己看着办", "不归我管", "笨蛋", "stupid", "shut up"]) }, 20, true),
        ("问候语", Check::Greeting { phrases: words(&["您好", "你好", "hello", "good morning", "good afternoon"]), within: 2 }, 10, false),
        ("结束语", Check::Closing { phrases: words(&["再见", "感谢", "谢谢", "bye", "thank"]), within: 2 }, 5, false),
        ("首次响应超时", Check::FirstResponse { limit_secs: 60 }, 10, false),
        ("回复超时", Check::ResponseTime { limit_secs: 90 }, 5, false),
        ("长时间沉默", Check::LongSilence { limit_secs: 180 }, 10, false),
        (
            "要求升级/投诉",
            Check::SupervisorRequest {
                phrases: words(&["投诉", "找你们领导", "叫你们领导", "找领导", "supervisor", "manager", "complain"]),
            },
            10,
            true,
        ),
        ("转接过多", Check::Transfers { max: 2 }, 5, false),
        ("未填服务小结", Check::WrapUpMissing, 5, false),
        ("差评", Check::LowCsat { at_most: 2 }, 15, true),
    ]
}

/// The standard scoring form: (name, items).
pub fn form() -> (&'static str, Vec<FormItem>) {
    let item = |label: &str, weight, fatal| FormItem { label: label.into(), weight, fatal };
    (
        "标准评分表",
        vec![item("服务态度", 30, false), item("业务准确", 40, false), item("规范用语", 30, false), item("泄露客户信息", 0, true)],
    )
}
