import { describe, expect, it } from 'vitest';
import { charCount, DEFAULT_MAX_TEXT_CHARS as MAX_TEXT_CHARS, lengthState } from './messageLength';

describe('message length', () => {
  it('counts code points after trimming, as the server does', () => {
    expect(charCount('  你好  ')).toBe(2);
    expect(charCount('👍😀')).toBe(2);
  });

  it('has no counter far from the limit', () => {
    expect(lengthState('hello')).toMatchObject({ showCounter: false, over: false });
  });

  it('shows the counter near the limit and blocks only over it', () => {
    expect(lengthState('字'.repeat(4500))).toMatchObject({ showCounter: true, over: false, left: 500 });
    expect(lengthState('字'.repeat(MAX_TEXT_CHARS))).toMatchObject({ over: false, left: 0 });
    expect(lengthState('字'.repeat(MAX_TEXT_CHARS + 3))).toMatchObject({ over: true, left: -3 });
  });

  it('counts against the organisation\'s limit when the server gives another', () => {
    expect(lengthState('字'.repeat(270), 300)).toMatchObject({ showCounter: true, over: false, left: 30 });
    expect(lengthState('字'.repeat(269), 300)).toMatchObject({ showCounter: false });
    expect(lengthState('字'.repeat(301), 300)).toMatchObject({ over: true, left: -1 });
  });
});
