// A page of an admin catalog list (groups, business types, tags, canned responses, wrap-up codes,
// API keys, webhooks; widgets by name): the server pages them by cursor (`after` / `limit` / `next_after`) and
// finds text with `q`.
import type { Cursor, CursorPage } from '../app/cursorPages';
import { http } from './client';

/** Rows per page of an admin table. */
export const CATALOG_PAGE = 50;

export type CatalogSource<T> = (after: Cursor | undefined, q: string) => Promise<CursorPage<T>>;

/** Pages of `path`, whose answer holds its rows under `key`. */
export function catalogPages<T>(path: string, key: string, query: Record<string, string | number | boolean | undefined> = {}): CatalogSource<T> {
  return async (after, q) => {
    const r = await http.get<Record<string, unknown>>(path, { ...query, limit: CATALOG_PAGE, after, q: q.trim() || undefined });
    return { rows: r[key] as T[], next: (r.next_after as Cursor | null) ?? null, total: r.total as number };
  };
}
