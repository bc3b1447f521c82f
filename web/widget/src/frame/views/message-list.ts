// The message log (role="log"): keyed DOM nodes, rebuilt only when an item changes, so an
// optimistic message turning into the server copy or gaining "已读" does not redraw the list.
// It sticks to the bottom while the customer is there — also when an image loads later and makes
// the list taller — and, when they have scrolled up to read, a "new messages" pill says that
// something arrived instead of pulling them down.

import type { Translate } from '../../i18n';
import type { Locale } from '../../i18n/locale';
import type { AttachmentCache } from '../attachments';
import { h, icon, linkify } from '../dom';
import { eventText } from '../events';
import { fileSize, messageTime } from '../format';
import type { ChatItem } from '../message-store';

export interface MessageListOptions {
  t: Translate;
  locale: Locale;
  attachments: AttachmentCache;
  /** Re-send a failed optimistic message; absent in read-only history. */
  onRetry?: (clientId: string) => void;
  /** The skill group's welcome message, shown above the first message. */
  welcome?: string;
}

export class MessageList {
  readonly el: HTMLElement;
  readonly #opts: MessageListOptions;
  readonly #nodes = new Map<string, { sig: string; el: HTMLElement }>();
  /** The "new messages" pill, the log's last child (sticky at the bottom of the view). */
  readonly #pill: HTMLButtonElement;
  /** Whether the customer is at the bottom: set by their scrolling, not by content growing. */
  #stuck = true;
  /**
   * Where scrollToEnd left the log. The browser reports scrolling later (with the next frame), so
   * only the position tells a customer who has just scrolled away (it moved) from content that
   * grew below it (an image that got its size before its load event; it did not move).
   */
  #pinnedTop = 0;
  /** The welcome line above the messages, if the group has one. */
  readonly #lead: HTMLElement | null;

