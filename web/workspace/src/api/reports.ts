// Reports (报表): conversation and agent state figures from the server's fact log, and exports.
import { http, requestBlob } from './client';
import type * as Api from '@kefu/api';

export type ConversationReport = Api.ConversationReport;
export type AgentReport = Api.AgentReport;
export type ConversationFigures = Api.ConversationFigures;
export type AgentFigures = Api.AgentFigures;
export type ReasonReport = Api.ReasonReport;
export type ReasonView = Api.ReasonView;

/** The query every report takes (see `ReportParams` on the server). */
export interface ReportQuery {
  from: string;
  to: string;
  interval: string;
  by?: string;
  group_ids?: string;
  business_type_ids?: string;
  channels?: string;
}

function params(q: ReportQuery): Record<string, string> {
  const out: Record<string, string> = { from: q.from, to: q.to, interval: q.interval };
  if (q.by) out.by = q.by;
  if (q.group_ids) out.group_ids = q.group_ids;
  if (q.business_type_ids) out.business_type_ids = q.business_type_ids;
  if (q.channels) out.channels = q.channels;
  return out;
}

export const reportsApi = {
  conversations: (q: ReportQuery) => http.get<ConversationReport>('/reports/conversations', params(q)),
  agents: (q: ReportQuery) => http.get<AgentReport>('/reports/agents', params(q)),
  reasons: (q: ReportQuery) => http.get<ReasonReport>('/reports/reasons', params(q)),
  /** The report as a file (the server logs every export). */
  export: (report: 'conversations' | 'agents' | 'reasons', q: ReportQuery, format: 'csv' | 'xlsx', locale: string) =>
    requestBlob(`/reports/${report}/export?${new URLSearchParams({ ...params(q), format, locale }).toString()}`),
};
