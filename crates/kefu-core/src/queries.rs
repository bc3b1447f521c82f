//! Read-only views of the router: queue positions, wait estimates, agent and group snapshots.

use crate::agent::AgentStatus;
use crate::router::{AgentSnapshot, GroupSnapshot, Phase, QueueInfo, Router};
use crate::types::{AgentId, Capacity, ConversationId, GroupId, Media, Millis};

impl Router {
    /// Where a waiting conversation stands (None when it is offered, assigned or unknown).
    pub fn queue_info(&self, id: ConversationId) -> Option<QueueInfo> {
        let conv = self.convs.get(&id)?;
        if conv.phase != Phase::Waiting {
            return None;
        }
        let group = self.groups.get(&conv.group)?;
        let before = group.queues[conv.media.index()].range(..conv.key(id)).count();
        Some(self.info_at(conv.group, conv.media, before as u32 + 1))
    }

    /// Positions of everyone waiting in a group, in line order (for live position updates).
    pub fn queue_positions(&self, group: GroupId) -> Vec<(ConversationId, QueueInfo)> {
        let Some(g) = self.groups.get(&group) else { return vec![] };
        Media::ALL
            .iter()
            .flat_map(|&media| {
                let staffed = self.staffed(group, media);
                g.queues[media.index()].iter().enumerate().map(move |(i, key)| (key.3, self.estimate(group, staffed, i as u32 + 1)))
            })
            .collect()
    }

    fn info_at(&self, group: GroupId, media: Media, position: u32) -> QueueInfo {
        self.estimate(group, self.staffed(group, media), position)
    }

    /// Slots of logged-in members for this media.
    fn staffed(&self, group: GroupId, media: Media) -> u64 {
        self.groups[&group]
            .members
            .keys()
            .filter_map(|a| self.agents.get(a))
            .filter(|a| a.status.is_logged_in())
            .map(|a| u64::from(a.capacity.of(media)))
            .sum()
    }

    fn estimate(&self, group: GroupId, staffed: u64, position: u32) -> QueueInfo {
        let g = &self.groups[&group];
        let estimated_wait_secs = (staffed > 0).then(|| {
            let ms = f64::from(position) * g.avg_handle_ms / staffed as f64;
            (ms / 1000.0).round().min(f64::from(u32::MAX)) as u32
        });
        QueueInfo { position, estimated_wait_secs }
    }

    /// An agent's status and load.
    pub fn agent(&self, id: AgentId) -> Option<AgentSnapshot> {
        let a = self.agents.get(&id)?;
        let load = Capacity { chat: a.load[0], call: a.load[1] };
        let busy = a.status == AgentStatus::Ready && Media::ALL.iter().all(|&m| a.free(m) == 0);
        Some(AgentSnapshot { status: a.status.clone(), capacity: a.capacity, load, busy })
    }

    /// A group's line and staffing.
    pub fn group(&self, id: GroupId, now: Millis) -> Option<GroupSnapshot> {
        let g = self.groups.get(&id)?;
        let waiting = g.queues.iter().map(|q| q.len() as u32).sum();
        let oldest = g.queues.iter().flat_map(|q| q.iter().map(|k| k.2)).min();
        let members = g.members.keys().filter_map(|a| self.agents.get(a));
        let (mut ready, mut logged_in) = (0, 0);
        for a in members {
            ready += u32::from(a.status == AgentStatus::Ready);
            logged_in += u32::from(a.status.is_logged_in());
        }
        Some(GroupSnapshot {
            waiting,
            longest_wait_secs: oldest.map_or(0, |t| (now.since(t) / 1000) as u32),
            agents_ready: ready,
            agents_logged_in: logged_in,
        })
    }

    /// Since when the first in line of `group` has waited (its first queueing), if anyone waits:
    /// wall displays tick the longest wait from it between updates.
    pub fn oldest_waiting_since(&self, group: GroupId) -> Option<Millis> {
        self.groups.get(&group)?.queues.iter().flat_map(|q| q.iter().map(|k| k.2)).min()
    }

    /// Whether `agent` may be offered `conversation` now (member, skill, not excluded, not held
    /// for someone else), ignoring the agent's status and free capacity.
    pub fn may_serve(&self, conversation: ConversationId, agent: AgentId, now: Millis) -> bool {
        let Some(conv) = self.convs.get(&conversation) else { return false };
        let group = &self.groups[&conv.group];
        let member = group.members.get(&agent).is_some_and(|&l| l >= conv.min_skill);
        let held_for_other = self.active_hold_for(conversation, now).is_some_and(|named| named != agent);
        member && !conv.excludes(agent, now) && !held_for_other
    }

    pub(crate) fn active_hold_for(&self, conversation: ConversationId, now: Millis) -> Option<AgentId> {
        let conv = self.convs.get(&conversation)?;
        let named = conv.named_agent?;
        let held = conv.hold_until.is_some_and(|until| until > now)
            && self.agents.get(&named).is_some_and(|a| a.status.is_logged_in())
            && self.groups[&conv.group].members.contains_key(&named);
        held.then_some(named)
    }

    /// Conversations waiting in a group, in line order.
    pub fn waiting_in(&self, group: GroupId) -> Vec<ConversationId> {
        self.groups.get(&group).map(|g| g.queues.iter().flat_map(|q| q.iter().map(|k| k.3)).collect()).unwrap_or_default()
    }

    /// The agent a conversation is offered or assigned to.
    pub fn holder(&self, conversation: ConversationId) -> Option<AgentId> {
        match self.convs.get(&conversation)?.phase {
            Phase::Waiting => None,
            Phase::Offered { agent, .. } | Phase::Assigned { agent } => Some(agent),
        }
    }

    /// Whether a call is open on the conversation (it holds a call slot of its agent).
    pub fn call_open(&self, conversation: ConversationId) -> bool {
        self.convs.get(&conversation).is_some_and(|c| c.call)
    }

    /// The media whose slot the conversation holds or waits for.
    pub fn media_of(&self, conversation: ConversationId) -> Option<Media> {
        self.convs.get(&conversation).map(|c| c.media)
    }

    /// Whether the conversation is known to the router (waiting, offered or assigned).
    pub fn contains(&self, conversation: ConversationId) -> bool {
        self.convs.contains_key(&conversation)
    }
}
