//! Builders of API objects for unit tests.

import type { Agent, Conversation, Message, Visitor } from '../api/types';

export function visitor(over: Partial<Visitor> = {}): Visitor {
  return {
    id: 100,
    name: '王小明',
    external_id: null,
    vip_level: 0,
    attributes: {},
    designated_agent_id: null,
    blocked: false,
    blocked_reason: null,
    ...over,
  };
}

export function conversation(over: Partial<Conversation> = {}): Conversation {
  return {
    id: 1,
    status: 'assigned',
    channel: 'web',
    media: 'chat',
    call: null,
    group_id: 1,
    agent_id: 5,
    agent_name: '坐席一',
    offered_agent_id: null,
    offer_expires_at: null,
    visitor: visitor(),
    topic: null,
    business_type_id: null,
    priority: 0,
    left_message: false,
    abandoned: false,
    created_at: '2026-11-21T10:00:00Z',
    queued_at: '2026-11-21T10:00:00Z',
    assigned_at: '2026-11-21T10:00:05Z',
    closed_at: null,
    wrap_up_code: null,
    wrap_up_note: null,
    csat: null,
    last_seq: 0,
    unread: 0,
    visitor_read_seq: 0,
    agent_read_seq: 0,
    queue: null,
    last_message: null,
    first_message: null,
    tags: [],
    awaiting_reply_since: null,
    reply_target_secs: 60,
    ...over,
  };
}

export function message(over: Partial<Message> = {}): Message {
  return {
    id: 1,
    conversation_id: 1,
    seq: 1,
    sender: 'visitor',
    sender_id: null,
    sender_name: '王小明',
    kind: 'text',
    body: '你好',
    attachment: null,
    client_id: null,
    data: null,
    created_at: '2026-11-21T10:00:10Z',
    ...over,
  };
}

export function agent(over: Partial<Agent> = {}): Agent {
  return {
    id: 5,
    email: 'agent1@demo.kefu',
    name: '坐席一',
    role: 'agent',
    status: 'ready',
    away_reason: null,
    wrap_up_until: null,
    capacity: { chat: 3, call: 1 },
    load: { chat: 0, call: 0 },
    groups: [],
    enabled: true,
    ...over,
  };
}
