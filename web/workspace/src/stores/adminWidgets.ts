//! Admin: the visitor widgets (`default` always exists), paged by the server, and the
//! identity-token secret. Keeps the settings of the widgets the table has shown, for the editor;
//! the secret is handed to the caller when asked for, never kept in the store.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CatalogSource } from '../api/catalogPages';
import { ApiError } from '../api/client';
import { widgetsApi } from '../api/widgets';
import type { WidgetSettings } from '../api/types';

export const DEFAULT_WIDGET = 'default';

export interface WidgetRow {
  name: string;
  settings: WidgetSettings;
}

export const useAdminWidgetsStore = defineStore('adminWidgets', () => {
  /** Settings by name of the widgets seen on a page or opened. */
  const widgets = ref<Record<string, WidgetSettings>>({});
  /** Changes with every save or delete, so the table shows its page again. */
  const version = ref(0);

  function keep(name: string, settings: WidgetSettings): void {
    widgets.value = { ...widgets.value, [name]: settings };
  }

  /** The table's pages (server search and cursor); their rows are kept for the editor. */
  const source: CatalogSource<WidgetRow> = async (after, q) => {
    const page = await widgetsApi.pages(after, q);
    widgets.value = { ...widgets.value, ...Object.fromEntries(page.rows.map((w) => [w.name, w.settings as WidgetSettings])) };
    return page as { rows: WidgetRow[]; next: typeof page.next; total: number };
  };

  /** A widget's settings, from the server when no page has shown it yet. */
  async function settingsOf(name: string): Promise<WidgetSettings> {
    const known = widgets.value[name];
    if (known) return known;
    const s = await widgetsApi.get(name);
    keep(name, s);
    return s;
  }

  /** Whether a widget of this name exists (the create form refuses a taken name). */
  async function exists(name: string): Promise<boolean> {
    if (widgets.value[name]) return true;
    try {
      keep(name, await widgetsApi.get(name));
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return false;
      throw e;
    }
  }

  async function save(name: string, settings: WidgetSettings): Promise<void> {
    keep(name, await widgetsApi.save(name, settings));
    version.value++;
  }

  async function remove(name: string): Promise<void> {
    await widgetsApi.remove(name);
    const rest = { ...widgets.value };
    // `default` cannot go: it is back to the built-in form, which the next page brings.
    delete rest[name];
    widgets.value = rest;
    version.value++;
  }

  const identitySecret = () => widgetsApi.identitySecret();
  const rotateIdentitySecret = () => widgetsApi.rotateIdentitySecret();

  return { widgets, version, source, settingsOf, exists, save, remove, identitySecret, rotateIdentitySecret };
});
