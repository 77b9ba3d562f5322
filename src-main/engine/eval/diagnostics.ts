import * as tf from '@tensorflow/tfjs-core';
import { collapseCheck, type CoreMetricKeyOfGroup } from '../../domain';
import { augmentBatch, normalize, toFloatBatch } from '../data/augment';
import type { AugmentConfig } from '../../domain';
import type { Dataset } from '../data/dataset';
import type { ViewPlan } from '../../domain';
import type { Backbone } from '../nn/backbones';
import type { Module } from '../nn/module';
import { Tower } from '../nn/tower';
import { Rng } from '../util/rng';
import { alignment, uniformity } from './align-uniform';
import { effectiveRankFromGram, embeddingStd } from './collapse';
import { rows } from './rows';
import { histogram, HISTOGRAM_BINS, mean, pairSimilarities } from './similarity';

/**
 * The per-epoch diagnostics of a representation, computed in the run worker at every
 * evaluation: alignment and uniformity (Wang & Isola 2020), positive/negative cosine similarities and
 * their histograms (InvaSpread fig. 5) on two augmented views of a fixed set of training images, and the
 * collapse monitor on un-augmented test images, each measure where its paper takes it: SimSiam's std of
 * the L2-normalised output on the projector's output z (Chen & He 2021, Sec. 4.1 and Fig. 2: "the std
 * of the ℓ2-normalized output z/‖z‖₂"), RankMe's effective rank on the representation (Garrido et al.
 * 2023, Sec. 3: the encoder's output, before any projector), here the kNN monitor's test features. The
 * pair statistics are on L2-normalised backbone features, the representation kNN and the linear probe
 * judge. Batch norm in eval mode, except for z (projectorStd).
 */

/** Training images whose two views give the pair statistics: 512 make ~260k negative pairs. */
export const PAIR_IMAGES = 512;

/** The fixed images and augmentations of a run's pair statistics. */
export interface PairSet {
  /** Positions in the training split, ascending, chosen once per run. */
  indices: Int32Array;
  /** The method's first two global augmentations (the first twice when it has one). */
  views: [AugmentConfig, AugmentConfig];
  /** Seeds the augmentation draws: the same crops every epoch, so epochs differ only by the network. */
  seed: number;
}

export function pairSet(trainCount: number, plan: ViewPlan, seed: number): PairSet {
  const [first, second] = plan.global;
  if (!first) throw new Error('the view plan has no global view');
  // A stream of its own, so the diagnostics never change the training run's random draws.
  const rng = new Rng((seed ^ 0x6a09e667) >>> 0);
  const indices = rng.permutation(trainCount).subarray(0, Math.min(PAIR_IMAGES, trainCount)).sort();
  return { indices, views: [first, second ?? first], seed: Math.floor(rng.next() * 2 ** 32) };
}

/** L2-normalised eval-mode backbone features of one augmented view of the pair images, row-major. */
function viewFeatures(
  encoder: Backbone,
  dataset: Dataset,
  indices: Int32Array,
  view: AugmentConfig,
  rng: Rng,
  batchSize = 256,
): Float32Array {
  const chunks: Float32Array[] = [];
  for (let start = 0; start < indices.length; start += batchSize) {
    const idx = indices.subarray(start, start + batchSize);
    const f = tf.tidy(() => {
      const x = normalize(
        augmentBatch(toFloatBatch(dataset.train, idx), view, rng),
        dataset.mean,
        dataset.std,
      );
      const y = encoder.forward(x, false) as tf.Tensor2D;
      return tf.div(y, tf.maximum(tf.norm(y, 2, 1, true), 1e-12)) as tf.Tensor2D;
    });
    chunks.push(f.dataSync() as Float32Array);
    f.dispose();
  }
  const out = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * The projector whose output z SimSiam's std is measured on: the instance's own `projector` where it names
 * one (SimCLR, SupCon, InvaSpread, SimCLR v2, WCL), else the head of a backbone + head tower over the
 * evaluated encoder among its fields (SimSiam's and BYOL's online network, MoCo's query encoder, DINO's
 * teacher), or null where it has neither (then the std falls back to the backbone's features).
 */
export function projectorOf(instance: {
  readonly encoder: Backbone;
  readonly projector?: Module;
}): Module | null {
  if (instance.projector) return instance.projector;
  for (const value of Object.values(instance)) {
    if (value instanceof Tower && value.backbone === instance.encoder) return value.head;
  }
  return null;
}

/**
 * SimSiam's std (collapse.ts embeddingStd: the std of z/‖z‖ per dimension over the images, averaged)
 * of the projector's output z on the first PAIR_IMAGES test images (512, SimSiam's batch), and z's width
 * d, which std·√d is judged with. Fig. 2 takes it on the outputs training computes, with batch norm on
 * the batch's statistics: in eval mode the running statistics, still far from the batch's early in a run,
 * leave a shared offset in z that reads as a collapse (measured: std·√d 0.13 after 4 steps of a healthy
 * SimSiam run, 0.29 before). So z is computed in training mode, batches of 256, and every batch-norm
 * running statistic it moves is put back.
 */
export function projectorStd(
  encoder: Backbone,
  projector: Module,
  dataset: Dataset,
  batchSize = 256,
): { std: number; dim: number } | null {
  const count = Math.min(PAIR_IMAGES, dataset.test.count);
  if (count === 0) return null;
  const buffers = [...encoder.namedBuffers(), ...projector.namedBuffers()].map(([, v]) => v);
  const saved = buffers.map((v) => tf.clone(v));
  const chunks: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < count; start += batchSize) {
      const idx = new Int32Array(Math.min(batchSize, count - start)).map((_, i) => start + i);
      chunks.push(
        tf.tidy(() => {
          const x = normalize(toFloatBatch(dataset.test, idx), dataset.mean, dataset.std);
          return projector.forward(encoder.forward(x, true), true) as tf.Tensor2D;
        }),
      );
    }
    const z = tf.concat(chunks, 0);
    const [n, d] = z.shape;
    const data = z.dataSync() as Float32Array;
    z.dispose();
    return { std: embeddingStd(rows(data, n, d)), dim: d };
  } finally {
    buffers.forEach((v, i) => v.assign(saved[i]!));
    tf.dispose([...chunks, ...saved]);
  }
}

