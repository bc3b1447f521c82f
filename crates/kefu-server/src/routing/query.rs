//! Typed reads of the router: what a route may ask the routing task, and what it answers. Both
//! are plain data (serde), so the owner of the router may be this process (a channel) or another
//! node (NATS request/reply) without the callers knowing.

use kefu_core::{AgentId, AgentSnapshot, ConversationId, CoreError, GroupId, GroupSnapshot, Millis, QueueInfo, Router};
use serde::{Deserialize, Serialize};

/// What a route can ask of the router.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "query", rename_all = "snake_case")]
pub enum Query {
    /// The lines of these groups.
    Groups { ids: Vec<i64> },
    /// These agents as the router sees them.
    Agents { ids: Vec<i64> },
    /// Where a waiting conversation stands.
    QueueInfo { conversation: i64 },
    /// Where each of these conversations stands (conversations just started, all at once).
    QueueInfos { conversations: Vec<i64> },
    /// Whether the conversation could be transferred to each agent and group now.
    TransferVerdicts { conversation: i64, agents: Vec<i64>, groups: Vec<i64> },
}

/// The router's answer to a [`Query`], variant for variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "answer", content = "data", rename_all = "snake_case")]
pub enum Answer {
    Groups(Vec<GroupLine>),
    Agents(Vec<Option<AgentSnapshot>>),
    QueueInfo(Option<QueueInfo>),
    QueueInfos(Vec<Option<QueueInfo>>),
    TransferVerdicts { agents: Vec<AgentVerdict>, groups: Vec<GroupVerdict> },
}

/// One group's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupLine {
    /// None for a group the router does not know.
    pub snapshot: Option<GroupSnapshot>,
    /// Arrival of the conversation waiting longest.
    pub oldest_waiting_since: Option<Millis>,
}

/// Why the router would refuse a transfer (the part of `CoreError` a transfer dialog shows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    CallOpen,
    UnknownAgent,
    AgentUnavailable,
    Other,
}

impl From<CoreError> for Refusal {
    fn from(e: CoreError) -> Refusal {
        match e {
            CoreError::CallOpen(_) => Refusal::CallOpen,
            CoreError::UnknownAgent(_) => Refusal::UnknownAgent,
            CoreError::AgentUnavailable(_) => Refusal::AgentUnavailable,
            _ => Refusal::Other,
        }
    }
}

/// One agent as a transfer target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentVerdict {
    pub snapshot: Option<AgentSnapshot>,
    pub refusal: Option<Refusal>,
    /// The conversation is already theirs.
    pub holds_it: bool,
}

/// One group as a transfer target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupVerdict {
    pub snapshot: Option<GroupSnapshot>,
    pub refusal: Option<Refusal>,
}

impl Query {
    /// Answer from the router (inside the task that owns it).
    pub(crate) fn answer(&self, r: &Router, now: Millis) -> Answer {
        match self {
            Query::Groups { ids } => Answer::Groups(
                ids.iter()
                    .map(|&id| GroupLine { snapshot: r.group(GroupId(id), now), oldest_waiting_since: r.oldest_waiting_since(GroupId(id)) })
                    .collect(),
            ),
            Query::Agents { ids } => Answer::Agents(ids.iter().map(|&id| r.agent(AgentId(id))).collect()),
            Query::QueueInfo { conversation } => Answer::QueueInfo(r.queue_info(ConversationId(*conversation))),
            Query::QueueInfos { conversations } => {
                Answer::QueueInfos(conversations.iter().map(|c| r.queue_info(ConversationId(*c))).collect())
            }
            Query::TransferVerdicts { conversation, agents, groups } => {
                let conv = ConversationId(*conversation);
                let holder = r.holder(conv);
                let agents = agents
                    .iter()
                    .map(|&a| AgentVerdict {
                        snapshot: r.agent(AgentId(a)),
                        refusal: r.check_transfer_to_agent(conv, AgentId(a)).err().map(Refusal::from),
                        holds_it: holder == Some(AgentId(a)),
                    })
                    .collect();
                let groups = groups
                    .iter()
                    .map(|&g| GroupVerdict {
                        snapshot: r.group(GroupId(g), now),
                        refusal: r.check_transfer_to_group(conv, GroupId(g)).err().map(Refusal::from),
                    })
                    .collect();
                Answer::TransferVerdicts { agents, groups }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_answers_survive_the_wire() {
        let q = Query::TransferVerdicts { conversation: 3, agents: vec![1, 2], groups: vec![4] };
        let back: Query = serde_json::from_str(&serde_json::to_string(&q).unwrap()).unwrap();
        assert_eq!(back, q);
        let mut router = Router::new(kefu_core::RouterConfig::default());
        let a = q.answer(&router, Millis(0));
        let back: Answer = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert_eq!(back, a);
        let Answer::TransferVerdicts { agents, groups } = a else { panic!("answered another query") };
        assert_eq!(agents[0].refusal, Some(Refusal::Other), "unknown conversation");
        assert_eq!(groups[0].refusal, Some(Refusal::Other));
        router.handle_input(Millis(0), kefu_core::Input::Tick).unwrap();
        let g = Query::Groups { ids: vec![9] }.answer(&router, Millis(0));
        assert_eq!(g, Answer::Groups(vec![GroupLine { snapshot: None, oldest_waiting_since: None }]));
    }
}
