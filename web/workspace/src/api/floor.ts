// The floor now (wallboard, alert panel), today's alerts, and each group's alert thresholds.
import { http } from './client';
import type { AlertView, FloorView, Id, SentimentAlert, Thresholds, ThresholdsBody, ThresholdsList } from './types';

export const floorApi = {
  floor: () => http.get<FloorView>('/stats/floor'),
  /** Today's alerts, newest first, the active ones included. */
  alerts: () => http.get<{ alerts: AlertView[] }>('/alerts'),
  /** Customers who turned strongly negative and have not recovered, oldest first. */
  sentimentAlerts: () => http.get<{ alerts: SentimentAlert[] }>('/sentiment-alerts'),
  thresholds: () => http.get<ThresholdsList>('/alert-thresholds'),
  setThresholds: (group: Id, body: ThresholdsBody) => http.put<Thresholds>(`/groups/${group}/alert-thresholds`, body),
  resetThresholds: (group: Id) => http.del(`/groups/${group}/alert-thresholds`),
};
