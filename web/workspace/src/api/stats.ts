// Supervisor live statistics.
import { http } from './client';
import type { LiveStats } from './types';

export const statsApi = {
  live: () => http.get<LiveStats>('/stats/live'),
};
