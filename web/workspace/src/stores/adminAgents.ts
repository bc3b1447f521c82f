//! Admin: the staff directory (agents, supervisors, admins), including disabled accounts.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { agentsApi, type AgentCreate, type AgentPatch } from '../api/agents';
import type { Agent, Id } from '../api/types';

export const useAdminAgentsStore = defineStore('adminAgents', () => {
  const agents = ref<Agent[]>([]);
  const loading = ref(false);

  async function load(): Promise<void> {
    loading.value = true;
    try {
      agents.value = await agentsApi.list();
    } finally {
      loading.value = false;
    }
  }

  function put(a: Agent): void {
    const i = agents.value.findIndex((x) => x.id === a.id);
    if (i >= 0) agents.value[i] = a;
    else agents.value.push(a);
  }

  async function create(body: AgentCreate): Promise<Agent> {
    const a = await agentsApi.create(body);
    put(a);
    return a;
  }

  async function update(id: Id, patch: AgentPatch): Promise<Agent> {
    const a = await agentsApi.update(id, patch);
    put(a);
    return a;
  }

  return { agents, loading, load, create, update };
});
