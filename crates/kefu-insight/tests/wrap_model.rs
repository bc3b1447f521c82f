//! Wrap-up in the conversation report's read model (`report_contacts.wrap_ms`, from the store's
//! `report_wraps`) is kefu-insight's `contacts` fold of the same facts, whether the facts are
//! written in time order or late: among them wrap-ups of conversations the closing agent no
//! longer holds (answered again by someone else while that agent was in wrap-up), wrap-ups
//! replaced by another, status changes that do not match the one before. SQLite always;
//! PostgreSQL too when `KEFU_TEST_POSTGRES_URL` is set
//! (`scripts/with-postgres.sh cargo test -p kefu-insight --test wrap_model`).

mod common;

use std::collections::BTreeMap;

use common::*;
use kefu_insight::Timed;
use kefu_store::Store;
use rand::{rngs::StdRng, Rng, SeedableRng};

/// A few hours of three agents closing conversations and going into wrap-up, in time order,
/// every fact at a time of its own (the fold and the store then agree on the order).
fn traffic(seed: u64) -> Vec<Timed> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut f = vec![];
    let mut t = 0;
    for c in 1..=rng.gen_range(12..30) {
        t += rng.gen_range(30..400);
        let agent = rng.gen_range(1..=3);
        f.push(queued(t, c, 100 + c % 4, 1, "web"));
        let answer = t + rng.gen_range(1..60);
        if rng.gen_range(0..8) == 0 {
            f.push(abandoned(answer, c, 1, answer - t));
            continue;
        }
        f.push(answered(answer, c, agent, 1));
        let close = answer + rng.gen_range(10..300);
        // Now and then the answer comes only after the close: that close does not count.
        if rng.gen_range(0..12) == 0 {
            f.pop();
            f.push(answered(close + 5, c, agent, 1));
        }
        f.push(closed(close, c, agent, 1, 4));
        let wrap = close + rng.gen_range(0..3);
        f.push(status(wrap, agent, "ready", "wrap_up"));
        let end = wrap + rng.gen_range(5..120);
        match rng.gen_range(0..6) {
            // Someone else answers it again while the closer is in wrap-up, and closes it.
            0 => {
                let other = 1 + agent % 3;
                f.push(answered(wrap + 2, c, other, 1));
                f.push(closed(wrap + 40, c, other, 1, 2));
                f.push(status(wrap + 41, other, "ready", "wrap_up"));
                f.push(status(wrap + 70, other, "wrap_up", "ready"));
                f.push(status(end, agent, "wrap_up", "ready"));
            }
            // A second wrap-up begun while the first is open (it replaces it), then ended.
            1 => {
                f.push(status(end, agent, "ready", "wrap_up"));
                f.push(status(end + 30, agent, "wrap_up", "ready"));
            }
            // Wrap-up straight into a break.
            2 => {
                f.push(status(end, agent, "wrap_up", "lunch"));
                f.push(status(end + 600, agent, "lunch", "ready"));
            }
            // A change that does not say it leaves wrap-up: the wrap-up stays open.
            3 => {
                f.push(status(end, agent, "ready", "training"));
                f.push(status(end + 50, agent, "wrap_up", "ready"));
            }
            _ => f.push(status(end, agent, "wrap_up", "ready")),
        }
    }
    let mut f = sorted(f);
    for i in 1..f.len() {
        if f[i].at <= f[i - 1].at {
            f[i].at = f[i - 1].at + 1;
        }
    }
    f
}

/// Each conversation's wrap-up time: the fold's, then the model's.
async fn wraps(store: &Store, facts: &[Timed]) -> (BTreeMap<i64, i64>, BTreeMap<i64, i64>) {
    let folded = kefu_insight::contacts(facts, 7 * DAY).into_iter().map(|c| (c.conversation, c.wrap_ms)).collect();
    let rows = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
    (folded, rows.into_iter().map(|r| (r.conversation_id, r.wrap_ms)).collect())
}

async fn check(store: Store, seed: u64) {
    let facts = traffic(seed);
    let mut rng = StdRng::seed_from_u64(seed + 1000);
    // Seeds 0, 2, …: in time order; the others with each fact up to eight places late.
    let late = if seed.is_multiple_of(2) { 1 } else { 9 };
    let mut order: Vec<(usize, usize)> = (0..facts.len()).map(|i| (i + rng.gen_range(0..late), i)).collect();
    order.sort();
    for (_, i) in &order {
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(&facts[*i].fact, facts[*i].at).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (folded, model) = wraps(&store, &facts).await;
    assert!(folded.values().any(|w| *w > 0), "seed {seed}: some wrap-up");
    assert_eq!(model, folded, "seed {seed}: the model's wrap-up is the fold's");
    store.rebuild_report_contacts().await.unwrap();
    assert_eq!(wraps(&store, &facts).await.1, folded, "seed {seed}: rebuilt from the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrap_up_in_the_model_is_the_folds_in_time_order_or_late() {
    let dir = std::env::temp_dir().join(format!("kefu-wrap-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for seed in 0..16 {
        check(Store::open(&dir.join(format!("{seed}.db"))).await.unwrap(), seed).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(base) = kefu_store::testing::postgres_url_from_env() {
        for seed in 0..6 {
            let url = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
            check(Store::connect(&url).await.unwrap(), seed).await;
        }
    }
}

/// The case the model used to miss: agent 1 closes conversation 1 and goes into wrap-up, agent 2
/// answers it again and closes it, then agent 1 leaves wrap-up. Both wrap-ups go to conversation
/// 1; written in time order, and with agent 1's wrap-up start written last.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrap_up_stays_with_a_conversation_its_agent_no_longer_holds() {
    let facts = vec![
        queued(0, 1, 7, 1, "web"),
        answered(10, 1, 1, 1),
        closed(100, 1, 1, 1, 2),
        status(101, 1, "ready", "wrap_up"),
        answered(110, 1, 2, 1),
        closed(150, 1, 2, 1, 2),
        status(151, 2, "ready", "wrap_up"),
        status(171, 2, "wrap_up", "ready"),
        status(161, 1, "wrap_up", "ready"),
    ];
    let facts = sorted(facts);
    for written_late in [None, Some(3)] {
        let dir = std::env::temp_dir().join(format!("kefu-wrap-held-{}-{written_late:?}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&dir.join("kefu.db")).await.unwrap();
        let mut order: Vec<usize> = (0..facts.len()).filter(|i| Some(*i) != written_late).collect();
        order.extend(written_late);
        for i in order {
            let mut tx = store.begin().await.unwrap();
            tx.record_fact(&facts[i].fact, facts[i].at).await.unwrap();
            tx.commit().await.unwrap();
        }
        let (folded, model) = wraps(&store, &facts).await;
        assert_eq!(folded.get(&1), Some(&80_000), "the fold: 60 s of agent 1 and 20 s of agent 2");
        assert_eq!(model, folded, "written late: {written_late:?}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
