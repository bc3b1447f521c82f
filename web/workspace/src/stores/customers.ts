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

  async function loadHistory(visitorId: Id): Promise<void> {
    loading.value.add(visitorId);
    errors.value.delete(visitorId);
    try {
      const list = await conversationsApi.ofVisitor(visitorId);
      history.value.set(
        visitorId,
        [...list].sort((a, b) => b.created_at.localeCompare(a.created_at)),
      );
    } catch (e) {
      errors.value.set(visitorId, errorText(e));
    } finally {
      loading.value.delete(visitorId);
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
  }

  return { history, loading, errors, loadHistory, openPast, reset };
});
