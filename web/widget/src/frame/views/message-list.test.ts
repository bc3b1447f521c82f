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
});