/** The diagnostics measured at every evaluation (the linear probe's keys come from runner/callbacks/linear-probe.ts). */
export type EpochDiagnosticKey = CoreMetricKeyOfGroup<'diagnostics'>;

export interface EpochDiagnostics {
  /** Metric values under their keys in domain/metrics.ts (only the ones that could be computed). */
  metrics: Partial<Record<EpochDiagnosticKey, number>>;
  /** Fractions of positive and negative pairs in HISTOGRAM_BINS bins over [−1, 1]. */
  histogram: { min: number; max: number; positive: number[]; negative: number[] } | null;
  /** Whether collapseCheck flags it (std·√d of z < 0.2, or the representation's effective rank < 2). */
  collapsing: boolean;
  /** The test features read back, row-major (the caller reuses them for the embedding snapshot). */
  testData: Float32Array | null;
}

/**
 * Everything above for one evaluation. `testFeatures` are the kNN monitor's L2-normalised test
 * features (not extracted again here); null when the dataset has no test images. `projector` (projectorOf)
 * is what embedding_std and embedding_dim are measured after; null: on the backbone's features.
 */
export function epochDiagnostics(
  encoder: Backbone,
  dataset: Dataset,
  pairs: PairSet,
  testFeatures: tf.Tensor2D | null,
  projector: Module | null = null,
): EpochDiagnostics {
  const metrics: EpochDiagnostics['metrics'] = {};
  let hist: EpochDiagnostics['histogram'] = null;
  if (pairs.indices.length >= 2) {
    const rng = new Rng(pairs.seed);
    const [rngA, rngB] = [rng.fork(), rng.fork()];
    const a = viewFeatures(encoder, dataset, pairs.indices, pairs.views[0], rngA);
    const b = viewFeatures(encoder, dataset, pairs.indices, pairs.views[1], rngB);
    const n = pairs.indices.length;
    const d = a.length / n;
    const va = rows(a, n, d);
    const vb = rows(b, n, d);
    metrics.align = alignment(va, vb);
    // Wang & Isola's reference loss averages the uniformity of the two views.
    metrics.uniform = (uniformity(va) + uniformity(vb)) / 2;
    const sims = pairSimilarities(va, vb);
    metrics.pos_sim_mean = mean(sims.positive);
    metrics.neg_sim_mean = mean(sims.negative);
    hist = {
      min: -1,
      max: 1,
      positive: histogram(sims.positive, HISTOGRAM_BINS, -1, 1),
      negative: histogram(sims.negative, HISTOGRAM_BINS, -1, 1),
    };
  }
  let testData: Float32Array | null = null;
  let collapsing = false;
  if (testFeatures && testFeatures.shape[0] > 0) {
    const [n, d] = testFeatures.shape;
    testData = testFeatures.dataSync() as Float32Array;
    const gram = tf.tidy(() => tf.matMul(testFeatures, testFeatures, true, false));
    const gramData = gram.dataSync();
    gram.dispose();
    const output = projector ? projectorStd(encoder, projector, dataset) : null;
    metrics.embedding_std = output ? output.std : embeddingStd(rows(testData, n, d));
    metrics.embedding_dim = output ? output.dim : d;
    metrics.effective_rank = effectiveRankFromGram(gramData, d);
    metrics.representation_dim = d;
    collapsing = collapseCheck(
      metrics.embedding_std,
      metrics.embedding_dim,
      metrics.effective_rank,
    ).collapsing;
  }
  for (const [k, v] of Object.entries(metrics)) {
    if (!Number.isFinite(v)) delete metrics[k as keyof typeof metrics];
  }
  return { metrics, histogram: hist, collapsing, testData };
}
