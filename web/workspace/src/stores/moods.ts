//! Customers who turned strongly negative (情绪预警), for supervisors: the active alerts from a
//! REST snapshot, then `sentiment.raised` / `sentiment.cleared` frames. A raised alert also
//! makes a desktop notification when the user allowed them (the floor alerts' switch).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { floorApi } from '../api/floor';
import type { SentimentAlert } from '../api/types';
import { i18n, loadFeatures } from '../app/i18n';
import { notify } from '../features/agent/offerAlert';

/** Upsert `a` into the active list (oldest first), or drop it once cleared. */
export function applyMood(list: SentimentAlert[], a: SentimentAlert): SentimentAlert[] {
  const rest = list.filter((x) => x.id !== a.id);
  return a.cleared_at ? rest : [...rest, a].sort((x, y) => x.id - y.id);
}

export const useMoodsStore = defineStore('moods', () => {
  const active = ref<SentimentAlert[]>([]);
  /** Ids cleared by a frame: a snapshot that loaded before the frame must not bring them back. */
  const gone = new Set<number>();

  async function load(): Promise<void> {
    const alerts = await floorApi.sentimentAlerts();
    let list = active.value;
    for (const a of alerts) if (!gone.has(a.id)) list = applyMood(list, a);
    active.value = list;
  }

  async function raised(a: SentimentAlert): Promise<void> {
    active.value = applyMood(active.value, a);
    await loadFeatures(['supervisor']).catch(() => {});
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      const t = i18n.global.t;
      notify(t('supervisor.sentiment.title', { visitor: a.visitor_name }), a.excerpt, `kefu-sentiment-${a.conversation_id}`);
    }
  }

  function cleared(a: SentimentAlert): void {
    gone.add(a.id);
    active.value = applyMood(active.value, a);
  }

  function reset(): void {
    active.value = [];
    gone.clear();
  }

  return { active, load, raised, cleared, reset };
});
