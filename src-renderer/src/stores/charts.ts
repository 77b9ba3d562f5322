import { defineStore } from 'pinia';
import { ref, watch } from 'vue';

const storageKey = 'contrastlab.charts';

function loadLogKeys(): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as { logKeys?: unknown };
    return Array.isArray(saved.logKeys)
      ? saved.logKeys.filter((k): k is string => typeof k === 'string')
      : [];
  } catch {
    return [];
  }
}

/**
 * Per-chart preferences, kept in localStorage: which metrics are drawn on a log scale. Per metric, not per
 * chart instance, so a loss on a log axis stays on one in every run and in Compare.
 */
export const useChartsStore = defineStore('charts', () => {
  const logKeys = ref<string[]>(loadLogKeys());

  function isLog(key: string): boolean {
    return logKeys.value.includes(key);
  }

  function setLog(key: string, on: boolean): void {
    const has = isLog(key);
    if (on && !has) logKeys.value = [...logKeys.value, key];
    if (!on && has) logKeys.value = logKeys.value.filter((k) => k !== key);
  }

  watch(logKeys, (keys) => localStorage.setItem(storageKey, JSON.stringify({ logKeys: keys })));

  return { logKeys, isLog, setLog };
});
