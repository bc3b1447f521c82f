//! Eight simulated hours of traffic, run in milliseconds.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use kefu_core::*;
use rand::{rngs::SmallRng, Rng, SeedableRng};

use crate::world::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Event {
    Arrive,
    /// The agent answers an offer: accept (true) or decline (false).
    Answer {
        conversation: ConversationId,
        agent: AgentId,
        accept: bool,
    },
    Close {
        conversation: ConversationId,
        agent: AgentId,
    },
    PassOn {
        conversation: ConversationId,
        agent: AgentId,
    },
    /// The visitor gives up if still waiting.
    Abandon {
        conversation: ConversationId,
    },
    Break {
        agent: AgentId,
    },
    Back {
        agent: AgentId,
    },
}

pub(crate) struct Calendar {
    pub(crate) events: BinaryHeap<Reverse<(Millis, u64, Event)>>,
    pub(crate) seq: u64,
}

impl Calendar {
    pub(crate) fn at(&mut self, at: Millis, e: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, e)));
    }
    pub(crate) fn next_at(&self) -> Option<Millis> {
        self.events.peek().map(|Reverse((at, _, _))| *at)
    }
}

pub(crate) fn exp_secs(rng: &mut SmallRng, mean: f64) -> u32 {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    (-u.ln() * mean).round().clamp(1.0, 10.0 * mean) as u32
}

/// A small contact centre: the router under test, the scripted people, and what happened.
pub(crate) struct Day {
    pub(crate) w: World,
    pub(crate) cal: Calendar,
    pub(crate) rng: SmallRng,
    pub(crate) agents: Vec<AgentId>,
    pub(crate) members: BTreeMap<GroupId, Vec<AgentId>>,
    /// Offers and assignments already given their scripted follow-up: (conversation, agent, assigned).
    pub(crate) scripted: BTreeSet<(ConversationId, AgentId, bool)>,
    /// Agents the router set away for missed offers, already scheduled to come back.
    pub(crate) coming_back: BTreeSet<AgentId>,
    pub(crate) arrived: u32,
    pub(crate) abandoned_unserved: u32,
    pub(crate) offers: u32,
    pub(crate) steps: u32,
}

pub(crate) const SALES: GroupId = GroupId(1);
pub(crate) const VIP: GroupId = GroupId(2);
pub(crate) const TECH: GroupId = GroupId(3);

impl Day {
    pub(crate) fn open(seed: u64) -> Day {
        let mut day = Day {
            w: World::new(RouterConfig::default()),
            cal: Calendar { events: BinaryHeap::new(), seq: 0 },
            rng: SmallRng::seed_from_u64(seed),
            agents: (1..=15).map(AgentId).collect(),
            members: BTreeMap::new(),
            scripted: BTreeSet::new(),
            coming_back: BTreeSet::new(),
            arrived: 0,
            abandoned_unserved: 0,
            offers: 0,
            steps: 0,
        };
        let w = &mut day.w;
        w.must(Input::GroupUpdated {
            group: TECH,
            config: GroupConfig { strategy: Strategy::SkillLevel, wrap_up_secs: 10, max_missed_offers: 3, ..Default::default() },
        });
        w.must(Input::GroupUpdated {
            group: VIP,
            config: GroupConfig {
                strategy: Strategy::ReturningCustomer,
                fallback: Strategy::RoundRobin,
                hold_secs: 20,
                ..Default::default()
            },
        });
        w.must(Input::GroupUpdated {
            group: SALES,
            config: GroupConfig { overflow_after_secs: Some(120), overflow_to: Some(TECH), offer_timeout_secs: 20, ..Default::default() },
        });
        for &a in &day.agents {
            let mut groups = vec![];
            for g in [SALES, VIP, TECH] {
                // Agents 1..=3 are tech experts, so "min skill 4" conversations can be served.
                let level = if g == TECH && a.0 <= 3 { Some(5) } else { day.rng.gen_bool(0.5).then(|| day.rng.gen_range(1..=5)) };
                if let Some(level) = level {
                    groups.push((g, SkillLevel::parse(level).expect("1..=5")));
                    day.members.entry(g).or_default().push(a);
                }
            }
            let capacity = Capacity { chat: day.rng.gen_range(2..=4), call: 1 };
            day.w.must(Input::AgentUpdated { agent: a, capacity, groups });
            day.cal.at(T0.plus_secs(day.rng.gen_range(0..1800)), Event::Back { agent: a });
            day.cal.at(T0.plus_secs(day.rng.gen_range(3600..7200)), Event::Break { agent: a });
        }
        day.cal.at(T0.plus_secs(5), Event::Arrive);
        day
    }

