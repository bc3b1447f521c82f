import { describe, expect, it } from 'vitest';
import { customerScores, moodLevel, sparkPoints, trendLine } from './sentiment';

describe('customer sentiment', () => {
  it('levels follow the server thresholds', () => {
    expect(moodLevel(-0.8)).toBe('angry');
    expect(moodLevel(-0.5)).toBe('angry');
    expect(moodLevel(-0.2)).toBe('negative');
    expect(moodLevel(0)).toBe('neutral');
    expect(moodLevel(0.6)).toBe('positive');
  });

  it('only scored customer messages count', () => {
    const scores = customerScores([
      { sender: 'visitor', sentiment: { lang: 'zh', score: -0.7 } },
      { sender: 'agent' },
      { sender: 'visitor' },
      { sender: 'visitor', sentiment: { lang: 'en', score: 0.4 } },
    ]);
    expect(scores).toEqual([-0.7, 0.4]);
  });

  it('the trend weighs the newest message most', () => {
    const t = trendLine([0.2, -0.9]);
    expect(t[0]).toBe(0.2);
    expect(t[1]).toBeCloseTo(-0.46);
  });

  it('the sparkline maps -1..1 to the bottom..top of the box', () => {
    expect(sparkPoints([1, -1], 10, 20)).toBe('0.0,0.0 10.0,20.0');
    expect(sparkPoints([0], 10, 20)).toBe('5.0,10.0');
    expect(sparkPoints([], 10, 20)).toBe('');
  });
});
