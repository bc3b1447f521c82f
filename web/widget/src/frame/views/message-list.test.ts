// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { translator } from '../../i18n';
import type { AttachmentCache } from '../attachments';
import type { ChatItem } from '../message-store';
import { MessageList } from './message-list';

const attachments = { objectUrl: () => Promise.resolve('blob:x') } as unknown as AttachmentCache;
const sha = 'ab'.repeat(32);
const image = (snapshot: { call_id: number; width: number; height: number } | null): ChatItem => ({
  key: 'm:1',
  id: 1,
  seq: 3,
  sender: 'visitor',
  sender_name: null,
  kind: 'image',
  body: 'snapshot.jpg',
  attachment: { id: 4, name: 'snapshot.jpg', mime: 'image/jpeg', size: 10, url: '/api/v1/attachments/4', sha256: sha, snapshot },
  client_id: 'snap-r1',
  data: null,
  created_at: '2026-11-30T21:00:00Z',
  state: 'sent',
});

describe('MessageList', () => {
  it('labels a call snapshot with its capture size and a short hash, the full hash on hover', () => {
    const list = new MessageList({ t: translator('zh-CN'), locale: 'zh-CN', attachments });
    list.update([image({ call_id: 2, width: 1280, height: 720 })], 0);
    const label = list.el.querySelector<HTMLElement>('[data-testid=message-snapshot]');
    expect(label?.textContent).toBe(`抓拍 1280×720 · SHA-256 ${sha.slice(0, 12)}`);
    expect(label?.title).toBe(sha);
    expect(list.el.querySelector('time')?.getAttribute('datetime')).toBe('2026-11-30T21:00:00Z');
  });

  it('shows a plain image without the label', () => {
    const list = new MessageList({ t: translator('en'), locale: 'en', attachments });
    list.update([image(null)], 0);
    expect(list.el.querySelector('[data-testid=message-image]')).not.toBeNull();
    expect(list.el.querySelector('[data-testid=message-snapshot]')).toBeNull();
  });

  // happy-dom does no layout: give the log a size and a scroll position by hand.
  const layout = (el: HTMLElement, scrollHeight: number) => {
    Object.defineProperty(el, 'scrollHeight', { configurable: true, get: () => scrollHeight });
    Object.defineProperty(el, 'clientHeight', { configurable: true, get: () => 300 });
  };
  const text = (n: number, sender: 'agent' | 'visitor' = 'agent'): ChatItem => ({
    ...image(null),
    key: `m:${n}`,
    id: n,
    seq: n,
    sender,
    kind: 'text',
    body: `line ${n}`,
    attachment: null,
    client_id: null,
  });

  it('stays at the bottom when an image loads and makes the list taller', () => {
    const list = new MessageList({ t: translator('zh-CN'), locale: 'zh-CN', attachments });
    list.update([text(1), image(null)], 0);
    layout(list.el, 2000);
    list.el.querySelector('img')?.dispatchEvent(new Event('load'));
    expect(list.el.scrollTop).toBe(2000);
  });

  it('does not pull a customer who scrolled up down: a pill says new messages arrived', () => {
    const list = new MessageList({ t: translator('zh-CN'), locale: 'zh-CN', attachments });
    list.update([text(1), text(2)], 0);
    layout(list.el, 2000);
    list.el.scrollTop = 100;
    list.el.dispatchEvent(new Event('scroll'));
    const pill = list.el.querySelector<HTMLButtonElement>('[data-testid=new-messages]');
    expect(pill?.hidden).toBe(true);
    list.update([text(1), text(2), text(3)], 0);
    expect(list.el.scrollTop).toBe(100);
    expect(pill?.hidden).toBe(false);
    expect(pill?.textContent).toBe('有新消息 ↓');
    // An image loading above does not move them either.
    list.update([text(1), text(2), text(3), image(null)], 0);
    list.el.querySelector('img')?.dispatchEvent(new Event('load'));
    expect(list.el.scrollTop).toBe(100);
    pill?.click();
    expect(list.el.scrollTop).toBe(2000);
    expect(pill?.hidden).toBe(true);
    expect(list.el.lastElementChild).toBe(pill);
  });

  // The browser sends the scroll event with the next frame, not when scrollTop changes.
  it('does not pull down a customer who scrolled up just before a message arrived (no scroll event yet)', () => {
    const list = new MessageList({ t: translator('en'), locale: 'en', attachments });
    layout(list.el, 2000);
    list.update([text(1), image(null)], 0);
    expect(list.el.scrollTop).toBe(2000);
    list.el.scrollTop = 0; // the customer scrolls up; its scroll event is still pending
    list.update([text(1), image(null), text(2)], 0);
    expect(list.el.scrollTop).toBe(0);
    const pill = list.el.querySelector<HTMLButtonElement>('[data-testid=new-messages]');
    expect(pill?.hidden).toBe(false);
    expect(pill?.textContent).toBe('New messages ↓');
    list.el.querySelector('img')?.dispatchEvent(new Event('load'));
    expect(list.el.scrollTop).toBe(0);
  });

  it('stays at the bottom when the event of its own scroll comes after an image grew the list', () => {
    const list = new MessageList({ t: translator('zh-CN'), locale: 'zh-CN', attachments });
    layout(list.el, 2000);
    list.update([text(1), image(null)], 0);
    expect(list.el.scrollTop).toBe(2000);
    layout(list.el, 2400); // the image knows its size before its load event
    list.el.dispatchEvent(new Event('scroll')); // the event of scrollToEnd's scroll, one frame late
    list.el.querySelector('img')?.dispatchEvent(new Event('load'));
    expect(list.el.scrollTop).toBe(2400);
    expect(list.el.querySelector<HTMLButtonElement>('[data-testid=new-messages]')?.hidden).toBe(true);
  });

  it("keeps the group's welcome message above every message as messages arrive", () => {
    const list = new MessageList({ t: translator('en'), locale: 'en', attachments, welcome: 'Hello, this is card services.' });
    const text = (id: number): ChatItem => ({ ...image(null), key: `m:${id}`, id, seq: id, kind: 'text', body: `line ${id}`, attachment: null });
    list.update([text(1)], 0);
    list.update([text(1), text(2)], 0);
    const first = list.el.firstElementChild as HTMLElement;
    expect(first.dataset.testid).toBe('group-welcome');
    expect(first.textContent).toBe('Hello, this is card services.');
    expect(first.nextElementSibling?.textContent).toContain('line 1');
  });
});
