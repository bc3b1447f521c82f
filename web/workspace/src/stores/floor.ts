//! The floor for supervisors: every group's line, agents and service level (`floor.updated`
//! frames after a REST snapshot, no polling), and today's alerts (`alert.raised` /
//! `alert.cleared`). A raised alert also reaches the user outside the page: a browser
//! notification when allowed (permission is asked on the first click, see offerAlert). Without
//! it, the supervisor page's banners and the count on its navigation link say it; no pop-up
//! covers what the user is doing.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { floorApi } from '../api/floor';
import type { AlertView, FloorView } from '../api/types';
import { i18n, loadFeatures } from '../app/i18n';
import { notify } from '../features/agent/offerAlert';

const t = (key: string, args?: Record<string, unknown>) => i18n.global.t(key, args ?? {});

/** The alert's sentence, e.g. "Cards: 3 waiting (warning at 2)". */
export function alertText(a: AlertView): { title: string; body: string } {
  const title = t(`wallboard.alert.title.${a.level}`, { group: a.group_name });
  const body = t(`wallboard.alert.metric.${a.metric}`, { value: a.value, threshold: a.threshold });
  return { title, body };
}

/** Merge a snapshot of today's alerts with frames that may have arrived while it loaded. */
export function mergeAlerts(snapshot: AlertView[], live: AlertView[]): AlertView[] {
  const byId = new Map(snapshot.map((a) => [a.id, a]));
  for (const a of live) {
    const s = byId.get(a.id);
    // Cleared is final; otherwise the frame is newer than a snapshot taken before it.
    if (!s || (a.cleared_at && !s.cleared_at) || (!s.cleared_at && !a.cleared_at)) byId.set(a.id, a);
  }
  return [...byId.values()].sort((x, y) => Date.parse(y.raised_at) - Date.parse(x.raised_at) || y.id - x.id);
}

export const useFloorStore = defineStore('floor', () => {
  const floor = ref<FloorView | null>(null);
  /** Today's alerts, newest first. */
  const alerts = ref<AlertView[]>([]);
  const active = computed(() => alerts.value.filter((a) => !a.cleared_at));
  const loading = ref(false);
  /** Today's alerts on the server (the pages not loaded yet included), and where the older ones start. */
  const total = ref(0);
  const olderAfter = ref<number | null>(null);

  /** The snapshot (the socket is already open: frames from now on are not lost). */
  async function load(): Promise<void> {
    loading.value = true;
    try {
      await loadFeatures(['wallboard']);
      // The first page of today's alerts, and every active one: an alert still on may be older
      // than that page (the banners must show it without "load older").
      const [f, a, on] = await Promise.all([floorApi.floor(), floorApi.alerts(), floorApi.activeAlerts()]);
      if (!floor.value || Date.parse(f.as_of) >= Date.parse(floor.value.as_of)) floor.value = f;
      alerts.value = mergeAlerts(mergeAlerts(a.alerts, on), alerts.value);
      total.value = a.total;
      olderAfter.value = a.next_after;
    } finally {
      loading.value = false;
    }
  }

  /** The next page of older alerts, under those shown. */
  async function loadOlder(): Promise<void> {
    if (olderAfter.value == null) return;
    const a = await floorApi.alerts(olderAfter.value);
    alerts.value = mergeAlerts(alerts.value, a.alerts);
    olderAfter.value = a.next_after;
  }

  function applyFloor(v: FloorView): void {
    if (floor.value && Date.parse(v.as_of) < Date.parse(floor.value.as_of)) return;
    floor.value = v;
  }

  function applyAlert(a: AlertView): void {
    if (!alerts.value.some((x) => x.id === a.id)) total.value += 1;
    alerts.value = mergeAlerts(alerts.value, [a]);
  }

  async function raised(a: AlertView): Promise<void> {
    applyAlert(a);
    await loadFeatures(['wallboard']).catch(() => {});
    const { title, body } = alertText(a);
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      notify(title, body, `kefu-alert-${a.group_id}-${a.metric}`);
    }
  }

  function reset(): void {
    floor.value = null;
    alerts.value = [];
    total.value = 0;
    olderAfter.value = null;
  }

  return { floor, alerts, active, loading, total, olderAfter, load, loadOlder, applyFloor, applyAlert, raised, reset };
});
