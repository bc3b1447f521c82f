//! Recorded calls as staff replay them: which calls of a conversation have recording files I may
//! fetch (so their line in the history offers playback), and a call's composed MP4 (its signed
//! `play_url` is valid for minutes: fetched again when the player needs a fresh one).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type * as Api from '@kefu/api';
import { callsApi } from '../api/calls';
import type { Id } from '../api/types';

export const useRecordingsStore = defineStore('recordings', () => {
  /** Per conversation, the ids of its calls with a recording I may fetch. */
  const recorded = ref(new Map<Id, Set<Id>>());

  async function load(conversationId: Id): Promise<void> {
    const files = await callsApi.recordingsOf(conversationId);
    recorded.value.set(conversationId, new Set(files.map((f) => f.call_id)));
  }

  function has(conversationId: Id, callId: Id): boolean {
    return recorded.value.get(conversationId)?.has(callId) ?? false;
  }

  function composition(callId: Id): Promise<Api.CompositionView> {
    return callsApi.composition(callId);
  }

  function call(callId: Id): Promise<Api.CallView> {
    return callsApi.get(callId);
  }

  function reset(): void {
    recorded.value.clear();
  }

  return { recorded, load, has, composition, call, reset };
});
