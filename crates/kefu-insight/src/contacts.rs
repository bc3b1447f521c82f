//! From facts to contacts: one record per conversation with its timings, the group and agent it
//! is counted under, its wrap-up time, transfers, CSAT, when its customer came back and whether
//! it was resolved on first contact. The figures are sums over these records.
//!
//! This fold is the only definition of the conversation report's model: the store's read model
//! (`report_contacts`, `report_wraps`) is built by [`fold_log`] and, for a fact written late,
//! folded again with [`fold_contact`], [`fold_log`] and [`Wraps`] over the facts it may change.

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
    /// The customer's next arrival (a conversation of theirs queued) after this one ended.
    pub returned_at: Option<i64>,
    /// Resolved on first contact: answered, closed, and the customer started no new
    /// conversation within the window after the close. None when not answered and closed.
    pub first_contact_resolved: Option<bool>,
}

/// Fold one fact of a conversation into its contact's own columns (all but wrap-up, return and
/// first-contact resolution, which need other conversations' facts: see [`fold_log`]). `None`
/// until its `Queued` fact: facts before that find no contact.
pub fn fold_contact(contact: &mut Option<Contact>, at: i64, fact: &Fact) {
    if let Fact::Queued { conversation, customer, group, business_type, channel, vip, left_message } = fact {
        if contact.is_none() {
            *contact = Some(Contact {
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
        }
        return;
    }
    let Some(c) = contact else { return };
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
            c.closed_by_agent = c.answered_at.is_some() && agent.is_some();
            c.talk_ms = match (c.closed_by_agent, c.answered_at) {
                (true, Some(answered)) => (at - answered).max(0),
                _ => 0,
            };
        }
        Fact::Csat { score, .. } => c.csat = Some(*score),
        _ => {}
    }
}

/// A wrap-up (话后整理): begun by an agent's change into wrap-up, given to the conversation
/// they closed last (a close of theirs after it was queued and answered).
#[derive(Debug, Clone, PartialEq)]
pub struct Wrap {
    /// Whose.
    pub agent: i64,
    /// When it began.
    pub started_at: i64,
    /// The conversation it is given to.
    pub conversation: i64,
    /// When it ended, once it has.
    pub ended_at: Option<i64>,
    /// Ended by a new wrap-up begun while it was open: it gives no time.
    pub replaced: bool,
}

impl Wrap {
    /// The wrap-up time it gives its conversation (ms).
    pub fn time(&self) -> i64 {
        match self.ended_at {
            Some(end) if !self.replaced => (end - self.started_at).max(0),
            _ => 0,
        }
    }
}

/// Wrap-ups folded from status changes in time order: a change into wrap-up begins one for the
/// conversation the agent closed last, if there is one; a change out of wrap-up ends the open one
/// and gives it its time; a new one begun while one is open replaces it (no time). Which agent
/// holds the conversation later does not matter: the wrap-up stays with it.
#[derive(Debug, Clone, Default)]
pub struct Wraps {
    /// Every wrap-up, in the order they began.
    pub list: Vec<Wrap>,
    open: HashMap<i64, usize>,
}

impl Wraps {
    /// `agent`'s status changed at `at` from `from` (to wrap-up, if `begins` names the
    /// conversation they closed last). `keep`: whether a wrap-up begun here is kept (a fold of a
    /// window keeps only those begun in it; a later one still ends the open one).
    pub fn status_changed(&mut self, agent: i64, at: i64, from: AgentStatusKind, begins: Option<i64>, keep: bool) {
        let leaves = from == AgentStatusKind::WrapUp;
        if leaves || begins.is_some() {
            if let Some(i) = self.open.remove(&agent) {
                let w = &mut self.list[i];
                w.ended_at = Some(at);
                w.replaced = !leaves;
            }
        }
        if let (Some(conversation), true) = (begins, keep) {
            self.list.push(Wrap { agent, started_at: at, conversation, ended_at: None, replaced: false });
            self.open.insert(agent, self.list.len() - 1);
        }
    }

