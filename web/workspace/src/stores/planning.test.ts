import { describe, expect, it } from 'vitest';
import { actualSeries, contractsOf, type ContractTemplate } from './planning';

const template: ContractTemplate = {
  agentIds: [],
  agents: 3,
  namePrefix: '坐席',
  hoursPerWeek: 40,
  shiftHours: [8, 4],
  earliestStart: '08:00',
  latestEnd: '20:00',
  daysOff: [5, 6],
};

describe('contractsOf', () => {
  it('turns the template into one named contract per agent', () => {
    const c = contractsOf(template);
    expect(c.map((x) => x.name)).toEqual(['坐席 1', '坐席 2', '坐席 3']);
    expect(c[0]).toMatchObject({ hours_per_week: 40, shift_hours: [8, 4], earliest_start: '08:00', latest_end: '20:00', days_off: [5, 6] });
    expect(c[0]?.agent_id).toBeUndefined();
  });

  it('names the chosen agents instead, one contract each', () => {
    const c = contractsOf({ ...template, agentIds: [7, 9] });
    expect(c.map((x) => x.agent_id)).toEqual([7, 9]);
    expect(c[1]).toMatchObject({ name: '', hours_per_week: 40, days_off: [5, 6] });
  });
});

describe('actualSeries', () => {
  it('puts the plan and what happened side by side per interval', () => {
    const point = (start: number, scheduled: number, loggedIn: number, forecast: number, offered: number) => ({
      start,
      schedule_id: 2,
      required: scheduled,
      scheduled,
      agents_on: scheduled - 1,
      logged_in: loggedIn,
      ready: loggedIn / 2,
      working: loggedIn / 2,
      forecast_offered: forecast,
      offered,
    });
    const s = actualSeries({
      group_id: 1,
      schedule_id: null,
      from: '1970-01-01',
      to: '1970-01-01',
      starts_at: 0,
      interval_minutes: 30,
      points: [point(0, 2, 1.96, 10.04, 12), point(1_800_000, 3, 3, 8, 7)],
    });
    expect(s.starts).toEqual([0, 1_800_000]);
    expect(s.scheduled).toEqual([2, 3]);
    expect(s.agentsOn).toEqual([1, 2]);
    expect(s.loggedIn).toEqual([2, 3]);
    expect(s.ready).toEqual([1, 1.5]);
    expect(s.forecast).toEqual([10, 8]);
    expect(s.offered).toEqual([12, 7]);
  });
});
