// One live conversation: applies its ordered events, sends messages (optimistically), files,
// typing and read receipts, and drives ChatView. The socket and the Sequencer live in App; this
// class receives events already in order.

import type { SequencedEvent, ServerEvent } from '@kefu/realtime';
import type { Translate } from '../i18n';
import type { Locale } from '../i18n/locale';
import type { Api } from './api';
import type { AttachmentCache } from './attachments';
import { CallController } from './calls';
import { errorText } from './errors';
import { MessageStore, newClientId } from './message-store';
import { store as storage } from './session';
import type { Conversation, WsEvent } from './types';
import { ChatView } from './views/chat-view';
import { MAX_UPLOAD_BYTES } from './views/composer';

export interface ChatDeps {
  api: Api;
  t: Translate;
  locale: Locale;
  attachments: AttachmentCache;
  /** Whether the visitor can see the chat now (panel open and tab visible). */
  isVisible: () => boolean;
  onUnread: (count: number) => void;
  onNewConversation: () => void;
  notify: (text: string) => void;
  /** Sends a frame on the socket (call signalling); false when it is down. */
  send: (frame: unknown) => boolean;
  /** The skill group's welcome message in the visitor's language, if it has one. */
  welcome?: string;
  /** The server's message length limit (GET /widget/config); the composer counts against it. */
  maxChars?: number;
}

/** How often "typing: true" is repeated while the visitor keeps typing, and when it lapses. */
const TYPING_REPEAT_MS = 3_000;
const TYPING_IDLE_MS = 4_000;
/** An agent "typing" without a follow-up is hidden after this long (the stop may be lost). */
const AGENT_TYPING_TTL_MS = 6_000;
const OFFLINE_GRACE_MS = 3_000;

export class ChatSession {
  conversation: Conversation;
  readonly view: ChatView;
  /** The call strip: start / incoming / ringing / the call screen. */
  readonly calls: CallController;
  readonly #deps: ChatDeps;
  readonly #messages = new MessageStore();
  /** Highest seq the agent has read (message.read from the agent); remembered per device. */
  #agentRead: number;
  /** Highest seq we reported as read. */
  #readSent = 0;
  /** Shown as connected until the socket has been down for OFFLINE_GRACE_MS. */
  #connected = true;
  #offlineTimer: ReturnType<typeof setTimeout> | undefined;
  #agentTyping = false;
  #agentTypingTimer: ReturnType<typeof setTimeout> | undefined;
  #typingSentAt = 0;
  #typingIdleTimer: ReturnType<typeof setTimeout> | undefined;
  #lastUnread = -1;
  /** The socket was down since the last time it was open (what has no seq must be read again). */
  #wasDown = false;
  #disposed = false;

  constructor(conversation: Conversation, deps: ChatDeps) {
    this.conversation = conversation;
    this.#deps = deps;
    this.#agentRead = Number(storage.get(this.#readKey)) || 0;
    this.calls = new CallController(conversation, { api: deps.api, t: deps.t, locale: deps.locale, send: deps.send, notify: deps.notify });
    this.view = new ChatView({
      t: deps.t,
      locale: deps.locale,
      attachments: deps.attachments,
      onSend: (body) => void this.send(body),
      onRetry: (cid) => void this.#post(cid),
      onFile: (file) => void this.upload(file),
      onInput: () => this.#typing(),
      onLeaveQueue: () => void this.#leaveQueue(),
      onCsat: (score, comment) => this.#csat(score, comment),
      onNewConversation: deps.onNewConversation,
      callStrip: this.calls.el,
      welcome: deps.welcome,
      maxChars: deps.maxChars,
    });
  }

  get id(): number {
    return this.conversation.id;
  }

