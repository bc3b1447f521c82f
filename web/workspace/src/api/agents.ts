// Agents: the signed-in agent's own status, and the admin's agent directory.
import type * as Api from '@kefu/api';
import { http } from './client';
import type { Agent, Id, SettableStatus } from './types';

export type AgentCreate = Api.CreateAgent;
export type AgentPatch = Api.UpdateAgent;

export interface AgentFilters {
  q?: string;
  role?: Api.Role;
  group_id?: Id;
  enabled?: boolean;
}

export const agentsApi = {
  me: () => http.get<Agent>('/agents/me'),
  setStatus: (status: SettableStatus, reason?: string) =>
    http.put<Agent>('/agents/me/status', (reason ? { status, reason } : { status }) satisfies Api.StatusBody),
  /** A supervisor sets a colleague's status, saying why (audited). */
  setStatusOf: (id: Id, status: SettableStatus, note: string, reason?: string) =>
    http.put<Agent>(`/agents/${id}/status`, { status, note, ...(reason ? { reason } : {}) } satisfies Api.StatusOfBody),
  list: () => http.get<Api.AgentList>('/agents').then((r) => r.agents),
  /** A page of the directory by id, narrowed by the filters (admins see disabled accounts). */
  page: (filters: AgentFilters, after?: number, limit = 50) => http.get<Api.AgentList>('/agents', { ...filters, after, limit }),
  create: (body: AgentCreate) => http.post<Agent>('/agents', body),
  update: (id: Id, patch: AgentPatch) => http.patch<Agent>(`/agents/${id}`, patch),
};
