// The frame's top level: who the visitor is, which screen shows (loading, error, home with
// history and pre-chat form, leave-message, history, chat), the socket, and the host channel.

import { ConversationStreams, KefuSocket, type SequencedEvent, type ServerEvent } from '@kefu/realtime';
import type { Translate } from '../i18n';
import type { Locale } from '../i18n/locale';
import { Api } from './api';
import { AttachmentCache } from './attachments';
import { deviceChannel, type VisitorChannel } from './channel';
import { checkDevices } from './calls';
import { ChatSession } from './chat';
import { brandColor, darker, safeLogo } from '../shared/branding';
import { h } from './dom';
import type { HostChannel } from './embed';
import { errorText, isPermanentError, widgetConfigError } from './errors';
import { conversationRequest, type PreChatInput } from './prechat';
import { ensureVisitor, forgetVisitor, store as storage, visitorMatches } from './session';
import type { CallMedia, Conversation, CreateConversation, Visitor, WidgetConfig } from './types';
import { historyList, historyView } from './views/history';
import { leaveMessageForm } from './views/leave-message';
import { preChatForm } from './views/prechat-form';

/** How long an embedded frame waits for the loader's init before starting without identity. */
const INIT_TIMEOUT_MS = 3_000;
/** The name typed in the pre-chat form, offered again next time (anonymous visitors only). */
const NAME_KEY = 'kefu.prechat.name';

function rememberName(input: PreChatInput): void {
  const name = input.values.name?.trim();
  if (name) storage.set(NAME_KEY, name);
}

export class App {
  readonly #t: Translate;
  readonly #locale: Locale;
  readonly #channel: HostChannel;
  /** Which widget's pre-chat form, welcome text and business types (`data-widget`). */
  readonly #widget: string;
  readonly #api = new Api();
  readonly #attachments = new AttachmentCache(this.#api);
  /** web or h5, sent with every new conversation so agents know what the customer is using. */
  readonly #device: VisitorChannel = deviceChannel();
  readonly #main: HTMLElement;
  readonly #notice: HTMLElement;
  readonly #title: HTMLElement;
  readonly #logo: HTMLImageElement;
  #noticeTimer: ReturnType<typeof setTimeout> | undefined;

  #identity: string | null = null;
  #panelOpen = true;
  #visitor: Visitor | null = null;
  #config: WidgetConfig | null = null;
  #socket: KefuSocket | null = null;
  #streams: ConversationStreams | null = null;
  #chat: ChatSession | null = null;
  /** Bumped on every (re)boot so that answers to a previous visitor's requests are ignored. */
  #epoch = 0;

