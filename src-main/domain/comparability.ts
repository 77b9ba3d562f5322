/**
 * Whether two runs' values of one metric can be set side by side, and why not: they must have been
 * measured the same way (evaluation-card.ts). A number on other images (dataset, subsets, resolution),
 * by another protocol (kNN's k, τ or features; the probe's recipe; the fine-tune's share and epochs; the
 * distillation's settings) or after another amount of training is a different measurement, however alike
 * its name. A loss is a function of its method: two methods' losses are never compared.
 */
import type { EvaluationCard } from './evaluation-card';

/** What differs between two measurements; `a` and `b` are the two values (null: the whole split, or unknown). */
export type IncomparabilityKind =
  | 'method'
  | 'dataset'
  | 'trainImages'
  | 'testImages'
  | 'imageSize'
  | 'fitImages'
  | 'knnK'
  | 'knnTemperature'
  | 'features'
  | 'probeRecipe'
  | 'labelPercent'
  | 'fineTuneEpochs'
  | 'headLayers'
  | 'distillTemperature'
  | 'distillLabelWeight'
  | 'studentWidth'
  | 'distillEpochs'
  | 'epoch';

export interface IncomparabilityReason {
  kind: IncomparabilityKind;
  a: string | number | null;
  b: string | number | null;
}

export interface Comparability {
  comparable: boolean;
  /** Every difference, in the order a reader weighs them: what, on which images, how, when. */
  reasons: IncomparabilityReason[];
}

/** Epochs closer than this are the same evaluation (a fraction of a step apart). */
const epochTolerance = 1e-6;

/**
 * Whether `a` and `b` (cards of the same metric key of two runs) measured the same thing the same way,
 * and every way they did not.
 */
export function comparability(a: EvaluationCard, b: EvaluationCard): Comparability {
  const reasons: IncomparabilityReason[] = [];
  const differ = (kind: IncomparabilityKind, x: string | number | null, y: string | number | null) => {
    if (x !== y) reasons.push({ kind, a: x, b: y });
  };
  if (a.key !== b.key || a.kind !== b.kind) {
    throw new Error(`comparability: ${a.key} and ${b.key} are different metrics`);
  }
  const kind = a.kind;
  // The machine's metrics and a schedule's values are compared freely: neither measures the representation.
  if (kind === 'system' || kind === 'schedule') return { comparable: true, reasons };

  // A loss (or any value of the training step) is defined by its method.
  if (kind === 'training') differ('method', a.method, b.method);
  differ('dataset', a.dataset.id, b.dataset.id);
  if (a.dataset.id === b.dataset.id) {
    // A diagnostic is measured on test images only; everything else saw the training images too.
    if (kind !== 'diagnostic') differ('trainImages', a.dataset.trainImages, b.dataset.trainImages);
    if (kind !== 'training') differ('testImages', a.dataset.testImages, b.dataset.testImages);
  }
  differ('imageSize', a.dataset.imageSize, b.dataset.imageSize);
  if (a.knn && b.knn) {
    differ('fitImages', a.knn.fitImages, b.knn.fitImages);
    differ('knnK', a.knn.k, b.knn.k);
    differ('knnTemperature', a.knn.temperature, b.knn.temperature);
    differ('features', a.knn.features, b.knn.features);
  }
  if (a.probe && b.probe) {
    differ('fitImages', a.probe.fitImages, b.probe.fitImages);
    differ('features', a.probe.features, b.probe.features);
    // Adam's full-batch steps and SGD's mini-batch epochs are two protocols, whatever their numbers.
    const recipe = (p: NonNullable<EvaluationCard['probe']>) =>
      p.optimiser === 'sgd'
        ? `sgd, ${p.steps} epochs, batch ${p.batchSize}, momentum ${p.momentum}, lr ${p.learningRate}, λ ${p.weightDecay}`
        : `${p.optimiser}, ${p.steps} steps, lr ${p.learningRate}, λ ${p.weightDecay}`;
    differ('probeRecipe', recipe(a.probe), recipe(b.probe));
  }
  if (a.fineTune && b.fineTune) {
    differ('labelPercent', a.fineTune.labelPercent, b.fineTune.labelPercent);
    // Unknown epochs (no job loaded) are not evidence of a difference.
    if (a.fineTune.epochs !== null && b.fineTune.epochs !== null) {
      differ('fineTuneEpochs', a.fineTune.epochs, b.fineTune.epochs);
    }
    differ('headLayers', a.fineTune.headLayers, b.fineTune.headLayers);
  }
  if (a.distill && b.distill) {
    // Unknown (no job loaded) is not a difference.
    const known = (k: IncomparabilityKind, x: number | null, y: number | null) => {
      if (x !== null && y !== null) differ(k, x, y);
    };
    differ('labelPercent', a.distill.labelPercent, b.distill.labelPercent);
    known('distillTemperature', a.distill.temperature, b.distill.temperature);
    known('distillLabelWeight', a.distill.labelWeight, b.distill.labelWeight);
    known('studentWidth', a.distill.studentWidth, b.distill.studentWidth);
    known('distillEpochs', a.distill.epochs, b.distill.epochs);
  }
  if (kind !== 'training') {
    // When: after how much training. Epochs, not steps: a larger batch takes fewer steps per epoch.
    if (a.epoch !== null && b.epoch !== null) {
      if (Math.abs(a.epoch - b.epoch) > epochTolerance)
        reasons.push({ kind: 'epoch', a: a.epoch, b: b.epoch });
    } else if (a.step !== null && b.step !== null && a.batchSize === b.batchSize && a.step !== b.step) {
      reasons.push({ kind: 'epoch', a: null, b: null });
    }
  }
  return { comparable: reasons.length === 0, reasons };
}

/**
 * Entries (cards of one metric, null where an entry has no value) split into groups that are comparable
 * among themselves: each entry joins the first group whose first member it is comparable with. The group
 * index of each entry, or null for an entry without a card.
 */
export function comparableGroups(cards: readonly (EvaluationCard | null)[]): (number | null)[] {
  const heads: EvaluationCard[] = [];
  return cards.map((card) => {
    if (!card) return null;
    const found = heads.findIndex((head) => comparability(head, card).comparable);
    if (found >= 0) return found;
    heads.push(card);
    return heads.length - 1;
  });
}

/**
 * Which entries hold the best value among those comparable with them: within each group of two or more
 * comparable values, the highest (or lowest, `higherIsBetter` false) one(s). An entry measured unlike every
 * other is never "best": there is nothing it beat on equal terms.
 */
export function bestAmongComparable(
  entries: readonly { value: number | null; card: EvaluationCard | null }[],
  higherIsBetter: boolean,
): boolean[] {
  const groups = comparableGroups(entries.map((e) => (e.value === null ? null : e.card)));
  const best = new Map<number, number>();
  const size = new Map<number, number>();
  entries.forEach((e, i) => {
    const g = groups[i];
    if (g === null || g === undefined || e.value === null) return;
    size.set(g, (size.get(g) ?? 0) + 1);
    const current = best.get(g);
    if (current === undefined || (higherIsBetter ? e.value > current : e.value < current))
      best.set(g, e.value);
  });
  return entries.map((e, i) => {
    const g = groups[i];
    return g !== null && g !== undefined && (size.get(g) ?? 0) >= 2 && e.value === best.get(g);
  });
}
