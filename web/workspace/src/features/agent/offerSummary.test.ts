import { describe, expect, it } from 'vitest';
import { conversation, message } from '../../stores/testing';
import { clip, firstCustomerMessage, waitedSecs } from './offerSummary';

describe('offer summary', () => {
  it('prefers the server copy of the first message', () => {
    const first = message({ id: 1, body: '我的信用卡被锁了', sender: 'visitor' });
    const c = conversation({ status: 'offered', first_message: first });
    expect(firstCustomerMessage(c, [message({ id: 2, body: '还在吗', sender: 'visitor' })])?.body).toBe('我的信用卡被锁了');
  });

  it('falls back to the first visitor message the socket brought, skipping events and agents', () => {
    const c = conversation({ status: 'offered', first_message: null });
    const thread = [
      message({ id: 1, kind: 'event', body: 'queued', sender: 'system' }),
      message({ id: 2, body: 'hi', sender: 'agent' }),
      message({ id: 3, body: 'my card is locked', sender: 'visitor' }),
    ];
    expect(firstCustomerMessage(c, thread)?.body).toBe('my card is locked');
    expect(firstCustomerMessage(c, [])).toBeNull();
  });

  it('counts the wait from when the customer joined the line', () => {
    const c = conversation({ queued_at: '2026-11-21T10:00:00Z' });
    expect(waitedSecs(c, Date.parse('2026-11-21T10:01:05Z'))).toBe(65);
    expect(waitedSecs(c, Date.parse('2026-11-21T09:59:00Z'))).toBe(0);
  });

  it('clips long texts by characters, not bytes', () => {
    expect(clip('短', 5)).toBe('短');
    expect(clip('一二三四五六', 5)).toBe('一二三四五…');
  });
});
