//! Reports (报表): the figures for the filters in the URL, fetched when they change, and exports.
//! A newer load wins over a slower older one (the filters may change while one is in flight).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { catalogApi } from '../api/catalog';
import { conversationsApi } from '../api/conversations';
import { reportsApi, type AgentReport, type ConversationReport, type ReasonReport } from '../api/reports';
import type { BusinessType, Conversation, Group } from '../api/types';
import { errorText } from '../app/errorText';
import { apiQuery, type Filters } from '../features/reports/filters';
import { useSessionStore } from './session';

export const useReportsStore = defineStore('reports', () => {
  /** Per interval, all keys together (the chart over time). */
  const overTime = ref<ConversationReport | null>(null);
  /** Per key (group, channel, ...) over the range. */
  const byKey = ref<ConversationReport | null>(null);
  const agents = ref<AgentReport | null>(null);
  /** Contact reasons (tags) over the range. */
  const reasons = ref<ReasonReport | null>(null);
  const businessTypes = ref<BusinessType[]>([]);
  /** The groups the user may filter by: an admin's all, a supervisor's own. */
  const groups = ref<Group[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  let generation = 0;

  async function loadGroups(): Promise<void> {
    const session = useSessionStore();
    const all = await catalogApi.groups();
    const me = session.user?.id;
    groups.value = session.can('admin') ? all : all.filter((g) => g.members.some((m) => m.agent_id === me));
    businessTypes.value = await catalogApi.businessTypes();
  }

  async function load(f: Filters): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    try {
      if (f.tab === 'agents') {
        const a = await reportsApi.agents(apiQuery(f));
        if (mine === generation) agents.value = a;
      } else if (f.tab === 'reasons') {
        const r = await reportsApi.reasons(apiQuery(f));
        if (mine === generation) reasons.value = r;
      } else {
        const [t, k] = await Promise.all([reportsApi.conversations(apiQuery(f, 'total')), reportsApi.conversations(apiQuery(f))]);
        if (mine === generation) {
          overTime.value = t;
          byKey.value = k;
        }
      }
      if (mine === generation) error.value = null;
    } catch (e) {
      if (mine === generation) error.value = errorText(e);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  /** A conversation a reason's comment links to (read-only view). */
  function conversation(id: number): Promise<Conversation> {
    return conversationsApi.get(id);
  }

  /** Downloads the tab's report as CSV or XLSX, headers in the UI's language. */
  async function download(f: Filters, format: 'csv' | 'xlsx', locale: string): Promise<void> {
    try {
      const blob = await reportsApi.export(f.tab, apiQuery(f), format, locale);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `kefu-${f.tab}-${f.from}_${f.to}.${format}`;
      a.rel = 'noopener';
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      error.value = null;
    } catch (e) {
      error.value = errorText(e);
    }
  }

  return { overTime, byKey, agents, reasons, groups, businessTypes, loading, error, loadGroups, load, download, conversation };
});
