//! A list that grows by pages (`after` / `next_after`): the first page, then "load more"
//! appends the next one after the last row shown. For work lists read top-down (the QA queue,
//! my results, appeals), where a reviewer keeps what they have seen on screen. A reload starts
//! again at the first page; a "more" asked while a page is on its way is ignored, so a page is
//! never appended twice.

import { computed, ref, shallowRef, type Ref } from 'vue';
import type { Cursor, CursorPage } from './cursorPages';

export function useLoadMore<T, C extends Cursor = number>(fetch: (after: C | undefined) => Promise<CursorPage<T, C>>) {
  const rows = shallowRef<T[]>([]) as Ref<T[]>;
  const total = ref(0);
  const loading = ref(false);
  const next = ref<C | null>(null) as Ref<C | null>;
  /** Bumped by every first page: a slower "more" of an older listing is dropped. */
  let generation = 0;

  async function load(after: C | undefined): Promise<void> {
    const mine = after === undefined ? ++generation : generation;
    loading.value = true;
    try {
      const p = await fetch(after);
      if (mine !== generation) return;
      rows.value = after === undefined ? p.rows : [...rows.value, ...p.rows];
      total.value = p.total;
      next.value = p.next;
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  return {
    rows,
    total,
    loading,
    hasMore: computed(() => next.value !== null),
    /** The first page (again). */
    first: () => load(undefined),
    /** The next page, appended; nothing when on the last page or a page is on its way. */
    more: () => (next.value === null || loading.value ? Promise.resolve() : load(next.value)),
  };
}

export type LoadMore<T> = ReturnType<typeof useLoadMore<T>>;
