// The server's JSON shapes, hand-mirrored from docs/api.md and checked field by field against the
// schemas of the running server's /api/v1/openapi.json (AgentView, ConversationView, MessageView,
// GroupView, QueueView ...).
// TO BE REPLACED by types generated from /api/v1/openapi.json (openapi-typescript) once the
// server commits its OpenAPI document; keep field names exactly as the server spells them.

export type Id = number;
/** RFC 3339, UTC. */
export type Time = string;

export type Role = 'agent' | 'supervisor' | 'admin';

export interface User {
  id: Id;
  email: string;
  name: string;
  role: Role;
}

export type AgentStatus = 'offline' | 'ready' | 'away' | 'busy' | 'wrap_up';
/** What an agent may ask for; busy and wrap_up are set by the server. */
export type SettableStatus = 'ready' | 'away' | 'offline';

export interface ChannelCounts {
  chat: number;
  call: number;
}

export interface GroupMembership {
  group_id: Id;
  skill_level: number;
}

export interface Agent {
  id: Id;
  email: string;
  name: string;
  role: Role;
  status: AgentStatus;
  away_reason: string | null;
  wrap_up_until: Time | null;
  capacity: ChannelCounts;
  load: ChannelCounts;
  groups: GroupMembership[];
  enabled: boolean;
}

export interface Visitor {
  id: Id;
  name: string;
  external_id: string | null;
  /** 0 = normal, 1..9 VIP level. */
  vip_level: number;
  attributes: Record<string, unknown>;
  designated_agent_id: Id | null;
}

export type Strategy =
  | 'returning_customer'
  | 'load_balance'
  | 'round_robin'
  | 'random'
  | 'designated'
  | 'skill_level';

export const STRATEGIES: readonly Strategy[] = [
  'returning_customer',
  'load_balance',
  'round_robin',
  'random',
  'designated',
  'skill_level',
];

export interface BusinessDay {
  /** 1 = Monday .. 7 = Sunday. */
  weekday: number;
  /** "HH:MM" local to utc_offset_minutes. */
  open: string;
  close: string;
}

export interface BusinessHours {
  utc_offset_minutes: number;
  days: BusinessDay[];
}

export interface GroupMember {
  agent_id: Id;
  skill_level: number;
}

/** Which earlier agent a returning customer waits for: the last one, or the one who served most. */
export type ReturningBy = 'last' | 'most';
export const RETURNING_BY: readonly ReturningBy[] = ['last', 'most'];

export interface Group {
  id: Id;
  name: string;
  strategy: Strategy;
  fallback_strategy: Strategy;
  returning_by: ReturningBy;
  returning_window_secs: number;
  offer_timeout_secs: number;
  max_missed_offers: number;
  overflow_after_secs: number | null;
  overflow_group_id: Id | null;
  wrap_up_secs: number;
  /** null = always open. */
  business_hours: BusinessHours | null;
  /** e.g. "https://crm.example/customer?id={external_id}". */
  crm_url_template: string | null;
  members: GroupMember[];
}

export type GroupInput = Omit<Group, 'id' | 'members'>;

export interface BusinessType {
  id: Id;
  name: string;
  group_id: Id;
  min_skill_level: number;
}

export interface WrapUpCode {
  id: Id;
  code: string;
  label: string;
}

export type ConversationStatus = 'queued' | 'offered' | 'assigned' | 'closed';

export interface Csat {
  score: number;
  comment: string | null;
}

export interface QueueInfo {
  /** 1 = next. */
  position: number;
  /** null while the server has no estimate. */
  estimated_wait_secs: number | null;
}

/** web = desktop browser, h5 = mobile browser, app = native app, api = started by an integrator. */
export type Channel = 'web' | 'h5' | 'app' | 'api';
export const CHANNELS: readonly Channel[] = ['web', 'h5', 'app', 'api'];

