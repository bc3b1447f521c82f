//! The report filters and the URL query that carries them (so a reload, a bookmark or a link
//! shows the same report). Pure: parsing never throws; anything unknown falls back to a default.

import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { ReportQuery } from '../../api/reports';

export const INTERVALS = ['15m', '30m', 'day', 'week', 'month'] as const;
export type ReportInterval = (typeof INTERVALS)[number];
export const DIMENSIONS = ['total', 'group', 'business_type', 'channel', 'agent'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export const TABS = ['conversations', 'reasons', 'agents'] as const;
export const CHANNELS = ['web', 'h5', 'app', 'api'] as const;
export type Channel = (typeof CHANNELS)[number];
export type ReportTab = (typeof TABS)[number];

export interface Filters {
  tab: ReportTab;
  from: string;
  to: string;
  interval: ReportInterval;
  by: Dimension;
  groups: number[];
  /** Conversation and reasons tabs: only these business types and channels (none: all). */
  businessTypes: number[];
  channels: Channel[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function one(q: LocationQuery, key: string): string | undefined {
  const v = q[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : undefined;
}

function pick<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

/** Filters from the URL; `today` (YYYY-MM-DD) when no valid day is given. */
export function parseFilters(q: LocationQuery, today: string): Filters {
  const from = one(q, 'from');
  const to = one(q, 'to');
  const f = DATE.test(from ?? '') ? from! : today;
  const t = DATE.test(to ?? '') && to! >= f ? to! : f;
  const ids = (key: string) =>
    (one(q, key) ?? '')
      .split(',')
      .map((g) => Number(g))
      .filter((g) => Number.isInteger(g) && g > 0);
  const channels = (one(q, 'channels') ?? '').split(',').filter((c): c is Channel => (CHANNELS as readonly string[]).includes(c));
  return {
    tab: pick(one(q, 'tab'), TABS, 'conversations'),
    from: f,
    to: t,
    interval: pick(one(q, 'interval'), INTERVALS, 'day'),
    by: pick(one(q, 'by'), DIMENSIONS, 'group'),
    groups: ids('groups'),
    businessTypes: ids('business_types'),
    channels,
  };
}

/** The URL query of the filters. */
export function filtersQuery(f: Filters): LocationQueryRaw {
  const q: LocationQueryRaw = { tab: f.tab, from: f.from, to: f.to, interval: f.interval, by: f.by };
  if (f.groups.length) q.groups = f.groups.join(',');
  if (f.businessTypes.length) q.business_types = f.businessTypes.join(',');
  if (f.channels.length) q.channels = f.channels.join(',');
  return q;
}

/** What the API is asked for, split by `by` (or `total`, for the chart over time). */
export function apiQuery(f: Filters, by: Dimension = f.by): ReportQuery {
  const q: ReportQuery = { from: f.from, to: f.to, interval: f.interval, by, group_ids: f.groups.length ? f.groups.join(',') : undefined };
  // The agent state report has no business type or channel: those filters are the conversations'.
  if (f.tab !== 'agents' && f.businessTypes.length) q.business_type_ids = f.businessTypes.join(',');
  if (f.tab !== 'agents' && f.channels.length) q.channels = f.channels.join(',');
  return q;
}
