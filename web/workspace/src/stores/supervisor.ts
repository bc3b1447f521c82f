//! Live floor statistics for supervisors: polled every 3 s while the view is open, refreshed at
//! once (coalesced) when a `floor.updated` frame says the line moved, with agents' rows refreshed
//! in between by `agent.status` events.

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
  /** A refresh in flight, and whether news came while it was. */
  let inFlight: Promise<void> | null = null;
  let again = false;

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

  /**
   * The floor moved (a `floor.updated` frame): re-read now while the view is open, one request
   * at a time, with one more after it if news came meanwhile.
   */
  function floorChanged(): void {
    if (timer === null) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = refresh().finally(() => {
      inFlight = null;
      if (again) {
        again = false;
        floorChanged();
      }
    });
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

  return { stats, error, updatedAt, refresh, startPolling, stopPolling, floorChanged, applyAgent, reset };
});
