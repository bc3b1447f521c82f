//! Conversations offered to me and waiting for accept/decline. An offer comes from an
//! `offer.created` event or, on page load, from the REST list of offered conversations; both say
//! when it lapses (`expires_at`, the conversation's `offer_expires_at`). Accepting moves the
//! conversation into my active list.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { conversationsApi } from '../api/conversations';
import { reportWarning } from '../app/feedback';
import { i18n } from '../app/i18n';
import type { Conversation, Id } from '../api/types';
import { useConversationsStore } from './conversations';
import { useSessionStore } from './session';

export interface Offer {
  conversation: Conversation;
  /** RFC 3339; null only if the server did not say when the offer lapses. */
  expires_at: string | null;
  received_at: number;
}

export const useOffersStore = defineStore('offers', () => {
  const offers = ref<Offer[]>([]);
  const busy = ref(false);
  /** Bumped for each newly arrived offer, so the UI can ring once per offer. */
  const arrivals = ref(0);

  const current = computed(() => offers.value[0]);

  function add(conversation: Conversation, expiresAt: string | null): void {
    const conversations = useConversationsStore();
    conversations.upsertConversation(conversation, { takeUnread: true });
    const i = offers.value.findIndex((o) => o.conversation.id === conversation.id);
    const deadline = expiresAt ?? conversation.offer_expires_at ?? null;
    const offer: Offer = { conversation, expires_at: deadline, received_at: Date.now() };
    if (i >= 0) {
      offers.value[i] = { ...offer, expires_at: deadline ?? offers.value[i]!.expires_at };
      return;
    }
    offers.value.push(offer);
    arrivals.value++;
  }

  function remove(id: Id): void {
    offers.value = offers.value.filter((o) => o.conversation.id !== id);
  }

  /**
   * `offer.revoked`: the offer is gone. If it was on my screen and I did not decline it myself,
   * say why in words (lapsed, the customer left, it went elsewhere).
   */
  function revoked(id: Id, reason: string): void {
    const had = offers.value.some((o) => o.conversation.id === id);
    remove(id);
    if (had && reason !== 'declined' && i18n.global.te(`agent.offerRevoked.${reason}`)) {
      reportWarning(i18n.global.t(`agent.offerRevoked.${reason}`));
    }
  }

  async function loadPending(): Promise<void> {
    const list = await conversationsApi.list('offered', true);
    const me = useSessionStore().user?.id;
    for (const c of list) {
      // mine=true already means "offered to me"; a copy saying otherwise is not my offer.
      if (c.offered_agent_id != null && me !== undefined && c.offered_agent_id !== me) continue;
      add(c, c.offer_expires_at ?? null);
    }
  }

  async function accept(id: Id): Promise<void> {
    busy.value = true;
    try {
      const conversations = useConversationsStore();
      const c = await conversationsApi.accept(id);
      remove(id);
      conversations.upsertConversation(c, { takeUnread: true });
      await conversations.open(c.id);
    } catch (e) {
      // The offer may have lapsed or been taken meanwhile: it is gone either way.
      remove(id);
      throw e;
    } finally {
      busy.value = false;
    }
  }

  async function decline(id: Id): Promise<void> {
    busy.value = true;
    try {
      remove(id);
      await conversationsApi.decline(id);
    } finally {
      busy.value = false;
    }
  }

  /** The deadline passed locally; the server also sends `offer.revoked`. */
  function expire(id: Id): void {
    remove(id);
  }

  function reset(): void {
    offers.value = [];
  }

  return { offers, busy, arrivals, current, add, remove, revoked, loadPending, accept, decline, expire, reset };
});
