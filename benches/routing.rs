//! How long one routing decision takes in a large contact centre: 10,000 agents in 20 skill
//! groups, all at full chat capacity, and 100,000 conversations waiting.
//!
//! The state is built once (about 0.1 s) and every benchmark leaves it as it found it: a
//! freed slot is filled again, an enqueued conversation leaves again, untimed. Run with
//! `cargo bench -p kefu-core --bench routing` (add `-- --quick` for a fast pass).

// The package's clippy.toml forbids clocks because the core must not read one; a benchmark
// times things, and only the bench reads `Instant::now`.
#![allow(clippy::disallowed_methods)]

use std::collections::VecDeque;
use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use kefu_core::*;
use rand::{rngs::SmallRng, Rng, SeedableRng};

const GROUPS: i64 = 20;
const AGENTS: i64 = 10_000;
const CHATS: u16 = 3;
const WAITING: i64 = 100_000;
/// Waiting conversations ask for level 2; regular agents have level 3 everywhere.
const MIN_SKILL: i64 = 2;

struct City {
    router: Router,
    now: Millis,
    rng: SmallRng,
    /// The conversations each agent holds (index = agent id - 1), oldest first.
    held: Vec<VecDeque<ConversationId>>,
    next_conversation: i64,
    next_agent: usize,
}

/// An offer seen in the outputs: conversation, agent, group.
type Offer = (ConversationId, AgentId, GroupId);

/// Output handling as the adapter does it (persist, announce): here, find the one offer.
fn drain(router: &mut Router) -> Option<Offer> {
    let mut offer = None;
    loop {
        match router.poll_output() {
            Output::Timeout(_) => return offer,
            Output::Offered { conversation, agent, group, .. } => offer = Some((conversation, agent, group)),
            other => {
                black_box(other);
            }
        }
    }
}

impl City {
    /// Group 1 gets the most traffic, group 20 the least (weights 1/g): group 1 holds ~28 % of the line.
    fn pick_group(&mut self) -> GroupId {
        let total: f64 = (1..=GROUPS).map(|g| 1.0 / g as f64).sum();
        let mut x = self.rng.gen_range(0.0..total);
        for g in 1..=GROUPS {
            x -= 1.0 / g as f64;
            if x <= 0.0 {
                return GroupId(g);
            }
        }
        GroupId(GROUPS)
    }

    fn visitor(&mut self, group: GroupId, queued_at: Millis) -> Input {
        let conversation = ConversationId(self.next_conversation);
        self.next_conversation += 1;
        let roll = self.rng.gen_range(0..100);
        let priority = Priority(if roll < 80 {
            0
        } else if roll < 95 {
            1
        } else {
            2
        });
        Input::ConversationQueued(Waiting {
            conversation,
            group,
            media: Media::Chat,
            priority,
            queued_at,
            min_skill: SkillLevel::parse(MIN_SKILL).expect("1..=5"),
            named_agent: None,
            front: false,
        })
    }

    fn apply(&mut self, input: Input) -> Option<Offer> {
        self.router.handle_input(self.now, input).expect("valid input");
        drain(&mut self.router)
    }

    fn build() -> City {
        let now = Millis(1_700_000_000_000);
        let mut city = City {
            router: Router::new(RouterConfig::default()),
            now,
            rng: SmallRng::seed_from_u64(42),
            held: vec![VecDeque::new(); AGENTS as usize],
            next_conversation: 1,
            next_agent: 0,
        };
        let strategies = [Strategy::LoadBalance, Strategy::RoundRobin, Strategy::SkillLevel, Strategy::Random];
        for g in 1..=GROUPS {
            let mut config = GroupConfig { strategy: strategies[(g % 4) as usize], ..GroupConfig::default() };
            if g % 2 == 0 {
                // Even groups overflow after an hour: ~40,000 overflow timers pending, none due.
                config.overflow_after_secs = Some(3600);
                config.overflow_to = Some(GroupId(g - 1));
            }
            city.apply(Input::GroupUpdated { group: GroupId(g), config });
        }
        let level = SkillLevel::parse(3).expect("1..=5");
        for a in 1..=AGENTS {
            let n = city.rng.gen_range(1..=3);
            let mut groups: Vec<(GroupId, SkillLevel)> = vec![];
            while groups.len() < n {
                let g = GroupId(city.rng.gen_range(1..=GROUPS));
                if !groups.iter().any(|&(h, _)| h == g) {
                    groups.push((g, level));
                }
            }
            let home = groups[0].0;
            let agent = AgentId(a);
            city.apply(Input::AgentUpdated { agent, capacity: Capacity { chat: CHATS, call: 1 }, groups });
            // Restored as after a restart: every agent is already full.
            for _ in 0..CHATS {
                let conversation = ConversationId(city.next_conversation);
                city.next_conversation += 1;
                let assigned_at = city.now;
                city.apply(Input::ConversationAssigned { conversation, group: home, media: Media::Chat, agent, assigned_at });
                city.held[(a - 1) as usize].push_back(conversation);
            }
            assert!(city.apply(Input::AgentStatusSet { agent, status: AgentStatus::Ready }).is_none());
        }
        for i in 0..WAITING {
            // Arrived over the last 10 minutes, in order.
            let queued_at = Millis(now.0 - 600_000 + i * 600_000 / WAITING);
            let group = city.pick_group();
            let visitor = city.visitor(group, queued_at);
            assert!(city.apply(visitor).is_none(), "nobody is free");
        }
        city
    }

