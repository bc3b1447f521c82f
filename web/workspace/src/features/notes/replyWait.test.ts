import { describe, expect, it } from 'vitest';
import { formatWait, replyWaitLevel, waitedSecs } from './replyWait';

describe('reply wait', () => {
  it('is green under half the target, amber past half, red past the target', () => {
    expect(replyWaitLevel(0, 60)).toBe('ok');
    expect(replyWaitLevel(30, 60)).toBe('ok');
    expect(replyWaitLevel(31, 60)).toBe('warn');
    expect(replyWaitLevel(60, 60)).toBe('warn');
    expect(replyWaitLevel(61, 60)).toBe('late');
  });

  it('counts from the unanswered message and never goes negative', () => {
    const at = Date.parse('2026-11-21T10:00:00Z');
    expect(waitedSecs('2026-11-21T10:00:00Z', at + 90_500)).toBe(90);
    expect(waitedSecs('2026-11-21T10:00:00Z', at - 5_000)).toBe(0);
    expect(waitedSecs(null, at)).toBeNull();
  });

  it('formats short and long waits', () => {
    expect(formatWait(45)).toBe('45s');
    expect(formatWait(185)).toBe('3:05');
    expect(formatWait(3725)).toBe('1:02:05');
  });
});
