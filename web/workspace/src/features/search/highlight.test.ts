import { describe, expect, it } from 'vitest';
import { dayRange, pieces } from './highlight';

describe('pieces', () => {
  it('highlights a Chinese word inside a sentence', () => {
    expect(pieces('我想办理信用卡分期业务', [[7, 9]])).toEqual([
      { text: '我想办理信用卡', hit: false },
      { text: '分期', hit: true },
      { text: '业务', hit: false },
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(pieces('😀 refund', [[2, 8]])).toEqual([
      { text: '😀 ', hit: false },
      { text: 'refund', hit: true },
    ]);
  });

  it('ignores ranges out of bounds or overlapping', () => {
    expect(pieces('abc', [[1, 2], [1, 3], [5, 9]])).toEqual([
      { text: 'a', hit: false },
      { text: 'b', hit: true },
      { text: 'c', hit: false },
    ]);
  });
});

describe('dayRange', () => {
  it('covers whole local days', () => {
    const { from, to } = dayRange([new Date(2026, 0, 5, 15), new Date(2026, 0, 5, 9)]);
    expect(new Date(from!)).toEqual(new Date(2026, 0, 5));
    expect(new Date(to!)).toEqual(new Date(2026, 0, 6));
    expect(dayRange(null)).toEqual({});
  });
});
