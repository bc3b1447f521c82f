//! Live floor statistics for supervisors: polled every 3 s while the view is open, with agents'
//! rows refreshed in between by `agent.status` events.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { statsApi } from '../api/stats';
import type { Agent, LiveStats } from '../api/types';
import { errorText } from '../app/errorText';

export const POLL_INTERVAL_MS = 3_000;

export const useSupervisorStore = defineStore('supervisor', () => {
  const stats = ref<LiveStats | null>(null);
  const error = ref<string | null>(null);
  const updatedAt = ref<number | null>(null);
  let timer: ReturnType<typeof setInterval> | null = null;
  let watchers = 0;

  async function refresh(): Promise<void> {
    try {
      stats.value = await statsApi.live();
      updatedAt.value = Date.now();
      error.value = null;
    } catch (e) {
      error.value = errorText(e);
    }
  }

  /** Starts polling (reference-counted: each view that starts must stop). */
  function startPolling(): void {
    watchers++;
    if (timer !== null) return;
    void refresh();
    timer = setInterval(() => void refresh(), POLL_INTERVAL_MS);
  }

  function stopPolling(): void {
    watchers = Math.max(0, watchers - 1);
    if (watchers > 0 || timer === null) return;
    clearInterval(timer);
    timer = null;
  }

  function applyAgent(a: Agent): void {
    if (!stats.value) return;
    const i = stats.value.agents.findIndex((x) => x.id === a.id);
    if (i >= 0) stats.value.agents[i] = a;
    else stats.value.agents.push(a);
  }

  function reset(): void {
    stats.value = null;
    error.value = null;
  }

  return { stats, error, updatedAt, refresh, startPolling, stopPolling, applyAgent, reset };
});
