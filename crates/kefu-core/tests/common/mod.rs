//! A small harness: a router, a clock the test moves, and the outputs collected.
#![allow(dead_code)]

use kefu_core::*;

pub struct Sim {
    pub router: Router,
    pub now: Millis,
    pub log: Vec<Output>,
}

impl Sim {
    pub fn new() -> Sim {
        Sim { router: Router::new(RouterConfig::default()), now: Millis(1_000_000), log: vec![] }
    }

    pub fn input(&mut self, input: Input) -> Vec<Output> {
        self.router.handle_input(self.now, input).expect("input accepted");
        self.drain()
    }

    pub fn try_input(&mut self, input: Input) -> Result<Vec<Output>, CoreError> {
        self.router.handle_input(self.now, input)?;
        Ok(self.drain())
    }

    fn drain(&mut self) -> Vec<Output> {
        let mut out = vec![];
        loop {
            match self.router.poll_output() {
                Output::Timeout(_) => break,
                o => out.push(o),
            }
        }
        self.log.extend(out.iter().cloned());
        out
    }

    /// Move the clock forward and fire what is due.
    pub fn advance(&mut self, secs: i64) -> Vec<Output> {
        self.now = Millis(self.now.0 + secs * 1000);
        self.input(Input::Tick)
    }

    pub fn group(&mut self, id: i64, strategy: Strategy) {
        self.group_with(id, GroupConfig { strategy, ..GroupConfig::default() });
    }

    pub fn group_with(&mut self, id: i64, config: GroupConfig) {
        self.input(Input::GroupUpdated { group: GroupId(id), config });
    }

    /// An agent with `chats` chat slots, member of groups at level 1, and ready.
    pub fn agent(&mut self, id: i64, chats: u16, groups: &[i64]) {
        self.agent_at(id, chats, &groups.iter().map(|&g| (g, 1)).collect::<Vec<_>>());
    }

    pub fn agent_at(&mut self, id: i64, chats: u16, groups: &[(i64, i64)]) {
        let groups = groups.iter().map(|&(g, l)| (GroupId(g), SkillLevel::parse(l).unwrap())).collect();
        self.input(Input::AgentUpdated { agent: AgentId(id), capacity: Capacity { chat: chats, call: 1 }, groups });
        self.input(Input::AgentStatusSet { agent: AgentId(id), status: AgentStatus::Ready });
    }

    pub fn queue(&mut self, conv: i64, group: i64) -> Vec<Output> {
        self.queue_with(conv, group, 0, None)
    }

    pub fn queue_with(&mut self, conv: i64, group: i64, priority: u8, named: Option<i64>) -> Vec<Output> {
        let now = self.now;
        self.input(Input::ConversationQueued(Waiting {
            conversation: ConversationId(conv),
            group: GroupId(group),
            media: Media::Chat,
            priority: Priority(priority),
            queued_at: now,
            min_skill: SkillLevel::MIN,
            named_agent: named.map(AgentId),
            front: false,
        }))
    }

    pub fn accept(&mut self, conv: i64, agent: i64) -> Vec<Output> {
        self.input(Input::OfferAccepted { conversation: ConversationId(conv), agent: AgentId(agent) })
    }

    pub fn end(&mut self, conv: i64) -> Vec<Output> {
        self.input(Input::ConversationEnded { conversation: ConversationId(conv) })
    }
}

/// The (conversation, agent) pairs offered in `outputs`.
pub fn offers(outputs: &[Output]) -> Vec<(i64, i64)> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Offered { conversation, agent, .. } => Some((conversation.0, agent.0)),
            _ => None,
        })
        .collect()
}