  constructor(root: HTMLElement, t: Translate, locale: Locale, channel: HostChannel, widget: string) {
    this.#t = t;
    this.#locale = locale;
    this.#channel = channel;
    this.#widget = widget;
    document.documentElement.lang = locale;
    document.title = t('title');
    root.classList.toggle('embedded', channel.embedded);
    this.#main = h('main', { class: 'main' });
    this.#notice = h('div', { class: 'notice', role: 'alert', 'data-testid': 'widget-notice', hidden: true });
    this.#title = h('h1', { class: 'header__title', 'data-testid': 'widget-title' }, t('title'));
    this.#logo = h('img', { class: 'header__logo', alt: '', hidden: true, 'data-testid': 'widget-logo' });
    root.replaceChildren(h('header', { class: 'header' }, this.#logo, this.#title), this.#notice, this.#main);
  }

  async start(): Promise<void> {
    this.#show(h('p', { class: 'loading', role: 'status' }, this.#t('loading')));
    this.#channel.onMessage((m) => {
      if (m.type === 'visibility') this.#setPanelOpen(m.open);
      else if (m.type === 'identity') void this.#setIdentity(m.identity_token);
    });
    const init = await this.#channel.init(INIT_TIMEOUT_MS);
    if (init) {
      this.#identity = init.identity_token;
      this.#panelOpen = init.open;
    }
    document.addEventListener('visibilitychange', () => this.#chat?.markRead());
    document.addEventListener('keydown', (e) => {
      // Escape during IME composition only cancels the candidate list.
      if (e.key === 'Escape' && !e.isComposing) this.#channel.post({ kefu: 1, type: 'close' });
    });
    await this.#boot();
  }

  async #boot(): Promise<void> {
    const epoch = ++this.#epoch;
    this.#teardown();
    this.#show(h('p', { class: 'loading', role: 'status' }, this.#t('loading')));
    try {
      const visitor = await ensureVisitor(this.#api, this.#identity, this.#locale, {
        widget: this.#widget,
        hostOrigin: this.#channel.hostOrigin,
      });
      const [config, list] = await Promise.all([
        this.#api.widgetConfig(this.#widget).catch((e: unknown) => Promise.reject(widgetConfigError(e, this.#widget))),
        this.#api.conversations(),
      ]);
      if (epoch !== this.#epoch) return;
      this.#visitor = visitor;
      this.#config = config;
      this.#brand(config.branding);
      const active = list.conversations.find((c) => c.status !== 'closed' && !c.left_message);
      if (active) await this.#openChat(active);
      else this.#home(list.conversations);
    } catch (e) {
      if (epoch === this.#epoch) this.#fatal(e);
    }
  }

  /** The admin's colour, title and logo (built-in ones where unset or unreadable). */
  #brand(b: WidgetConfig['branding']): void {
    const color = brandColor(b.color);
    const style = document.documentElement.style;
    if (color) {
      style.setProperty('--brand', color);
      style.setProperty('--brand-dark', darker(color));
    }
    const title = b.title[this.#locale]?.trim();
    this.#title.textContent = title || this.#t('title');
    document.title = this.#title.textContent;
    const logo = safeLogo(b.logo);
    this.#logo.hidden = !logo;
    if (logo) this.#logo.src = logo;
  }

  #home(conversations: Conversation[]): void {
    const config = this.#config;
    if (!config) return;
    const t = this.#t;
    const welcome = config.welcome[this.#locale];
    const history = historyList(t, this.#locale, conversations, (c) => void this.#showHistory(c, conversations));
    this.#show(
      h(
        'div',
        { class: 'home' },
        welcome ? h('p', { class: 'welcome' }, welcome) : null,
        history,
        preChatForm({
          t,
          locale: this.#locale,
          config,
          name: this.#visitor?.external_id ? this.#visitor.name : storage.get(NAME_KEY),
          onStart: (input) => this.#startChat(input),
          onStartVideo: (input, media) => this.#startVideo(input, media),
          onLeaveMessage: (input) => this.#leaveMessage(input, conversations),
        }),
      ),
    );
  }

  async #refreshHome(): Promise<void> {
    try {
      this.#home((await this.#api.conversations()).conversations);
    } catch (e) {
      this.#fatal(e);
    }
  }

