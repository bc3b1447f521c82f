//! The signed-in user's notifications (@mentions in internal notes, supervisors' whispers): the
//! badge in the header and its list. Loaded with the session, kept live by `notification.created`.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { notesApi } from '../api/notes';
import type { Id, Notification } from '../api/types';

export const useNotificationsStore = defineStore('notifications', () => {
  /** Newest first. */
  const items = ref<Notification[]>([]);
  const unread = ref(0);
  const nextBefore = ref<Id | null>(null);
  const loading = ref(false);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const page = await notesApi.notifications();
      items.value = page.notifications;
      unread.value = page.unread;
      nextBefore.value = page.next_before;
    } finally {
      loading.value = false;
    }
  }

  async function loadMore(): Promise<void> {
    if (nextBefore.value === null) return;
    const page = await notesApi.notifications(nextBefore.value);
    const known = new Set(items.value.map((n) => n.id));
    items.value.push(...page.notifications.filter((n) => !known.has(n.id)));
    unread.value = page.unread;
    nextBefore.value = page.next_before;
  }

  /** A `notification.created` frame. */
  function apply(n: Notification): void {
    if (items.value.some((x) => x.id === n.id)) return;
    items.value.unshift(n);
    if (!n.read) unread.value++;
  }

  async function markRead(id: Id): Promise<void> {
    const n = items.value.find((x) => x.id === id);
    if (!n || n.read) return;
    n.read = true;
    unread.value = Math.max(0, unread.value - 1);
    await notesApi.read(id);
  }

  async function markAllRead(): Promise<void> {
    for (const n of items.value) n.read = true;
    unread.value = 0;
    await notesApi.readAll();
  }

  function reset(): void {
    items.value = [];
    unread.value = 0;
    nextBefore.value = null;
  }

  return { items, unread, nextBefore, loading, load, loadMore, apply, markRead, markAllRead, reset };
});
