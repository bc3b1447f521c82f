// The live conversation screen: status line (queue position / agent), connection banner, message
// log, typing indicator, and the composer, which gives way to the closed view at the end.

import type { Translate } from '../../i18n';
import type { Locale } from '../../i18n/locale';
import type { AttachmentCache } from '../attachments';
import { h } from '../dom';
import { queueText } from '../format';
import type { ChatItem } from '../message-store';
import type { Conversation } from '../types';
import { downloadTranscript, transcriptText } from '../transcript';
import { closedView } from './csat';
import { Composer } from './composer';
import { MessageList } from './message-list';

export interface ChatViewOptions {
  t: Translate;
  locale: Locale;
  attachments: AttachmentCache;
  onSend: (body: string) => void;
  onRetry: (clientId: string) => void;
  onFile: (file: File) => void;
  onInput: () => void;
  onLeaveQueue: () => void;
  onCsat: (score: number, comment: string) => Promise<void>;
  onNewConversation: () => void;
  /** The call strip (button, prompts, call screen), shown above the messages: chat goes on below. */
  callStrip: HTMLElement;
  /** The skill group's welcome message, shown at the top of the chat. */
  welcome?: string;
  /** The server's message length limit; the composer's own default when absent. */
  maxChars?: number;
}

export interface ChatViewState {
  conversation: Conversation;
  items: ChatItem[];
  agentReadSeq: number;
  agentName: string | null;
  agentTyping: boolean;
  connected: boolean;
}

export class ChatView {
  readonly el: HTMLElement;
  readonly list: MessageList;
  readonly composer: Composer;
  readonly #opts: ChatViewOptions;
  readonly #status = h('div', { class: 'chat__status', role: 'status' });
  readonly #banner = h('div', { class: 'banner', role: 'alert', hidden: true });
  readonly #typing = h('div', { class: 'typing', 'data-testid': 'typing-indicator', hidden: true });
  readonly #footer = h('div', { class: 'chat__footer' });
  #statusSig = '';
  /** Which footer is shown: undefined = none yet, null = composer, else the closed view's key. */
  #closedFor: string | null | undefined = undefined;
  /** The messages last shown, for the transcript download. */
  #items: ChatItem[] = [];

  constructor(opts: ChatViewOptions) {
    this.#opts = opts;
    this.list = new MessageList({ t: opts.t, locale: opts.locale, attachments: opts.attachments, onRetry: opts.onRetry, welcome: opts.welcome });
    this.composer = new Composer({ t: opts.t, onSend: opts.onSend, onFile: opts.onFile, onInput: opts.onInput, maxChars: opts.maxChars });
    this.#typing.textContent = opts.t('agentTyping');
    this.#banner.textContent = opts.t('reconnecting');
    this.el = h('section', { class: 'chat' }, this.#status, this.#banner, opts.callStrip, this.list.el, this.#typing, this.#footer);
  }

  update(s: ChatViewState, scrollToEnd = false): void {
    const atBottom = this.list.atBottom();
    this.#items = s.items;
    const statusChanged = this.#renderStatus(s);
    const footerChanged = this.#renderFooter(s.conversation);
    this.#banner.hidden = s.connected || s.conversation.status === 'closed';
    this.#typing.hidden = !s.agentTyping || s.conversation.status === 'closed';
    this.list.update(s.items, s.agentReadSeq, scrollToEnd);
    // The status line or the footer changed height (e.g. the closed view replaced the composer):
    // the list got shorter, so keep its last lines in sight if they were.
    if ((statusChanged || footerChanged) && atBottom) this.list.scrollToEnd();
  }

  /** Returns whether the status line changed. */
  #renderStatus(s: ChatViewState): boolean {
    const { t } = this.#opts;
    const c = s.conversation;
    const sig = JSON.stringify([c.status, c.queue, s.agentName]);
    if (sig === this.#statusSig) return false;
    this.#statusSig = sig;
    const parts: Node[] = [];
    if (c.status === 'queued') {
      parts.push(
        c.queue
          ? h('span', { 'data-testid': 'queue-position', 'data-position': c.queue.position }, queueText(t, c.queue))
          : // Back in line after a transfer (it was assigned before): say so rather than "排队".
            h('span', { 'data-testid': 'queue-position' }, c.assigned_at ? t('eventTransferred') : t('queueWaiting')),
        h('button', { type: 'button', class: 'link-btn', 'data-testid': 'queue-leave', onclick: this.#opts.onLeaveQueue }, t('queueLeave')),
      );
    } else if (c.status === 'offered') {
      parts.push(h('span', null, t('offered')));
    } else if (c.status === 'assigned') {
      const text = s.agentName ? t('agentNamed', { name: s.agentName }) : t('agentJoined');
      parts.push(h('span', { 'data-testid': 'agent-name' }, text));
    }
    this.#status.replaceChildren(...parts);
    this.#status.hidden = parts.length === 0;
    return true;
  }

  /** Returns whether the footer changed. */
  #renderFooter(c: Conversation): boolean {
    // The closed view is built once per conversation (it holds the survey's own state).
    const key = c.status === 'closed' ? `${c.id}:${c.csat ? 'rated' : 'open'}` : null;
    if (key === this.#closedFor) return false;
    if (key === null) {
      this.#footer.replaceChildren(this.composer.el);
    } else if (!this.#closedFor || !this.#footer.querySelector('[data-testid="csat-thanks"]')) {
      this.#footer.replaceChildren(
        closedView({
          t: this.#opts.t,
          conversation: c,
          onSubmit: this.#opts.onCsat,
          onNewConversation: this.#opts.onNewConversation,
          onDownloadTranscript: () => downloadTranscript(transcriptText(this.#opts.t, this.#opts.locale, c.id, this.#items), c.id),
        }),
      );
    }
    this.#closedFor = key;
    return true;
  }
}
