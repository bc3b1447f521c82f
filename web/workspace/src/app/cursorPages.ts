//! Pages of a cursor-paged list (`after` / `next_after`): the cursors of the pages already seen,
//! so Previous goes back exactly and Next continues from the last row shown. A new search starts
//! again at page 1.

import { computed, ref, shallowRef, type Ref } from 'vue';

/** A row's id, or its name in lists of named rows (widgets). */
export type Cursor = number | string;

export interface CursorPage<T, C extends Cursor = Cursor> {
  rows: T[];
  /** Cursor of the next page; null on the last one. */
  next: C | null;
  /** Rows on every page together. */
  total: number;
}

export function useCursorPages<T, C extends Cursor = number>(fetch: (after: C | undefined) => Promise<CursorPage<T, C>>) {
  const rows = shallowRef<T[]>([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  /** cursors[i] opens page i + 1 (undefined: the first page). */
  const cursors = ref<(C | undefined)[]>([undefined]) as Ref<(C | undefined)[]>;
  const next = ref<C | null>(null) as Ref<C | null>;
  const page = computed(() => cursors.value.length);

  async function show(at: (C | undefined)[]): Promise<void> {
    loading.value = true;
    try {
      const p = await fetch(at[at.length - 1]);
      rows.value = p.rows;
      total.value = p.total;
      next.value = p.next;
      cursors.value = at;
    } finally {
      loading.value = false;
    }
  }

  return {
    rows,
    total,
    loading,
    page,
    hasNext: computed(() => next.value !== null),
    hasPrev: computed(() => cursors.value.length > 1),
    first: () => show([undefined]),
    next: () => (next.value === null ? Promise.resolve() : show([...cursors.value, next.value])),
    prev: () => show(cursors.value.slice(0, -1).length ? cursors.value.slice(0, -1) : [undefined]),
    /** The same page again (after an edit). */
    reload: () => show(cursors.value),
  };
}
