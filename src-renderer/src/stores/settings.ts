import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { Settings } from '../../../src-main/domain';
import { useApi } from '../api';

/**
 * The workbench's settings as the engine keeps them (in its database, so the CLI and every window share
 * them): read when a view needs them, replaced by what the engine answers after each change.
 */
export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<Settings | null>(null);

  async function load(): Promise<Settings> {
    settings.value = await api.getSettings();
    return settings.value;
  }

  async function update(patch: Partial<Settings>): Promise<Settings> {
    settings.value = await api.updateSettings(patch);
    return settings.value;
  }

  return { settings, load, update };
});