    /// Whether `agent` has a wrap-up open.
    pub fn is_open(&self, agent: i64) -> bool {
        self.open.contains_key(&agent)
    }
}

/// The log folded: each conversation's contact in the order they queued (wrap-up time and the
/// customer's return filled, first-contact resolution not), and the wrap-ups.
#[derive(Debug, Clone, Default)]
pub struct ContactLog {
    /// The contacts.
    pub contacts: Vec<Contact>,
    /// The wrap-ups, in the order they began.
    pub wraps: Vec<Wrap>,
}

/// Fold facts (`(at, fact)` in time order) into contacts and wrap-ups. Conversations whose
/// `Queued` fact is missing (queued before the facts given) are left out.
pub fn fold_log<'a>(facts: impl IntoIterator<Item = (i64, &'a Fact)>) -> ContactLog {
    let mut out: Vec<Option<Contact>> = vec![];
    let mut index: HashMap<i64, usize> = HashMap::new();
    // The contacts in the order they queued.
    let mut queued: Vec<usize> = vec![];
    // Per customer, their conversations that ended and were not yet returned to.
    let mut waiting: HashMap<i64, Vec<usize>> = HashMap::new();
    // The conversation each agent closed last (a close that counts for wrap-up).
    let mut closed_last: HashMap<i64, i64> = HashMap::new();
    let mut wraps = Wraps::default();
    for (at, fact) in facts {
        if let Fact::AgentStatus { agent, from, to } = fact {
            let begins = if to.status == AgentStatusKind::WrapUp { closed_last.get(&agent.0).copied() } else { None };
            wraps.status_changed(agent.0, at, from.status, begins, true);
            continue;
        }
        let Some(conversation) = fact.conversation() else { continue };
        if let Fact::Queued { customer, .. } = fact {
            for i in waiting.remove(customer).unwrap_or_default() {
                if let Some(c) = &mut out[i] {
                    c.returned_at = Some(at);
                }
            }
        }
        let i = *index.entry(conversation.0).or_insert_with(|| {
            out.push(None);
            out.len() - 1
        });
        let before = out[i].as_ref().map(|c| c.ended_at.is_some());
        fold_contact(&mut out[i], at, fact);
        let Some(c) = &out[i] else { continue };
        if before.is_none() {
            queued.push(i);
        }
        // Ended just now: the customer's next arrival returns to it.
        if c.ended_at.is_some() && c.returned_at.is_none() && before == Some(false) {
            waiting.entry(c.customer).or_default().push(i);
        }
        if let (Fact::Closed { agent: Some(agent), .. }, true) = (fact, c.closed_by_agent) {
            closed_last.insert(agent.0, conversation.0);
        }
    }
    let mut contacts: Vec<Contact> = queued.into_iter().filter_map(|i| out[i].take()).collect();
    let at: HashMap<i64, usize> = contacts.iter().enumerate().map(|(i, c)| (c.conversation, i)).collect();
    for w in &wraps.list {
        if let Some(&i) = at.get(&w.conversation) {
            contacts[i].wrap_ms += w.time();
        }
    }
    ContactLog { contacts, wraps: wraps.list }
}

/// Fold facts (in time order) into contacts, in the order they queued (see [`fold_log`]).
/// `fcr_window_ms`: how long after a close a new conversation from the same customer means it
/// was not resolved.
pub fn contacts(facts: &[Timed], fcr_window_ms: i64) -> Vec<Contact> {
    let mut out = fold_log(facts.iter().map(|t| (t.at, &t.fact))).contacts;
    for c in &mut out {
        if c.closed_by_agent {
            let closed = c.ended_at.unwrap_or(c.queued_at);
            c.first_contact_resolved = Some(c.returned_at.is_none_or(|back| back > closed + fcr_window_ms));
        }
    }
    out
}
