//! Facts written late leave the agent state model (`agent_state_intervals`, `agent_state_now`,
//! re-folded only in the window a late fact changes, from `agent_state_steps`) as folding the
//! whole log in order leaves it: the store's own rebuild gives the same rows, and kefu-insight's
//! fold of the log the same report. A property over orders of writing: any day of status changes
//! and conversations of three agents, each fact written up to eight places late. SQLite always;
//! PostgreSQL too when `KEFU_TEST_POSTGRES_URL` is set
//! (`scripts/with-postgres.sh cargo test -p kefu-insight --test late_states`).

mod common;

use common::*;
use kefu_core::{AgentId, ConversationId, Fact};
use kefu_insight::{agent_report, agent_report_of_sums, Dimension, Interval, ReportSpec, Segment, State, Timed};
use kefu_store::{AgentStateOpen, AgentStateSum, Store};
use proptest::prelude::*;

/// One generated move: (seconds after the one before, agent, conversation, what).
type Gen = (i64, i64, i64, u8);

/// The facts of the moves, in time order (a gap of 0 puts two facts at one time).
fn facts(moves: &[Gen]) -> Vec<Timed> {
    let mut t = 3_600;
    let words = ["ready", "ready", "lunch", "training", "wrap_up", "offline"];
    moves
        .iter()
        .map(|&(gap, agent, c, what)| {
            t += gap;
            match what {
                0..=5 => status(t, agent, "ready", words[what as usize]),
                6 | 7 => answered(t, c, agent, 1),
                8 => closed(t, c, agent, 1, 2),
                9 => transferred(t, c, agent, 1),
                10 => abandoned(t, c, 1, 3),
                _ => Timed { at: at(t), fact: Fact::Requeued { conversation: ConversationId(c), agent: AgentId(agent) } },
            }
        })
        .collect()
}

fn moves() -> impl Strategy<Value = Vec<Gen>> {
    // One gap in seven is 0: two facts at one time.
    let gap = (0i64..1_400).prop_map(|g| if g >= 1_200 { 0 } else { g + 1 });
    prop::collection::vec((gap, 1i64..=3, 1i64..=5, 0u8..12), 20..70)
}

/// Everything the model holds, in one order.
async fn model(store: &Store) -> (Vec<AgentStateSum>, Vec<AgentStateOpen>) {
    let mut sums = store.agent_state_sums(i64::MIN / 4, i64::MAX / 4, 900_000).await.unwrap();
    sums.sort_by(|a, b| (a.slot, a.agent_id, &a.state, &a.reason).cmp(&(b.slot, b.agent_id, &b.state, &b.reason)));
    (sums, store.agent_states_open().await.unwrap())
}

/// The agent report per quarter hour from the model, as the server makes it.
async fn model_report(store: &Store, spec: &ReportSpec) -> kefu_insight::Report<kefu_insight::AgentFigures> {
    let sums = store.agent_state_sums(spec.from, spec.to, 900_000).await.unwrap();
    let open = store.agent_states_open().await.unwrap();
    let until = spec.to.min(spec.now);
    agent_report_of_sums(
        sums.into_iter().filter_map(|s| Some((s.slot, s.agent_id, State::of_word(&s.state, s.reason)?, s.ms))),
        open.into_iter()
            .filter_map(|o| Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: until })),
        spec,
    )
}

