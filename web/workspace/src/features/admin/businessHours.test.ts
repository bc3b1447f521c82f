import { describe, expect, it } from 'vitest';
import { calendarClashes, hoursFromRows, invalidRows, rowsFromHours, timeChoices, zoneChoices, zoneFromHours } from './businessHours';

describe('business hours editor model', () => {
  it('round-trips the API shape, with the zone and the calendar', () => {
    const hours = {
      time_zone: 'Asia/Shanghai',
      utc_offset_minutes: 0,
      days: [
        { weekday: 1, open: '09:00', close: '18:00' },
        { weekday: 6, open: '10:00', close: '16:00' },
      ],
      holidays: [{ date: '2026-10-01', name: '国庆节' }],
      make_up_days: [{ date: '2026-10-10', as_weekday: 5, name: '国庆调休' }],
    };
    const rows = rowsFromHours(hours);
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.open).map((r) => r.weekday)).toEqual([1, 6]);
    expect(hoursFromRows(rows, zoneFromHours(hours), hours.holidays, hours.make_up_days)).toEqual(hours);
  });

  it('suggests Monday to Friday when starting from "always open"', () => {
    expect(rowsFromHours(null).filter((r) => r.open).map((r) => r.weekday)).toEqual([1, 2, 3, 4, 5]);
  });

  it('flags days that close before they open', () => {
    const rows = rowsFromHours(null);
    rows[0]!.to = '08:00';
    rows[6]!.to = '08:00'; // closed day: not checked
    expect(invalidRows(rows)).toEqual([1]);
  });

  it('reads a schedule saved with a bare UTC offset as the zone that means the same', () => {
    const old = (utc_offset_minutes: number) => ({ time_zone: null, utc_offset_minutes, days: [], holidays: [], make_up_days: [] });
    expect(zoneFromHours(old(480))).toBe('Asia/Shanghai');
    expect(zoneFromHours(old(-300))).toBe('Etc/GMT+5');
    expect(zoneFromHours(old(0))).toBe('Etc/UTC');
    expect(zoneFromHours(null)).toBe('Asia/Shanghai');
  });

  it('finds dates listed twice or both closed and worked', () => {
    expect(calendarClashes([{ date: '2026-10-01', name: '' }], [{ date: '2026-10-01', as_weekday: 1, name: '' }])).toEqual(['2026-10-01']);
    expect(calendarClashes([{ date: '2026-10-01', name: '' }, { date: '', name: '' }], [])).toEqual([]);
  });

  it('offers Shanghai first and no zone twice', () => {
    const zones = zoneChoices();
    expect(zones[0]).toBe('Asia/Shanghai');
    expect(new Set(zones).size).toBe(zones.length);
  });

  it('offers every quarter hour, a close until midnight (24:00), and keeps an off-grid stored time', () => {
    const opens = timeChoices('opens');
    expect([opens[0], opens[1], opens.at(-1), opens.length]).toEqual(['00:00', '00:15', '23:45', 96]);
    const closes = timeChoices('closes');
    expect([closes[0], closes.at(-1), closes.length]).toEqual(['00:15', '24:00', 96]);
    const odd = timeChoices('opens', '09:10');
    expect(odd.slice(odd.indexOf('09:00'), odd.indexOf('09:00') + 3)).toEqual(['09:00', '09:10', '09:15']);
    expect(timeChoices('closes', '18:00')).toEqual(closes);
  });
});