    /// The conversation furthest back in group 1's line.
    fn deepest_in_group_1(&self) -> ConversationId {
        *self.router.waiting_in(GroupId(1)).last().expect("group 1 has a line")
    }
}

fn routing(c: &mut Criterion) {
    let setup = Instant::now();
    let mut city = City::build();
    let waiting: u32 = (1..=GROUPS).map(|g| city.router.group(GroupId(g), city.now).expect("group").waiting).sum();
    let line_1 = city.router.group(GroupId(1), city.now).expect("group").waiting;
    eprintln!("state: {AGENTS} agents x {CHATS} chats all full, {waiting} waiting ({line_1} in group 1), built in {:.2?}", setup.elapsed());

    let mut group = c.benchmark_group("routing_10k_agents_100k_waiting");

    // (a) An agent closes a conversation: one offer of the earliest conversation they may serve,
    // then they accept it. Untimed: a new visitor joins the same group, so every line keeps its length.
    group.bench_function("decision_close_offer_accept", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let index = city.next_agent;
                city.next_agent = (city.next_agent + 1) % AGENTS as usize;
                let agent = AgentId(index as i64 + 1);
                let closing = city.held[index].pop_front().expect("agents are full");
                let start = Instant::now();
                let offer = city.apply(Input::ConversationEnded { conversation: closing });
                let (conversation, to, group) = offer.expect("the freed slot is offered at once");
                city.apply(Input::OfferAccepted { conversation, agent: to });
                timed += start.elapsed();
                assert_eq!(to, agent, "only this agent has a free slot");
                city.held[index].push_back(conversation);
                let visitor = city.visitor(group, city.now);
                city.apply(visitor);
            }
            timed
        })
    });

    // (b) A visitor joins a 100,000 line while nobody is free. Untimed: they leave again.
    group.bench_function("enqueue_nobody_free", |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let group = city.pick_group();
                let visitor = city.visitor(group, city.now);
                let Input::ConversationQueued(Waiting { conversation, .. }) = visitor else { unreachable!() };
                let start = Instant::now();
                let offer = city.apply(visitor);
                timed += start.elapsed();
                assert!(offer.is_none());
                city.apply(Input::ConversationEnded { conversation });
            }
            timed
        })
    });

    // (c) Position and wait estimate of the last conversation in the longest line.
    let deep = city.deepest_in_group_1();
    let position = city.router.queue_info(deep).expect("waiting").position;
    eprintln!("queue_info target: position {position} in group 1");
    group.bench_function("queue_info_deep_in_line", |b| b.iter(|| black_box(city.router.queue_info(black_box(deep)))));

    // (d) A tick with no timer due (100,000 overflow/expiry timers pending, none due).
    group.bench_function("tick_nothing_due", |b| b.iter(|| black_box(city.apply(Input::Tick))));

    // (e) Everyone's position in the longest line, as sent after a `QueueChanged`. Seconds per
    // call today (each position recounts the group's staffing), hence the small sample.
    group.sample_size(10);
    group
        .bench_function("queue_positions_longest_line", |b| b.iter(|| black_box(city.router.queue_positions(black_box(GroupId(1))).len())));

    // (f) The same tick once one ready agent with a free slot may serve nobody waiting (a level-1
    // trainee in group 1, where every conversation asks for level 2): dispatch then walks the
    // whole line of group 1 on every input.
    let trainee = AgentId(AGENTS + 1);
    city.apply(Input::AgentUpdated {
        agent: trainee,
        capacity: Capacity { chat: 1, call: 1 },
        groups: vec![(GroupId(1), SkillLevel::MIN)],
    });
    assert!(city.apply(Input::AgentStatusSet { agent: trainee, status: AgentStatus::Ready }).is_none());
    group.bench_function("tick_with_idle_agent_who_may_serve_nobody", |b| b.iter(|| black_box(city.apply(Input::Tick))));

    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    targets = routing
}
criterion_main!(benches);
