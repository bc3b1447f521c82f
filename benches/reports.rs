//! The month report over a real database (a SQLite file, or PostgreSQL at
//! `KEFU_BENCH_DATABASE_URL`): 100,000 conversations in 30 days (with their offers,
//! answers, closes, wrap-ups, transfers, CSAT and agents' logins), then the time to read the month's
//! facts and fold them into the day-by-group conversation report, and into the agent state report
//! (from its read model, `agent_state_intervals`, and by the fold of the facts it replaced), and
//! the contact reasons report (70% of the conversations tagged; from its read model,
//! `report_reasons`, and summed over the raw rows as before it); the server's reads for a day and
//! a week too. Target: under a second (issue 9). The server reads the conversation report's read model
//! (`report_contacts`, one row per conversation); the fold of the facts is timed beside it.
//! Run: `cargo bench -p kefu-insight --bench reports` (SQLite), or on a throwaway PostgreSQL:
//! `scripts/with-postgres.sh sh -c 'KEFU_BENCH_DATABASE_URL=$KEFU_TEST_POSTGRES_URL cargo bench -p kefu-insight --bench reports'`.
//! Seeding writes the facts in bulk, builds the conversation report's model (with its wrap-ups)
//! and the contact reasons model as a server's start-up does (folded in memory, written in
//! bulk), and builds the agent state model from the log; the seeded database is reused while
//! its fact count matches (the SQLite file is kept in the target dir).

// A benchmark times itself; the crate under test does not.
#![allow(clippy::disallowed_methods)]

use std::collections::HashMap;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use jiff::tz::TimeZone;
use kefu_core::{AgentId, AgentStatusKind, ClosedBy, ConversationId, Fact, GroupId, StatusFact};
use kefu_insight::{
    agent_report, agent_report_of_moves, agent_report_of_sums, conversation_report, conversation_report_of_cells, reason_report,
    reason_report_of_sums, AgentMove, ConversationFigures, Dimension, Interval, Key, ReasonCell, ReasonSpec, ReportSpec, Segment, State,
    TaggedContact, Timed, AGENT_FACTS, CONVERSATION_FACTS,
};
use kefu_store::Store;
use rand::{rngs::StdRng, Rng, SeedableRng};

const CONVERSATIONS: i64 = 100_000;
const AGENTS: i64 = 60;
/// 2026-11-01T00:00:00+08:00.
const FROM: i64 = 1_793_462_400_000;
const DAY: i64 = 86_400_000;
const DAYS: i64 = 30;

fn status(word: AgentStatusKind, reason: Option<&str>) -> StatusFact {
    StatusFact { status: word, reason: reason.map(str::to_string) }
}