  constructor(opts: MessageListOptions) {
    this.#opts = opts;
    this.el = h('div', {
      class: 'messages',
      role: 'log',
      'aria-live': 'polite',
      'aria-label': opts.t('messagesLabel'),
      'data-testid': 'message-list',
      tabindex: 0,
    });
    this.#pill = h('button', { type: 'button', class: 'new-messages', 'data-testid': 'new-messages', hidden: true, onclick: () => this.scrollToEnd() }, opts.t('newMessages'));
    this.#lead = opts.welcome ? h('p', { class: 'welcome group-welcome', 'data-testid': 'group-welcome' }, opts.welcome) : null;
    if (this.#lead) this.el.append(this.#lead);
    this.el.append(this.#pill);
    this.el.addEventListener('scroll', () => {
      // Our own scroll's event can arrive after the list grew below it: not the customer leaving.
      this.#stuck = this.#nearEnd() || (this.#stuck && this.#atPin());
      if (this.#stuck) this.#pill.hidden = true;
    });
  }

  /** Whether the newest lines are in view (then new ones keep it scrolled to the end). */
  atBottom(): boolean {
    // The customer may have scrolled up since the last scroll event (it comes with the next
    // frame): a message or an image arriving before it must not pull them back down.
    if (this.#stuck && !this.#atPin() && !this.#nearEnd()) this.#stuck = false;
    return this.#stuck;
  }

  /** Whether the log is still where scrollToEnd left it (the customer has not moved it). */
  #atPin(): boolean {
    return Math.abs(this.el.scrollTop - this.#pinnedTop) <= 1;
  }

  #nearEnd(): boolean {
    const el = this.el;
    return el.scrollHeight - el.scrollTop - el.clientHeight < 80;
  }

  /** Shows `items`; own messages up to `agentReadSeq` are marked read. */
  update(items: ChatItem[], agentReadSeq: number, forceScroll = false): void {
    const el = this.el;
    const atBottom = this.atBottom();
    let arrived = false;
    const seen = new Set<string>();
    let prev: Element | null = this.#lead;
    for (const item of items) {
      seen.add(item.key);
      const read = item.sender === 'visitor' && item.seq !== null && item.seq <= agentReadSeq;
      const sig = `${item.id}|${item.state}|${read}|${item.body}|${item.sender_name}|${item.attachment?.id}`;
      let node = this.#nodes.get(item.key);
      if (!node && item.sender !== 'visitor') arrived = true;
      if (!node || node.sig !== sig) {
        const fresh = { sig, el: this.#render(item, read) };
        if (node) node.el.replaceWith(fresh.el);
        node = fresh;
        this.#nodes.set(item.key, node);
      }
      const want: Element | null = prev ? prev.nextElementSibling : el.firstElementChild;
      if (want !== node.el) {
        if (prev) prev.after(node.el);
        else el.prepend(node.el);
      }
      prev = node.el;
    }
    for (const [key, node] of this.#nodes) {
      if (!seen.has(key)) {
        node.el.remove();
        this.#nodes.delete(key);
      }
    }
    if (atBottom || forceScroll) this.scrollToEnd();
    else if (arrived) this.#pill.hidden = false;
  }

  scrollToEnd(): void {
    this.el.scrollTop = this.el.scrollHeight;
    this.#pinnedTop = this.el.scrollTop; // as the browser clamped it
    this.#stuck = true;
    this.#pill.hidden = true;
  }

  #render(m: ChatItem, read: boolean): HTMLElement {
    const { t, locale } = this.#opts;
    const sender = m.kind === 'event' ? 'system' : m.sender;
    const root = h('div', { class: `msg msg--${sender}`, 'data-testid': 'message', 'data-sender': sender, 'data-state': m.state });
    if (sender === 'system') {
      // Centred line: "客服 李娜 为您服务", "正在为您转接…", "会话已结束" (the code translated).
      root.append(
        h('p', { class: 'msg__event', 'data-testid': 'system-line', 'data-event': m.body }, eventText(t, m), ' ', h('time', { class: 'msg__event-time', datetime: m.created_at }, messageTime(m.created_at, locale))),
      );
      return root;
    }
    const who = sender === 'agent' ? m.sender_name || t('senderAgent') : t('senderYou');
    root.append(
      h('div', { class: 'msg__meta' }, h('span', { class: 'msg__who' }, who), ' ', h('time', { datetime: m.created_at }, messageTime(m.created_at, locale))),
      h('div', { class: 'msg__bubble' }, ...this.#content(m)),
    );
    if (sender === 'visitor') {
      if (m.state === 'sending') root.append(h('div', { class: 'msg__status' }, t('sending')));
      else if (m.state === 'failed' && m.client_id && this.#opts.onRetry) {
        const cid = m.client_id;
        root.append(h('button', { type: 'button', class: 'msg__status msg__retry', onclick: () => this.#opts.onRetry?.(cid) }, t('sendFailed')));
      } else if (read) root.append(h('div', { class: 'msg__status msg__read', 'data-testid': 'message-read' }, t('read')));
    }
    return root;
  }

  #content(m: ChatItem): Node[] {
    const a = m.attachment;
    if (m.kind === 'image' && a) {
      const img = h('img', { alt: this.#opts.t('image', { name: a.name }), 'data-testid': 'message-image', class: 'msg__img' });
      // The image makes the list taller when it arrives: stay at the bottom if the customer was.
      img.addEventListener('load', () => {
        if (this.atBottom()) this.scrollToEnd();
      });
      const link = h('a', { target: '_blank', rel: 'noopener' }, img);
      this.#opts.attachments.objectUrl(a.url).then(
        (url) => {
          img.src = url;
          link.href = url;
        },
        () => img.classList.add('msg__img--broken'),
      );
      const snap = a.snapshot;
      if (!snap) return [link];
      // A call snapshot: labelled, with its capture size and a short hash (the full one on hover).
      const label = this.#opts.t('snapshot', { width: snap.width, height: snap.height, hash: a.sha256.slice(0, 12) });
      return [link, h('p', { class: 'msg__snapshot', 'data-testid': 'message-snapshot', title: a.sha256 }, label)];
    }
    if (m.kind === 'file' && a) {
      const label = this.#opts.t('download', { name: a.name, size: fileSize(a.size) });
      const btn = h('button', { type: 'button', class: 'msg__file', 'data-testid': 'message-file' }, icon('file'), h('span', null, label));
      btn.addEventListener('click', () => {
        this.#opts.attachments.objectUrl(a.url).then((url) => {
          const link = h('a', { href: url, download: a.name });
          document.body.append(link);
          link.click();
          link.remove();
        }, () => btn.classList.add('msg__file--broken'));
      });
      return [btn];
    }
    return linkify(m.body);
  }
}
