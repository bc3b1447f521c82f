import { describe, expect, it } from 'vitest';
import { midnightIn, todayIn } from './orgZone';

describe('todayIn', () => {
  // 00:20 on 2 December in Shanghai is still 1 December in UTC.
  const justAfterMidnightInShanghai = new Date('2026-12-01T16:20:00Z');

  it("is the organisation's date, not the browser's", () => {
    expect(todayIn('Asia/Shanghai', justAfterMidnightInShanghai)).toBe('2026-12-02');
    expect(todayIn('UTC', justAfterMidnightInShanghai)).toBe('2026-12-01');
    expect(todayIn('America/New_York', justAfterMidnightInShanghai)).toBe('2026-12-01');
  });

  it("falls back to the browser's zone for an unknown or missing one", () => {
    const local = todayIn(null, justAfterMidnightInShanghai);
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(todayIn('Not/AZone', justAfterMidnightInShanghai)).toBe(local);
  });
});

describe('midnightIn', () => {
  it("is the instant the organisation's day begins", () => {
    expect(midnightIn('2026-12-02', 'Asia/Shanghai')).toBe('2026-12-01T16:00:00.000Z');
    expect(midnightIn('2026-12-02', 'UTC')).toBe('2026-12-02T00:00:00.000Z');
    expect(midnightIn('2026-07-01', 'America/New_York')).toBe('2026-07-01T04:00:00.000Z');
    expect(midnightIn('2026-01-01', 'America/New_York')).toBe('2026-01-01T05:00:00.000Z');
    expect(midnightIn('2026-01-01', 'Asia/Kathmandu')).toBe('2025-12-31T18:15:00.000Z');
  });
});
