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
