import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContrastLabApi } from '../../../src-main/api/commands';

import { invoke } from '../../../src-main/api/dispatch';
import { diagnosticKeys, type MetricPoint, type Run } from '../../../src-main/domain';
import { loadDataset, type Dataset } from '../../../src-main/engine/data';
import { tileFromSplit } from '../../../src-main/engine/data/tiles';
import { Engine } from '../../../src-main/engine/engine';
import { base64ToFloat32 } from '../../../src-main/engine/util/base64';

// A tiny run: 2 steps of SimCLR on 128 synthetic images, evaluated at step 0 (epoch 0) and step 2 (epoch 1).
const spec = {
  method: 'simclr',
  dataset: { id: 'synthetic' as const, trainSize: 128, testSize: 64 },
  config: { epochs: 1, width: 8, batchSize: 64, projectionHiddenDim: 64 },
};
const perEpoch = diagnosticKeys.filter((k) => !k.startsWith('probe_'));

let engine: Engine;
let api: ContrastLabApi;
let run: Run;
let dataset: Dataset;
let points: MetricPoint[];

beforeAll(async () => {
  engine = new Engine(':memory:');
  api = engine.api;
  const created = await engine.api.createRun(spec);
  run = await engine.waitForRun(created.id);
  // The same images the worker trained on: the synthetic set depends on the run's seed.
  dataset = await loadDataset({ ...spec.dataset, seed: run.config.seed as number });
  points = await engine.api.getMetrics([run.id]);
});
afterAll(() => engine?.close());

const at = (key: string) => points.filter((p) => p.key === key);

