// Supervisor live statistics.
import { http } from './client';
import type * as Api from '@kefu/api';
import type { Id, LiveStats } from './types';

export type AgentDay = Api.AgentDay;

export const statsApi = {
  live: () => http.get<LiveStats>('/stats/live'),
  /** One agent's row opened: their conversations now and their day's figures. */
  agentDay: (id: Id) => http.get<AgentDay>(`/stats/agents/${id}`),
};
