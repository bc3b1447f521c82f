// Earlier conversations of a returning visitor: a collapsed list on the home screen, and a
// read-only view of one conversation's messages.

import type { FrameKey, Translate } from '../../i18n';
import type { Locale } from '../../i18n/locale';
import type { AttachmentCache } from '../attachments';
import { h, icon } from '../dom';
import { dateOnly } from '../format';
import { MessageStore } from '../message-store';
import type { Conversation, Message } from '../types';
import { MessageList } from './message-list';

const STATUS: Record<Conversation['status'], FrameKey> = {
  queued: 'statusQueued',
  offered: 'statusOffered',
  assigned: 'statusAssigned',
  closed: 'statusClosed',
};

export function historyList(t: Translate, locale: Locale, conversations: Conversation[], onOpen: (c: Conversation) => void): HTMLElement | null {
  if (!conversations.length) return null;
  const items = conversations.map((c) => {
    const date = dateOnly(c.created_at, locale);
    const status = c.left_message ? t('leftMessage') : c.abandoned ? t('statusAbandoned') : t(STATUS[c.status]);
    return h(
      'li',
      null,
      h(
        'button',
        { type: 'button', class: 'history__item', 'data-testid': 'history-item', 'aria-label': t('historyOpen', { date }), onclick: () => onOpen(c) },
        h('span', { class: 'history__date' }, date),
        h('span', { class: 'history__topic' }, c.topic ?? ''),
        h('span', { class: 'history__status' }, status),
      ),
    );
  });
  return h(
    'details',
    { class: 'history', 'data-testid': 'history' },
    h('summary', null, t('historyTitle', { n: conversations.length })),
    h('ul', { class: 'history__list' }, ...items),
  );
}

export interface HistoryViewOptions {
  t: Translate;
  locale: Locale;
  attachments: AttachmentCache;
  conversation: Conversation;
  messages: Message[];
  onBack: () => void;
}

export function historyView(o: HistoryViewOptions): HTMLElement {
  const { t } = o;
  const store = new MessageStore();
  for (const m of o.messages) store.upsert(m);
  const list = new MessageList({ t, locale: o.locale, attachments: o.attachments });
  list.update(store.items(), 0);
  const back = h('button', { type: 'button', class: 'link-btn back', 'data-testid': 'history-back', onclick: o.onBack }, icon('back'), t('back'));
  const section = h(
    'section',
    { class: 'chat chat--readonly', 'data-testid': 'history-view' },
    h('div', { class: 'chat__status' }, back, h('span', null, dateOnly(o.conversation.created_at, o.locale))),
    o.messages.length ? list.el : h('p', { class: 'hint' }, t('historyEmpty')),
  );
  queueMicrotask(() => back.focus());
  return section;
}
