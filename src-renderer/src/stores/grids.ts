import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CreateGridInput, Grid } from '../../../src-main/domain';
import { useApi } from '../api';

/**
 * The grids of runs (heatmaps), newest first, kept current from `grid-created` events. Their runs, and
 * so every cell's status and value, come from the runs store.
 */
export const useGridsStore = defineStore('grids', () => {
  const api = useApi();
  const grids = ref<Grid[]>([]);
  const loaded = ref(false);
  let unsubscribe: (() => void) | null = null;

  function upsert(grid: Grid): void {
    const i = grids.value.findIndex((g) => g.id === grid.id);
    if (i >= 0) grids.value[i] = grid;
    else {
      grids.value.push(grid);
      grids.value.sort((a, b) => b.id - a.id);
    }
  }

  async function refresh(): Promise<void> {
    const list = await api.listGrids();
    const ids = new Set(list.map((g) => g.id));
    for (const g of list) upsert(g);
    grids.value = grids.value.filter((g) => ids.has(g.id));
    loaded.value = true;
  }

  /** Subscribes to grid events (once) and loads the grids. */
  async function start(): Promise<void> {
    if (!unsubscribe) {
      unsubscribe = api.onEvent((e) => {
        if (e.event === 'grid-created') upsert(e.grid);
      });
      // After a reconnect, catch up on grids created meanwhile.
      api.onConnection((connected) => {
        if (connected && loaded.value) void refresh().catch(() => undefined);
      });
    }
    await refresh();
  }

  async function create(input: CreateGridInput): Promise<Grid> {
    const grid = await api.createGrid(input);
    upsert(grid);
    return grid;
  }

  const byId = (id: number) => grids.value.find((g) => g.id === id);

  return { grids, loaded, start, refresh, create, byId };
});
