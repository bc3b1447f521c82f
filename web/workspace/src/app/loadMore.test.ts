import { describe, expect, it } from 'vitest';
import { useLoadMore } from './loadMore';

const ids = Array.from({ length: 25 }, (_, i) => i + 1);
const asked: (number | undefined)[] = [];
const fetch = async (after: number | undefined) => {
  asked.push(after);
  const rest = ids.filter((id) => after === undefined || id > after);
  const rows = rest.slice(0, 10);
  return { rows, next: rest.length > 10 ? rows[rows.length - 1]! : null, total: ids.length };
};

describe('useLoadMore', () => {
  it('appends the next page after the last row shown, and starts again on first()', async () => {
    asked.length = 0;
    const l = useLoadMore(fetch);
    await l.first();
    expect([l.rows.value.length, l.total.value, l.hasMore.value]).toEqual([10, 25, true]);
    await l.more();
    await l.more();
    expect([l.rows.value, l.hasMore.value]).toEqual([ids, false]);
    await l.more();
    expect(asked).toEqual([undefined, 10, 20]);
    await l.first();
    expect([l.rows.value.length, l.hasMore.value]).toEqual([10, true]);
  });

  it('asks for a page once however often "more" is clicked while it loads', async () => {
    asked.length = 0;
    const l = useLoadMore(fetch);
    await l.first();
    await Promise.all([l.more(), l.more(), l.more()]);
    expect(asked).toEqual([undefined, 10]);
    expect(l.rows.value.length).toBe(20);
  });

  it('drops a slow page of a listing that was loaded again meanwhile', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let slow = false;
    const l = useLoadMore(async (after: number | undefined) => {
      if (slow && after !== undefined) await gate;
      return fetch(after);
    });
    await l.first();
    slow = true;
    const late = l.more();
    await l.first();
    release();
    await late;
    expect(l.rows.value).toEqual(ids.slice(0, 10));
  });
});
