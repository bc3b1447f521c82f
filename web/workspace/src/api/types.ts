// The server's JSON shapes, as the workspace names them. Every DTO is an alias of a type generated
// from the server's OpenAPI document (@kefu/api, docs/openapi.json): never hand-write a field here,
// so a field the server renames breaks `vue-tsc --noEmit` wherever it is used. Only UI-side helpers
// (lists of the allowed values for pickers, input shapes derived from the DTOs) are written here.

import type * as Api from '@kefu/api';

export type Id = number;
/** RFC 3339, UTC. */
export type Time = string;

export type Role = Api.Role;
export type User = Api.UserView;

export type AgentStatus = Api.AgentStatus;
/** What an agent may ask for; busy and wrap_up are set by the server. */
export type SettableStatus = Api.SettableStatus;
export type ChannelCounts = Api.Slots;
export type GroupMembership = Api.Membership;
export type Agent = Api.AgentView;

export type Visitor = Api.VisitorView;

export type Strategy = Api.Strategy;
export const STRATEGIES = [
  'returning_customer',
  'load_balance',
  'round_robin',
  'random',
  'designated',
  'skill_level',
] as const satisfies readonly Strategy[];

export type BusinessDay = Api.DayHoursView;
export type BusinessHours = Api.BusinessHoursView;
export type GroupMember = Api.GroupMember;

/** Which earlier agent a returning customer waits for: the last one, or the one who served most. */
export type ReturningBy = Api.ReturningBy;
export const RETURNING_BY = ['last', 'most'] as const satisfies readonly ReturningBy[];

export type Group = Api.GroupView;
/** What the group form edits: every setting of a group (sent as the server's GroupBody). */
export type GroupInput = Omit<Group, 'id' | 'members'>;

export type BusinessType = Api.BusinessTypeView;
export type WrapUpCode = Api.WrapUpCodeView;

export type ConversationStatus = Api.ConversationStatus;
export type Csat = Api.CsatView;
export type QueueInfo = Api.QueueView;

/** web = desktop browser, h5 = mobile browser, app = native app, api = started by an integrator. */
export type Channel = Api.Channel;
export const CHANNELS = ['web', 'h5', 'app', 'api'] as const satisfies readonly Channel[];

export type Conversation = Api.ConversationView;

/** Audio and video, or audio only. */
export type CallMedia = Api.CallMedia;
/** A call of a conversation; also the data of the `call.updated` event. */
export type CallView = Api.CallView;
export type IceServer = Api.IceServer;

export type Sender = Api.Sender;
export type MessageKind = Api.MessageKind;
export type Attachment = Api.AttachmentView;

/** Codes of system events (`kind: "event"`, code in `body`). */
export type EventCode = 'assigned' | 'transferred' | 'closed' | 'abandoned';

/** `data` of a system event; the transfer note is for staff only. */
export type EventData = Api.EventData;
export type Message = Api.MessageView;
export type MessagesPage = Api.MessagePage;

export type LiveGroupStats = Api.GroupLive;
export type TodayStats = Api.TodayStats;
export type LiveStats = Api.LiveStats;

export type ApiKeyScope = Api.ApiKeyScope;
export const API_KEY_SCOPES = [
  'conversations:read',
  'conversations:write',
  'stats:read',
  'agents:read',
  'admin',
] as const satisfies readonly ApiKeyScope[];
export type ApiKey = Api.ApiKeyView;

/** The events a webhook can subscribe to one by one (the server also accepts `*` = all). */
export type WebhookEvent = Exclude<Api.WebhookEvent, '*'>;
export const WEBHOOK_EVENTS = [
  'conversation.created',
  'conversation.queued',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.closed',
  'message.created',
  'call.started',
  'call.ended',
] as const satisfies readonly WebhookEvent[];
export type Webhook = Api.WebhookView;
export type WebhookDelivery = Api.DeliveryView;

/** A visitor widget's settings (one per website or app): pre-chat form, welcome text, business types. */
export type WidgetSettings = Api.WidgetSettings;
export type WidgetField = Api.FormField;
/** text = one-line input, textarea = multi-line, select = the business type picker. */
export type FieldKind = Api.FieldKind;
export const FIELD_KINDS = ['text', 'textarea', 'select'] as const satisfies readonly FieldKind[];

/** Body of every 4xx/5xx answer. */
export type ErrorBody = Api.ErrorBody;
export type ErrorCode = Api.ErrorCode;
export type ErrorParams = Api.ErrorParams;

// --- WebSocket event payloads (Api.WsEvent) ---

export type MessageReadData = Api.MessageRead;
export type TypingData = Api.Typing;
export type OfferCreatedData = Api.OfferCreated;
export type OfferRevokedData = Api.OfferRevoked;

/** True when the list names every value of `T`. */
type Covers<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? true : false;
type Expect<T extends true> = T;
/** Compile-time check that the picker lists above name every value the server accepts. */
export type PickerListsAreComplete = [
  Expect<Covers<Strategy, typeof STRATEGIES>>,
  Expect<Covers<ReturningBy, typeof RETURNING_BY>>,
  Expect<Covers<Channel, typeof CHANNELS>>,
  Expect<Covers<ApiKeyScope, typeof API_KEY_SCOPES>>,
  Expect<Covers<WebhookEvent, typeof WEBHOOK_EVENTS>>,
  Expect<Covers<FieldKind, typeof FIELD_KINDS>>,
];

/** A canned response (快捷回复), personal or the team's. */
export type CannedResponse = Api.CannedResponseView;
/** What the library editor writes. */
export interface CannedInput {
  category: string;
  shortcut: string;
  title: string;
  body: string;
}

/** A staff-only line of a conversation: an internal note (内部备注), a whisper, a tag line. */
export type Note = Api.NoteView;
export type NoteKind = Api.NoteKind;
/** "You were @mentioned" / "a supervisor whispered to you". */
export type Notification = Api.NotificationView;
export type NotificationsPage = Api.NotificationList;
/** A tag (标签) of the admin-managed list. */
export type Tag = Api.TagView;
export interface TagInput {
  name: string;
  color: string;
  disabled: boolean;
}
export type AuditEntry = Api.AuditEntryView;
export type AuditEntity = Api.AuditEntity;
export type WidgetBranding = Api.WidgetBranding;

// Floor alerts and the wallboard.
export type FloorView = Api.FloorView;
export type FloorGroup = Api.FloorGroup;
export type AlertView = Api.AlertView;
/** A customer who turned strongly negative (`sentiment.raised` / `sentiment.cleared`). */
export type SentimentAlert = Api.SentimentAlertView;
export type AlertMetric = Api.AlertMetricView;
export type AlertLevel = Api.AlertLevelView;
export type Thresholds = Api.ThresholdsView;
export type ThresholdsList = Api.ThresholdsList;
export type ThresholdsBody = Api.ThresholdsBody;
