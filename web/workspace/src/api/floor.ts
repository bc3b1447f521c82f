// The floor now (wallboard, alert panel), today's alerts, and each group's alert thresholds.
import type * as Api from '@kefu/api';
import { http } from './client';
import { everyPage } from './everyPage';
import type { AlertView, FloorView, Id, SentimentAlert, Thresholds, ThresholdsBody, ThresholdsList } from './types';

type AlertList = Api.AlertList;

/** Today's alerts shown at first; older ones on "load older". */
export const ALERTS_PAGE = 50;

export const floorApi = {
  floor: () => http.get<FloorView>('/stats/floor'),
  /** A page of today's alerts, newest first, the active ones included; `after` = the previous page's `next_after`. */
  alerts: (after?: Id) => http.get<AlertList>('/alerts', { limit: ALERTS_PAGE, after }),
  /** The alerts still active, however old (at most one per group and metric: the banners). */
  activeAlerts: () => everyPage<AlertView>('/alerts', 'alerts', { active: 'true' }),
  /** Customers who turned strongly negative and have not recovered, oldest first (every page). */
  sentimentAlerts: () => everyPage<SentimentAlert>('/sentiment-alerts', 'alerts'),
  thresholds: () => http.get<ThresholdsList>('/alert-thresholds'),
  setThresholds: (group: Id, body: ThresholdsBody) => http.put<Thresholds>(`/groups/${group}/alert-thresholds`, body),
  resetThresholds: (group: Id) => http.del(`/groups/${group}/alert-thresholds`),
};