export interface Conversation {
  id: Id;
  status: ConversationStatus;
  channel: Channel;
  group_id: Id;
  agent_id: Id | null;
  /** The assigned agent's display name. */
  agent_name: string | null;
  /** The agent a pending offer is for, and when it lapses; null unless offered. */
  offered_agent_id: Id | null;
  offer_expires_at: Time | null;
  visitor: Visitor;
  topic: string | null;
  business_type_id: Id | null;
  priority: number;
  left_message: boolean;
  /** The visitor left the queue before being served. */
  abandoned: boolean;
  created_at: Time;
  queued_at: Time;
  assigned_at: Time | null;
  closed_at: Time | null;
  wrap_up_code: string | null;
  wrap_up_note: string | null;
  csat: Csat | null;
  last_seq: number;
  /** Unread messages for the asking agent. */
  unread: number;
  /** Highest seq the visitor has read / an agent has read. */
  visitor_read_seq: number;
  agent_read_seq: number;
  queue: QueueInfo | null;
  /** The newest message (filled in some lists; null otherwise). */
  last_message: Message | null;
}

export type Sender = 'visitor' | 'agent' | 'system';
export type MessageKind = 'text' | 'image' | 'file' | 'event';

export interface Attachment {
  id: Id;
  name: string;
  mime: string;
  size: number;
  /** Relative: /api/v1/attachments/{id}; needs the Bearer token. */
  url: string;
}

/** Codes of system events (`kind: "event"`, code in `body`). */
export type EventCode = 'assigned' | 'transferred' | 'closed' | 'abandoned';

/**
 * `data` of a system event. transferred: {to_group, to_group_name, note} or
 * {to_agent, to_agent_name, note}; the note is for staff only.
 */
export interface EventData {
  to_group?: Id;
  to_group_name?: string;
  to_agent?: Id;
  to_agent_name?: string;
  note?: string | null;
  [key: string]: unknown;
}

export interface Message {
  id: Id;
  conversation_id: Id;
  seq: number;
  sender: Sender;
  sender_id: Id | null;
  sender_name: string | null;
  kind: MessageKind;
  body: string;
  attachment: Attachment | null;
  client_id: string | null;
  /** Details of a system event (kind = event), else null. */
  data: EventData | null;
  created_at: Time;
}

export interface MessagesPage {
  messages: Message[];
  last_seq: number;
}

export interface LiveGroupStats {
  id: Id;
  name: string;
  waiting: number;
  longest_wait_secs: number;
  agents_ready: number;
  agents_logged_in: number;
}

export interface TodayStats {
  offered: number;
  answered: number;
  abandoned: number;
  /** 0..1 */
  service_level: number;
  service_level_target_secs: number;
  asa_secs: number;
  /** 0..1 */
  abandonment_rate: number;
  aht_secs: number;
  csat_average: number | null;
}

export interface LiveStats {
  groups: LiveGroupStats[];
  agents: Agent[];
  today: TodayStats;
}

export type ApiKeyScope = 'conversations:read' | 'conversations:write' | 'admin';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['conversations:read', 'conversations:write', 'admin'];

export interface ApiKey {
  id: Id;
  name: string;
  scopes: ApiKeyScope[];
  prefix: string;
  created_at: Time;
}

export type WebhookEvent =
  | 'conversation.created'
  | 'conversation.queued'
  | 'conversation.assigned'
  | 'conversation.transferred'
  | 'conversation.closed'
  | 'message.created';

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = [
  'conversation.created',
  'conversation.queued',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.closed',
  'message.created',
];

export interface Webhook {
  id: Id;
  url: string;
  events: WebhookEvent[];
  active: boolean;
  created_at: Time;
}

export interface WebhookDelivery {
  id: Id;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Time | null;
  created_at: Time;
}

/** Body of every 4xx/5xx answer. */
export interface ErrorBody {
  error: { code: string; message: string };
}

// --- WebSocket event payloads (docs/api.md "WebSocket") ---

export interface MessageReadData {
  reader: 'visitor' | 'agent';
  seq: number;
}

export interface TypingData {
  who: 'visitor' | 'agent';
  typing: boolean;
}

export interface OfferCreatedData {
  conversation: Conversation;
  expires_at: Time;
}

export interface OfferRevokedData {
  reason: string;
}