  async #startChat(input: PreChatInput): Promise<void> {
    let conv: Conversation;
    try {
      conv = await this.#api.createConversation({ ...conversationRequest(input), channel: this.#device });
    } catch (e) {
      throw new Error(errorText(this.#t, e));
    }
    rememberName(input);
    await this.#openChat(conv);
  }

  /**
   * "Video service": the pre-call check first (a missing camera or a refused permission is said
   * before the visitor waits in line), then a conversation queued straight for a video call.
   */
  async #startVideo(input: PreChatInput, media: CallMedia = 'video'): Promise<void> {
    const stream = await checkDevices(this.#t, media);
    let conv: Conversation;
    try {
      const body: CreateConversation = { ...conversationRequest(input), channel: this.#device, media };
      conv = await this.#api.createConversation(body);
    } catch (e) {
      for (const track of stream.getTracks()) track.stop();
      throw new Error(errorText(this.#t, e));
    }
    rememberName(input);
    await this.#openChat(conv, stream);
  }

  #leaveMessage(input: PreChatInput, conversations: Conversation[]): void {
    this.#show(
      leaveMessageForm({
        t: this.#t,
        maxChars: this.#config?.max_message_chars,
        onSubmit: async (text) => {
          try {
            await this.#api.createConversation({ ...conversationRequest(input, text), channel: this.#device });
          } catch (e) {
            throw new Error(errorText(this.#t, e));
          }
          rememberName(input);
        },
        onBack: () => void this.#refreshHome().catch(() => this.#home(conversations)),
      }),
    );
  }

  async #showHistory(c: Conversation, conversations: Conversation[]): Promise<void> {
    try {
      const { messages } = await this.#api.messages(c.id);
      this.#show(
        historyView({ t: this.#t, locale: this.#locale, attachments: this.#attachments, conversation: c, messages, onBack: () => this.#home(conversations) }),
      );
    } catch (e) {
      this.#notify(errorText(this.#t, e));
    }
  }

  async #openChat(conv: Conversation, callStream?: MediaStream): Promise<void> {
    const chat = new ChatSession(conv, {
      api: this.#api,
      t: this.#t,
      locale: this.#locale,
      attachments: this.#attachments,
      isVisible: () => this.#visible(),
      onUnread: (count) => this.#channel.post({ kefu: 1, type: 'unread', count: this.#visible() ? 0 : count }),
      onNewConversation: () => {
        this.#closeChat();
        void this.#refreshHome();
      },
      notify: (text) => this.#notify(text),
      send: (frame) => this.#socket?.send(frame) ?? false,
      welcome: this.#config?.group_welcomes.find((g) => g.group_id === conv.group_id)?.welcome[this.#locale],
      maxChars: this.#config?.max_message_chars,
    });
    this.#closeChat();
    this.#chat = chat;
    if (callStream) chat.calls.adoptStream(callStream);
    this.#show(chat.view.el);
    const streams = this.#ensureSocket();
    chat.setConnected(this.#socket?.status === 'open');
    let lastSeq: number;
    try {
      lastSeq = await chat.load();
    } catch (e) {
      if (this.#chat === chat) this.#fatal(e);
      return;
    }
    if (this.#chat !== chat) return;
    streams.track(chat.id, lastSeq);
    // Anything that happened between the snapshot and now is replayed from lastSeq.
    this.#socket?.resume();
    this.#focusComposer();
  }

  #closeChat(): void {
    if (!this.#chat) return;
    this.#streams?.untrack(this.#chat.id);
    this.#chat.dispose();
    this.#chat = null;
  }

  #ensureSocket(): ConversationStreams {
    if (this.#streams && this.#socket) return this.#streams;
    const streams = new ConversationStreams({
      onApply: (ev: SequencedEvent) => {
        if (ev.conversation_id === this.#chat?.id) this.#chat.apply(ev);
      },
      onEphemeral: (ev: ServerEvent) => {
        const chat = this.#chat;
        if (chat && (ev.conversation_id === undefined || ev.conversation_id === chat.id)) chat.ephemeral(ev);
      },
      onResumeNeeded: () => this.#socket?.resume(),
    });
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new KefuSocket({
      url: `${proto}//${location.host}/api/v1/ws?token=${encodeURIComponent(this.#api.token ?? '')}`,
      cursors: streams.cursors,
      onEvent: (ev) => {
        // Only conversations we follow; a stray one would start at seq 0 and replay in full.
        if (typeof ev.seq === 'number' && ev.conversation_id !== undefined && !streams.has(ev.conversation_id)) return;
        streams.dispatch(ev);
      },
      onStatus: (s) => this.#chat?.setConnected(s === 'open'),
    });
    this.#streams = streams;
    this.#socket = socket;
    socket.connect();
    return streams;
  }

  #teardown(): void {
    this.#closeChat();
    this.#socket?.close();
    this.#streams?.dispose();
    this.#socket = null;
    this.#streams = null;
  }

  async #setIdentity(token: string | null): Promise<void> {
    this.#identity = token;
    const v = this.#visitor;
    if (v) {
      const signOut = token === null && v.external_id !== null;
      if (!signOut && visitorMatches(v, token)) return;
      // Signed out, or another customer signed in on the host site: the stored visitor is not theirs.
      forgetVisitor(this.#api);
      this.#visitor = null;
    }
    await this.#boot();
  }

  #setPanelOpen(open: boolean): void {
    this.#panelOpen = open;
    this.#chat?.markRead();
    if (open) this.#focusComposer();
  }

  /** Ready to type; not on touch screens, where focusing pops up the keyboard unasked. */
  #focusComposer(): void {
    if (this.#visible() && matchMedia('(pointer: fine)').matches) this.#chat?.view.composer.focus();
  }

  #visible(): boolean {
    return document.visibilityState === 'visible' && (!this.#channel.embedded || this.#panelOpen);
  }

  #show(el: HTMLElement): void {
    this.#main.replaceChildren(el);
  }

  #notify(text: string): void {
    this.#notice.textContent = text;
    this.#notice.hidden = false;
    clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.#notice.hidden = true), 6_000);
  }

  #fatal(e: unknown): void {
    const permanent = isPermanentError(e);
    this.#teardown();
    this.#show(
      h(
        'div',
        { class: 'error', role: 'alert', 'data-testid': 'widget-error', 'data-code': (e as { code?: string }).code ?? 'internal' },
        h('p', null, errorText(this.#t, e)),
        // A rejected identity token or an unknown widget is fixed by the host site, not by trying again.
        permanent ? null : h('button', { type: 'button', class: 'btn', onclick: () => void this.#boot() }, this.#t('retry')),
      ),
    );
  }
}
