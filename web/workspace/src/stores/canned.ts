//! Canned responses (快捷回复): the team library and the signed-in user's own, loaded once per
//! session (the composer's picker filters them locally, so typing `/gr` costs no request) and
//! kept in step with the library pages' edits. Also knows the business types' names, which the
//! `{{business_type}}` variable needs.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { cannedApi } from '../api/canned';
import { catalogApi } from '../api/catalog';
import type { BusinessType, CannedInput, CannedResponse, Id } from '../api/types';

/** Team first, then personal; by category, then shortcut (the server's order). */
function sorted(items: CannedResponse[]): CannedResponse[] {
  return [...items].sort(
    (a, b) =>
      Number(a.team === false) - Number(b.team === false) ||
      a.category.localeCompare(b.category) ||
      a.shortcut.localeCompare(b.shortcut) ||
      a.id - b.id,
  );
}

export const useCannedStore = defineStore('canned', () => {
  const items = ref<CannedResponse[]>([]);
  const businessTypes = ref<BusinessType[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  let pending: Promise<void> | null = null;

  const team = computed(() => items.value.filter((c) => c.team));
  const personal = computed(() => items.value.filter((c) => !c.team));
  /** Every category in use, for the editor's suggestions. */
  const categories = computed(() => [...new Set(items.value.map((c) => c.category).filter(Boolean))].sort());
  const businessTypeName = (id: Id | null | undefined) => businessTypes.value.find((b) => b.id === id)?.name;

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const [list, types] = await Promise.all([cannedApi.list(), catalogApi.businessTypes()]);
      items.value = sorted(list);
      businessTypes.value = types;
      loaded.value = true;
    } finally {
      loading.value = false;
    }
  }

  /** Loads once; later calls share the first load (the picker asks on every `/`). */
  function ensureLoaded(): Promise<void> {
    if (loaded.value) return Promise.resolve();
    pending ??= load().finally(() => (pending = null));
    return pending;
  }

  function put(c: CannedResponse): void {
    items.value = sorted([...items.value.filter((x) => x.id !== c.id), c]);
  }

  async function create(input: CannedInput, isTeam: boolean): Promise<void> {
    put(await cannedApi.create(input, isTeam));
  }

  async function update(id: Id, input: Partial<CannedInput>): Promise<void> {
    put(await cannedApi.update(id, input));
  }

  async function remove(id: Id): Promise<void> {
    await cannedApi.remove(id);
    items.value = items.value.filter((c) => c.id !== id);
  }

  function reset(): void {
    items.value = [];
    businessTypes.value = [];
    loaded.value = false;
  }

  return { items, loaded, loading, team, personal, categories, businessTypeName, load, ensureLoaded, create, update, remove, reset };
});
