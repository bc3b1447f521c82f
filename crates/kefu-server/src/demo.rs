//! `kefu serve --demo`: a demo organisation, seeded once. Logins are listed in README.md.

use serde_json::json;

use crate::auth::{hash_password, PasswordCost};
use crate::clock::now_ms;
use kefu_core::{Role, Strategy};
use kefu_store::{BusinessTypeRow, CannedFields, GroupRow, NewUser, Store};

/// (email, name, role, password)
pub const DEMO_USERS: [(&str, &str, Role, &str); 6] = [
    ("admin@demo.kefu", "管理员 Admin", Role::Admin, "demo-admin"),
    ("supervisor@demo.kefu", "王班长 Wang", Role::Supervisor, "demo-supervisor"),
    ("agent1@demo.kefu", "李娜 Li Na", Role::Agent, "demo-agent"),
    ("agent2@demo.kefu", "张伟 Zhang Wei", Role::Agent, "demo-agent"),
    ("agent3@demo.kefu", "刘洋 Liu Yang", Role::Agent, "demo-agent"),
    ("agent4@demo.kefu", "陈静 Chen Jing", Role::Agent, "demo-agent"),
];

/// The team's canned responses (快捷回复): (category, shortcut, title, body), in zh-CN and en.
pub const DEMO_CANNED: [(&str, &str, &str, &str); 6] = [
    ("问候 Greetings", "问候", "问候语", "{{customer.name}}您好，我是客服{{agent.name}}，很高兴为您服务，请问有什么可以帮您？"),
    ("问候 Greetings", "greet", "Greeting", "Hello {{customer.name}}, this is {{agent.name}}. How can I help you today?"),
    ("处理中 In progress", "稍等", "请稍等", "请您稍等，我正在为您查询，马上回复您。"),
    ("处理中 In progress", "wait", "Please wait", "Please wait a moment while I look into this for you."),
    ("结束 Closing", "结束语", "结束语", "感谢您的咨询，如还有其他问题欢迎随时联系我们，祝您生活愉快！"),
    ("结束 Closing", "bye", "Closing", "Thank you for contacting us, {{customer.name}}. Have a nice day!"),
];

/// Seed unless already seeded.
pub async fn seed(store: &Store, cost: PasswordCost) -> anyhow::Result<()> {
    seed_canned(store).await?;
    if store.setting("demo_seeded").await?.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let mut ids = vec![];
    for (email, name, role, password) in DEMO_USERS {
        let hash = hash_password(password, cost)?;
        ids.push(store.create_user(NewUser { email, name, role, password_hash: &hash, capacity_chat: 5, capacity_call: 1 }, now).await?);
    }
    let group = |name: &str, strategy: Strategy, fallback: Strategy, crm: Option<&str>| GroupRow {
        strategy,
        fallback_strategy: fallback,
        crm_url_template: crm.map(Into::into),
        ..GroupRow::new(name)
    };
    let cards = store
        .save_group(
            &GroupRow {
                welcome: json!({
                    "zh-CN": "您好，这里是信用卡服务。请说明您的问题，坐席会尽快为您解答。",
                    "en": "Hello, this is card services. Tell us what you need and an agent will be with you shortly."
                })
                .to_string(),
                ..group("信用卡服务 Card services", Strategy::LoadBalance, Strategy::LoadBalance, Some("/demo/crm?id={external_id}"))
            },
            now,
        )
        .await?;
    let loans = store
        .save_group(&group("贷款咨询 Loans", Strategy::ReturningCustomer, Strategy::RoundRobin, Some("/demo/crm?id={external_id}")), now)
        .await?;
    // agent1, agent2 in cards; agent2 (level 3), agent3, agent4 in loans; the supervisor can step in.
    store.set_members(cards, &[(ids[2], 4), (ids[3], 2), (ids[1], 5)]).await?;
    store.set_members(loans, &[(ids[3], 3), (ids[4], 4), (ids[5], 2)]).await?;
    store
        .save_business_type(&BusinessTypeRow {
            id: 0,
            name: "信用卡业务 Credit cards".into(),
            group_id: cards,
            min_skill_level: 1,
            names: "{}".into(),
        })
        .await?;
    store
        .save_business_type(&BusinessTypeRow {
            id: 0,
            name: "贷款咨询 Loans".into(),
            group_id: loans,
            min_skill_level: 1,
            names: "{}".into(),
        })
        .await?;
    for (code, label) in
        [("resolved", "已解决 Resolved"), ("follow_up", "需跟进 Follow-up"), ("complaint", "投诉 Complaint"), ("other", "其他 Other")]
    {
        store.create_wrap_up_code(code, label).await?;
    }
    store.set_setting("demo_seeded", &json!({ "at": now }).to_string()).await?;
    tracing::info!("seeded the demo organisation");
    Ok(())
}

/// The demo team's canned responses, once, with their own marker: demo databases seeded before
/// canned responses existed get them too.
async fn seed_canned(store: &Store) -> anyhow::Result<()> {
    if store.setting("demo_canned_seeded").await?.is_some() {
        return Ok(());
    }
    let now = now_ms();
    for (category, shortcut, title, body) in DEMO_CANNED {
        store.create_canned_response(None, &CannedFields { category, shortcut, title, body }, now).await?;
    }
    store.set_setting("demo_canned_seeded", &json!({ "at": now }).to_string()).await?;
    Ok(())
}
