//! Admin: the organisation's settings (time zone of the reports, sentiment alert levels), as the
//! server has them; saving answers with what is in force.

import { defineStore } from 'pinia';
import { ref } from 'vue';
import { settingsApi, type OrgSettings } from '../api/settings';

export const useOrgSettingsStore = defineStore('orgSettings', () => {
  const settings = ref<OrgSettings | null>(null);

  async function load(): Promise<void> {
    settings.value = await settingsApi.get();
  }

  async function save(body: OrgSettings): Promise<void> {
    settings.value = await settingsApi.save(body);
  }

  return { settings, load, save };
});
