//! From facts to contacts: one record per conversation with its timings, the group and agent it
//! is counted under, its wrap-up time, transfers, CSAT and whether it was resolved on first
//! contact. The figures are sums over these records.

use std::collections::HashMap;

use kefu_core::{AgentStatusKind, Fact};

/// A fact with the moment it happened (ms).
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// When.
    pub at: i64,
    /// What.
    pub fact: Fact,
}

/// One conversation as the reports count it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Contact {
    /// The conversation.
    pub conversation: i64,
    /// Its customer (visitor).
    pub customer: i64,
    /// The group it is counted under: where it was last answered, or where it was abandoned,
    /// or where it queued.
    pub group: i64,
    /// Its business type.
    pub business_type: Option<i64>,
    /// Its channel.
    pub channel: String,
    /// The agent it is counted under: the last to answer it.
    pub agent: Option<i64>,
    /// A VIP customer.
    pub vip: bool,
    /// A message left outside business hours: not counted as a contact waiting for an answer.
    pub left_message: bool,
    /// When it entered the line (the interval it counts in).
    pub queued_at: i64,
    /// When an agent first accepted it.
    pub answered_at: Option<i64>,
    /// When it was closed or abandoned.
    pub ended_at: Option<i64>,
    /// The visitor gave up while waiting; with how long they waited (ms).
    pub abandoned_after: Option<i64>,
    /// Closed by its agent (not abandoned, not blocked while waiting).
    pub closed_by_agent: bool,
    /// Talk time: first answer to close (ms), for a closed answered conversation.
    pub talk_ms: i64,
    /// Wrap-up time (话后整理) its closing agent spent after it (ms).
    pub wrap_ms: i64,
    /// Transfers (to a group or an agent).
    pub transfers: u32,
    /// CSAT score, if given.
    pub csat: Option<u8>,
    /// Messages of customer and agents, known when closed.
    pub messages: Option<u32>,
    /// Resolved on first contact: answered, closed, and the customer started no new
    /// conversation within the window after the close. None when not answered and closed.
    pub first_contact_resolved: Option<bool>,
}

/// Fold facts (in time order) into contacts, in the order they queued. Conversations whose
/// `Queued` fact is missing (queued before the facts given) are left out. `fcr_window_ms`: how
/// long after a close a new conversation from the same customer means it was not resolved.
pub fn contacts(facts: &[Timed], fcr_window_ms: i64) -> Vec<Contact> {
    let mut out: Vec<Contact> = vec![];
    let mut index: HashMap<i64, usize> = HashMap::new();
    // The conversation each agent closed last, and the wrap-up that agent has open: (contact, since).
    let mut closed_last: HashMap<i64, usize> = HashMap::new();
    let mut wrapping: HashMap<i64, (usize, i64)> = HashMap::new();
    // Each customer's queue times, to look for a repeat contact.
    let mut arrivals: HashMap<i64, Vec<i64>> = HashMap::new();
    for Timed { at, fact } in facts {
        let at = *at;
        if let Fact::Queued { conversation, customer, group, business_type, channel, vip, left_message } = fact {
            arrivals.entry(*customer).or_default().push(at);
            index.insert(conversation.0, out.len());
            out.push(Contact {
                conversation: conversation.0,
                customer: *customer,
                group: group.0,
                business_type: *business_type,
                channel: channel.clone(),
                vip: *vip,
                left_message: *left_message,
                queued_at: at,
                ..Contact::default()
            });
            continue;
        }
        if let Fact::AgentStatus { agent, from, to } = fact {
            if from.status == AgentStatusKind::WrapUp {
                if let Some((i, since)) = wrapping.remove(&agent.0) {
                    out[i].wrap_ms += (at - since).max(0);
                }
            }
            if to.status == AgentStatusKind::WrapUp {
                if let Some(&i) = closed_last.get(&agent.0) {
                    wrapping.insert(agent.0, (i, at));
                }
            }
            continue;
        }
        let Some(&i) = fact.conversation().and_then(|c| index.get(&c.0)) else { continue };
        let c = &mut out[i];
        match fact {
            Fact::Answered { agent, group, .. } => {
                c.answered_at.get_or_insert(at);
                c.agent = Some(agent.0);
                c.group = group.0;
            }
            Fact::Abandoned { group, waited_ms, .. } => {
                c.abandoned_after = Some(*waited_ms);
                c.ended_at = Some(at);
                c.group = group.0;
            }
            Fact::Transferred { .. } => c.transfers += 1,
            Fact::Closed { agent, visitor_messages, agent_messages, .. } => {
                c.ended_at = Some(at);
                c.messages = Some(visitor_messages + agent_messages);
                if let (Some(answered), Some(agent)) = (c.answered_at, agent) {
                    c.closed_by_agent = true;
                    c.talk_ms = (at - answered).max(0);
                    closed_last.insert(agent.0, i);
                }
            }
            Fact::Csat { score, .. } => c.csat = Some(*score),
            _ => {}
        }
    }
    for c in &mut out {
        if !c.closed_by_agent {
            continue;
        }
        let closed = c.ended_at.unwrap_or(c.queued_at);
        let again = arrivals.get(&c.customer).is_some_and(|times| times.iter().any(|&t| t > closed && t <= closed + fcr_window_ms));
        c.first_contact_resolved = Some(!again);
    }
    out
}