/// Write the facts, each `delays[i]` places late at most, one transaction each; then the model
/// must be the full rebuild's, and its report the fold's of the log in its order.
async fn check(store: Store, facts: &[Timed], delays: &[usize]) -> Result<(), TestCaseError> {
    let mut order: Vec<(usize, usize)> = (0..facts.len()).map(|i| (i + delays[i % delays.len()], i)).collect();
    order.sort();
    for (_, i) in &order {
        let mut tx = store.begin().await.unwrap();
        tx.record_fact(&facts[*i].fact, facts[*i].at).await.unwrap();
        tx.commit().await.unwrap();
    }
    let written = model(&store).await;
    // The log's order: time, then the order written.
    let mut log: Vec<(i64, usize, Timed)> = order.iter().enumerate().map(|(k, (_, i))| (facts[*i].at, k, facts[*i].clone())).collect();
    log.sort_by_key(|(at, k, _)| (*at, *k));
    let log: Vec<Timed> = log.into_iter().map(|(_, _, f)| f).collect();
    let last = log.last().map_or(T0, |f| f.at);
    let spec = ReportSpec { from: T0, to: T0 + DAY, now: last + 600_000, ..spec(Interval::Min15, Dimension::Agent) };
    prop_assert_eq!(model_report(&store, &spec).await, agent_report(&log, &spec), "the model's report is the fold's");
    store.rebuild_agent_states(1).await.unwrap();
    prop_assert_eq!(written, model(&store).await, "the model as written is the full rebuild's");
    Ok(())
}

fn sqlite_store(rt: &tokio::runtime::Runtime) -> (Store, std::path::PathBuf) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!("kefu-late-states-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&dir).unwrap();
    (rt.block_on(Store::open(&dir.join("kefu.db"))).unwrap(), dir)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn late_facts_fold_as_the_log_in_order(moves in moves(), delays in prop::collection::vec(0usize..9, 1..70)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let (store, dir) = sqlite_store(&rt);
        let result = rt.block_on(check(store, &facts(&moves), &delays));
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
}

#[test]
fn late_facts_fold_as_the_log_in_order_on_postgres() {
    let Some(base) = kefu_store::testing::postgres_url_from_env() else { return };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: 12, ..ProptestConfig::default() });
    runner
        .run(&(moves(), prop::collection::vec(0usize..9, 1..70)), |(moves, delays)| {
            let url = rt.block_on(kefu_store::testing::fresh_postgres_url(&base)).unwrap();
            let store = rt.block_on(Store::connect(&url)).unwrap();
            rt.block_on(check(store, &facts(&moves), &delays))
        })
        .unwrap();
}

/// A long history, then a status change and a conversation written late in its middle: the
/// model is the rebuild's (the re-fold reads a window from the step before it, not the history).
#[test]
fn late_facts_in_the_middle_of_a_long_history() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (store, dir) = sqlite_store(&rt);
    let mut written = vec![];
    for c in 0..300 {
        let t = c * 300;
        written.push(status(t, 1, "ready", "ready"));
        written.push(answered(t + 10, c, 1, 1));
        written.push(closed(t + 100, c, 1, 1, 2));
        written.push(status(t + 100, 1, "ready", "wrap_up"));
        written.push(status(t + 130, 1, "wrap_up", "ready"));
    }
    // Lunch after a wrap-up in the middle, and a conversation an hour later: written last.
    written.extend([
        status(150 * 300 + 150, 1, "ready", "lunch"),
        answered(200 * 300 + 200, 999, 1, 1),
        closed(200 * 300 + 250, 999, 1, 1, 2),
    ]);
    let mut in_time = written.clone();
    in_time.sort_by_key(|t| t.at);
    rt.block_on(async {
        for t in &written {
            let mut tx = store.begin().await.unwrap();
            tx.record_fact(&t.fact, t.at).await.unwrap();
            tx.commit().await.unwrap();
        }
        let m = model(&store).await;
        let lunch: i64 = m.0.iter().filter(|s| s.reason == "lunch").map(|s| s.ms).sum();
        assert_eq!(lunch, 150_000, "lunch until the next status change");
        let spec = ReportSpec { from: T0, to: T0 + DAY, now: T0 + DAY, ..spec(Interval::Min15, Dimension::Agent) };
        assert_eq!(model_report(&store, &spec).await, agent_report(&in_time, &spec), "the fold's report");
        store.rebuild_agent_states(1).await.unwrap();
        assert_eq!(m, model(&store).await, "as rebuilt");
    });
    let _ = std::fs::remove_dir_all(&dir);
}
