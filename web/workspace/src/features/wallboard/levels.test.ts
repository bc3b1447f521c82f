import { describe, expect, it } from 'vitest';
import type { FloorGroup, Thresholds } from '../../api/types';
import { clockText, groupLevels, longestWaitSecs, serviceLevelLevel, waitingLevel, worst } from './levels';

const t: Thresholds = {
  group_id: 1,
  custom: true,
  waiting_warning: 2,
  waiting_critical: 4,
  longest_wait_warning_secs: 30,
  longest_wait_critical_secs: 60,
  service_level_warning_pct: 80,
  service_level_critical_pct: 60,
};

function group(over: Partial<FloorGroup> = {}): FloorGroup {
  return {
    id: 1,
    name: 'Cards',
    waiting: 0,
    longest_wait_secs: 0,
    waiting_since: null,
    agents: { ready: 1, busy: 0, away: 0, wrap_up: 0, offline: 0 },
    service_level: 1,
    service_level_target_secs: 20,
    service_level_judged: 20,
    offered: 0,
    answered: 0,
    thresholds: t,
    ...over,
  };
}

describe('wallboard levels', () => {
  it('judges counts at or above a level, and a level of 0 is off', () => {
    expect(waitingLevel(1, t)).toBe('ok');
    expect(waitingLevel(2, t)).toBe('warning');
    expect(waitingLevel(4, t)).toBe('critical');
    expect(waitingLevel(100, { ...t, waiting_warning: 0, waiting_critical: 0 })).toBe('ok');
  });

  it('judges service level below a level, in whole percent rounded down', () => {
    expect(serviceLevelLevel(0.8, t)).toBe('ok');
    expect(serviceLevelLevel(0.799, t)).toBe('warning');
    expect(serviceLevelLevel(0.59, t)).toBe('critical');
  });

  it('ticks the longest wait from waiting_since and re-colours the tile as it grows', () => {
    const since = Date.parse('2026-12-01T10:00:00Z');
    const g = group({ waiting: 1, waiting_since: '2026-12-01T10:00:00Z', longest_wait_secs: 3 });
    expect(longestWaitSecs(g, since + 10_500)).toBe(10);
    expect(groupLevels(g, since + 10_000, 10).tile).toBe('ok');
    expect(groupLevels(g, since + 31_000, 10).longestWait).toBe('warning');
    expect(groupLevels(g, since + 61_000, 10).tile).toBe('critical');
    expect(longestWaitSecs(group(), since)).toBe(0);
  });

  it('takes the worst figure for the tile', () => {
    expect(worst('ok', 'warning', 'ok')).toBe('warning');
    expect(groupLevels(group({ waiting: 2, service_level: 0.5 }), 0, 10).tile).toBe('critical');
  });

  it('does not judge a service level over a handful of contacts', () => {
    expect(groupLevels(group({ service_level: 0, service_level_judged: 1 }), 0, 10).serviceLevel).toBe('ok');
    expect(groupLevels(group({ service_level: 0, service_level_judged: 10 }), 0, 10).serviceLevel).toBe('critical');
  });

  it('writes waits as a clock', () => {
    expect(clockText(5)).toBe('0:05');
    expect(clockText(65)).toBe('1:05');
    expect(clockText(3723)).toBe('1:02:03');
  });

  it('judges the wait against each group its own service-level target', () => {
    const off = { ...t, longest_wait_warning_secs: 0, longest_wait_critical_secs: 0 };
    const since = Date.parse('2026-11-30T08:00:00Z');
    const waiting = { waiting: 1, waiting_since: new Date(since).toISOString(), thresholds: off };
    const fast = group({ ...waiting, service_level_target_secs: 20 });
    const slow = group({ ...waiting, id: 2, service_level_target_secs: 60 });
    expect(groupLevels(fast, since + 25_000, 10).longestWait).toBe('warning');
    expect(groupLevels(slow, since + 25_000, 10).longestWait).toBe('ok');
    expect(groupLevels(slow, since + 61_000, 10).tile).toBe('warning');
    expect(groupLevels({ ...fast, waiting: 0, waiting_since: null }, since + 25_000, 10).tile).toBe('ok');
  });
});
