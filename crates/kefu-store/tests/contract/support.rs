//! Each test runs once per backend on an empty database of its own.

use std::future::Future;

use kefu_store::{GroupRow, Store};

/// Run `test` on a fresh SQLite file, then (with `KEFU_TEST_POSTGRES_URL`) on a fresh PostgreSQL
/// schema. The backend is printed first, so a failure says which one failed.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = std::env::temp_dir().join(format!("kefu-contract-{}-{}", std::process::id(), unique()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let sqlite = Store::open(&dir.join("kefu.db")).await.expect("sqlite store");
    eprintln!("backend: sqlite");
    test(sqlite).await;
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(base) = kefu_store::testing::postgres_url_from_env() {
        let url = kefu_store::testing::fresh_postgres_url(&base).await.expect("fresh schema");
        let pg = Store::connect(&url).await.expect("postgres store");
        eprintln!("backend: postgres");
        test(pg).await;
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed) * 1_000_003
        + std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos() as u64
}

/// A group, a visitor: what a conversation needs. Returns (group id, visitor id).
pub async fn group_and_visitor(store: &Store) -> (i64, i64) {
    let group = store.save_group(&GroupRow::new("support"), 1).await.expect("group");
    let visitor = store.create_visitor("v", Some("zh-CN"), 1).await.expect("visitor").id;
    (group, visitor)
}

/// A queued conversation of `visitor` in `group`, committed.
pub async fn conversation(store: &Store, group: i64, visitor: i64) -> i64 {
    let mut tx = store.begin().await.unwrap();
    let c = kefu_store::NewConversation {
        visitor_id: visitor,
        group_id: group,
        business_type_id: None,
        channel: "web",
        priority: 0,
        min_skill_level: 1,
        topic: Some("hello"),
        left_message: false,
        media: "chat",
    };
    let id = tx.insert_conversation(&c, 10).await.expect("conversation").id;
    tx.commit().await.unwrap();
    id
}
