/**
 * Where the collapse diagnostics are measured: SimSiam's std on the projector's output z (Chen & He 2021,
 * Fig. 2), RankMe's effective rank on the encoder's representation (Garrido et al. 2023).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/engine/backend';
import { loadDataset, type Dataset } from '../../../src-main/engine/data';
import { extractFeatures } from '../../../src-main/engine/eval/features';
import {
  epochDiagnostics,
  pairSet,
  projectorOf,
  projectorStd,
} from '../../../src-main/engine/eval/diagnostics';
import { getMethod, resolveConfig } from '../../../src-main/engine/methods';
import type { MethodInstance } from '../../../src-main/engine/methods/method';
import { checkpointState } from '../../../src-main/engine/runner/checkpoint';
import type { SimSiamInstance } from '../../../src-main/engine/methods/simsiam';
import { Rng } from '../../../src-main/engine/util/rng';

let dataset: Dataset;

beforeAll(async () => {
  await initBackend('wasm');
  dataset = await loadDataset({ id: 'synthetic', trainSize: 64, testSize: 80, seed: 3 });
});

/** An instance of `id` on the synthetic dataset, and a pair set without images: only the collapse monitor. */
function create(
  id: string,
  config: Record<string, unknown>,
): { instance: MethodInstance; pairs: ReturnType<typeof pairSet> } {
  const method = getMethod(id);
  const resolved = resolveConfig(method, { backbone: 'convnet', width: 8, ...config });
  const instance = method.create(resolved, {
    rng: new Rng(5),
    imageSize: dataset.height,
    channels: 3,
    trainSize: dataset.train.count,
    mean: dataset.mean,
    std: dataset.std,
  });
  return { instance, pairs: pairSet(0, method.viewPlan(resolved, dataset.height), 1) };
}

function simsiam(): { instance: SimSiamInstance; pairs: ReturnType<typeof pairSet> } {
  const { instance, pairs } = create('simsiam', { projectionDim: 32 });
  return { instance: instance as SimSiamInstance, pairs };
}

describe('collapse diagnostics', () => {
  it("measure SimSiam's std on the projector's output z and RankMe on the backbone's features", () => {
    const { instance, pairs } = simsiam();
    const test = extractFeatures(instance.encoder, dataset.test, dataset.mean, dataset.std);
    try {
      expect(projectorOf(instance)).toBe(instance.online.head);
      const buffers = () => instance.online.namedBuffers().map(([, v]) => [...v.dataSync()]);
      const before = buffers();
      const healthy = epochDiagnostics(instance.encoder, dataset, pairs, test, projectorOf(instance));
      // z is taken with batch statistics, as training computes it, and no running statistic moves.
      expect(buffers()).toEqual(before);
      // z is the projector's 32 dimensions, not the backbone's.
      expect(healthy.metrics.embedding_dim).toBe(32);
      expect(instance.encoder.outputDim).not.toBe(32);
      expect(healthy.metrics.embedding_std).toBeGreaterThan(0);

      // Collapse the projector alone: every image's z the same, the backbone untouched.
      for (const [, v] of instance.online.head.namedParameters()) v.assign(tf.zerosLike(v));
      const collapsed = epochDiagnostics(instance.encoder, dataset, pairs, test, projectorOf(instance));
      expect(collapsed.metrics.embedding_std).toBeCloseTo(0, 6);
      expect(collapsed.collapsing).toBe(true);
      // RankMe still reads the representation, which has not changed.
      expect(collapsed.metrics.effective_rank).toBeCloseTo(healthy.metrics.effective_rank!, 6);
      expect(collapsed.metrics.effective_rank).toBeGreaterThan(2);

      // The backbone's own std (what a method without a reachable projector reports) is not 0.
      const backbone = epochDiagnostics(instance.encoder, dataset, pairs, test, null);
      expect(backbone.metrics.embedding_dim).toBe(instance.encoder.outputDim);
      expect(backbone.metrics.embedding_std).toBeGreaterThan(0.01);
    } finally {
      test.dispose();
      instance.dispose();
    }
  });

  // The methods whose head is no tower over the encoder name it as their projector; the field sizing z, and the
  // prefix its parameters are trained under.
  it.each([
    ['simclr', { projectionDim: 24 }, 'head.'],
    ['supcon', { projectionDim: 24 }, 'head.'],
    ['invaspread', { embeddingDim: 24 }, 'head.'],
    ['simclrv2', { projectionDim: 24 }, 'head.'],
    ['wcl', { projectionDim: 24 }, 'head_instance.'],
    ['instdisc', { featureDim: 24 }, 'head.'],
    ['swav', { projectionDim: 24 }, 'head.'],
  ])("find %s's projection head and measure SimSiam's std on its output", (id, config, prefix) => {
    const { instance, pairs } = create(id, config);
    const test = extractFeatures(instance.encoder, dataset.test, dataset.mean, dataset.std);
    try {
      const projector = projectorOf(instance);
      expect(projector).not.toBeNull();
      // The head the loss trains: its parameters are the trainable ones under the head's prefix.
      const headParameters = instance.trainableParameters().filter(([name]) => name.startsWith(prefix));
      expect(projector!.parameters()).toEqual(headParameters.map(([, v]) => v));
      const diagnostics = epochDiagnostics(instance.encoder, dataset, pairs, test, projector);
      // z is the head's 24 dimensions, not the backbone's, and its std is the projector's.
      expect(diagnostics.metrics.embedding_dim).toBe(24);
      expect(instance.encoder.outputDim).not.toBe(24);
      // The effective rank is the backbone's, out of its own width.
      expect(diagnostics.metrics.representation_dim).toBe(instance.encoder.outputDim);
      expect(diagnostics.metrics.effective_rank).toBeLessThanOrEqual(instance.encoder.outputDim);
      expect(diagnostics.metrics.embedding_std).toBeCloseTo(
        projectorStd(instance.encoder, projector!, dataset)!.std,
        6,
      );
      // Exposing the head leaves the checkpoint's names as they were: nothing is saved as `projector.`.
      expect(checkpointState(instance).filter(([name]) => name.startsWith('projector.'))).toEqual([]);
    } finally {
      test.dispose();
      instance.dispose();
    }
  });

  it('find no projector where no tower is built over the evaluated encoder', () => {
    const { instance } = simsiam();
    try {
      expect(projectorOf({ encoder: instance.encoder })).toBeNull();
      // A tower over another network's backbone is not this encoder's projector.
      const other = simsiam().instance;
      const mixed = { encoder: other.encoder, online: instance.online };
      expect(projectorOf(mixed)).toBeNull();
      other.dispose();
    } finally {
      instance.dispose();
    }
  });
});
