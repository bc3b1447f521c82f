//! A clock ref for countdowns, ticking while at least one component uses it.

import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | null = null;

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
