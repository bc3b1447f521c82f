// Applies one conversation's event log exactly once and in order, whatever order and however
// many times the frames arrive (reconnects replay, resume overlaps the live stream).
// Pure: no clock, no I/O. The caller decides what to do about a gap that persists.

export class Sequencer<E extends { seq: number }> {
  #applied: number;
  /** Events that arrived ahead of a gap, by seq. Never holds a seq <= applied. */
  readonly #pending = new Map<number, E>();

  constructor(applied = 0) {
    this.#applied = applied;
  }

  /** The highest seq applied so far; every seq from 1 to it has been released exactly once. */
  get applied(): number {
    return this.#applied;
  }

  /**
   * Offers one event. Returns the events that are now applicable, in order: empty for a duplicate
   * (`seq <= applied`) or an event beyond a gap (kept until the gap fills), otherwise this event
   * followed by any buffered ones it unblocks.
   */
  push(e: E): E[] {
    if (!Number.isInteger(e.seq) || e.seq <= this.#applied) return [];
    if (e.seq > this.#applied + 1) {
      if (!this.#pending.has(e.seq)) this.#pending.set(e.seq, e);
      return [];
    }
    this.#applied = e.seq;
    return [e, ...this.#drain()];
  }

  /**
   * Moves the cursor forward to `seq` without applying events, e.g. after a REST snapshot that
   * already reflects everything up to `seq`. Buffered events at or below it are dropped; those
   * that now follow on are released, in order.
   */
  advanceTo(seq: number): E[] {
    if (seq <= this.#applied) return [];
    this.#applied = seq;
    for (const s of this.#pending.keys()) if (s <= seq) this.#pending.delete(s);
    return this.#drain();
  }

  /** True while events are buffered behind a missing seq. */
  hasGap(): boolean {
    return this.#pending.size > 0;
  }

  #drain(): E[] {
    const out: E[] = [];
    for (;;) {
      const next = this.#pending.get(this.#applied + 1);
      if (next === undefined) return out;
      this.#pending.delete(next.seq);
      this.#applied = next.seq;
      out.push(next);
    }
  }
}
