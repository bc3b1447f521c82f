//! The signed-in agent's own record: status (with away reason), wrap-up deadline, load.
//! Updated by `PUT /agents/me/status` answers and by `agent.status` events about me.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { agentsApi } from '../api/agents';
import type { Agent, SettableStatus } from '../api/types';

/** Away reasons offered in the UI; sent as these codes, translated wherever they are shown. */
export const AWAY_REASONS = ['meal', 'training', 'meeting', 'other'] as const;
export type AwayReason = (typeof AWAY_REASONS)[number];
/** Reasons the server sets by itself: too many missed offers, the workspace gone for a while. */
export const SYSTEM_AWAY_REASONS = ['missed_offers', 'disconnected'] as const;

/** An away reason in words: a known code translated (`t`), free text from an integration as is. */
export function awayReasonText(t: (key: string) => string, code: string): string {
  const known: readonly string[] = [...AWAY_REASONS, ...SYSTEM_AWAY_REASONS];
  return known.includes(code) ? t(`common.awayReasons.${code}`) : code;
}

export const useAgentStatusStore = defineStore('agentStatus', () => {
  const me = ref<Agent | null>(null);
  const saving = ref(false);

  const status = computed(() => me.value?.status ?? 'offline');
  const wrapUpUntil = computed(() => (me.value?.status === 'wrap_up' ? me.value.wrap_up_until : null));

  async function load(): Promise<void> {
    me.value = await agentsApi.me();
  }

  async function setStatus(next: SettableStatus, reason?: string): Promise<void> {
    saving.value = true;
    try {
      me.value = await agentsApi.setStatus(next, next === 'away' ? reason : undefined);
    } finally {
      saving.value = false;
    }
  }

  /** From an `agent.status` event: only my own record concerns this store. */
  function apply(agent: Agent): void {
    if (me.value && agent.id === me.value.id) me.value = agent;
  }

  function reset(): void {
    me.value = null;
  }

  return { me, saving, status, wrapUpUntil, load, setStatus, apply, reset };
});

/** Whole seconds left until `until`, never negative. */
export function secondsLeft(until: string | null | undefined, now: number): number {
  if (!until) return 0;
  const t = Date.parse(until);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.ceil((t - now) / 1000));
}
