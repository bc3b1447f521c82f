//! Whether the signed-in supervisor oversees no skill group: the server then shows them nothing
//! (live pages, wallboard, reports, QA), and the pages say why instead of looking empty.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { agentsApi } from '../api/agents';
import { useSessionStore } from './session';

export const useOversightStore = defineStore('oversight', () => {
  const noGroups = ref(false);

  async function load(): Promise<void> {
    if (useSessionStore().role !== 'supervisor') {
      noGroups.value = false;
      return;
    }
    noGroups.value = (await agentsApi.me()).groups.length === 0;
  }

  return { noGroups, load };
});
