import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../api/types';

vi.mock('../api/notes', () => ({
  notesApi: { read: vi.fn().mockResolvedValue(undefined), readAll: vi.fn().mockResolvedValue(undefined) },
}));

import { useNotificationsStore } from './notifications';

const n = (id: number, read = false): Notification => ({
  id,
  kind: 'mention',
  conversation_id: 9,
  note_id: id,
  actor_name: '李娜',
  excerpt: '@张伟 请看',
  created_at: '2026-11-21T10:00:00Z',
  read,
});

describe('notifications store', () => {
  beforeEach(() => setActivePinia(createPinia()));

  it('counts live notifications once, newest first', () => {
    const s = useNotificationsStore();
    s.apply(n(1));
    s.apply(n(2));
    s.apply(n(2));
    expect(s.items.map((x) => x.id)).toEqual([2, 1]);
    expect(s.unread).toBe(2);
  });

  it('marking read lowers the badge once', async () => {
    const s = useNotificationsStore();
    s.apply(n(1));
    await s.markRead(1);
    await s.markRead(1);
    expect(s.unread).toBe(0);
    s.apply(n(2));
    await s.markAllRead();
    expect(s.items.every((x) => x.read)).toBe(true);
    expect(s.unread).toBe(0);
  });
});
