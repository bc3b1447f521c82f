//! How a wallboard tile is coloured: each figure against its group's thresholds, the same rule
//! as the server's (kefu-core `level_of`): waiting and longest wait at or above a level, service
//! level below it; a level of 0 is off. Pure, so the longest wait can be re-judged every second
//! as it ticks on the display. A customer waiting past the group's own service-level target
//! already counts as missed, so the longest wait is at least a warning from then on.

import type { AlertLevel, FloorGroup, Thresholds } from '../../api/types';

export type TileLevel = AlertLevel | 'ok';

const RANK: Record<TileLevel, number> = { ok: 0, warning: 1, critical: 2 };

export function worst(...levels: TileLevel[]): TileLevel {
  return levels.reduce<TileLevel>((a, b) => (RANK[b] > RANK[a] ? b : a), 'ok');
}

function atOrAbove(value: number, warning: number, critical: number): TileLevel {
  if (critical > 0 && value >= critical) return 'critical';
  if (warning > 0 && value >= warning) return 'warning';
  return 'ok';
}

export function waitingLevel(waiting: number, t: Thresholds): TileLevel {
  return atOrAbove(waiting, t.waiting_warning, t.waiting_critical);
}

export function longestWaitLevel(secs: number, t: Thresholds): TileLevel {
  return atOrAbove(secs, t.longest_wait_warning_secs, t.longest_wait_critical_secs);
}

/** `serviceLevel` 0..1; judged in whole percent rounded down, as the server does. */
export function serviceLevelLevel(serviceLevel: number, t: Thresholds): TileLevel {
  const pct = Math.floor(Math.min(1, Math.max(0, serviceLevel)) * 100 + 1e-9);
  if (t.service_level_critical_pct > 0 && pct < t.service_level_critical_pct) return 'critical';
  if (t.service_level_warning_pct > 0 && pct < t.service_level_warning_pct) return 'warning';
  return 'ok';
}

/** Seconds the first in line has waited at `serverNow` (ms), ticking from `waiting_since`. */
export function longestWaitSecs(g: Pick<FloorGroup, 'waiting' | 'waiting_since' | 'longest_wait_secs'>, serverNow: number): number {
  if (g.waiting === 0 || !g.waiting_since) return 0;
  const since = Date.parse(g.waiting_since);
  if (Number.isNaN(since)) return g.longest_wait_secs;
  return Math.max(g.longest_wait_secs, Math.floor((serverNow - since) / 1000));
}

export interface GroupLevels {
  waiting: TileLevel;
  longestWait: TileLevel;
  serviceLevel: TileLevel;
  tile: TileLevel;
}

/**
 * `minJudged`: a service level over fewer contacts is not judged (the server's `MIN_JUDGED`,
 * sent as `service_level_min_judged`): the day's first abandoned chat is not a red tile.
 */
export function groupLevels(g: FloorGroup, serverNow: number, minJudged: number): GroupLevels {
  const waiting = waitingLevel(g.waiting, g.thresholds);
  const waited = longestWaitSecs(g, serverNow);
  const pastTarget: TileLevel = g.waiting > 0 && g.service_level_target_secs > 0 && waited > g.service_level_target_secs ? 'warning' : 'ok';
  const longestWait = worst(longestWaitLevel(waited, g.thresholds), pastTarget);
  const serviceLevel = g.service_level_judged < minJudged ? 'ok' : serviceLevelLevel(g.service_level, g.thresholds);
  return { waiting, longestWait, serviceLevel, tile: worst(waiting, longestWait, serviceLevel) };
}

/** "1:05", "12:00", "1:02:03": a wait as a wall display shows it. */
export function clockText(secs: number): string {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
