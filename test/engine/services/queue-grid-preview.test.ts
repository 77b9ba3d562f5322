import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/engine/engine';
import { ConfigError } from '../../../src-main/domain';
import type { EngineEvent } from '../../../src-main/api/events';
import { gridCellMetric, labelShareAxis, type Job, type Run } from '../../../src-main/domain';
import { tempDir } from '../../helpers/cli';
import { tinyRun } from '../../helpers/runs';

let dir: string;
let engine: Engine;
const events: EngineEvent[] = [];

beforeAll(() => {
  dir = tempDir('contrastlab-queue-');
  engine = new Engine(path.join(dir, 'lab.db'), { maxConcurrentRuns: 1 });
  engine.on((e) => events.push(e));
});

afterAll(async () => {
  await engine?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first event matching, already seen or still to come. */
function waitForEvent(match: (e: EngineEvent) => boolean): Promise<EngineEvent> {
  const seen = events.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => {
    const off = engine.on((e) => {
      if (match(e)) {
        off();
        resolve(e);
      }
    });
  });
}

const running = (id: number) => (e: EngineEvent) =>
  e.event === 'run-updated' && e.run.id === id && e.run.status === 'running';

describe('run queue', () => {
  it('runs one at a time with maxConcurrentRuns 1; a stopped queued run never starts', async () => {
    const quick = { ...tinyRun, config: { ...tinyRun.config, linearProbe: false, checkpointEvery: 0 } };
    const [a, b, c] = await Promise.all(
      ['first', 'second', 'third'].map((name) => engine.api.createRun({ ...quick, name })),
    );
    await waitForEvent(running(a!.id));
    expect(await Promise.all([b, c].map(async (r) => (await engine.api.getRun(r!.id)).status))).toEqual([
      'queued',
      'queued',
    ]);

    await engine.api.stopRun(c!.id);
    const stopped = await engine.api.getRun(c!.id);
    expect(stopped).toMatchObject({ status: 'stopped', startedAt: null, error: null });

    const [doneA, doneB] = await Promise.all([engine.waitForRun(a!.id), engine.waitForRun(b!.id)]);
    expect([doneA.status, doneB.status]).toEqual(['completed', 'completed']);
    // The second started only once the first had ended.
    expect(Date.parse(doneB.startedAt!)).toBeGreaterThanOrEqual(Date.parse(doneA.endedAt!));
    expect(await engine.api.getRun(c!.id)).toMatchObject({ status: 'stopped', startedAt: null });
    expect(events.some(running(c!.id))).toBe(false);
  });
});

describe('grids', () => {
  const gridInput = {
    method: 'simclr',
    dataset: tinyRun.dataset,
    config: { ...tinyRun.config },
    rows: { field: 'temperature', values: [0.2, 0.5] },
    cols: { field: 'cropMinScale', values: [0.08, 0.5] },
    name: 'ablation',
  };

  it('validates every cell before recording anything', async () => {
    const before = (await engine.api.listRuns()).length;
    await expect(
      engine.api.createGrid({ ...gridInput, rows: { field: 'temperature', values: [0.2, -1] } }),
    ).rejects.toThrow(/grid cell temperature=-1, cropMinScale=0.08: invalid value for "temperature"/);
    await expect(
      engine.api.createGrid({ ...gridInput, cols: { field: 'nonsense', values: [1, 2] } }),
    ).rejects.toThrow(/unknown config key "nonsense"/);
    await expect(
      engine.api.createGrid({ ...gridInput, cols: { field: 'temperature', values: [0.1] } }),
    ).rejects.toThrow(ConfigError);
    await expect(
      engine.api.createGrid({ ...gridInput, config: { ...gridInput.config, linearProbe: false } }),
    ).rejects.toThrow(/probe_top1, which needs linearProbe/);
    await expect(engine.api.createGrid({ ...gridInput, method: 'nope' })).rejects.toThrow(/unknown method/);
    expect((await engine.api.listRuns()).length).toBe(before);
    expect(await engine.api.listGrids()).toEqual([]);
    expect(events.some((e) => e.event === 'grid-created')).toBe(false);
  });

  it('creates rows × cols queued runs, named and tagged, and records the grid', async () => {
    const grid = await engine.api.createGrid(gridInput);
    expect(grid).toMatchObject({
      name: 'ablation',
      method: 'simclr',
      metric: 'probe_top1',
      rows: gridInput.rows,
      cols: gridInput.cols,
    });
    expect(grid.runIds).toHaveLength(2);
    expect(grid.seeds).toEqual([0]);
    expect(grid.executor).toBe('local');
    const ids = grid.runIds.flat(2);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
    const runs = (await engine.api.listRuns()).filter((r) => ids.includes(r.id));
    const byId = new Map(runs.map((r) => [r.id, r] as [number, Run]));
    gridInput.rows.values.forEach((t, r) =>
      gridInput.cols.values.forEach((s, c) => {
        expect(grid.runIds[r]![c]).toHaveLength(1);
        const run = byId.get(grid.runIds[r]![c]![0]!)!;
        expect(run.name).toBe(`ablation: temperature=${t}, cropMinScale=${s}`);
        expect(run.tags).toEqual([`grid:${grid.id}`]);
        expect(run.config).toMatchObject({ temperature: t, cropMinScale: s, width: 8, linearProbe: true });
      }),
    );
    // With one slot, at most one of them runs; the rest wait.
    expect(runs.filter((r) => r.status === 'queued').length).toBeGreaterThanOrEqual(3);
    expect(events.find((e) => e.event === 'grid-created')).toEqual({ event: 'grid-created', grid });
    expect(await engine.api.getGrid(grid.id)).toEqual(grid);
    expect(await engine.api.listGrids()).toEqual([grid]);
    await expect(engine.api.getGrid(999)).rejects.toThrow(/no grid with id 999/);
    // Don't train them all: stop every run of the grid.
    await Promise.all(ids.map((id) => engine.api.stopRun(id, true)));
    const ended = await Promise.all(ids.map((id) => engine.waitForRun(id)));
    expect(ended.every((r) => r.status === 'stopped' || r.status === 'completed')).toBe(true);
  });

  it('a one-axis sweep with seeds: one row of cells, one run per seed from the config seed on', async () => {
    const grid = await engine.api.createGrid({
      ...gridInput,
      name: 'sweep',
      config: { ...gridInput.config, seed: 5 },
      cols: undefined,
      seeds: 3,
    });
    expect(grid.cols).toBeNull();
    expect(grid.seeds).toEqual([5, 6, 7]);
    expect(grid.runIds.map((row) => row.length)).toEqual([1, 1]);
    const ids = grid.runIds.flat(2);
    expect(ids).toHaveLength(6);
    const runs = new Map((await engine.api.listRuns()).map((r) => [r.id, r] as [number, Run]));
    gridInput.rows.values.forEach((t, r) =>
      grid.runIds[r]![0]!.forEach((id, s) => {
        const run = runs.get(id)!;
        expect(run.config).toMatchObject({ temperature: t, seed: 5 + s });
        expect(run.name).toBe(`sweep: temperature=${t}, seed ${5 + s}`);
      }),
    );
    await Promise.all(ids.map((id) => engine.api.stopRun(id, true)));
    await Promise.all(ids.map((id) => engine.waitForRun(id)));
  });

  it('refuses the seed as an axis and a bad seed count, recording nothing', async () => {
    const before = (await engine.api.listRuns()).length;
    await expect(
      engine.api.createGrid({ ...gridInput, cols: { field: 'seed', values: [0, 1] } }),
    ).rejects.toThrow(/the seed is not a grid axis: ask for seeds per cell/);
    await expect(engine.api.createGrid({ ...gridInput, seeds: 11 })).rejects.toThrow(
      /seeds per cell must be a whole number from 1 to 10, got 11/,
    );
    expect((await engine.api.listRuns()).length).toBe(before);
  });
});

describe('grids over the share of the labels', () => {
  const labelGrid = {
    method: 'simclr',
    dataset: tinyRun.dataset,
    config: { ...tinyRun.config, linearProbe: false },
    rows: { field: labelShareAxis, values: [50, 100] },
    name: 'label efficiency',
  };

  it('refuses, recording nothing: another metric, a share out of (0, 100], fine-tune epochs without the axis', async () => {
    const before = (await engine.api.listRuns()).length;
    await expect(engine.api.createGrid({ ...labelGrid, metric: 'knn_top1' })).rejects.toThrow(
      /a grid over labelPercent shows the fine-tune's accuracy \(finetune_top1 or finetune_top5\), not knn_top1/,
    );
    await expect(
      engine.api.createGrid({ ...labelGrid, rows: { field: labelShareAxis, values: [10, 0] } }),
    ).rejects.toThrow(/shares of the labels in percent, above 0 and at most 100, got 0/);
    await expect(
      engine.api.createGrid({ ...labelGrid, rows: { field: labelShareAxis, values: [150] } }),
    ).rejects.toThrow(/at most 100, got 150/);
    await expect(
      engine.api.createGrid({
        ...labelGrid,
        rows: { field: 'temperature', values: [0.2] },
        fineTuneEpochs: 2,
      }),
    ).rejects.toThrow(/fine-tune epochs are for a grid with a labelPercent axis/);
    expect((await engine.api.listRuns()).length).toBe(before);
  });

  it('cells along the label axis share their runs: one run per setting and seed', async () => {
    const grid = await engine.api.createGrid({
      ...labelGrid,
      rows: { field: 'temperature', values: [0.2, 0.5] },
      cols: { field: labelShareAxis, values: [1, 10, 100] },
      seeds: 2,
    });
    expect(grid.metric).toBe('finetune_top1');
    // runIds[r][c][s]: the same two runs (one per seed) in every column of a row.
    for (const row of grid.runIds) {
      expect(row).toHaveLength(3);
      expect(row[1]).toEqual(row[0]);
      expect(row[2]).toEqual(row[0]);
      expect(row[0]).toHaveLength(2);
    }
    const ids = [...new Set(grid.runIds.flat(2))];
    expect(ids).toHaveLength(4);
    const runs = new Map((await engine.api.listRuns()).map((r) => [r.id, r] as [number, Run]));
    expect(runs.get(grid.runIds[1]![0]![1]!)!.name).toBe('label efficiency: temperature=0.5, seed 1');
    expect(runs.get(grid.runIds[1]![0]![1]!)!.config).not.toHaveProperty(labelShareAxis);
    expect(gridCellMetric(grid, 0, 1)).toBe('finetune_top1_10pct');
    await Promise.all(ids.map((id) => engine.api.stopRun(id, true)));
    await Promise.all(ids.map((id) => engine.waitForRun(id)));
  });

  it("fine-tunes a completed run's last checkpoint at every share, once, whoever watches the database", async () => {
    const grid = await engine.api.createGrid({ ...labelGrid, fineTuneEpochs: 1 });
    expect(grid.fineTuneEpochs).toBe(1);
    const [id] = new Set(grid.runIds.flat(2));
    expect(grid.runIds).toEqual([[[id]], [[id]]]);
    expect((await engine.waitForRun(id!)).status).toBe('completed');
    const ended = (j: Job) => j.status === 'completed' || j.status === 'failed';
    const fineTunes = async () => (await engine.api.listJobs(id)).filter((j) => j.kind === 'fine-tune');
    // One after the other (each job uses every core): the smaller share first.
    let jobs: Job[] = [];
    await expect
      .poll(async () => (jobs = await fineTunes()).filter(ended).length, { timeout: 60_000, interval: 200 })
      .toBe(2);
    const checkpoint = (await engine.api.listCheckpoints(id!)).at(-1)!;
    expect(jobs.map((j) => [j.status, j.params, j.checkpointId])).toEqual([
      ['completed', { labelPercent: 50, epochs: 1 }, checkpoint.id],
      ['completed', { labelPercent: 100, epochs: 1 }, checkpoint.id],
    ]);
    expect(Date.parse(jobs[1]!.createdAt)).toBeGreaterThanOrEqual(Date.parse(jobs[0]!.endedAt!));
    const run = await engine.api.getRun(id!);
    expect(run.summary[gridCellMetric(grid, 0, 0)]).toBe(jobs[0]!.result!.top1);
    expect(run.summary[gridCellMetric(grid, 1, 0)]).toBe(jobs[1]!.result!.top1);

    // A second workbench opening the database catches up with what is missing: nothing, so no job.
    const other = new Engine(path.join(dir, 'lab.db'), { watch: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(await fineTunes()).toHaveLength(2);
    } finally {
      await other.close();
    }
  });
});

describe('augmentation preview', () => {
  const input = {
    method: 'dino',
    dataset: { id: 'synthetic' as const, trainSize: 64, testSize: 16 },
    config: { localCrops: 2, localCropSize: 16 },
    count: 3,
    seed: 1,
  };

  it('draws count × views tiles: the global crops, then the smaller local crops', async () => {
    const p = await engine.api.previewAugmentations(input);
    expect(p.viewNames).toEqual(['global 1', 'global 2', 'local 1', 'local 2']);
    expect(p.originals).toHaveLength(3);
    expect(p.views).toHaveLength(3);
    for (const [i, views] of p.views.entries()) {
      expect(views).toHaveLength(4);
      expect(views.map((v) => v.width)).toEqual([32, 32, 16, 16]);
      for (const tile of [p.originals[i]!, ...views]) {
        expect(Buffer.from(tile.rgba, 'base64').length).toBe(tile.width * tile.height * 4);
      }
      // A view is not the original image: it was cropped and jittered.
      expect(views[0]!.rgba).not.toBe(p.originals[i]!.rgba);
    }
  });

  it('is deterministic in its seed, and validates the config like createRun', async () => {
    const a = await engine.api.previewAugmentations(input);
    const b = await engine.api.previewAugmentations(input);
    expect(b).toEqual(a);
    const c = await engine.api.previewAugmentations({ ...input, seed: 2 });
    expect(c.views).not.toEqual(a.views);
    const simclr = await engine.api.previewAugmentations({
      ...input,
      method: 'simclr',
      config: {},
      count: undefined,
    });
    expect(simclr.viewNames).toEqual(['global 1', 'global 2']);
    expect(simclr.originals).toHaveLength(6);
    await expect(engine.api.previewAugmentations({ ...input, config: { localCrops: -1 } })).rejects.toThrow(
      /invalid value for "localCrops" \(method dino\)/,
    );
    await expect(
      engine.api.previewAugmentations({ ...input, dataset: { id: 'cifar10' as const } }),
    ).rejects.toThrow(/data directory/);
  });
});
