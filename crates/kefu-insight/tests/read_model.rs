//! The agent state report from the store's read model (time summed per quarter hour as facts are
//! written, plus each agent's open state) is the report of the fold of the facts: every figure
//! (logged in, ready, each away reason, busy, wrap-up, occupancy, utilisation), per 15 min,
//! 30 min and day, on random days of traffic; and again after the model is rebuilt from the log
//! (as is the conversation report's model, by `kefu rebuild-reports`).
//! SQLite always; PostgreSQL too when `KEFU_TEST_POSTGRES_URL` is set
//! (`scripts/with-postgres.sh cargo test -p kefu-insight --test read_model`).

mod common;

use common::*;
use kefu_core::{AgentId, ConversationId, Fact};
use kefu_insight::{agent_report, agent_report_of_sums, Dimension, Interval, ReportSpec, Segment, State, Timed};
use kefu_store::Store;
use rand::{rngs::StdRng, Rng, SeedableRng};

/// A day and a half of four agents changing status and serving conversations (some answered
/// twice, transferred, requeued or abandoned), in time order.
fn traffic(seed: u64) -> Vec<Timed> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut f = vec![];
    let words = ["offline", "ready", "ready", "wrap_up", "lunch", "training", ""];
    for agent in 1..=4 {
        let mut t = rng.gen_range(0..3_600);
        while t < 129_600 {
            let to = words[rng.gen_range(0..words.len())];
            let to = if to.is_empty() { "away" } else { to };
            let mut s = status(t, agent, "ready", to);
            s.at += rng.gen_range(0..1000);
            // An away without a reason.
            if let Fact::AgentStatus { to, .. } = &mut s.fact {
                if to.reason.as_deref() == Some("away") {
                    to.reason = None;
                }
            }
            f.push(s);
            t += rng.gen_range(60..7_200);
        }
    }
    for c in 1..=rng.gen_range(10..60) {
        let t = rng.gen_range(0..129_600);
        let group = rng.gen_range(1..3);
        f.push(queued(t, c, c, group, "web"));
        let agent = rng.gen_range(1..=4);
        let answer = t + rng.gen_range(0..120);
        match rng.gen_range(0..10) {
            0 => f.push(abandoned(answer, c, group, answer - t)),
            1 => {
                f.push(answered(answer, c, agent, group));
                f.push(Timed {
                    at: at(answer + rng.gen_range(10..600)),
                    fact: Fact::Requeued { conversation: ConversationId(c), agent: AgentId(agent) },
                });
            }
            2 => {
                f.push(answered(answer, c, agent, group));
                let later = answer + rng.gen_range(10..600);
                f.push(transferred(later, c, agent, group));
                let other = rng.gen_range(1..=4);
                f.push(answered(later + 30, c, other, group));
                f.push(closed(later + rng.gen_range(60..900), c, other, group, 4));
            }
            3 => {
                // Answered again by the same agent (a reconnect).
                f.push(answered(answer, c, agent, group));
                f.push(answered(answer + 20, c, agent, group));
                f.push(closed(answer + rng.gen_range(60..3_000), c, agent, group, 4));
            }
            4 => f.push(answered(answer, c, agent, group)),
            _ => {
                f.push(answered(answer, c, agent, group));
                let end = answer + rng.gen_range(60..3_000);
                f.push(closed(end, c, agent, group, 4));
                f.push(status(end, agent, "ready", "wrap_up"));
                f.push(status(end + rng.gen_range(5..120), agent, "wrap_up", "ready"));
            }
        }
    }
    sorted(f)
}

/// As the server asks: half hours summed by the database unless the rows are quarter hours.
fn step(spec: &ReportSpec) -> i64 {
    if spec.interval == Interval::Min15 {
        900_000
    } else {
        1_800_000
    }
}

