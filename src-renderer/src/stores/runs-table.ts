import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { RunGrouping, SavedRunView } from '../../../src-main/domain';
import { defaultColumns } from '../lib/run-columns';
import { checkViewName, sameView, withView, withoutView, type ViewNameError } from '../lib/saved-views';
import { useSettingsStore } from './settings';

/** The runs table as it opens: the default columns, no filter, newest first, one list. */
function defaultState(): Omit<SavedRunView, 'name'> {
  return {
    columns: [...defaultColumns],
    filters: [],
    sort: { column: 'id', descending: true },
    groupBy: 'none',
    groupSeeds: false,
  };
}

/**
 * How the runs table looks (its columns, filters, sort and grouping), kept while the app is open so
 * leaving the Runs tab and coming back finds it as it was; and its saved views, kept in the engine's
 * settings (Settings.runViews) so every window, the browser mode on any port and the desktop app share
 * them with the database.
 */
export const useRunsTableStore = defineStore('runsTable', () => {
  const settings = useSettingsStore();
  const start = defaultState();
  const columns = ref<string[]>(start.columns);
  const filters = ref<string[]>(start.filters);
  const sort = ref(start.sort);
  const groupBy = ref<RunGrouping>(start.groupBy);
  const groupSeeds = ref(start.groupSeeds);
  /** The saved view last applied or saved, while it exists. */
  const viewName = ref<string | null>(null);

  const views = computed<SavedRunView[]>(() => settings.settings?.runViews ?? []);
  const state = computed<Omit<SavedRunView, 'name'>>(() => ({
    columns: [...columns.value],
    filters: [...filters.value],
    sort: { ...sort.value },
    groupBy: groupBy.value,
    groupSeeds: groupSeeds.value,
  }));
  const currentView = computed(() => views.value.find((v) => v.name === viewName.value) ?? null);
  /** Whether the table differs from the view it shows (so saving again means something). */
  const changedSinceView = computed(() => !!currentView.value && !sameView(currentView.value, state.value));

  function apply(view: Omit<SavedRunView, 'name'>, name: string | null): void {
    columns.value = [...view.columns];
    filters.value = [...view.filters];
    sort.value = { ...view.sort };
    groupBy.value = view.groupBy;
    groupSeeds.value = view.groupSeeds;
    viewName.value = name;
  }

  function applyView(name: string): void {
    const view = views.value.find((v) => v.name === name);
    if (view) apply(view, view.name);
  }

  function reset(): void {
    apply(defaultState(), null);
  }

  async function loadViews(): Promise<void> {
    if (!settings.settings) await settings.load();
  }

  /** Saves the table as it is under `name` (replacing a view of that name); the error when it cannot. */
  async function saveView(name: string): Promise<ViewNameError | null> {
    await loadViews();
    const checked = checkViewName(name, views.value);
    if (!checked.ok) return checked.error;
    await settings.update({ runViews: withView(views.value, { name: checked.name, ...state.value }) });
    viewName.value = checked.name;
    return null;
  }

  async function deleteView(name: string): Promise<void> {
    await settings.update({ runViews: withoutView(views.value, name) });
    if (viewName.value === name) viewName.value = null;
  }

  return {
    columns,
    filters,
    sort,
    groupBy,
    groupSeeds,
    viewName,
    views,
    currentView,
    changedSinceView,
    applyView,
    reset,
    loadViews,
    saveView,
    deleteView,
  };
});
