//! Workforce planning: the groups the caller plans, and for the chosen one its forecast,
//! staffing and latest shift suggestion. Contracts are typed in as a template (N agents alike).

import { defineStore } from 'pinia';
import { ref } from 'vue';
import {
  planningApi,
  type ContractBody,
  type ForecastView,
  type PlanningGroup,
  type PlanningSettings,
  type ScheduleView,
  type StaffingView,
} from '../api/planning';
import type { Id } from '../api/types';

export interface ContractTemplate {
  agents: number;
  namePrefix: string;
  hoursPerWeek: number;
  shiftHours: number[];
  earliestStart: string;
  latestEnd: string;
  daysOff: number[];
}

export function contractsOf(t: ContractTemplate): ContractBody[] {
  return Array.from({ length: t.agents }, (_, i) => ({
    name: `${t.namePrefix} ${i + 1}`,
    hours_per_week: t.hoursPerWeek,
    shift_hours: t.shiftHours,
    earliest_start: t.earliestStart,
    latest_end: t.latestEnd,
    days_off: t.daysOff,
  }));
}

export const usePlanningStore = defineStore('planning', () => {
  const groups = ref<PlanningGroup[]>([]);
  const group = ref<Id | null>(null);
  const weeks = ref(1);
  const forecast = ref<ForecastView | null>(null);
  const staffing = ref<StaffingView | null>(null);
  const schedule = ref<ScheduleView | null>(null);
  const loading = ref(false);
  /** Why there is no forecast (no history yet), shown instead of the charts. */
  const empty = ref<string | null>(null);

  async function loadGroups(): Promise<void> {
    groups.value = await planningApi.groups();
    const first = groups.value[0];
    if (group.value == null && first) group.value = first.id;
  }

  async function refresh(): Promise<void> {
    if (group.value == null) return;
    loading.value = true;
    try {
      // Two independent requests: the server computes them on two cores.
      const [f, s] = await Promise.all([planningApi.forecast(group.value, weeks.value), planningApi.staffing(group.value, weeks.value)]);
      forecast.value = f;
      staffing.value = s;
      empty.value = null;
      schedule.value = await planningApi.latestSchedule(group.value).catch(() => null);
    } catch (e) {
      forecast.value = null;
      staffing.value = null;
      schedule.value = null;
      empty.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  /** Stores the CSV's intervals; the caller refreshes (after telling the user). */
  async function importCsv(csv: string): Promise<number> {
    return (await planningApi.importCsv(csv)).intervals;
  }

  async function suggest(template: ContractTemplate): Promise<void> {
    if (group.value == null) return;
    schedule.value = await planningApi.schedule(group.value, weeks.value, contractsOf(template));
  }

  /** Admin: change the group's settings, then recompute the staffing. */
  async function saveSettings(settings: PlanningSettings): Promise<void> {
    if (group.value == null) return;
    await planningApi.saveSettings(group.value, settings);
    await loadGroups();
    staffing.value = await planningApi.staffing(group.value, weeks.value);
  }

  return { saveSettings, groups, group, weeks, forecast, staffing, schedule, loading, empty, loadGroups, refresh, importCsv, suggest };
});