async fn model_report(store: &Store, spec: &ReportSpec) -> kefu_insight::Report<kefu_insight::AgentFigures> {
    let sums = store.agent_state_sums(spec.from, spec.to, step(spec)).await.unwrap();
    let open = store.agent_states_open().await.unwrap();
    let until = spec.to.min(spec.now);
    agent_report_of_sums(
        sums.into_iter().filter_map(|s| Some((s.slot, s.agent_id, State::of_word(&s.state, s.reason)?, s.ms))),
        open.into_iter()
            .filter_map(|o| Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: until })),
        spec,
    )
}

async fn agree(store: &Store, facts: &[Timed], what: &str) {
    let last = facts.last().map_or(T0, |f| f.at);
    for interval in [Interval::Min15, Interval::Min30, Interval::Day] {
        // A range that starts with agents already logged in and serving, and one that reaches
        // past the last fact (open states counted up to now).
        for (from, to) in [(T0 + 6 * 3_600_000, T0 + DAY), (T0, T0 + 2 * DAY)] {
            let spec = ReportSpec { from, to, now: last + 5 * 60_000, ..spec(interval, Dimension::Agent) };
            let model = model_report(store, &spec).await;
            assert_eq!(model, agent_report(facts, &spec), "{what}: {interval:?} {from}..{to}");
            assert!(model.overall.logged_in_ms > 0, "{what}: the day had agents logged in");
        }
    }
}

async fn check(store: Store, seed: u64) {
    let facts = traffic(seed);
    let mut tx = store.begin().await.unwrap();
    for f in &facts {
        tx.record_fact(&f.fact, f.at).await.unwrap();
    }
    tx.commit().await.unwrap();
    agree(&store, &facts, &format!("seed {seed}, kept as written")).await;
    store.rebuild_agent_states(0).await.unwrap();
    agree(&store, &facts, &format!("seed {seed}, rebuilt from the log")).await;
    // `kefu rebuild-reports` also replays the log into the conversation report's read model.
    let mut kept = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
    assert!(!kept.is_empty());
    assert_eq!(store.rebuild_report_contacts().await.unwrap(), facts.len());
    let mut rebuilt = store.contacts_queued_between(i64::MIN, i64::MAX).await.unwrap();
    kept.sort_by_key(|r| r.conversation_id);
    rebuilt.sort_by_key(|r| r.conversation_id);
    assert_eq!(rebuilt, kept, "seed {seed}: the conversation read model replayed from the log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_read_model_makes_the_report_of_the_fold() {
    let dir = std::env::temp_dir().join(format!("kefu-read-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for seed in 0..12 {
        let path = dir.join(format!("{seed}.db"));
        check(Store::open(&path).await.unwrap(), seed).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(base) = kefu_store::testing::postgres_url_from_env() {
        for seed in 0..4 {
            let url = kefu_store::testing::fresh_postgres_url(&base).await.unwrap();
            eprintln!("postgres, seed {seed}");
            check(Store::connect(&url).await.unwrap(), seed).await;
        }
    }
}

/// A log written before the model existed is folded into it once at start-up, and not again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn older_facts_are_built_into_the_model_once() {
    let dir = std::env::temp_dir().join(format!("kefu-read-model-build-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::open(&dir.join("kefu.db")).await.unwrap();
    let facts = traffic(99);
    let mut tx = store.begin().await.unwrap();
    for f in &facts {
        tx.record_fact(&f.fact, f.at).await.unwrap();
    }
    tx.commit().await.unwrap();
    // As if the facts predated the model (migration 0031): its tables empty, never built.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.join("kefu.db").display())).await.unwrap();
    for t in ["agent_state_intervals", "agent_state_now", "agent_state_serving", "read_model_builds"] {
        sqlx::query(&format!("DELETE FROM {t}")).execute(&pool).await.unwrap();
    }
    pool.close().await;
    assert!(store.agent_state_sums(T0, T0 + 2 * DAY, 900_000).await.unwrap().is_empty());
    assert!(store.build_agent_states(1).await.unwrap(), "start-up builds it");
    agree(&store, &facts, "built").await;
    assert!(!store.build_agent_states(2).await.unwrap(), "built already: nothing to do");
    let _ = std::fs::remove_dir_all(&dir);
}
