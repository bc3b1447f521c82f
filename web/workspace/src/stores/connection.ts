//! The realtime connection's state, for the header indicator. Written by the bridge only.

import { defineStore } from 'pinia';
import { ref } from 'vue';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'closed';

export const useConnectionStore = defineStore('connection', () => {
  const state = ref<ConnectionState>('idle');
  /** How many times the socket came back after a drop (each triggers a REST resync). */
  const reconnects = ref(0);
  return { state, reconnects };
});
