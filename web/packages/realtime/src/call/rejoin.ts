// When a call's media joins again after `call.moved` (its node died, a survivor took the call
// over). The server repeats `call.moved` every couple of seconds to a side that is not back yet,
// so a repeat that arrives while our new join is on its way must not start yet another one; and
// a join that reaches a node before it took the call over is refused `media_unavailable`, to be
// tried again a moment later, a bounded number of times (the server ends the call
// `home_lost` when the sides are not back in time). Pure: the caller owns the clock and the timers.

/** A repeat of the same move within this long after a rejoin began is ignored. */
export const SETTLE_MS = 5_000;
/** A refused rejoin is tried again after this long … */
export const RETRY_MS = 1_000;
/** … at most this many times per move. */
export const MAX_RETRIES = 20;

export class MediaRejoin {
  #startedAt = -Infinity;
  #retries = 0;

  /** `call.moved` arrived at `now`: whether to rejoin (false for a repeat of a rejoin under way). */
  moved(now: number): boolean {
    if (now - this.#startedAt < SETTLE_MS) return false;
    this.#startedAt = now;
    this.#retries = 0;
    return true;
  }

  /** Our rejoin was refused with `code`: ms until the next try, or null (not a reason to retry). */
  refused(code: string): number | null {
    if (code !== 'media_unavailable' || this.#retries >= MAX_RETRIES) return null;
    this.#retries += 1;
    return RETRY_MS;
  }

  /** Media flows again: the next move starts afresh. */
  settled(): void {
    this.#startedAt = -Infinity;
    this.#retries = 0;
  }
}
