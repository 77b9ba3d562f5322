import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Settings } from '../../../src-main/domain';
import { useApi, type HostApi } from '../api';

/** Whether runs can be submitted to Slurm from here, as the engine answers `getSlurmStatus`. */
export type SlurmStatus = Awaited<ReturnType<HostApi['getSlurmStatus']>>;

/** A partition of the cluster; `sinfo` marks the default one with a "*". */
export interface SlurmPartition {
  name: string;
  isDefault: boolean;
}

/**
 * The workbench's settings as the engine keeps them (in its database, so the CLI and every window share
 * them): read when a view needs them, replaced by what the engine answers after each change. Also what
 * the engine says about the Slurm cluster those settings describe: whether it can be reached, and the
 * batch script its profile produces.
 */
export const useSettingsStore = defineStore('settings', () => {
  const api = useApi();
  const settings = ref<Settings | null>(null);
  const slurmStatus = ref<SlurmStatus | null>(null);

  const slurmPartitions = computed<SlurmPartition[]>(() =>
    (slurmStatus.value?.partitions ?? []).map((p) => ({
      name: p.replace(/\*$/, ''),
      isDefault: p.endsWith('*'),
    })),
  );

  async function load(): Promise<Settings> {
    settings.value = await api.getSettings();
    return settings.value;
  }

  async function update(patch: Partial<Settings>): Promise<Settings> {
    settings.value = await api.updateSettings(patch);
    return settings.value;
  }

  /** Asks again each time: the cluster may have come up or gone down since. */
  async function loadSlurmStatus(): Promise<SlurmStatus> {
    slurmStatus.value = await api.getSlurmStatus();
    return slurmStatus.value;
  }

  /** The batch script the saved profile produces for a sample run. */
  function previewSlurmScript(): Promise<string> {
    return api.previewSlurmScript();
  }

  return { settings, slurmStatus, slurmPartitions, load, update, loadSlurmStatus, previewSlurmScript };
});
