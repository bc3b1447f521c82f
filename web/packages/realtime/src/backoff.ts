// Reconnect delays: exponential with jitter, so that a server restart does not get every client
// back at the same instant.

export const BACKOFF_MIN_MS = 500;
export const BACKOFF_MAX_MS = 15_000;

/**
 * Delay before reconnect attempt number `attempt` (0 = first retry). The ceiling doubles from
 * 0.5 s up to 15 s; the delay is drawn uniformly from the upper half of it ("equal jitter"),
 * never below 0.5 s. `random` is injectable for tests.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.max(0, attempt));
  const delay = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(BACKOFF_MAX_MS, Math.max(BACKOFF_MIN_MS, delay)));
}
