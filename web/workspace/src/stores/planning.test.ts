import { describe, expect, it } from 'vitest';
import { contractsOf } from './planning';

describe('contractsOf', () => {
  it('turns the template into one named contract per agent', () => {
    const c = contractsOf({
      agents: 3,
      namePrefix: '坐席',
      hoursPerWeek: 40,
      shiftHours: [8, 4],
      earliestStart: '08:00',
      latestEnd: '20:00',
      daysOff: [5, 6],
    });
    expect(c.map((x) => x.name)).toEqual(['坐席 1', '坐席 2', '坐席 3']);
    expect(c[0]).toMatchObject({ hours_per_week: 40, shift_hours: [8, 4], earliest_start: '08:00', latest_end: '20:00', days_off: [5, 6] });
  });
});