/// A month of traffic, in time order.
fn month() -> Vec<(i64, Fact)> {
    let mut rng = StdRng::seed_from_u64(9);
    let mut out = vec![];
    let (offline, ready, wrap) =
        (status(AgentStatusKind::Offline, None), status(AgentStatusKind::Ready, None), status(AgentStatusKind::WrapUp, None));
    for day in 0..DAYS {
        for a in 1..=AGENTS {
            let on = FROM + day * DAY + 8 * 3_600_000 + rng.gen_range(0..1_800_000);
            let agent = AgentId(a);
            out.push((on, Fact::AgentStatus { agent, from: offline.clone(), to: ready.clone() }));
            let lunch = on + 4 * 3_600_000;
            let away = status(AgentStatusKind::Away, Some("lunch"));
            out.push((lunch, Fact::AgentStatus { agent, from: ready.clone(), to: away.clone() }));
            out.push((lunch + 3_600_000, Fact::AgentStatus { agent, from: away, to: ready.clone() }));
            out.push((on + 9 * 3_600_000, Fact::AgentStatus { agent, from: ready.clone(), to: offline.clone() }));
        }
    }
    for i in 1..=CONVERSATIONS {
        let conversation = ConversationId(i);
        let day = rng.gen_range(0..DAYS);
        let t = FROM + day * DAY + 9 * 3_600_000 + rng.gen_range(0..8 * 3_600_000);
        let group = GroupId(rng.gen_range(1..=3));
        let channel = ["web", "h5", "app"][rng.gen_range(0..3)].to_string();
        let customer = rng.gen_range(1..60_000);
        out.push((
            t,
            Fact::Queued {
                conversation,
                customer,
                group,
                business_type: Some(group.0),
                channel,
                vip: rng.gen_bool(0.05),
                left_message: false,
            },
        ));
        let wait = rng.gen_range(0..60_000);
        if rng.gen_bool(0.1) {
            out.push((t + wait, Fact::Abandoned { conversation, group, waited_ms: wait }));
            continue;
        }
        let agent = AgentId(rng.gen_range(1..=AGENTS));
        out.push((t + wait - 100, Fact::Offered { conversation, agent, group }));
        out.push((t + wait, Fact::Answered { conversation, agent, group }));
        let closed = t + wait + rng.gen_range(60_000..900_000);
        if rng.gen_bool(0.05) {
            out.push((closed - 30_000, Fact::Transferred { conversation, from_agent: agent, to_group: Some(group), to_agent: None }));
        }
        let close = Fact::Closed {
            conversation,
            group,
            agent: Some(agent),
            by: ClosedBy::Agent,
            wrap_up_code: Some("resolved".into()),
            visitor_messages: rng.gen_range(1..10),
            agent_messages: rng.gen_range(1..10),
        };
        out.push((closed, close));
        out.push((closed, Fact::AgentStatus { agent, from: ready.clone(), to: wrap.clone() }));
        out.push((closed + 30_000, Fact::AgentStatus { agent, from: wrap.clone(), to: ready.clone() }));
        if rng.gen_bool(0.3) {
            out.push((closed + 60_000, Fact::Csat { conversation, score: rng.gen_range(1..=5) }));
        }
    }
    out.sort_by_key(|f| f.0);
    out
}

/// Where the bench runs: PostgreSQL at `KEFU_BENCH_DATABASE_URL` (an empty database, or one this
/// bench seeded), else a SQLite file in the target dir.
const DATABASE_URL_ENV: &str = "KEFU_BENCH_DATABASE_URL";

/// The store, seeded with the month unless it holds it already (its fact count matches): the facts
/// go into the log in bulk and the read models are built from it, as `kefu rebuild-reports` does.
async fn seeded() -> (Store, usize) {
    let facts = month();
    let store = match std::env::var(DATABASE_URL_ENV).ok().filter(|u| !u.trim().is_empty()) {
        Some(url) => Store::connect(&url).await.expect("a PostgreSQL store"),
        None => {
            let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reports-bench-5.db");
            match Store::open(&path).await {
                Ok(store) => store,
                Err(_) => {
                    let _ = std::fs::remove_file(&path);
                    Store::open(&path).await.expect("a store")
                }
            }
        }
    };
    let held = store.facts_between(FROM, FROM + DAYS * DAY, &[]).await.expect("facts").len();
    if held == facts.len() {
        return (store, held);
    }
    assert_eq!(held, 0, "the bench's database holds other facts: give it an empty one");
    let started = std::time::Instant::now();
    let timed: Vec<(Fact, i64)> = facts.iter().map(|(at, f)| (f.clone(), *at)).collect();
    kefu_store::testing::insert_facts_unfolded(&store, &timed).await.expect("facts");
    eprintln!("facts written in {:.1} s", started.elapsed().as_secs_f64());
    seed_tags(&store, &facts).await;
    eprintln!("tagged conversations written at {:.1} s", started.elapsed().as_secs_f64());
    // The conversation report's model as a server's start-up builds it from the log (kefu-insight's
    // fold in memory, written in bulk): its rows, the month's wrap-ups (`report_wraps`, one per
    // close), and the contact reasons model over the tags just written.
    assert!(store.build_report_contacts(FROM + 40 * DAY).await.expect("the conversation report's model"), "built once");
    let wraps = kefu_store::testing::count(&store, "SELECT COUNT(*) FROM report_wraps").await.expect("a count");
    eprintln!("conversation report's model built at {:.1} s, {wraps} wrap-ups", started.elapsed().as_secs_f64());
    // The agent state model's build folds in memory and writes in bulk already.
    store.rebuild_agent_states(FROM + 40 * DAY).await.expect("the agent state model");
    eprintln!("agent state model built at {:.1} s", started.elapsed().as_secs_f64());
    eprintln!("seeded {:?} in {:.1} s", store.backend(), started.elapsed().as_secs_f64());
    (store, facts.len())
}

