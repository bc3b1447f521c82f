// Every page of a cursor-paged list whose rows the UI keeps whole (the active sentiment alerts, a
// conversation's recordings, the planning groups): short lists, so the pages are read one after
// another, each `after` the previous page's `next_after`.
import { http } from './client';

/** Rows per request: the most the server gives at once. */
export const PAGE_MAX = 200;

/** A safety stop: 50 pages are 10 000 rows, far more than any of these lists holds. */
const MAX_PAGES = 50;

/** Every row of `path`, whose answer holds its rows under `key`. */
export async function everyPage<T>(path: string, key: string, query: Record<string, string | number | undefined> = {}): Promise<T[]> {
  const out: T[] = [];
  let after: number | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await http.get<Record<string, unknown>>(path, { ...query, limit: PAGE_MAX, after });
    out.push(...(r[key] as T[]));
    const next = r.next_after as number | null | undefined;
    if (next == null) break;
    after = next;
  }
  return out;
}
