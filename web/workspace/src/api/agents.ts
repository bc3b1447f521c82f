// Agents: the signed-in agent's own status, and the admin's agent directory.
import { http } from './client';
import type { Agent, ChannelCounts, Id, Role, SettableStatus } from './types';

export interface AgentCreate {
  email: string;
  name: string;
  password: string;
  role: Role;
  capacity: ChannelCounts;
}

export type AgentPatch = Partial<{
  name: string;
  role: Role;
  password: string;
  capacity: ChannelCounts;
  enabled: boolean;
}>;

export const agentsApi = {
  me: () => http.get<Agent>('/agents/me'),
  setStatus: (status: SettableStatus, reason?: string) =>
    http.put<Agent>('/agents/me/status', reason ? { status, reason } : { status }),
  list: () => http.get<{ agents: Agent[] }>('/agents').then((r) => r.agents),
  create: (body: AgentCreate) => http.post<Agent>('/agents', body),
  update: (id: Id, patch: AgentPatch) => http.patch<Agent>(`/agents/${id}`, patch),
};
