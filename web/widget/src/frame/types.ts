// The parts of the Kefu API (docs/api.md, v1) the visitor widget uses. Hand-written until the
// server's OpenAPI document is committed and @kefu/api generates them; keep the field names
// identical to docs/api.md so the switch is mechanical.

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
  estimated_wait_secs: number;
}

export interface Conversation {
  id: number;
  status: ConversationStatus;
  channel: 'web' | 'h5' | 'api';
  group_id: number;
  agent_id: number | null;
  visitor: Visitor;
  topic: string | null;
  business_type_id: number | null;
  priority: number;
  left_message: boolean;
  created_at: string;
  queued_at: string;
  assigned_at: string | null;
  closed_at: string | null;
  csat: { score: number; comment: string | null } | null;
  last_seq: number;
  queue: QueueInfo | null;
}

export interface Attachment {
  id: number;
  name: string;
  mime: string;
  size: number;
  /** Relative: /api/v1/attachments/{id}; needs the Bearer token. */
  url: string;
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
  business_type_id?: number;
  topic?: string;
  name?: string;
  message?: string;
  leave_message?: boolean;
}
