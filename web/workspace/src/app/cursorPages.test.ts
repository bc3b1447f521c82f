import { describe, expect, it } from 'vitest';
import { useCursorPages } from './cursorPages';

const ids = Array.from({ length: 25 }, (_, i) => i + 1);
const fetch = async (after: number | undefined) => {
  const rest = ids.filter((id) => after === undefined || id > after);
  const rows = rest.slice(0, 10);
  return { rows, next: rest.length > 10 ? rows[rows.length - 1]! : null, total: ids.length };
};

describe('useCursorPages', () => {
  it('goes forward by the last cursor and back exactly', async () => {
    const p = useCursorPages(fetch);
    await p.first();
    expect([p.page.value, p.rows.value[0], p.hasPrev.value, p.hasNext.value]).toEqual([1, 1, false, true]);
    await p.next();
    await p.next();
    expect([p.page.value, p.rows.value, p.hasNext.value]).toEqual([3, [21, 22, 23, 24, 25], false]);
    await p.next();
    expect(p.page.value).toBe(3);
    await p.prev();
    expect([p.page.value, p.rows.value[0]]).toEqual([2, 11]);
    await p.first();
    expect([p.page.value, p.total.value]).toEqual([1, 25]);
  });
});
