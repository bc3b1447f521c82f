// The parts of the Kefu API (docs/api.md, v1) the visitor widget uses. Hand-written until the
// server's OpenAPI document is committed and @kefu/api generates them; field names checked against
// the server's /api/v1/openapi.json (ConversationView, MessageView, QueueView, CreateConversation).

export type ConversationStatus = 'queued' | 'offered' | 'assigned' | 'closed';
export type Sender = 'visitor' | 'agent' | 'system';

export interface Visitor {
  id: number;
  name: string;
  external_id: string | null;
  vip_level: number;
  attributes: Record<string, unknown>;
  designated_agent_id: number | null;
}

export interface QueueInfo {
  /** 1 = next to be served. */
  position: number;
  /** null while the server has no estimate (e.g. nobody of the group is serving yet). */
  estimated_wait_secs: number | null;
}

/** web = desktop browser, h5 = phone/tablet browser, app = native app SDK, api = an integrator. */
export type Channel = 'web' | 'h5' | 'app' | 'api';

export interface Conversation {
  id: number;
  status: ConversationStatus;
  channel: Channel;
  group_id: number;
  agent_id: number | null;
  /** The serving agent's display name (null until assigned). */
  agent_name: string | null;
  /** The agent a pending offer is for, and when it lapses (RFC 3339); null unless offered. */
  offered_agent_id: number | null;
  offer_expires_at: string | null;
  visitor: Visitor;
  topic: string | null;
  business_type_id: number | null;
  priority: number;
  left_message: boolean;
  /** The visitor gave up while queued. */
  abandoned: boolean;
  created_at: string;
  queued_at: string;
  assigned_at: string | null;
  closed_at: string | null;
  wrap_up_code: string | null;
  wrap_up_note: string | null;
  csat: { score: number; comment: string | null } | null;
  last_seq: number;
  unread: number;
  /** Highest seq the visitor / an agent has read. */
  visitor_read_seq: number;
  agent_read_seq: number;
  queue: QueueInfo | null;
  last_message: Message | null;
}

export interface Attachment {
  id: number;
  name: string;
  mime: string;
  size: number;
  /** Relative: /api/v1/attachments/{id}; needs the Bearer token. */
  url: string;
}

/** System event codes carried in the body of `kind: "event"` messages. */
export type EventCode = 'assigned' | 'transferred' | 'closed' | 'abandoned';

/**
 * Details of a system event. `transferred`: {to_group, to_group_name, note} or
 * {to_agent, to_agent_name, note}. The note is internal (for the next agent): never shown here.
 */
export interface EventData {
  to_group?: number;
  to_group_name?: string;
  to_agent?: number;
  to_agent_name?: string;
  note?: string | null;
  [key: string]: unknown;
}

export interface Message {
  id: number;
  conversation_id: number;
  seq: number;
  sender: Sender;
  sender_id: number | null;
  sender_name: string | null;
  kind: 'text' | 'image' | 'file' | 'event';
  body: string;
  attachment: Attachment | null;
  client_id: string | null;
  /** Details of a system event (kind = event), else null. */
  data: EventData | null;
  created_at: string;
}

export type Localized = { 'zh-CN': string; en: string };

export interface PreChatField {
  name: string;
  label: Localized;
  required: boolean;
  kind: 'text' | 'select';
}

export interface BusinessTypeOption {
  id: number;
  name: string;
  /** False outside business hours or with nobody of the group logged in: offer to leave a message. */
  open: boolean;
}

export interface WidgetConfig {
  pre_chat_form: { fields: PreChatField[] };
  business_types: BusinessTypeOption[];
  welcome: Localized;
}

export interface CreateConversation {
  /** Visitors send web or h5 (app is for native SDKs); the server defaults to web. */
  channel?: 'web' | 'h5' | 'app';
  business_type_id?: number;
  topic?: string;
  name?: string;
  message?: string;
  leave_message?: boolean;
}
