import { describe, expect, it } from 'vitest';
import { actualsQuery, parsePeriod, periodQuery } from './period';

describe('plan period in the URL', () => {
  it('round-trips the group, the days and the plan', () => {
    const p = { group: 3, from: '2026-01-26', to: '2026-02-01', plan: 7 };
    expect(parsePeriod(periodQuery(p) as Record<string, string>)).toEqual(p);
    expect(actualsQuery(p)).toEqual({ schedule_id: 7, from: '2026-01-26', to: '2026-02-01' });
  });

  it('drops what is not a day or an id, and a last day before the first', () => {
    expect(parsePeriod({ group: 'x', from: 'yesterday', plan: '-1' })).toEqual({});
    expect(parsePeriod({ from: '2026-02-01', to: '2026-01-01' })).toEqual({ from: '2026-02-01', to: '2026-02-01' });
    expect(parsePeriod({ to: '2026-02-01' })).toEqual({});
  });

  it('asks the server for its default when nothing is chosen', () => {
    expect(actualsQuery({ group: 2 })).toEqual({});
    expect(periodQuery({})).toEqual({});
  });
});
