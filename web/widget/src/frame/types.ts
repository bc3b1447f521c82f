// The parts of the Kefu API (docs/api.md, v1) the visitor widget uses, as the widget names them.
// Every DTO is an alias of a type generated from the server's OpenAPI document (@kefu/api): never
// hand-write a field here, so a field the server renames breaks `tsc --noEmit`. `import type`
// only: nothing of @kefu/api reaches the bundle.

import type * as Api from '@kefu/api';

export type ConversationStatus = Api.ConversationStatus;
export type Sender = Api.Sender;
export type Visitor = Api.VisitorView;
export type VisitorSession = Api.VisitorSession;

/** Place in line: `conversation.queue` and the `queue.position` event's data. */
export type QueueInfo = Api.QueueView;

/** web = desktop browser, h5 = phone/tablet browser, app = native app SDK, api = an integrator. */
export type Channel = Api.Channel;

export type Conversation = Api.ConversationView;
export type ConversationList = Api.ConversationList;
export type Attachment = Api.AttachmentView;

/** System event codes carried in the body of `kind: "event"` messages. */
export type EventCode = 'assigned' | 'transferred' | 'closed' | 'abandoned' | 'requeued' | 'blocked';

/** Details of a system event. The transfer note is internal: the server never sends it here. */
export type EventData = Api.EventData;
export type Message = Api.MessageView;
export type MessagePage = Api.MessagePage;

/** Text per locale (`zh-CN`, `en`); a locale may be missing. */
export type Localized = Api.WidgetConfig['welcome'];
export type PreChatField = Api.FormField;
export type BusinessTypeOption = Api.BusinessTypeOption;
export type WidgetConfig = Api.WidgetConfig;

export type CreateVisitor = Api.CreateVisitor;

/** A server WebSocket frame; `data` is typed by `type`. */
export type WsEvent = Api.WsEvent;
export type CreateConversation = Api.CreateConversation;

/** Audio and video, or audio only. */
export type CallMedia = Api.CallMedia;
/** A call of a conversation; also the data of the `call.updated` event. */
export type CallView = Api.CallView;
export type IceServers = Api.IceServers;