    /// Run until every visitor is gone.
    pub(crate) fn run(&mut self, closing: Millis) {
        loop {
            let (at, event) = match (self.cal.next_at(), self.w.next_wake) {
                (None, None) => break,
                (Some(e), Some(t)) if t <= e => (t, None),
                (None, Some(t)) => (t, None),
                (Some(e), _) => (e, self.cal.events.pop().map(|Reverse((_, _, ev))| ev)),
            };
            if at > closing.plus_secs(4 * 3600) {
                self.w.fail("the day did not wind down within 4 hours after closing")
            }
            self.steps += 1;
            // Ticks at every wake-up the router asked for; between them it must stay maximal.
            self.w.run_until(at);
            if let Some(event) = event {
                self.happen(event, closing);
            }
            self.react();
        }
    }

    pub(crate) fn happen(&mut self, event: Event, closing: Millis) {
        let w = &mut self.w;
        let rng = &mut self.rng;
        let holder = |w: &World, c: ConversationId| w.convs.get(&c).and_then(|l| l.holder);
        match event {
            Event::Arrive => {
                self.arrived += 1;
                let roll: f64 = rng.gen();
                let (group, named, min_skill) = if roll < 0.5 {
                    (SALES, None, 1)
                } else if roll < 0.75 {
                    let vip = &self.members[&VIP];
                    (VIP, Some(vip[rng.gen_range(0..vip.len())]), 1)
                } else {
                    (TECH, None, if rng.gen_bool(0.2) { 4 } else { 1 })
                };
                let priority = if rng.gen_bool(0.1) { 2 } else { 0 };
                let c = w.queue(group, priority, min_skill, named);
                self.cal.at(w.now.plus_secs(exp_secs(rng, 240.0)), Event::Abandon { conversation: c });
                let next = w.now.plus_secs(exp_secs(rng, 9.0));
                if next < closing {
                    self.cal.at(next, Event::Arrive);
                }
            }
            Event::Answer { conversation, agent, accept } => {
                if holder(w, conversation) == Some((agent, Hold::Offered)) {
                    w.must(if accept {
                        Input::OfferAccepted { conversation, agent }
                    } else {
                        Input::OfferDeclined { conversation, agent }
                    });
                }
            }
            Event::Close { conversation, agent } => {
                if holder(w, conversation) == Some((agent, Hold::Assigned)) {
                    w.must(Input::ConversationEnded { conversation });
                }
            }
            Event::PassOn { conversation, agent } => {
                if holder(w, conversation) == Some((agent, Hold::Assigned)) {
                    let target = self.agents[rng.gen_range(0..self.agents.len())];
                    // Now and then a colleague (a supervisor) takes it over instead of a transfer.
                    let took = rng.gen_bool(0.2) && target != agent && w.apply(Input::TakeOver { conversation, agent: target }).is_ok();
                    let to_agent = !took && rng.gen_bool(0.5) && target != agent;
                    let passed = took || (to_agent && w.apply(Input::TransferToAgent { conversation, agent: target }).is_ok());
                    if !passed {
                        let group = [SALES, VIP, TECH][rng.gen_range(0..3)];
                        w.must(Input::TransferToGroup { conversation, group });
                    }
                }
            }
            Event::Abandon { conversation } => match w.convs.get(&conversation).map(|l| l.holder) {
                None => {}
                Some(None) => {
                    if !w.served.contains(&conversation) {
                        self.abandoned_unserved += 1;
                    }
                    w.must(Input::ConversationEnded { conversation });
                }
                // Being served: the visitor stays; look again later in case it waits again.
                Some(Some(_)) => self.cal.at(w.now.plus_secs(exp_secs(rng, 240.0)), Event::Abandon { conversation }),
            },
            Event::Break { agent } => {
                w.must(Input::AgentStatusSet { agent, status: AgentStatus::Away(AwayReason::Other("break".into())) });
                self.cal.at(w.now.plus_secs(rng.gen_range(300..900)), Event::Back { agent });
                let next = w.now.plus_secs(rng.gen_range(3600..7200));
                if next < closing {
                    self.cal.at(next, Event::Break { agent });
                }
            }
            Event::Back { agent } => {
                w.must(Input::AgentStatusSet { agent, status: AgentStatus::Ready });
            }
        }
    }