  /** Loads the messages over REST; returns the seq the snapshot covers (the socket resumes after it). */
  async load(): Promise<number> {
    const [page, conv] = await Promise.all([this.#deps.api.messages(this.id), this.#deps.api.conversation(this.id)]);
    for (const m of page.messages) this.#messages.upsert(m);
    this.#setConversation(conv);
    this.#render(true);
    this.markRead();
    return page.last_seq;
  }

  apply(ev: SequencedEvent): void {
    const e = ev as WsEvent; // the socket's JSON, as the server documents it: `data` typed by `type`
    switch (e.type) {
      case 'call.updated':
        this.calls.apply(e.data);
        break;
      case 'message.created': {
        const m = e.data;
        this.#messages.upsert(m);
        if (m.sender === 'agent') this.#setAgentTyping(false);
        this.#render(m.sender === 'visitor');
        this.markRead();
        break;
      }
      case 'conversation.updated':
        this.#setConversation(e.data);
        this.#render();
        break;
      case 'message.read': {
        const d = e.data;
        if (d.reader === 'agent' && d.seq > this.#agentRead) {
          this.#agentRead = d.seq;
          storage.set(this.#readKey, String(d.seq));
          this.#render();
        }
        break;
      }
    }
  }

  /** Events without seq that concern this conversation. */
  ephemeral(ev: ServerEvent): void {
    if (ev.type.startsWith('call.')) {
      this.calls.signal(ev);
      return;
    }
    const e = ev as WsEvent;
    // Frames may have been lost between the server's nodes (the socket resumes the messages):
    // the place in line has no seq, so it is read again.
    if (e.type === 'resync') void this.#reload();
    else if (e.type === 'typing' && e.data?.who === 'agent') this.#setAgentTyping(Boolean(e.data.typing));
    else if (e.type === 'queue.position' && this.conversation.status === 'queued') {
      const q = e.data;
      this.conversation = { ...this.conversation, queue: { position: q.position, estimated_wait_secs: q.estimated_wait_secs } };
      this.#render();
    }
  }

  /**
   * The socket's state. "Reconnecting" is shown only after a grace period, so that the first
   * connect and a quick reconnect do not flash a warning.
   */
  setConnected(connected: boolean): void {
    clearTimeout(this.#offlineTimer);
    if (connected) {
      this.#connected = true;
      this.#render();
      // `queue.position` frames sent while the socket was down are not replayed; the call's
      // media left the room with the old socket and joins again.
      if (this.#wasDown) {
        void this.#reload();
        this.calls.socketReopened();
      }
      this.#wasDown = false;
      return;
    }
    this.#wasDown = true;
    this.#setAgentTyping(false);
    this.#offlineTimer = setTimeout(() => {
      this.#connected = false;
      this.#render();
    }, OFFLINE_GRACE_MS);
  }

  /** Sends a read receipt when the visitor can see new agent messages. */
  markRead(): void {
    const last = this.#messages.lastAgentSeq();
    if (this.#deps.isVisible() && last > this.#readSent) {
      this.#readSent = last;
      this.#deps.api.read(this.id, last).catch(() => {
        // Not worth bothering the visitor; the next message or visibility change retries.
        if (this.#readSent === last) this.#readSent = 0;
      });
    }
    const unread = this.#messages.agentMessagesAfter(this.#readSent);
    if (unread !== this.#lastUnread) {
      this.#lastUnread = unread;
      this.#deps.onUnread(unread);
    }
  }

  async send(body: string): Promise<void> {
    const cid = newClientId();
    this.#messages.addPending(cid, body, new Date().toISOString());
    this.#render(true);
    this.#stopTyping();
    await this.#post(cid);
  }

  async upload(file: File): Promise<void> {
    const { t, notify, api } = this.#deps;
    if (file.size > MAX_UPLOAD_BYTES) {
      notify(t('errorFileTooLarge', { max_mib: Math.floor(MAX_UPLOAD_BYTES / 1024 / 1024) }));
      return;
    }
    this.view.composer.setStatus(t('uploading', { name: file.name }));
    try {
      this.#messages.upsert(await api.upload(this.id, file));
      this.#render(true);
    } catch (e) {
      notify(errorText(t, e));
    } finally {
      this.view.composer.setStatus(null);
    }
  }

  /** Takes a fresh copy of the conversation; the server's read mark covers other devices too. */
  #setConversation(conv: Conversation): void {
    this.conversation = conv;
    this.calls.setConversation(conv);
    const read = conv.agent_read_seq;
    if (typeof read === 'number' && read > this.#agentRead) {
      this.#agentRead = read;
      storage.set(this.#readKey, String(read));
    }
  }

  /**
   * The conversation read again over REST: its state and place in line. A copy older than what
   * the socket already applied (an event overtook the answer) is not taken.
   */
  async #reload(): Promise<void> {
    let conv: Conversation;
    try {
      conv = await this.#deps.api.conversation(this.id);
    } catch {
      return; // The next frame, resync or reconnect tries again; nothing to tell the visitor.
    }
    if (this.#disposed || conv.last_seq < this.conversation.last_seq) return;
    this.#setConversation(conv);
    this.#render();
  }

  dispose(): void {
    this.#disposed = true;
    this.calls.dispose();
    clearTimeout(this.#offlineTimer);
    clearTimeout(this.#agentTypingTimer);
    clearTimeout(this.#typingIdleTimer);
  }

  get #readKey(): string {
    return `kefu.agentRead.${this.conversation.id}`;
  }

  async #post(cid: string): Promise<void> {
    const body = this.#messages.pendingBody(cid);
    if (body === null) return;
    this.#messages.setPendingState(cid, 'sending');
    this.#render();
    try {
      // Re-sending keeps the client_id, so the server copy still replaces the optimistic one.
      this.#messages.upsert(await this.#deps.api.sendMessage(this.id, body, cid));
    } catch (e) {
      this.#messages.setPendingState(cid, 'failed');
      this.#deps.notify(errorText(this.#deps.t, e));
    }
    this.#render();
  }

  #typing(): void {
    if (this.conversation.status === 'closed') return;
    const now = Date.now();
    if (now - this.#typingSentAt > TYPING_REPEAT_MS) {
      this.#typingSentAt = now;
      this.#deps.api.typing(this.id, true).catch(() => {});
    }
    clearTimeout(this.#typingIdleTimer);
    this.#typingIdleTimer = setTimeout(() => this.#stopTyping(), TYPING_IDLE_MS);
  }

  #stopTyping(): void {
    clearTimeout(this.#typingIdleTimer);
    if (!this.#typingSentAt) return;
    this.#typingSentAt = 0;
    this.#deps.api.typing(this.id, false).catch(() => {});
  }

  #setAgentTyping(on: boolean): void {
    clearTimeout(this.#agentTypingTimer);
    if (on) this.#agentTypingTimer = setTimeout(() => this.#setAgentTyping(false), AGENT_TYPING_TTL_MS);
    if (on === this.#agentTyping) return;
    this.#agentTyping = on;
    this.#render();
  }

  async #leaveQueue(): Promise<void> {
    try {
      this.#setConversation(await this.#deps.api.leaveQueue(this.id));
      this.#render();
    } catch (e) {
      this.#deps.notify(errorText(this.#deps.t, e));
    }
  }

  async #csat(score: number, comment: string): Promise<void> {
    try {
      this.#setConversation(await this.#deps.api.csat(this.id, score, comment));
    } catch (e) {
      throw new Error(errorText(this.#deps.t, e));
    }
    this.#render();
  }

  /**
   * The serving agent's name: `agent_name` of the conversation; for an older server, the name on
   * the agent's latest message (matched on sender_id, so a transfer does not keep the previous one).
   */
  #agentName(): string | null {
    return this.conversation.agent_name || this.#messages.agentName(this.conversation.agent_id);
  }

  #render(scrollToEnd = false): void {
    this.view.update(
      {
        conversation: this.conversation,
        items: this.#messages.items(),
        agentReadSeq: this.#agentRead,
        agentName: this.conversation.status === 'assigned' ? this.#agentName() : null,
        agentTyping: this.#agentTyping,
        connected: this.#connected,
      },
      scrollToEnd,
    );
  }
}
