import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sequencer } from './sequencer';

type Ev = { seq: number; tag: string };
const ev = (seq: number, tag = `e${seq}`): Ev => ({ seq, tag });
const seqs = (es: Ev[]) => es.map((e) => e.seq);

describe('Sequencer', () => {
  it('applies the next seq at once', () => {
    const s = new Sequencer<Ev>();
    expect(seqs(s.push(ev(1)))).toEqual([1]);
    expect(seqs(s.push(ev(2)))).toEqual([2]);
    expect(s.applied).toBe(2);
    expect(s.hasGap()).toBe(false);
  });

  it('drops duplicates and anything at or below the start cursor', () => {
    const s = new Sequencer<Ev>(5);
    expect(s.push(ev(3))).toEqual([]);
    expect(s.push(ev(5))).toEqual([]);
    expect(seqs(s.push(ev(6)))).toEqual([6]);
    expect(s.push(ev(6))).toEqual([]);
    expect(s.applied).toBe(6);
  });

  it('buffers a gap and releases it in order when it fills', () => {
    const s = new Sequencer<Ev>();
    expect(s.push(ev(3))).toEqual([]);
    expect(s.push(ev(2))).toEqual([]);
    expect(s.hasGap()).toBe(true);
    expect(seqs(s.push(ev(1)))).toEqual([1, 2, 3]);
    expect(s.hasGap()).toBe(false);
    expect(s.applied).toBe(3);
  });

  it('keeps the first copy of a buffered event', () => {
    const s = new Sequencer<Ev>();
    s.push(ev(2, 'first'));
    s.push(ev(2, 'second'));
    expect(s.push(ev(1)).map((e) => e.tag)).toEqual(['e1', 'first']);
  });

  it('advanceTo skips what a snapshot covers and releases what follows', () => {
    const s = new Sequencer<Ev>();
    s.push(ev(2));
    s.push(ev(4));
    s.push(ev(5));
    expect(seqs(s.advanceTo(3))).toEqual([4, 5]);
    expect(s.applied).toBe(5);
    expect(s.hasGap()).toBe(false);
    expect(s.advanceTo(1)).toEqual([]);
    expect(s.applied).toBe(5);
  });

  it('ignores frames whose seq is not a positive integer', () => {
    const s = new Sequencer<Ev>();
    expect(s.push(ev(Number.NaN))).toEqual([]);
    expect(s.push(ev(1.5))).toEqual([]);
    expect(s.applied).toBe(0);
  });

  it('property: any shuffled, duplicated log applies exactly like the ordered one', () => {
    const scenario = fc
      .integer({ min: 0, max: 60 })
      .chain((n) =>
        fc.record({
          n: fc.constant(n),
          // Each index of the log, possibly repeated (replays after a reconnect), in any order.
          delivery: fc
            .array(fc.integer({ min: 0, max: Math.max(0, n - 1) }), { maxLength: n * 2 })
            .chain((extra) => fc.shuffledSubarray([...Array.from({ length: n }, (_, i) => i), ...extra], {
              minLength: n + extra.length,
            })),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ n, delivery }) => {
        const log = Array.from({ length: n }, (_, i) => ev(i + 1));
        const s = new Sequencer<Ev>();
        const applied: Ev[] = [];
        for (const i of delivery) applied.push(...s.push({ ...log[i]! }));
        expect(applied).toEqual(log);
        expect(s.applied).toBe(n);
        expect(s.hasGap()).toBe(false);
      }),
    );
  });

  it('property: whatever arrives, the applied prefix is gap-free and never repeats', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 80 }), (arrivals) => {
        const s = new Sequencer<Ev>();
        const applied = arrivals.flatMap((seq) => s.push(ev(seq)));
        expect(seqs(applied)).toEqual(Array.from({ length: s.applied }, (_, i) => i + 1));
        const present = new Set(arrivals);
        let contiguous = 0;
        while (present.has(contiguous + 1)) contiguous++;
        expect(s.applied).toBe(contiguous);
      }),
    );
  });
});
