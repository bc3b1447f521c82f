// Workforce planning: history import, forecast, staffing and shift suggestions per group.
import type * as Api from '@kefu/api';
import { http, request, requestBlob } from './client';
import { everyPage } from './everyPage';
import type { Id } from './types';

export type PlanningGroup = Api.PlanningGroup;
export type ForecastView = Api.ForecastView;
export type StaffingView = Api.StaffingView;
export type ScheduleView = Api.ScheduleView;
export type ContractBody = Api.ContractBody;
export type PlanningSettings = Api.PlanningSettings;
export type PlanActualsView = Api.PlanActualsView;
export type ScheduleSummary = Api.ScheduleSummary;

export const planningApi = {
  /** Every group this caller plans, by name. */
  groups: () => everyPage<PlanningGroup>('/planning/groups', 'groups'),
  importCsv: (csv: string) =>
    request<Api.ImportResult>('POST', '/planning/history/import', { text: { body: csv, type: 'text/csv' } }),
  forecast: (group: Id, weeks: number) => http.get<ForecastView>(`/planning/groups/${group}/forecast`, { weeks }),
  staffing: (group: Id, weeks: number) => http.get<StaffingView>(`/planning/groups/${group}/staffing`, { weeks }),
  schedule: (group: Id, weeks: number, contracts: ContractBody[]) =>
    http.post<ScheduleView>(`/planning/groups/${group}/schedule`, { weeks, contracts } satisfies Api.ScheduleRequest),
  saveSettings: (group: Id, settings: PlanningSettings) => http.put<PlanningSettings>(`/planning/groups/${group}/settings`, settings),
  latestSchedule: (group: Id) => http.get<ScheduleView>(`/planning/groups/${group}/schedule`),
  /** A period against the plans saved for it (default: the newest plan's span), per interval that has begun. */
  actuals: (group: Id, q: { schedule_id?: number; from?: string; to?: string } = {}) =>
    http.get<PlanActualsView>(`/planning/groups/${group}/schedule/actuals`, q),
  /** The same period as a CSV or XLSX file (the server logs every export). */
  exportActuals: (group: Id, q: { schedule_id?: number; from?: string; to?: string }, format: 'csv' | 'xlsx', locale: string) => {
    const params: Record<string, string> = { format, locale };
    for (const [k, v] of Object.entries(q)) if (v !== undefined) params[k] = String(v);
    return requestBlob(`/planning/groups/${group}/schedule/actuals/export?${new URLSearchParams(params).toString()}`);
  },
  /** The group's saved plans, newest first. */
  schedules: (group: Id) => http.get<Api.ScheduleList>(`/planning/groups/${group}/schedules`).then((l) => l.schedules),
};
