//! The server's clock as this browser sees it. Deadlines come from the server (an offer's
//! `expires_at`, the wrap-up's `wrap_up_until`); counting them down against a local clock that is
//! wrong by a minute would show the wrong seconds and drop offers early (or late). Every WebSocket
//! `hello` carries `server_time`, and `serverOffsetMs = Date.parse(server_time) - Date.now()`
//! corrects for the skew: "now on the server" is `Date.now() + serverOffsetMs`. Written by the
//! realtime bridge only.

import { defineStore } from 'pinia';
import { ref } from 'vue';

/** How far the server's clock is ahead of the local one (negative: behind); null if unreadable. */
export function clockOffsetMs(serverTime: unknown, localNow: number): number | null {
  if (typeof serverTime !== 'string') return null;
  const t = Date.parse(serverTime);
  return Number.isNaN(t) ? null : t - localNow;
}

export const useClockStore = defineStore('clock', () => {
  /** `Date.parse(server_time) - Date.now()` at the latest `hello`; 0 until the first one. */
  const serverOffsetMs = ref(0);

  /** From a `hello` frame: keeps the offset when the server did not say (an older server). */
  function sync(serverTime: unknown, localNow = Date.now()): void {
    const offset = clockOffsetMs(serverTime, localNow);
    if (offset !== null) serverOffsetMs.value = offset;
  }

  /** The server's time for a local timestamp (ms). */
  function serverNow(localNow = Date.now()): number {
    return localNow + serverOffsetMs.value;
  }

  return { serverOffsetMs, sync, serverNow };
});