/// Multi-row INSERTs of literal rows, a thousand rows each.
fn inserts(head: &str, rows: &[String]) -> Vec<String> {
    rows.chunks(1_000).map(|c| format!("{head} VALUES {}", c.join(", "))).collect()
}

/// What the contact reasons report joins: the conversations themselves (with CSAT comments),
/// twelve tags, and one or two tags on 70% of the conversations. Written as plain rows in bulk
/// (the store writes them one conversation at a time), the same SQL on both engines.
async fn seed_tags(store: &Store, facts: &[(i64, Fact)]) {
    use kefu_store::testing::{count, execute};
    if count(store, "SELECT COUNT(*) FROM conversation_tags").await.expect("a count") > 0 {
        return;
    }
    let mut rng = StdRng::seed_from_u64(12);
    let groups: Vec<String> = (1..=3).map(|g| format!("({g}, 'group {g}', 'longest_idle', 'longest_idle', 0)")).collect();
    let tags: Vec<String> = (1..=12).map(|t| format!("({t}, 'reason {t}', '#409EFF', 0, 0)")).collect();
    let visitors: Vec<String> = (1..60_000).map(|v| format!("({v}, 'v', 0)")).collect();
    let mut csat = HashMap::new();
    for (_, f) in facts {
        if let Fact::Csat { conversation, score } = f {
            csat.insert(conversation.0, *score);
        }
    }
    let (mut conversations, mut tagged) = (vec![], vec![]);
    for (at, f) in facts {
        let Fact::Queued { conversation, customer, group, .. } = f else { continue };
        let score = csat.get(&conversation.0).copied();
        let comment = score.filter(|_| rng.gen_bool(0.5)).map_or("NULL".to_string(), |s| format!("'comment scored {s}'"));
        let score = score.map_or("NULL".to_string(), |s| s.to_string());
        conversations.push(format!("({}, {customer}, {}, 'closed', {at}, {at}, {at}, {score}, {comment})", conversation.0, group.0));
        if rng.gen_bool(0.7) {
            let first = rng.gen_range(1..=12);
            let second = rng.gen_range(1..=12);
            for tag in if rng.gen_bool(0.3) && second != first { vec![first, second] } else { vec![first] } {
                tagged.push(format!("({}, {tag}, {at})", conversation.0));
            }
        }
    }
    let mut sql = inserts("INSERT INTO skill_groups (id, name, strategy, fallback_strategy, created_at)", &groups);
    sql.extend(inserts("INSERT INTO tags (id, name, color, created_at, updated_at)", &tags));
    sql.extend(inserts("INSERT INTO visitors (id, name, created_at)", &visitors));
    sql.extend(inserts(
        "INSERT INTO conversations (id, visitor_id, group_id, status, created_at, queued_at, closed_at, csat_score, csat_comment)",
        &conversations,
    ));
    sql.extend(inserts("INSERT INTO conversation_tags (conversation_id, tag_id, added_at)", &tagged));
    execute(store, &sql).await.expect("the tagged conversations");
}

fn spec(interval: Interval, by: Dimension) -> ReportSpec {
    ReportSpec {
        from: FROM,
        to: FROM + DAYS * DAY,
        now: FROM + 40 * DAY,
        interval,
        by,
        zone: TimeZone::get("Asia/Shanghai").expect("a zone"),
        default_target_secs: 20,
        targets: HashMap::new(),
        short_abandon_ms: 5_000,
        fcr_window_ms: 7 * DAY,
        groups: None,
        agents: None,
    }
}

