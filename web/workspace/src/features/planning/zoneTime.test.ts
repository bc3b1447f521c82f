import { describe, expect, it } from 'vitest';
import { stampIn, wallMs } from './zoneTime';

const ms = (iso: string) => Date.parse(iso);

describe('planning times in the organisation zone', () => {
  it('shows a Shanghai 09:00 shift at 09:00, not at its UTC 01:00', () => {
    expect(stampIn(ms('2026-01-26T01:00:00Z'), 'Asia/Shanghai')).toBe('2026-01-26 09:00');
    expect(stampIn(ms('2026-01-25T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-01-26 00:00');
    expect(stampIn(ms('2026-01-26T01:00:00Z'), 'UTC')).toBe('2026-01-26 01:00');
  });

  it('follows a DST change and a :45 offset', () => {
    // Berlin springs forward on 29 March 2026: 07:00 UTC is 09:00 that day, 08:00 the day before.
    expect(stampIn(ms('2026-03-28T08:00:00Z'), 'Europe/Berlin')).toBe('2026-03-28 09:00');
    expect(stampIn(ms('2026-03-29T07:00:00Z'), 'Europe/Berlin')).toBe('2026-03-29 09:00');
    expect(stampIn(ms('2026-01-25T18:15:00Z'), 'Asia/Kathmandu')).toBe('2026-01-26 00:00');
  });

  it('puts chart points at the wall time', () => {
    expect(wallMs(ms('2026-01-26T01:00:00Z'), 'Asia/Shanghai')).toBe(ms('2026-01-26T09:00:00Z'));
  });
});
