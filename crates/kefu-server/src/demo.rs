//! `kefu serve --demo`: a demo organisation, seeded once. Logins are listed in README.md.

use serde_json::json;

use crate::auth::hash_password;
use crate::clock::now_ms;
use kefu_store::{BusinessTypeRow, GroupRow, NewUser, Store};

/// (email, name, role, password)
pub const DEMO_USERS: [(&str, &str, &str, &str); 6] = [
    ("admin@demo.kefu", "管理员 Admin", "admin", "demo-admin"),
    ("supervisor@demo.kefu", "王班长 Wang", "supervisor", "demo-supervisor"),
    ("agent1@demo.kefu", "李娜 Li Na", "agent", "demo-agent"),
    ("agent2@demo.kefu", "张伟 Zhang Wei", "agent", "demo-agent"),
    ("agent3@demo.kefu", "刘洋 Liu Yang", "agent", "demo-agent"),
    ("agent4@demo.kefu", "陈静 Chen Jing", "agent", "demo-agent"),
];

/// Seed unless already seeded.
pub async fn seed(store: &Store) -> anyhow::Result<()> {
    if store.setting("demo_seeded").await?.is_some() {
        return Ok(());
    }
    let now = now_ms();
    let mut ids = vec![];
    for (email, name, role, password) in DEMO_USERS {
        let hash = hash_password(password)?;
        ids.push(store.create_user(NewUser { email, name, role, password_hash: &hash, capacity_chat: 5, capacity_call: 1 }, now).await?);
    }
    let group = |name: &str, strategy: &str, fallback: &str, crm: Option<&str>| GroupRow {
        strategy: strategy.into(),
        fallback_strategy: fallback.into(),
        crm_url_template: crm.map(Into::into),
        ..GroupRow::new(name)
    };
    let cards = store
        .save_group(&group("信用卡服务 Card services", "load_balance", "load_balance", Some("/demo/crm?id={external_id}")), now)
        .await?;
    let loans =
        store.save_group(&group("贷款咨询 Loans", "returning_customer", "round_robin", Some("/demo/crm?id={external_id}")), now).await?;
    // agent1, agent2 in cards; agent2 (level 3), agent3, agent4 in loans; the supervisor can step in.
    store.set_members(cards, &[(ids[2], 4), (ids[3], 2), (ids[1], 5)]).await?;
    store.set_members(loans, &[(ids[3], 3), (ids[4], 4), (ids[5], 2)]).await?;
    store
        .save_business_type(&BusinessTypeRow { id: 0, name: "信用卡业务 Credit cards".into(), group_id: cards, min_skill_level: 1 })
        .await?;
    store.save_business_type(&BusinessTypeRow { id: 0, name: "贷款咨询 Loans".into(), group_id: loans, min_skill_level: 1 }).await?;
    for (code, label) in
        [("resolved", "已解决 Resolved"), ("follow_up", "需跟进 Follow-up"), ("complaint", "投诉 Complaint"), ("other", "其他 Other")]
    {
        store.create_wrap_up_code(code, label).await?;
    }
    store.set_setting("demo_seeded", &json!({ "at": now }).to_string()).await?;
    tracing::info!("seeded the demo organisation");
    Ok(())
}
