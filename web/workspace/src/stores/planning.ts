//! Workforce planning: the groups the caller plans, and for the chosen one its forecast,
//! staffing and latest shift suggestion, and that plan against what happened. Contracts are typed
//! in as a template: for the group's agents chosen by name, or for N unnamed agents alike.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import {
  planningApi,
  type ContractBody,
  type ForecastView,
  type PlanningGroup,
  type PlanActualsView,
  type PlanningSettings,
  type ScheduleSummary,
  type ScheduleView,
  type StaffingView,
} from '../api/planning';
import { actualsQuery, type PlanPeriod } from '../features/planning/period';
import { everyPage } from '../api/everyPage';
import type { Id } from '../api/types';

export interface ContractTemplate {
  /** The group's agents the contract is for; when empty, `agents` unnamed ones. */
  agentIds: Id[];
  agents: number;
  namePrefix: string;
  hoursPerWeek: number;
  shiftHours: number[];
  earliestStart: string;
  latestEnd: string;
  daysOff: number[];
}

/** One contract per chosen agent (named by the server from the agent), else per unnamed agent. */
export function contractsOf(t: ContractTemplate): ContractBody[] {
  const terms = {
    hours_per_week: t.hoursPerWeek,
    shift_hours: t.shiftHours,
    earliest_start: t.earliestStart,
    latest_end: t.latestEnd,
    days_off: t.daysOff,
  };
  if (t.agentIds.length > 0) return t.agentIds.map((id) => ({ agent_id: id, name: '', ...terms }));
  return Array.from({ length: t.agents }, (_, i) => ({ name: `${t.namePrefix} ${i + 1}`, ...terms }));
}

export interface ActualSeries {
  /** Interval starts (ms). */
  starts: number[];
  scheduled: number[];
  /** Agents ready or serving at any time in the interval (head count). */
  agentsOn: number[];
  loggedIn: number[];
  ready: number[];
  forecast: number[];
  offered: number[];
}

/** The plan-against-actual view as chart columns (averages of agents rounded to tenths). */
export function actualSeries(v: PlanActualsView): ActualSeries {
  const tenth = (x: number) => Math.round(x * 10) / 10;
  return {
    starts: v.points.map((p) => p.start),
    scheduled: v.points.map((p) => p.scheduled),
    agentsOn: v.points.map((p) => p.agents_on),
    loggedIn: v.points.map((p) => tenth(p.logged_in)),
    ready: v.points.map((p) => tenth(p.ready)),
    forecast: v.points.map((p) => tenth(p.forecast_offered)),
    offered: v.points.map((p) => p.offered),
  };
}

export interface GroupAgent {
  id: Id;
  name: string;
}

export const usePlanningStore = defineStore('planning', () => {
  const groups = ref<PlanningGroup[]>([]);
  const group = ref<Id | null>(null);
  const weeks = ref(1);
  const forecast = ref<ForecastView | null>(null);
  const staffing = ref<StaffingView | null>(null);
  const schedule = ref<ScheduleView | null>(null);
  const actuals = ref<PlanActualsView | null>(null);
  /** The group's saved plans (newest first), and the period and plan compared (from the URL). */
  const plans = ref<ScheduleSummary[]>([]);
  const period = ref<PlanPeriod>({});
  /** Why the chosen period could not be compared (shown in its card). */
  const actualsError = ref<string | null>(null);
  /** The chosen group's agents, whom contracts may name. */
  const agents = ref<GroupAgent[]>([]);
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
      await loadActuals();
      // Who contracts may name: without it (a caller who may not list agents) plans stay unnamed.
      agents.value = await everyPage<GroupAgent>('/agents', 'agents', { group_id: group.value })
        .then((list) => list.map((a) => ({ id: a.id, name: a.name })))
        .catch(() => []);
    } catch (e) {
      forecast.value = null;
      staffing.value = null;
      schedule.value = null;
      actuals.value = null;
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
    await loadActuals();
  }

  /** The chosen period against the plans as a file, saved by the browser. */
  async function downloadActuals(format: 'csv' | 'xlsx', locale: string): Promise<void> {
    if (group.value == null) return;
    const blob = await planningApi.exportActuals(group.value, actualsQuery(period.value), format, locale);
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = `kefu-plan_actuals-${group.value}-${actuals.value?.from ?? ''}_${actuals.value?.to ?? ''}.${format}`;
    a.rel = 'noopener';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** The saved plans and the chosen period against them (none: no plan and no period yet). */
  async function loadActuals(): Promise<void> {
    if (group.value == null) return;
    const g = group.value;
    plans.value = await planningApi.schedules(g).catch(() => []);
    actualsError.value = null;
    actuals.value = await planningApi.actuals(g, actualsQuery(period.value)).catch((e: unknown) => {
      // No plan yet and no period chosen: nothing to compare, not an error.
      if (period.value.from || period.value.plan) actualsError.value = e instanceof Error ? e.message : String(e);
      return null;
    });
  }

  /** Admin: change the group's settings, then recompute the staffing. */
  async function saveSettings(settings: PlanningSettings): Promise<void> {
    if (group.value == null) return;
    await planningApi.saveSettings(group.value, settings);
    await loadGroups();
    staffing.value = await planningApi.staffing(group.value, weeks.value);
  }

  return {
    saveSettings,
    groups,
    group,
    weeks,
    forecast,
    staffing,
    schedule,
    actuals,
    plans,
    period,
    actualsError,
    loadActuals,
    downloadActuals,
    agents,
    loading,
    empty,
    loadGroups,
    refresh,
    importCsv,
    suggest,
  };
});
