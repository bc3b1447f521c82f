// HTTP calls of the visitor widget. Same origin as the frame; the visitor token is a Bearer token.
// Failures become ApiError carrying the server's `error.code` and `error.params`, so views can
// translate them.

import type * as Wire from '@kefu/api';
import type {
  CallMedia,
  CallView,
  Conversation,
  ConversationList,
  CreateConversation,
  CreateVisitor,
  Message,
  MessagePage,
  Visitor,
  IceServers,
  VisitorSession,
  WidgetConfig,
} from './types';

export type ErrorParams = Wire.ErrorParams;

export class ApiError extends Error {
  readonly status: number;
  /** `error.code` from the server, or `network` when the request did not get an answer. */
  readonly code: string;
  /** `error.params`: the figures the visitor's text needs (`max`, `retry_after`, `kind`, ...). */
  readonly params: ErrorParams;
  constructor(status: number, code: string, message: string, params: ErrorParams = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.params = params;
  }
}

const BASE = '/api/v1';

export class Api {
  token: string | null = null;

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await fetch(BASE + path, { method, headers, body: payload });
    } catch (e) {
      throw new ApiError(0, 'network', String(e));
    }
    if (res.status === 204) return undefined as T;
    const data: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const err = (data as { error?: { code?: unknown; message?: unknown; params?: unknown; retry_after?: unknown } } | null)?.error;
      const params = (typeof err?.params === 'object' && err.params !== null ? err.params : {}) as ErrorParams;
      if (params.retry_after == null && typeof err?.retry_after === 'number') params.retry_after = err.retry_after;
      throw new ApiError(
        res.status,
        typeof err?.code === 'string' ? err.code : `http_${res.status}`,
        typeof err?.message === 'string' ? err.message : res.statusText,
        params,
      );
    }
    return data as T;
  }

  /** The settings of one widget (`data-widget`); 404 when no widget has that name. */
  widgetConfig(widget: string) {
    return this.#request<WidgetConfig>('GET', `/widget/config?widget=${encodeURIComponent(widget)}`);
  }
  createVisitor(body: CreateVisitor) {
    return this.#request<VisitorSession>('POST', '/visitors', body);
  }
  me() {
    return this.#request<Visitor>('GET', '/visitors/me');
  }
  /** Ends this visitor token on the server: it stops working and its sockets close. */
  logout() {
    return this.#request<void>('POST', '/visitors/me/logout');
  }
  conversations() {
    return this.#request<ConversationList>('GET', '/conversations');
  }
  conversation(id: number) {
    return this.#request<Conversation>('GET', `/conversations/${id}`);
  }
  createConversation(body: CreateConversation) {
    return this.#request<Conversation>('POST', '/conversations', body);
  }
  messages(id: number, afterSeq = 0) {
    return this.#request<MessagePage>('GET', `/conversations/${id}/messages?after_seq=${afterSeq}`);
  }
  sendMessage(id: number, body: string, clientId: string) {
    return this.#request<Message>('POST', `/conversations/${id}/messages`, { body, client_id: clientId } satisfies Wire.PostMessage);
  }
  /** `snapshot`: the request id of the agent's `call.snapshot_requested` this still answers. */
  upload(id: number, file: File, snapshot?: string) {
    const form = new FormData();
    form.append('file', file, file.name);
    const query = snapshot ? `?client_id=snap-${encodeURIComponent(snapshot)}&snapshot=${encodeURIComponent(snapshot)}` : '';
    return this.#request<Message>('POST', `/conversations/${id}/attachments${query}`, form);
  }
  read(id: number, seq: number) {
    return this.#request<void>('POST', `/conversations/${id}/read`, { seq } satisfies Wire.ReadBody);
  }
  typing(id: number, typing: boolean) {
    return this.#request<void>('POST', `/conversations/${id}/typing`, { typing } satisfies Wire.TypingBody);
  }
  csat(id: number, score: number, comment: string) {
    return this.#request<Conversation>(
      'POST',
      `/conversations/${id}/csat`,
      (comment ? { score, comment } : { score }) satisfies Wire.CsatBody,
    );
  }
  leaveQueue(id: number) {
    return this.#request<Conversation>('POST', `/conversations/${id}/leave`);
  }

  // Calls (the visitor starts one from a chat, or accepts/declines the agent's, either side hangs up).
  startCall(conversationId: number, media: CallMedia) {
    return this.#request<CallView>('POST', `/conversations/${conversationId}/calls`, { media });
  }
  acceptCall(id: number) {
    return this.#request<CallView>('POST', `/calls/${id}/accept`);
  }
  declineCall(id: number) {
    return this.#request<CallView>('POST', `/calls/${id}/decline`);
  }
  hangupCall(id: number) {
    return this.#request<CallView>('POST', `/calls/${id}/hangup`);
  }
  iceServers(id: number) {
    return this.#request<IceServers>('GET', `/calls/${id}/ice-servers`);
  }

  /**
   * An attachment's bytes, fetched with the Bearer token: the signed link in `url` works without
   * it but only for about 10 minutes, and a chat stays open far longer.
   */
  async attachment(url: string): Promise<Blob> {
    if (!url.startsWith('/api/v1/attachments/')) throw new ApiError(0, 'bad_request', `unexpected attachment url ${url}`);
    let res: Response;
    try {
      res = await fetch(url, { headers: this.token ? { Authorization: `Bearer ${this.token}` } : {} });
    } catch (e) {
      throw new ApiError(0, 'network', String(e));
    }
    if (!res.ok) throw new ApiError(res.status, `http_${res.status}`, res.statusText);
    return res.blob();
  }
}
