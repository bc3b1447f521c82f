// Conversations and their messages, as seen by staff.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { Conversation, ConversationStatus, Id, Message, MessagesPage } from './types';

export type TransferTarget = Api.TransferBody;

export const conversationsApi = {
  /** Every conversation in `status` (the server pages 200 at a time, newest first). */
  list: async (status: ConversationStatus, mine = true) => {
    const out: Conversation[] = [];
    let after: number | undefined;
    // A safety stop: 25 pages are 5000 conversations, more than any live floor holds.
    for (let page = 0; page < 25; page++) {
      const r = await http.get<Api.ConversationList>('/conversations', { status, mine: mine ? 'true' : undefined, after });
      out.push(...r.conversations);
      if (r.next_after == null) break;
      after = r.next_after;
    }
    return out;
  },
  get: (id: Id) => http.get<Conversation>(`/conversations/${id}`),
  messages: (id: Id, afterSeq = 0) =>
    http.get<MessagesPage>(`/conversations/${id}/messages`, { after_seq: afterSeq }),
  send: (id: Id, body: string, clientId: string) =>
    http.post<Message>(`/conversations/${id}/messages`, { body, client_id: clientId } satisfies Api.PostMessage),
  /** `clientId` makes a retried upload safe: the server answers the first copy again. */
  upload: (id: Id, file: File, clientId?: string) => {
    const form = new FormData();
    form.append('file', file, file.name);
    const query = clientId ? `?client_id=${encodeURIComponent(clientId)}` : '';
    return http.upload<Message>(`/conversations/${id}/attachments${query}`, form);
  },
  read: (id: Id, seq: number) => http.post<void>(`/conversations/${id}/read`, { seq } satisfies Api.ReadBody),
  typing: (id: Id, typing: boolean) =>
    http.post<void>(`/conversations/${id}/typing`, { typing } satisfies Api.TypingBody),
  accept: (id: Id) => http.post<Conversation>(`/conversations/${id}/accept`),
  /** 接管 (supervisor): serve it from now on, taken from whoever held it. */
  takeOver: (id: Id) => http.post<Conversation>(`/conversations/${id}/take-over`),
  decline: (id: Id) => http.post<void>(`/conversations/${id}/decline`),
  /** Who and which groups could take the conversation now, with the router's reason when not. */
  transferCandidates: (id: Id) => http.get<Api.TransferCandidates>(`/conversations/${id}/transfer-candidates`),
  transfer: (id: Id, target: TransferTarget) => http.post<Conversation>(`/conversations/${id}/transfer`, target),
  close: (id: Id, wrapUpCode: string, note?: string) =>
    http.post<Conversation>(
      `/conversations/${id}/close`,
      (note ? { wrap_up_code: wrapUpCode, note } : { wrap_up_code: wrapUpCode }) satisfies Api.CloseBody,
    ),
  /** Supervisor: block an abusive visitor (closes their conversation, ends their sessions). */
  blockVisitor: (visitorId: Id, reason: string) =>
    http.post<Api.VisitorView>(`/visitors/${visitorId}/block`, { reason } satisfies Api.BlockBody),
  /** A page of the customer's conversations, newest first; `after` = the previous page's `next_after`. */
  ofVisitor: (visitorId: Id, after?: number) =>
    http.get<Api.ConversationList>(`/visitors/${visitorId}/conversations`, { after }),
};