/// The conversation report's rules as the server passes them.
fn rules() -> kefu_store::SumRules {
    kefu_store::SumRules {
        targets_ms: vec![(1, 20_000), (2, 30_000)],
        default_target_ms: 20_000,
        short_abandon_ms: 5_000,
        fcr_window_ms: 7 * DAY,
        groups: None,
        business_types: None,
        channels: None,
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("a runtime");
    let (store, n) = rt.block_on(seeded());
    eprintln!("{n} facts of {CONVERSATIONS} conversations seeded, on {:?}", store.backend());
    // The contact reasons model, built once from the seeded tags as at a server's start-up.
    let started = std::time::Instant::now();
    if rt.block_on(store.build_report_reasons(FROM + 40 * DAY)).expect("the contact reasons model") {
        eprintln!("contact reasons model built in {:.1} s", started.elapsed().as_secs_f64());
    }
    let mut g = c.benchmark_group("month report");
    g.sample_size(10);
    g.warm_up_time(std::time::Duration::from_secs(1));
    g.measurement_time(std::time::Duration::from_secs(3));
    // A day and a week in the middle of the month, as the server makes them (read models).
    for (range, from, days) in [("a day", FROM + 14 * DAY, 1), ("a week", FROM + 14 * DAY, 7)] {
        let to = from + days * DAY;
        g.bench_function(format!("{range}: conversations by group per day (read model)"), |b| {
            b.iter(|| {
                let sums = rt.block_on(store.contact_sums(from, to, kefu_store::ContactKey::Group, &rules())).expect("sums");
                let cells = sums
                    .into_iter()
                    .map(|s| {
                        let f = ConversationFigures { offered: s.offered as u64, answered: s.answered as u64, ..Default::default() };
                        (s.slot, Key::Id(s.key_id.unwrap_or(0)), f)
                    })
                    .collect();
                let r = conversation_report_of_cells(cells, &ReportSpec { from, to, ..spec(Interval::Day, Dimension::Group) });
                assert!(r.overall.offered > 0);
            })
        });
        g.bench_function(format!("{range}: agent states per 30 min (read model)"), |b| {
            let s = ReportSpec { from, to, ..spec(Interval::Min30, Dimension::Agent) };
            b.iter(|| {
                let sums = rt.block_on(store.agent_state_sums(from, to, 1_800_000)).expect("sums");
                let open = rt.block_on(store.agent_states_open()).expect("open states");
                agent_report_of_sums(
                    sums.into_iter().filter_map(|r| Some((r.slot, r.agent_id, State::of_word(&r.state, r.reason)?, r.ms))),
                    open.into_iter().filter_map(|o| {
                        Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: to })
                    }),
                    &s,
                )
            })
        });
        let reasons =
            ReasonSpec { from, to, interval: Interval::Day, zone: TimeZone::get("Asia/Shanghai").expect("a zone"), comments_per_tag: 50 };
        g.bench_function(format!("{range}: contact reasons per day (read model)"), |b| b.iter(|| modelled_reasons(&rt, &store, &reasons)));
        g.bench_function(format!("{range}: contact reasons per day (summed by the database)"), |b| {
            b.iter(|| summed_reasons(&rt, &store, &reasons))
        });
    }
    g.bench_function("conversations by group per day (read model, summed per quarter hour)", |b| {
        b.iter(|| {
            let sums = rt.block_on(store.contact_sums(FROM, FROM + DAYS * DAY, kefu_store::ContactKey::Group, &rules())).expect("sums");
            let cells = sums
                .into_iter()
                .map(|s| {
                    let f = ConversationFigures { offered: s.offered as u64, answered: s.answered as u64, ..Default::default() };
                    (s.slot, Key::Id(s.key_id.unwrap_or(0)), f)
                })
                .collect();
            let r = conversation_report_of_cells(cells, &spec(Interval::Day, Dimension::Group));
            assert_eq!(r.overall.offered, CONVERSATIONS as u64);
        })
    });
    g.bench_function("conversations by group per day (fold of the facts)", |b| {
        b.iter(|| {
            let rows = rt.block_on(store.facts_between(FROM, FROM + DAYS * DAY + 7 * DAY, &CONVERSATION_FACTS)).expect("facts");
            let facts: Vec<Timed> = rows.into_iter().map(|r| Timed { at: r.at, fact: r.fact }).collect();
            let r = conversation_report(&facts, &spec(Interval::Day, Dimension::Group));
            assert_eq!(r.overall.offered, CONVERSATIONS as u64);
        })
    });
    // What the server does: typed columns, only status changes' new status decoded.
    let moves = || {
        let mut rows = rt.block_on(store.last_agent_statuses_before(FROM - DAY)).expect("facts");
        rows.extend(rt.block_on(store.agent_facts_between(FROM - DAY, FROM + DAYS * DAY, &AGENT_FACTS)).expect("facts"));
        rows.into_iter().filter_map(|r| Some((r.at, AgentMove::of_columns(r.kind, r.conversation_id, r.agent_id, r.to)?)))
    };
    // Before: whole facts read and decoded.
    let whole = || {
        let mut rows = rt.block_on(store.last_statuses_before(FROM - DAY)).expect("facts");
        rows.extend(rt.block_on(store.facts_between(FROM - DAY, FROM + DAYS * DAY, &AGENT_FACTS)).expect("facts"));
        rows.into_iter().map(|r| Timed { at: r.at, fact: r.fact }).collect::<Vec<_>>()
    };
    let s = spec(Interval::Min30, Dimension::Agent);
    assert_eq!(agent_report_of_moves(moves(), &s), agent_report(&whole(), &s), "both reads make the same report");
    // What the server does now: the read model's quarter-hour sums and each agent's open state.
    let now = s.now;
    let summed = || {
        let sums = rt.block_on(store.agent_state_sums(FROM, FROM + DAYS * DAY, 1_800_000)).expect("sums");
        let open = rt.block_on(store.agent_states_open()).expect("open states");
        let until = (FROM + DAYS * DAY).min(now);
        agent_report_of_sums(
            sums.into_iter().filter_map(|r| Some((r.slot, r.agent_id, State::of_word(&r.state, r.reason)?, r.ms))),
            open.into_iter().filter_map(|o| {
                Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: until })
            }),
            &s,
        )
    };
    assert_eq!(summed(), agent_report(&whole(), &s), "the read model makes the fold's report");
    g.bench_function("agent states per 30 min (read model)", |b| b.iter(summed));
    g.bench_function("agent states per day (read model)", |b| {
        let day = spec(Interval::Day, Dimension::Agent);
        b.iter(|| {
            let sums = rt.block_on(store.agent_state_sums(FROM, FROM + DAYS * DAY, 1_800_000)).expect("sums");
            let open = rt.block_on(store.agent_states_open()).expect("open states");
            agent_report_of_sums(
                sums.into_iter().filter_map(|r| Some((r.slot, r.agent_id, State::of_word(&r.state, r.reason)?, r.ms))),
                open.into_iter().filter_map(|o| {
                    Some(Segment { agent: o.agent_id, state: State::of_word(&o.state, o.reason)?, start: o.since, end: now })
                }),
                &day,
            )
        })
    });
    g.bench_function("agent states per 30 min (read + fold)", |b| b.iter(|| agent_report_of_moves(moves(), &s)));
    g.bench_function("agent states per 30 min (whole facts decoded + fold)", |b| b.iter(|| agent_report(&whole(), &s)));
    // The contact reasons report as the server makes it: tagged rows joined with the read model
    // and the conversations, the count of all, and the fold per tag and day.
    let filter = kefu_store::ContactFilter::default();
    let reasons = ReasonSpec {
        from: FROM,
        to: FROM + DAYS * DAY,
        interval: Interval::Day,
        zone: TimeZone::get("Asia/Shanghai").expect("a zone"),
        comments_per_tag: 50,
    };
    // What the server does: the read model's sums per tag and half hour, each tag's newest comments.
    assert_eq!(modelled_reasons(&rt, &store, &reasons), summed_reasons(&rt, &store, &reasons), "the model makes the rows' report");
    g.bench_function("contact reasons per day (read model)", |b| b.iter(|| modelled_reasons(&rt, &store, &reasons)));
    // Before the model: summed by the database over the tags joined with the conversation
    // report's model, and every commented row.
    let summed = || summed_reasons(&rt, &store, &reasons);
    g.bench_function("contact reasons per day (summed by the database)", |b| b.iter(summed));
    let mut checked = false;
    g.bench_function("contact reasons per day (rows folded)", |b| {
        b.iter(|| {
            let rows = rt.block_on(store.tagged_contacts(FROM, FROM + DAYS * DAY, &filter)).expect("tagged rows");
            let all = rt.block_on(store.contact_count(FROM, FROM + DAYS * DAY, &filter)).expect("a count");
            let tagged: Vec<TaggedContact> = rows.into_iter().map(tagged_contact).collect();
            let r = reason_report(&tagged, all as u64, &reasons);
            assert_eq!(r.conversations, CONVERSATIONS as u64);
            if !checked {
                assert_eq!(summed(), r, "the sums make the rows' report");
                checked = true;
            }
            r
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

/// The contact reasons report as the server makes it: the read model's sums and each tag's newest
/// comments, and the count of all conversations.
fn modelled_reasons(rt: &tokio::runtime::Runtime, store: &Store, spec: &ReasonSpec) -> kefu_insight::ReasonReport {
    let filter = kefu_store::ContactFilter::default();
    let (sums, tagged) = rt.block_on(store.reason_sums(spec.from, spec.to, 1_800_000, &filter)).expect("sums");
    let per_tag = spec.comments_per_tag as i64;
    let comments: Vec<TaggedContact> = rt
        .block_on(store.reason_comments(spec.from, spec.to, per_tag, &filter))
        .expect("comments")
        .into_iter()
        .map(tagged_contact)
        .collect();
    let cells: Vec<ReasonCell> = sums.into_iter().map(reason_cell).collect();
    let all = rt.block_on(store.contact_count(spec.from, spec.to, &filter)).expect("a count");
    reason_report_of_sums(&cells, &comments, tagged as u64, all as u64, spec)
}

/// The report as the server made it before the read model: sums per tag and half hour by the
/// database over the raw rows, every commented row read (and counted per tag and half hour).
fn summed_reasons(rt: &tokio::runtime::Runtime, store: &Store, spec: &ReasonSpec) -> kefu_insight::ReasonReport {
    let filter = kefu_store::ContactFilter::default();
    let step = 1_800_000;
    let (sums, tagged) = rt.block_on(store.reason_sums_of_rows(spec.from, spec.to, step, &filter)).expect("sums");
    let comments: Vec<TaggedContact> =
        rt.block_on(store.tagged_comments(spec.from, spec.to, &filter)).expect("comments").into_iter().map(tagged_contact).collect();
    let mut counted: HashMap<(i64, i64), u64> = HashMap::new();
    for t in comments.iter().filter(|t| t.comment.as_deref().is_some_and(|c| !c.trim().is_empty())) {
        *counted.entry((t.tag, spec.from + (t.queued_at - spec.from) / step * step)).or_default() += 1;
    }
    let cells: Vec<ReasonCell> = sums
        .into_iter()
        .map(reason_cell)
        .map(|c| ReasonCell { comments: counted.get(&(c.tag, c.at)).copied().unwrap_or(0), ..c })
        .collect();
    let all = rt.block_on(store.contact_count(spec.from, spec.to, &filter)).expect("a count");
    reason_report_of_sums(&cells, &comments, tagged as u64, all as u64, spec)
}

/// A stored contact-reason sum as the report folds it.
fn reason_cell(s: kefu_store::ReasonSumRow) -> ReasonCell {
    ReasonCell {
        tag: s.tag_id,
        at: s.slot,
        conversations: s.conversations as u64,
        csat_count: s.csat_count as u64,
        csat_sum: s.csat_sum as u64,
        csat_good: s.csat_good as u64,
        comments: s.comments as u64,
    }
}

/// A stored tag row as the report reads it (the server's reports do the same).
fn tagged_contact(r: kefu_store::TaggedContactRow) -> TaggedContact {
    TaggedContact {
        conversation: r.conversation_id,
        tag: r.tag_id,
        queued_at: r.queued_at,
        ended_at: r.ended_at,
        csat: r.csat.and_then(|s| u8::try_from(s).ok()),
        comment: r.csat_comment,
    }
}
