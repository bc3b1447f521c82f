//! A clock ref for countdowns, ticking while at least one component uses it.

import { computed, onBeforeUnmount, onMounted, ref, type ComputedRef, type Ref } from 'vue';
import { useClockStore } from '../stores/clock';

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | null = null;

/** The local clock (ms), ticking every second. */
export function useNow(): Ref<number> {
  onMounted(() => {
    users++;
    now.value = Date.now();
    if (timer === null) timer = setInterval(() => (now.value = Date.now()), 1000);
  });
  onBeforeUnmount(() => {
    users--;
    if (users === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  });
  return now;
}

/**
 * The server's clock (ms), ticking every second: the local clock corrected by the offset the
 * WebSocket `hello` measured. Count server deadlines (offer expiry, wrap-up end) down against this.
 */
export function useServerNow(): ComputedRef<number> {
  const local = useNow();
  const clock = useClockStore();
  return computed(() => local.value + clock.serverOffsetMs);
}
