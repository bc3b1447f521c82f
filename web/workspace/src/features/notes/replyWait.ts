//! The reply wait of a conversation (how long the customer has waited for an answer), coloured
//! against the group's reply target: green while under half of it, amber past half, red past it.

export type ReplyWaitLevel = 'ok' | 'warn' | 'late';

/** Seconds since `since` (RFC 3339) at `nowMs`; null when nobody waits. Never negative. */
export function waitedSecs(since: string | null | undefined, nowMs: number): number | null {
  if (!since) return null;
  const t = Date.parse(since);
  if (Number.isNaN(t)) return null;
  return Math.max(0, Math.floor((nowMs - t) / 1000));
}

export function replyWaitLevel(waited: number, targetSecs: number): ReplyWaitLevel {
  const target = targetSecs > 0 ? targetSecs : 60;
  if (waited > target) return 'late';
  if (waited > target / 2) return 'warn';
  return 'ok';
}

/** "45s", "3:05", "1:02:05": short enough for a list item. */
export function formatWait(secs: number): string {
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const s = secs % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}:${pad(m)}:${pad(s)}`;
  if (m > 0) return `${m}:${pad(s)}`;
  return `${s}s`;
}