    /// Give every new offer, assignment and router-set away status its scripted follow-up,
    /// read from the model (which has seen every output, ticks included).
    pub(crate) fn react(&mut self) {
        let now = self.w.now;
        let held: BTreeSet<(ConversationId, AgentId, bool)> =
            self.w.convs.iter().filter_map(|(&c, l)| l.holder.map(|(a, h)| (c, a, h == Hold::Assigned))).collect();
        // Forget facts no longer true, so a later re-offer to the same agent is scripted anew.
        self.scripted.retain(|f| held.contains(f));
        for fact @ (c, a, assigned) in held {
            if !self.scripted.insert(fact) {
                continue;
            }
            let rng = &mut self.rng;
            if assigned {
                if rng.gen_bool(0.03) {
                    self.cal.at(now.plus_secs(rng.gen_range(20..120)), Event::PassOn { conversation: c, agent: a });
                } else {
                    self.cal.at(now.plus_secs(exp_secs(rng, 300.0).max(30)), Event::Close { conversation: c, agent: a });
                }
            } else {
                self.offers += 1;
                let roll: f64 = rng.gen();
                if roll < 0.90 {
                    self.cal.at(now.plus_secs(rng.gen_range(1..15)), Event::Answer { conversation: c, agent: a, accept: true });
                } else if roll < 0.94 {
                    self.cal.at(now.plus_secs(3), Event::Answer { conversation: c, agent: a, accept: false });
                } // else the agent misses it and the offer expires
            }
        }
        for (&a, status) in &self.w.status {
            if *status == AgentStatus::Away(AwayReason::MissedOffers) {
                if self.coming_back.insert(a) {
                    self.cal.at(now.plus_secs(60), Event::Back { agent: a });
                }
            } else {
                self.coming_back.remove(&a);
            }
        }
    }
}

/// Eight hours of traffic (about one visitor every 9 s, a tenth of them VIP, some waiting for
/// their returning-customer agent, some needing an expert), agents who answer after a few
/// seconds, sometimes decline or miss offers, take breaks and pass conversations on. Every rule
/// is checked after every input and between ticks; at the end every visitor was served or left.
#[test]
pub(crate) fn eight_simulated_hours_keep_every_rule_and_serve_everyone() {
    let closing = T0.plus_secs(8 * 3600);
    let mut day = Day::open(2024);
    day.run(closing);
    let Day { w, arrived, abandoned_unserved, offers, steps, .. } = &day;
    assert!(w.convs.is_empty(), "conversations left over: {:?}", w.convs.keys().collect::<Vec<_>>());
    let served = w.served.len() as u32;
    assert_eq!(served + abandoned_unserved, *arrived, "every visitor was served or gave up waiting");
    assert!(*arrived > 2500, "about one arrival every 9 s for 8 h, got {arrived}");
    assert!(served * 10 > arrived * 8, "most visitors are served: {served} of {arrived}");
    eprintln!("8 simulated hours: {arrived} visitors, {served} served, {abandoned_unserved} gave up, {offers} offers, {steps} steps");
}
