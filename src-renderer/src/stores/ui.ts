import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import type { Run } from '../../../src-main/domain';
import { i18n, type Locale } from '../i18n';
import { xModes, type XMode } from '../lib/series';

/** The app's screens: one per tab, and the settings (opened from the header). */
export type Screen = 'new' | 'live' | 'runs' | 'compare' | 'grids' | 'datasets' | 'settings';
export type Theme = 'light' | 'dark';

const storageKey = 'contrastlab.prefs';

interface Prefs {
  locale: Locale;
  theme: Theme;
  smoothing: number;
  xMode: XMode;
}

function loadPrefs(): Prefs {
  const prefersDark = window.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
  const defaults: Prefs = {
    locale: navigator.language?.toLowerCase().startsWith('zh') ? 'zh' : 'en',
    theme: prefersDark ? 'dark' : 'light',
    smoothing: 0.6,
    xMode: 'step',
  };
  try {
    const saved = JSON.parse(localStorage.getItem(storageKey) ?? '{}') as Partial<Prefs>;
    return {
      locale: saved.locale === 'zh' || saved.locale === 'en' ? saved.locale : defaults.locale,
      theme: saved.theme === 'dark' || saved.theme === 'light' ? saved.theme : defaults.theme,
      smoothing:
        typeof saved.smoothing === 'number' && saved.smoothing >= 0 && saved.smoothing < 1
          ? saved.smoothing
          : defaults.smoothing,
      xMode: xModes.includes(saved.xMode as XMode) ? (saved.xMode as XMode) : 'step',
    };
  } catch {
    return defaults;
  }
}

const screens: Screen[] = ['new', 'live', 'runs', 'compare', 'grids', 'datasets', 'settings'];

/** Parses "#/live/3", "#/compare/1,2", "#/new/simclr". */
function parseHash(hash: string): { screen: Screen; arg: string } {
  const [screen, arg = ''] = hash.replace(/^#\/?/, '').split('/');
  return {
    screen: screens.includes(screen as Screen) ? (screen as Screen) : 'new',
    arg: decodeURIComponent(arg),
  };
}

/**
 * What the user sees and prefers: the current screen (kept in the address's hash, so reload and back
 * work), language and theme (kept in localStorage), chart settings, and the runs selected for comparison.
 */
export const useUiStore = defineStore('ui', () => {
  const prefs = loadPrefs();
  const locale = ref<Locale>(prefs.locale);
  const theme = ref<Theme>(prefs.theme);
  const smoothing = ref(prefs.smoothing);
  const xMode = ref<XMode>(prefs.xMode);

  const screen = ref<Screen>('new');
  const liveRunId = ref<number | null>(null);
  const methodId = ref<string | null>(null);
  const selected = ref<number[]>([]);
  /** "Run again": the run whose settings the run form takes next (cleared once it has). */
  const runTemplate = ref<Run | null>(null);
  const notice = ref<{ text: string; error: boolean } | null>(null);
  let noticeTimer: ReturnType<typeof setTimeout> | null = null;

  /** Shows a short message at the bottom of the window. */
  function toast(text: string, error = false): void {
    notice.value = { text, error };
    if (noticeTimer) clearTimeout(noticeTimer);
    noticeTimer = setTimeout(() => (notice.value = null), error ? 8000 : 4000);
  }

  function applyHash(): void {
    const { screen: v, arg } = parseHash(window.location.hash);
    screen.value = v;
    if (v === 'live') {
      const id = Number(arg);
      liveRunId.value = Number.isInteger(id) && id > 0 ? id : liveRunId.value;
    } else if (v === 'compare' && arg) {
      selected.value = arg
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0);
    } else if (v === 'new' && arg) {
      methodId.value = arg;
    }
  }
  applyHash();
  window.addEventListener('hashchange', applyHash);

  const hash = computed(() => {
    switch (screen.value) {
      case 'live':
        return liveRunId.value ? `#/live/${liveRunId.value}` : '#/live';
      case 'compare':
        return selected.value.length ? `#/compare/${selected.value.join(',')}` : '#/compare';
      case 'new':
        return methodId.value ? `#/new/${encodeURIComponent(methodId.value)}` : '#/new';
      default:
        return `#/${screen.value}`;
    }
  });
  watch(hash, (h) => {
    if (window.location.hash !== h) history.replaceState(null, '', h);
  });

  function go(v: Screen): void {
    screen.value = v;
    if (window.location.hash !== hash.value) history.pushState(null, '', hash.value);
  }

  function openRun(id: number): void {
    liveRunId.value = id;
    go('live');
  }

  /** Opens the run form filled with a run's method, dataset and settings, to change and start. */
  function runAgain(run: Run): void {
    runTemplate.value = run;
    methodId.value = run.method;
    go('new');
  }

  function compare(ids: number[]): void {
    selected.value = [...ids];
    go('compare');
  }

  function toggleSelected(id: number, on?: boolean): void {
    const has = selected.value.includes(id);
    const want = on ?? !has;
    if (want && !has) selected.value = [...selected.value, id];
    if (!want && has) selected.value = selected.value.filter((x) => x !== id);
  }

  watch(
    locale,
    (l) => {
      i18n.global.locale.value = l;
      document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
    },
    { immediate: true },
  );
  watch(
    theme,
    (t) => {
      document.documentElement.dataset.theme = t;
      document.documentElement.style.colorScheme = t;
    },
    { immediate: true },
  );
  watch([locale, theme, smoothing, xMode], () => {
    const p: Prefs = {
      locale: locale.value,
      theme: theme.value,
      smoothing: smoothing.value,
      xMode: xMode.value,
    };
    localStorage.setItem(storageKey, JSON.stringify(p));
  });

  return {
    locale,
    theme,
    smoothing,
    xMode,
    screen,
    liveRunId,
    methodId,
    selected,
    notice,
    toast,
    go,
    openRun,
    runTemplate,
    runAgain,
    compare,
    toggleSelected,
  };
});
