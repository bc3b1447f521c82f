// When a call's media joins again: after `call.moved` (MediaRejoin), or after its own connection
// was lost on the same node (MediaRecovery).
//
// After `call.moved` (its node died, a survivor took the call
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

  /** Whether a move's rejoin may still be under way at `now` (its retries included). */
  moving(now: number): boolean {
    return now - this.#startedAt < SETTLE_MS + MAX_RETRIES * RETRY_MS;
  }

  /** Media flows again: the next move starts afresh. */
  settled(): void {
    this.#startedAt = -Infinity;
    this.#retries = 0;
  }
}

// A connection lost on the same node (a phone switching from Wi-Fi to 4G, a NAT rebinding, a
// network gone for a while): the session joins again with a new peer connection, as after a
// move, and the server replaces its old participant. An attempt whose connection has not come up
// within its window is followed by another (the network may still be down), the windows growing;
// after RECOVER_FOR_MS the session gives up (`failed`).

/**
 * A connection `disconnected` this long is taken for lost. Chromium says `disconnected` after
 * ~2.5-5 s without an answer to its checks; a blip shorter than this (a lift, a tunnel) comes back
 * on the same connection at no cost. Waiting for `failed` instead would lose much more: Chromium
 * takes tens of seconds to get there, and the server drops a connection silent for 15 s anyway.
 * A rejoin costs about a second of media and starts a new recording segment.
 */
export const DISCONNECTED_MS = 5_000;
/** The first attempt's window (ICE gathering up to 2 s, then ICE and DTLS) … */
export const ATTEMPT_FIRST_MS = 3_000;
/** … doubling up to this: below the server's 30 s connect timeout of a join, which ends the call. */
export const ATTEMPT_MAX_MS = 10_000;
/**
 * How long after the loss attempts go on. The server gives a lost side `call_rejoin_secs` (30 s)
 * after it noticed (15 s of silence), then ends the call: trying past that is pointless.
 */
export const RECOVER_FOR_MS = 60_000;

export class MediaRecovery {
  #since: number | null = null;
  #attempts = 0;

  /** Whether a recovery is under way. */
  get recovering(): boolean {
    return this.#since !== null;
  }

  /** An attempt starts at `now`: the window before the next one, or null (give up). */
  attempt(now: number): number | null {
    this.#since ??= now;
    if (now - this.#since >= RECOVER_FOR_MS) return null;
    const wait = Math.min(ATTEMPT_FIRST_MS * 2 ** this.#attempts, ATTEMPT_MAX_MS);
    this.#attempts += 1;
    return wait;
  }

  /** Media flows again (or a move took over): the next loss starts afresh. */
  settled(): void {
    this.#since = null;
    this.#attempts = 0;
  }
}
