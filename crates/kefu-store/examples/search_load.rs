//! Search load figures on SQLite: what indexing costs a message insert, how big the index gets,
//! and how long searches take over many messages. Not a test: it prints figures.
//!
//!   cargo run --release -p kefu-store --example search_load -- 50000
//!   scripts/with-postgres.sh cargo run -p kefu-store --example search_load -- 50000   # on PostgreSQL
//!
//! The same messages go into two stores, once as searchable text and once as `event` lines
//! (which are not indexed), so the difference is the index's cost.

use std::time::Instant;

use kefu_core::Role;
use kefu_store::search::Query;
use kefu_store::{GroupRow, NewConversation, NewMessage, NewUser, SearchFilter, Store};

const LINES: &[&str] = &[
    "您好，我想办理信用卡分期业务",
    "我的银行卡被锁了，怎么解锁",
    "请问退款什么时候到账",
    "好的，已经为您提交申请，请耐心等待",
    "发票抬头写错了，能重新开吗",
    "Where is my refund for order",
    "I cannot log in to my account",
    "我想修改绑定的手机号码",
    "这个月的账单为什么多扣了一笔年费",
    "Thanks, the payment went through",
];

/// Conversations and messages into `store`; returns seconds spent inserting messages.
/// An agent who serves every 20th conversation (the "as an agent" figures search as them).
async fn agent(store: &Store) -> i64 {
    let u = NewUser { email: "a@load", name: "坐席", role: Role::Agent, password_hash: "h", capacity_chat: 5, capacity_call: 1 };
    store.create_user(u, 1).await.unwrap()
}

async fn fill(store: &Store, messages: usize, kind: &str, agent: i64) -> f64 {
    let group = store.save_group(&GroupRow::new("support"), 1).await.unwrap();
    let mut spent = 0.0;
    let per_conversation = 10;
    for c in 0..messages.div_ceil(per_conversation) {
        let visitor = store.create_visitor(&format!("客户{c}"), Some("zh-CN"), 1).await.unwrap().id;
        let mut tx = store.begin().await.unwrap();
        let conv = NewConversation {
            visitor_id: visitor,
            group_id: group,
            business_type_id: None,
            channel: "web",
            priority: 0,
            min_skill_level: 1,
            topic: None,
            left_message: false,
            media: "chat",
        };
        let id = tx.insert_conversation(&conv, 10).await.unwrap().id;
        if c % 20 == 0 {
            tx.set_assigned(id, agent, 15).await.unwrap();
        }
        tx.set_closed(id, 20, false, None, None).await.unwrap();
        tx.commit().await.unwrap();
        for i in 0..per_conversation {
            let n = c * per_conversation + i;
            let body = format!("{} {}", LINES[n % LINES.len()], n);
            let started = Instant::now();
            let mut tx = store.begin().await.unwrap();
            let seq = tx.next_seq(id).await.unwrap();
            let m = NewMessage {
                conversation_id: id,
                sender: "visitor",
                sender_id: None,
                sender_name: None,
                kind,
                body: &body,
                attachment_id: None,
                client_id: None,
                data: None,
            };
            tx.insert_message(&m, seq, 30).await.unwrap();
            tx.commit().await.unwrap();
            spent += started.elapsed().as_secs_f64();
        }
    }
    spent
}

fn size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir).unwrap().filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum()
}

#[tokio::main]
async fn main() {
    let messages: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let root = std::env::temp_dir().join(format!("kefu-search-load-{}", std::process::id()));
    let (plain_dir, indexed_dir) = (root.join("plain"), root.join("indexed"));
    std::fs::create_dir_all(&plain_dir).unwrap();
    std::fs::create_dir_all(&indexed_dir).unwrap();
    let (plain, indexed) = match kefu_store::testing::postgres_url_from_env() {
        Some(base) => {
            println!("backend: postgres");
            let fresh = || kefu_store::testing::fresh_postgres_url(&base);
            (Store::connect(&fresh().await.unwrap()).await.unwrap(), Store::connect(&fresh().await.unwrap()).await.unwrap())
        }
        None => {
            println!("backend: sqlite");
            (Store::open(&plain_dir.join("kefu.db")).await.unwrap(), Store::open(&indexed_dir.join("kefu.db")).await.unwrap())
        }
    };
    kefu_store::search::terms::index_terms("预热"); // load the dictionary outside the timings
    let served_by = agent(&indexed).await;
    let t_plain = fill(&plain, messages, "event", agent(&plain).await).await;
    let t_indexed = fill(&indexed, messages, "text", served_by).await;
    println!("messages: {messages}");
    println!(
        "insert per message: {:.3} ms without the index, {:.3} ms with it",
        t_plain * 1e3 / messages as f64,
        t_indexed * 1e3 / messages as f64
    );
    if indexed.backend() == kefu_store::Backend::Sqlite {
        println!("database: {} KiB without, {} KiB with", size(&plain_dir) / 1024, size(&indexed_dir) / 1024);
    }
    for q in ["分期", "信用卡 分期", "我", "refund", "年费 账单", "不存在的词"] {
        let f = SearchFilter { query: Query::parse(q), limit: 21, ..Default::default() };
        let runs = 20;
        let started = Instant::now();
        let mut found = 0;
        for _ in 0..runs {
            found = indexed.search_conversations(&f).await.unwrap().len();
        }
        let all_time = started.elapsed().as_secs_f64() * 1e3 / runs as f64;
        let agent = SearchFilter { viewer: Some(served_by), ..f.clone() };
        let started = Instant::now();
        for _ in 0..runs {
            indexed.search_conversations(&agent).await.unwrap();
        }
        let agent_time = started.elapsed().as_secs_f64() * 1e3 / runs as f64;
        println!("search {q:?}: {all_time:.1} ms (first page, {found} rows), as an agent serving 1 in 20 {agent_time:.1} ms");
    }
    let _ = std::fs::remove_dir_all(&root);
}
