import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../src-main/api/dispatch';
import type { SavedRunView, Settings } from '../../src-main/domain';
import { Engine } from '../../src-main/engine/engine';

/** The runs table's saved views, kept in the settings through updateSettings. */
let engine: Engine;
beforeAll(() => {
  engine = new Engine(':memory:');
});
afterAll(() => engine.close());

const view: SavedRunView = {
  name: 'probe sweep',
  columns: ['id', 'name', 'config.lr', 'metric.probe_top1'],
  filters: ['lr > 0.1', 'method = simclr'],
  sort: { column: 'metric.probe_top1', descending: true },
  groupBy: 'method',
  groupSeeds: true,
};

describe('saved runs-table views in the settings', () => {
  it('start empty, are kept whole, and leave the other settings alone', async () => {
    expect(((await dispatch(engine.api, 'getSettings', [])) as Settings).runViews).toEqual([]);
    const saved = (await dispatch(engine.api, 'updateSettings', [{ runViews: [view] }])) as Settings;
    expect(saved.runViews).toEqual([view]);
    expect(saved.maxConcurrentRuns).toBe(1);
    await dispatch(engine.api, 'updateSettings', [{ keepCheckpoints: 3 }]);
    expect(((await dispatch(engine.api, 'getSettings', [])) as Settings).runViews).toEqual([view]);
  });

  it('refuses a malformed view in one line, and keeps the views saved before', async () => {
    await expect(
      dispatch(engine.api, 'updateSettings', [{ runViews: [view, { ...view, groupBy: 'colour' }] }]),
    ).rejects.toThrow(/^updateSettings: invalid patch\.runViews\.1\.groupBy/);
    await expect(dispatch(engine.api, 'updateSettings', [{ runViews: [view, view] }])).rejects.toThrow(
      /two saved views share a name/,
    );
    await expect(
      dispatch(engine.api, 'updateSettings', [{ runViews: [{ ...view, name: '  ' }] }]),
    ).rejects.toThrow(/runViews\.0\.name/);
    expect(((await dispatch(engine.api, 'getSettings', [])) as Settings).runViews).toEqual([view]);
  });
});
