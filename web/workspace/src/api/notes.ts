// Internal notes (内部备注) of a conversation, @mentions, whispers, and the caller's notifications.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { Conversation, Id, Note, NotificationsPage } from './types';

export const notesApi = {
  list: (conversationId: Id) => http.get<Api.NoteList>(`/conversations/${conversationId}/notes`).then((r) => r.notes),
  create: (conversationId: Id, body: string, mentions: Id[], whisper = false) =>
    http.post<Note>(`/conversations/${conversationId}/notes`, { body, mentions, whisper } satisfies Api.NoteBody),
  /** The author's edit of an internal note; only newly mentioned colleagues are notified. */
  edit: (conversationId: Id, noteId: Id, body: string, mentions: Id[]) =>
    http.patch<Note>(`/conversations/${conversationId}/notes/${noteId}`, { body, mentions } satisfies Api.NoteEdit),
  notifications: (before?: Id) => http.get<NotificationsPage>('/notifications', { before, limit: 30 }),
  read: (id: Id) => http.post<void>(`/notifications/${id}/read`),
  readAll: () => http.post<void>('/notifications/read-all'),
  /** My closed conversations (the ones I served last), newest first. */
  closed: (before?: string) =>
    http.get<Api.ClosedConversationPage>('/agents/me/closed-conversations', { before, limit: 20 }),
  conversation: (id: Id) => http.get<Conversation>(`/conversations/${id}`),
};
