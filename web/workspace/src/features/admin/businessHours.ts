//! Editing business hours (服务时间): seven weekday rows in a named time zone, plus the holiday
//! calendar (closed dates, and make-up working days — 调休 — with the hours of a weekday), and
//! converting to and from the API's `{time_zone, days, holidays, make_up_days}` (1 = Monday).

import type { BusinessHours } from '../../api/types';

export interface DayRow {
  weekday: number;
  open: boolean;
  from: string;
  to: string;
}

/** A closed date ("2026-10-01") with its name (国庆节). */
export interface HolidayRow {
  date: string;
  name: string;
}

/** A worked date that is otherwise closed, with the weekday whose hours apply. */
export interface MakeUpRow {
  date: string;
  as_weekday: number;
  name: string;
}

export const DEFAULT_FROM = '09:00';
export const DEFAULT_TO = '18:00';
/** China Standard Time, the usual zone for Kefu's users. */
export const DEFAULT_ZONE = 'Asia/Shanghai';

export function rowsFromHours(hours: BusinessHours | null): DayRow[] {
  return [1, 2, 3, 4, 5, 6, 7].map((weekday) => {
    const d = hours?.days.find((x) => x.weekday === weekday);
    return d
      ? { weekday, open: true, from: d.open, to: d.close }
      : { weekday, open: hours === null && weekday <= 5, from: DEFAULT_FROM, to: DEFAULT_TO };
  });
}

/**
 * The zone to edit: the stored one, or for a schedule saved with a bare UTC offset the zone
 * that means the same (UTC+8 is China; other whole hours are `Etc/GMT∓N`, whose sign is inverted).
 */
export function zoneFromHours(hours: BusinessHours | null): string {
  if (hours?.time_zone) return hours.time_zone;
  const offset = hours?.utc_offset_minutes ?? 480;
  if (offset === 480) return DEFAULT_ZONE;
  if (offset === 0) return 'Etc/UTC';
  if (offset % 60 === 0) return `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset / 60)}`;
  return DEFAULT_ZONE;
}

export function hoursFromRows(rows: DayRow[], zone: string, holidays: HolidayRow[] = [], makeUps: MakeUpRow[] = []): BusinessHours {
  return {
    time_zone: zone,
    utc_offset_minutes: 0,
    days: rows.filter((r) => r.open).map((r) => ({ weekday: r.weekday, open: r.from, close: r.to })),
    holidays: holidays.filter((h) => h.date).map((h) => ({ date: h.date, name: h.name.trim() })),
    make_up_days: makeUps.filter((m) => m.date).map((m) => ({ date: m.date, as_weekday: m.as_weekday, name: m.name.trim() })),
  };
}

/**
 * The times a day's opening (00:00 to 23:45) or closing (00:15 to 24:00) can be set to, every
 * quarter hour. Not el-time-select: it formats through dayjs, which turns 24:00 ("until
 * midnight", as the server accepts it) into 00:00. A stored time off the grid is kept as a choice.
 */
export function timeChoices(kind: 'opens' | 'closes', current?: string): string[] {
  const first = kind === 'opens' ? 0 : 15;
  const last = kind === 'opens' ? 24 * 60 - 15 : 24 * 60;
  const times: string[] = [];
  for (let m = first; m <= last; m += 15) {
    times.push(`${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
  }
  if (current && /^\d\d:\d\d$/.test(current) && !times.includes(current)) times.push(current);
  return times.sort();
}

/** Rows whose closing time is not after the opening time (shown as errors in the editor). */
export function invalidRows(rows: DayRow[]): number[] {
  return rows.filter((r) => r.open && !(r.from < r.to)).map((r) => r.weekday);
}

/** Dates listed twice, or both closed and worked: the server refuses them, so the form says so. */
export function calendarClashes(holidays: HolidayRow[], makeUps: MakeUpRow[]): string[] {
  const seen = new Set<string>();
  const clash = new Set<string>();
  for (const d of [...holidays.map((h) => h.date), ...makeUps.map((m) => m.date)]) {
    if (!d) continue;
    if (seen.has(d)) clash.add(d);
    seen.add(d);
  }
  return [...clash].sort();
}

/** Every IANA zone the browser knows (the server's database has the same names), China first. */
export function zoneChoices(): string[] {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const common = [DEFAULT_ZONE, 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'Etc/UTC'];
  return [...new Set([...common, ...all])];
}
