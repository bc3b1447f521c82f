//! The planning page's choices that live in the URL (so a reload, a bookmark or a link shows
//! the same plan against the same period): the group, and the plan-against-actuals period and
//! plan. Pure: parsing never throws; anything invalid is left out (the server's default then).

import type { LocationQuery, LocationQueryRaw } from 'vue-router';

export interface PlanPeriod {
  group?: number;
  /** First and last day (YYYY-MM-DD, organisation's zone); absent: the plan's own span. */
  from?: string;
  to?: string;
  /** One saved plan; absent: each interval against the newest plan saved for it. */
  plan?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function one(q: LocationQuery, key: string): string | undefined {
  const v = q[key];
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' ? s : undefined;
}

function id(text: string | undefined): number | undefined {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? n : undefined;
}

export function parsePeriod(q: LocationQuery): PlanPeriod {
  const out: PlanPeriod = {};
  const group = id(one(q, 'group'));
  if (group) out.group = group;
  const from = one(q, 'from');
  const to = one(q, 'to');
  if (from && DATE.test(from)) {
    out.from = from;
    out.to = to && DATE.test(to) && to >= from ? to : from;
  }
  const plan = id(one(q, 'plan'));
  if (plan) out.plan = plan;
  return out;
}

export function periodQuery(p: PlanPeriod): LocationQueryRaw {
  const q: LocationQueryRaw = {};
  if (p.group) q.group = String(p.group);
  if (p.from) {
    q.from = p.from;
    q.to = p.to ?? p.from;
  }
  if (p.plan) q.plan = String(p.plan);
  return q;
}

/** What the plan-against-actuals endpoint is asked for. */
export function actualsQuery(p: PlanPeriod): { schedule_id?: number; from?: string; to?: string } {
  const q: { schedule_id?: number; from?: string; to?: string } = {};
  if (p.plan) q.schedule_id = p.plan;
  if (p.from) {
    q.from = p.from;
    q.to = p.to ?? p.from;
  }
  return q;
}
