//! Earlier conversations of a customer, for the customer panel and its read-only history view.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { conversationsApi } from '../api/conversations';
import type { Conversation, Id } from '../api/types';
import { useConversationsStore } from './conversations';
import { errorText } from '../app/errorText';

export const useCustomersStore = defineStore('customers', () => {
  const history = ref(new Map<Id, Conversation[]>());
  const loading = ref(new Set<Id>());
  /** Why a customer's history could not be loaded (e.g. 403), shown in the panel, not as a toast. */
  const errors = ref(new Map<Id, string>());
  /** `after` for a customer's next (older) page; absent or null once the oldest is shown. */
  const nextAfter = ref(new Map<Id, number | null>());
  const loadingOlder = ref(new Set<Id>());

  /** The newest page of the customer's conversations (again); the server pages 50 at a time. */
  async function loadHistory(visitorId: Id): Promise<void> {
    loading.value.add(visitorId);
    errors.value.delete(visitorId);
    try {
      const page = await conversationsApi.ofVisitor(visitorId);
      history.value.set(visitorId, newestFirst(page.conversations));
      nextAfter.value.set(visitorId, page.next_after);
    } catch (e) {
      errors.value.set(visitorId, errorText(e));
    } finally {
      loading.value.delete(visitorId);
    }
  }

  /** Appends the next older page ("load older" in the panel); nothing when none is left. */
  async function loadOlder(visitorId: Id): Promise<void> {
    const cursor = nextAfter.value.get(visitorId);
    if (cursor == null || loadingOlder.value.has(visitorId)) return;
    loadingOlder.value.add(visitorId);
    try {
      const page = await conversationsApi.ofVisitor(visitorId, cursor);
      // A conversation may appear on both pages if one started in between: keep it once.
      const shown = history.value.get(visitorId) ?? [];
      const seen = new Set(shown.map((c) => c.id));
      history.value.set(visitorId, newestFirst([...shown, ...page.conversations.filter((c) => !seen.has(c.id))]));
      nextAfter.value.set(visitorId, page.next_after);
    } finally {
      loadingOlder.value.delete(visitorId);
    }
  }

  /** Loads one earlier conversation with its messages into the conversations store, read-only. */
  async function openPast(c: Conversation): Promise<void> {
    const conversations = useConversationsStore();
    if (!conversations.byId.get(c.id)) conversations.upsertConversation(c, { track: false });
    await conversations.loadMessages(c.id);
  }

  function reset(): void {
    history.value.clear();
    errors.value.clear();
    nextAfter.value.clear();
  }

  return { history, loading, errors, nextAfter, loadingOlder, loadHistory, loadOlder, openPast, reset };
});

function newestFirst(list: Conversation[]): Conversation[] {
  return [...list].sort((a, b) => b.created_at.localeCompare(a.created_at));
}
