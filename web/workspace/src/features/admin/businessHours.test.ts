import { describe, expect, it } from 'vitest';
import { hoursFromRows, invalidRows, offsetChoices, offsetLabel, rowsFromHours } from './businessHours';

describe('business hours editor model', () => {
  it('round-trips the API shape', () => {
    const hours = {
      utc_offset_minutes: 480,
      days: [
        { weekday: 1, open: '09:00', close: '18:00' },
        { weekday: 6, open: '10:00', close: '16:00' },
      ],
    };
    const rows = rowsFromHours(hours);
    expect(rows).toHaveLength(7);
    expect(rows.filter((r) => r.open).map((r) => r.weekday)).toEqual([1, 6]);
    expect(hoursFromRows(rows, 480)).toEqual(hours);
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

  it('labels offsets', () => {
    expect(offsetLabel(480)).toBe('UTC+08:00');
    expect(offsetLabel(-330)).toBe('UTC-05:30');
    expect(offsetLabel(0)).toBe('UTC+00:00');
    expect(offsetChoices()).toContain(480);
    expect(offsetChoices()).toContain(345);
  });
});