describe('per-epoch diagnostics of a run', () => {
  it('records every diagnostic at epochs 0 and 1, in range', () => {
    expect(run.status).toBe('completed');
    for (const key of perEpoch) {
      expect(
        at(key).map((p) => [p.step, p.epoch]),
        key,
      ).toEqual([
        [0, 0],
        [2, 1],
      ]);
      expect(
        at(key).every((p) => Number.isFinite(p.value)),
        key,
      ).toBe(true);
    }
    // SimCLR's std is taken on its projector's output z (128 dimensions, SimSiam fig. 2), the effective
    // rank on the backbone's features: the ConvNet at width 8 ends in 8·8 = 64 channels.
    expect(at('embedding_dim').map((p) => p.value)).toEqual([128, 128]);
    expect(at('representation_dim').map((p) => p.value)).toEqual([64, 64]);
    for (const p of at('embedding_std')) expect(p.value).toBeGreaterThan(0);
    for (const p of at('embedding_std')) expect(p.value).toBeLessThanOrEqual(1);
    for (const p of at('effective_rank')) expect(p.value).toBeGreaterThanOrEqual(1);
    for (const p of at('effective_rank')) expect(p.value).toBeLessThanOrEqual(64);
    for (const p of at('align')) expect(p.value).toBeGreaterThanOrEqual(0);
    for (const p of at('align')) expect(p.value).toBeLessThanOrEqual(4);
    for (const p of at('uniform')) expect(p.value).toBeLessThanOrEqual(0);
    for (const p of at('uniform')) expect(p.value).toBeGreaterThanOrEqual(-8);
    // Alignment and the positive similarity are one quantity for unit vectors: ‖a − b‖² = 2 − 2 cos.
    at('align').forEach((p, i) => expect(p.value).toBeCloseTo(2 - 2 * at('pos_sim_mean')[i]!.value, 5));
    // The kNN monitor is still there.
    expect(at('knn_top1')).toHaveLength(2);
  });

  it('stores a similarity histogram per evaluated epoch: 40 bins over [−1, 1], fractions', async () => {
    const histograms = await api.getHistograms(run.id);
    expect(histograms.map((h) => [h.step, h.epoch])).toEqual([
      [0, 0],
      [2, 1],
    ]);
    for (const h of histograms) {
      expect(h).toMatchObject({ runId: run.id, min: -1, max: 1 });
      expect(h.positive).toHaveLength(40);
      expect(h.negative).toHaveLength(40);
      expect(h.positive.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
      expect(h.negative.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    }
    // The histogram's mean agrees with pos_sim_mean to within a bin width (0.05).
    const mean = (f: number[]) => f.reduce((s, v, i) => s + v * (-1 + (i + 0.5) * 0.05), 0);
    histograms.forEach((h, i) =>
      expect(Math.abs(mean(h.positive) - at('pos_sim_mean')[i]!.value)).toBeLessThan(0.05),
    );
  });

  it('keeps a test embedding per epoch with labels and a PCA, and the latest training embedding', async () => {
    expect(await api.listEmbeddings(run.id)).toEqual([
      { step: 0, epoch: 0 },
      { step: 2, epoch: 1 },
    ]);
    const latest = await api.getEmbedding(run.id);
    expect(latest).toMatchObject({ runId: run.id, step: 2, epoch: 1, dim: 64 });
    expect(latest.indices).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(latest.labels).toEqual(Array.from(dataset.test.labels!));
    expect(latest.classNames).toEqual(dataset.classNames);
    const features = base64ToFloat32(latest.features);
    expect(features).toHaveLength(64 * 64);
    for (let i = 0; i < 64; i++) {
      const row = features.subarray(i * 64, (i + 1) * 64);
      expect(Math.hypot(...row)).toBeCloseTo(1, 4);
    }
    expect(latest.pca).toHaveLength(64);
    // The PCA is centred: its coordinates average to 0.
    expect(latest.pca.reduce((s, p) => s + p[0], 0) / 64).toBeCloseTo(0, 5);
    const first = await api.getEmbedding(run.id, 0);
    expect(first.step).toBe(0);
    expect(first.features).not.toEqual(latest.features);
    const train = engine.store.embeddings.epochs(run.id, 'train');
    expect(train).toEqual([{ step: 2, epoch: 1 }]);
  });

  it('retrieves the nearest training images of a test image, with labels and precision', async () => {
    const k = 5;
    const result = await api.getRetrieval(run.id, 3, k);
    expect(result.query).toEqual({ index: 3, label: dataset.test.labels![3] });
    expect(result.neighbours).toHaveLength(k);
    // By brute force over the stored embeddings: the k most similar training rows, most similar first.
    const table = engine.store.embeddings;
    const trainE = table.get(run.id, 'train')!;
    const testE = table.get(run.id, 'test', trainE.step)!;
    const d = trainE.dim;
    const sims = Array.from({ length: trainE.indices.length }, (_, j) => {
      let s = 0;
      for (let c = 0; c < d; c++) s += testE.features[3 * d + c]! * trainE.features[j * d + c]!;
      return { index: trainE.indices[j]!, s };
    }).sort((a, b) => b.s - a.s);
    expect(result.neighbours.map((n) => n.index)).toEqual(sims.slice(0, k).map((x) => x.index));
    for (const n of result.neighbours) {
      expect(n.label).toBe(dataset.train.labels![n.index]);
      expect(n.match).toBe(n.label === result.query.label);
    }
    expect(result.precision).toBeCloseTo(result.neighbours.filter((n) => n.match).length / k, 12);
  });

  it('ranks the worst queries by precision@k, consistent with single retrievals', async () => {
    const ranking = await api.getWorstQueries(run.id, 5, 6);
    expect(ranking).toMatchObject({ runId: run.id, epoch: 1, k: 5 });
    expect(ranking.queries).toHaveLength(6);
    const precisions = ranking.queries.map((q) => q.precision);
    expect([...precisions].sort((a, b) => a - b)).toEqual(precisions);
    for (const q of ranking.queries.slice(0, 3)) {
      const single = await api.getRetrieval(run.id, q.index, 5);
      expect(single.precision).toBeCloseTo(q.precision, 12);
      expect(q.label).toBe(dataset.test.labels![q.index]);
    }
    // Nothing better than the worst-ranked was left out: every other query scores at least as high.
    const all = await api.getWorstQueries(run.id, 5, 64);
    expect(all.queries).toHaveLength(64);
    expect(Math.min(...all.queries.map((q) => q.precision))).toBe(precisions[0]);
  });

  it('returns image tiles of the run dataset', async () => {
    const tiles = await api.getImages(run.id, [
      { split: 'train', index: 0 },
      { split: 'test', index: 63 },
    ]);
    expect(tiles).toEqual([
      tileFromSplit(dataset.train, 0, dataset),
      tileFromSplit(dataset.test, 63, dataset),
    ]);
    expect(Buffer.from(tiles[0]!.rgba, 'base64')).toHaveLength(32 * 32 * 4);
  });

  it('exports the histograms as CSV, one row per run, epoch and bin', async () => {
    const rows = parse(await api.exportCsv('histograms', [run.id]), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(2 * 40);
    expect(rows[0]).toMatchObject({ run_id: String(run.id), run_name: run.name, step: '0', epoch: '0' });
    expect(rows[0]!.bin_low).toBe('-1');
    expect(rows[0]!.bin_high).toBe('-0.95');
    expect(rows[79]!.bin_high).toBe('1');
    const positive = rows.filter((r) => r.step === '2').reduce((s, r) => s + Number(r.positive), 0);
    expect(positive).toBeCloseTo(1, 9);
  });

  it('answers bad requests with one line and status 400', async () => {
    const cases: [string, unknown[], RegExp][] = [
      ['getHistograms', [999], /no run with id 999/],
      ['getEmbedding', [run.id, 7], /run \d+ has no embedding at epoch 7 \(it has epochs 0, 1\)/],
      ['getRetrieval', [run.id, 64], /query 64 is out of range: run \d+'s test embedding has images 0–63/],
      ['getWorstQueries', [999], /no run with id 999/],
      [
        'getImages',
        [run.id, [{ split: 'test', index: 64 }]],
        /image 64 is out of range: run \d+'s test split has 64 images/,
      ],
    ];
    for (const [command, args, message] of cases) {
      const reply = await invoke(api, command, args);
      expect(reply, command).toMatchObject({ status: 400, error: expect.stringMatching(message) });
      expect((reply as { error: string }).error).not.toContain('\n');
    }
    // A run with no evaluation yet.
    const queued = engine.store.createRun({ ...spec, name: 'never started', config: {} });
    expect(await invoke(api, 'getEmbedding', [queued.id])).toMatchObject({
      status: 400,
      error: `run ${queued.id} has no embedding yet`,
    });
    expect(await invoke(api, 'getRetrieval', [queued.id, 0])).toMatchObject({
      status: 400,
      error: expect.stringMatching(/has no training embedding yet/),
    });
  });
});
