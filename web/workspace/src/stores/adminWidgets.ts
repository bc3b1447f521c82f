//! Admin: the visitor widgets' settings by name (`default` always exists), and the identity-token
//! secret. The secret is handed to the caller when asked for, never kept in the store.

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { widgetsApi } from '../api/widgets';
import type { WidgetSettings } from '../api/types';

export const DEFAULT_WIDGET = 'default';

export interface WidgetRow {
  name: string;
  settings: WidgetSettings;
}

export const useAdminWidgetsStore = defineStore('adminWidgets', () => {
  const widgets = ref<Record<string, WidgetSettings>>({});
  const loading = ref(false);

  /** `default` first, then by name. */
  const rows = computed<WidgetRow[]>(() =>
    Object.entries(widgets.value)
      .map(([name, settings]) => ({ name, settings }))
      .sort((a, b) => (a.name === DEFAULT_WIDGET ? -1 : b.name === DEFAULT_WIDGET ? 1 : a.name.localeCompare(b.name))),
  );

  async function load(): Promise<void> {
    loading.value = true;
    try {
      widgets.value = await widgetsApi.list();
    } finally {
      loading.value = false;
    }
  }

  async function save(name: string, settings: WidgetSettings): Promise<void> {
    const saved = await widgetsApi.save(name, settings);
    widgets.value = { ...widgets.value, [name]: saved };
  }

  async function remove(name: string): Promise<void> {
    await widgetsApi.remove(name);
    if (name === DEFAULT_WIDGET) {
      // `default` cannot go: it is back to the built-in form, which only the server knows.
      await load();
      return;
    }
    const rest = { ...widgets.value };
    delete rest[name];
    widgets.value = rest;
  }

  const identitySecret = () => widgetsApi.identitySecret();
  const rotateIdentitySecret = () => widgetsApi.rotateIdentitySecret();

  return { widgets, rows, loading, load, save, remove, identitySecret, rotateIdentitySecret };
});
