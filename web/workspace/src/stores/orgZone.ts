//! The organisation's time zone (组织设置), read once per session. Reports count days in it, so a
//! page's "today" must be today there: a browser in another zone (a laptop on UTC, a supervisor
//! travelling) would otherwise ask for yesterday or tomorrow for part of every day.

import dayjs from 'dayjs';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { settingsApi } from '../api/settings';

export const useOrgZoneStore = defineStore('orgZone', () => {
  /** The zone's IANA name; null until read (or if it cannot be): the browser's zone stands in. */
  const zone = ref<string | null>(null);
  let loading: Promise<void> | null = null;

  /** Read the zone once; later calls wait for the same request. */
  function load(): Promise<void> {
    loading ??= settingsApi
      .workspace()
      .then((s) => {
        zone.value = s.time_zone;
      })
      .catch(() => {
        loading = null;
      });
    return loading;
  }

  return { zone, load };
});

/** The date (YYYY-MM-DD) at `now` in `zone`; in the browser's zone when null or unknown. */
export function todayIn(zone: string | null, now: Date = new Date()): string {
  try {
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: zone ?? undefined, year: 'numeric', month: '2-digit', day: '2-digit' });
    return day.format(now);
  } catch {
    return dayjs(now).format('YYYY-MM-DD');
  }
}

/** The zone's offset from UTC (ms) at `at`; 0 when the zone is unknown. */
function offsetAt(zone: string, at: number): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(new Date(at));
    const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
    if (!m) return 0;
    const sign = m[1] === '-' ? -1 : 1;
    return sign * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
  } catch {
    return 0;
  }
}

/** The instant (RFC 3339, UTC) a day (YYYY-MM-DD) begins in `zone`; in the browser's zone when
 *  null. A day is a day of the organisation's reports wherever the browser is. */
export function midnightIn(day: string, zone: string | null): string {
  if (!zone) return dayjs(day).startOf('day').toISOString();
  const [y, m, d] = day.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!);
  // The offset at the wall-clock midnight, checked once more at the instant found (a day that
  // begins just after an offset change).
  let at = wall - offsetAt(zone, wall);
  at = wall - offsetAt(zone, at);
  return new Date(at).toISOString();
}
