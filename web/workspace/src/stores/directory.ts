//! Reference data the agent screens need: skill groups (names, CRM template), agents (transfer
//! targets) and wrap-up codes. Loaded once per session, refreshed on demand.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { agentsApi } from '../api/agents';
import { catalogApi } from '../api/catalog';
import type { Agent, Group, Id, WrapUpCode } from '../api/types';

export const useDirectoryStore = defineStore('directory', () => {
  const groups = ref<Group[]>([]);
  const agents = ref<Agent[]>([]);
  const wrapUpCodes = ref<WrapUpCode[]>([]);

  const group = (id: Id | null | undefined) => groups.value.find((g) => g.id === id);
  const agent = (id: Id | null | undefined) => agents.value.find((a) => a.id === id);
  /** A wrap-up code's label ("已解决 Resolved"); the code itself when unknown (since deleted). */
  const wrapUpLabel = (code: string | null | undefined) =>
    code ? (wrapUpCodes.value.find((w) => w.code === code)?.label ?? code) : '';

  async function loadGroups(): Promise<void> {
    groups.value = await catalogApi.groups();
  }

  async function loadAgents(): Promise<void> {
    agents.value = await agentsApi.list();
  }

  async function loadWrapUpCodes(): Promise<void> {
    wrapUpCodes.value = await catalogApi.wrapUpCodes();
  }

  /** From an `agent.status` event: keeps transfer targets' status fresh. */
  function applyAgent(a: Agent): void {
    const i = agents.value.findIndex((x) => x.id === a.id);
    if (i >= 0) agents.value[i] = a;
  }

  function reset(): void {
    groups.value = [];
    agents.value = [];
    wrapUpCodes.value = [];
  }

  return { groups, agents, wrapUpCodes, group, agent, wrapUpLabel, loadGroups, loadAgents, loadWrapUpCodes, applyAgent, reset };
});
