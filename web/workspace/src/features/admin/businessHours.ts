//! Editing business hours (服务时间) as seven weekday rows, and converting to and from the API's
//! `{utc_offset_minutes, days: [{weekday, open, close}]}` (1 = Monday).

import type { BusinessHours } from '../../api/types';

export interface DayRow {
  weekday: number;
  open: boolean;
  from: string;
  to: string;
}

export const DEFAULT_FROM = '09:00';
export const DEFAULT_TO = '18:00';
/** China Standard Time, the usual offset for Kefu's users. */
export const DEFAULT_OFFSET_MINUTES = 480;

export function rowsFromHours(hours: BusinessHours | null): DayRow[] {
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => {
    const d = hours?.days.find((x) => x.weekday === weekday);
    return d
      ? { weekday, open: true, from: d.open, to: d.close }
      : { weekday, open: hours === null && weekday <= 5, from: DEFAULT_FROM, to: DEFAULT_TO };
  });
}

export function hoursFromRows(rows: DayRow[], utcOffsetMinutes: number): BusinessHours {
  return {
    utc_offset_minutes: utcOffsetMinutes,
    days: rows.filter((r) => r.open).map((r) => ({ weekday: r.weekday, open: r.from, close: r.to })),
  };
}

/** Rows whose closing time is not after the opening time (shown as errors in the editor). */
export function invalidRows(rows: DayRow[]): number[] {
  return rows.filter((r) => r.open && !(r.from < r.to)).map((r) => r.weekday);
}

/** 480 -> "UTC+08:00", -330 -> "UTC-05:30". */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Offsets from UTC-12:00 to UTC+14:00 in 30-minute steps, plus the odd 45-minute zones. */
export function offsetChoices(): number[] {
  const out: number[] = [];
  for (let m = -720; m <= 840; m += 30) out.push(m);
  out.push(345, 525, 765);
  return out.sort((a, b) => a - b);
}
