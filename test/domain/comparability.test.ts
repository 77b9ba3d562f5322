/**
 * Comparability: two values of a metric are compared only when measured alike, every difference is named,
 * and "best" is marked only among values comparable with each other.
 */
import { describe, expect, it } from 'vitest';
import {
  bestAmongComparable,
  comparability,
  comparableGroups,
  evaluationCard,
  type CardRun,
  type EvaluationCard,
} from '../../src-main/domain';

const base: CardRun = {
  method: 'simclr',
  dataset: { id: 'synthetic', trainSize: 128, testSize: 64 },
  config: { batchSize: 32, knnK: 10, knnTemperature: 0.1, evalTrainSize: 0 },
  summarySteps: { knn_top1: 4, probe_top1: 4, loss: 3, images_per_s: 3, effective_rank: 4 },
};

function card(
  key: string,
  over: { method?: string; dataset?: Partial<CardRun['dataset']>; config?: object; step?: number } = {},
): EvaluationCard {
  return evaluationCard(
    {
      method: over.method ?? base.method,
      dataset: { ...base.dataset, ...over.dataset },
      config: { ...base.config, ...over.config },
      summarySteps: { ...base.summarySteps, ...(over.step === undefined ? {} : { [key]: over.step }) },
    },
    key,
  );
}

const kinds = (a: EvaluationCard, b: EvaluationCard) => comparability(a, b).reasons.map((r) => r.kind);

describe('comparability', () => {
  it('compares two runs measured alike, whatever else they differ in', () => {
    // Another method and another learning rate: what is compared is the representation, measured alike.
    const verdict = comparability(card('knn_top1'), card('knn_top1', { method: 'byol', config: { lr: 3 } }));
    expect(verdict).toEqual({ comparable: true, reasons: [] });
  });

  it('names each difference in the kNN protocol and the images', () => {
    const a = card('knn_top1');
    expect(comparability(a, card('knn_top1', { config: { knnK: 200 } })).reasons).toEqual([
      { kind: 'knnK', a: 10, b: 200 },
    ]);
    expect(kinds(a, card('knn_top1', { config: { knnTemperature: 0.07 } }))).toEqual(['knnTemperature']);
    expect(kinds(a, card('knn_top1', { dataset: { testSize: 32 } }))).toEqual(['testImages']);
    // Half the training images: the network saw fewer, and the neighbours come from fewer.
    expect(kinds(a, card('knn_top1', { dataset: { trainSize: 64 }, config: { batchSize: 16 } }))).toEqual([
      'trainImages',
      'fitImages',
    ]);
    expect(kinds(a, card('knn_top1', { dataset: { id: 'mnist' } }))).toEqual(['dataset']);
    expect(kinds(a, card('knn_top1', { dataset: { imageSize: 64 } }))).toEqual(['imageSize']);
  });

  it('tells a probe fit on fewer labelled images apart', () => {
    expect(kinds(card('probe_top1'), card('probe_top1', { config: { evalTrainSize: 50 } }))).toEqual([
      'fitImages',
    ]);
  });

  it("tells the probe's two protocols apart: full-batch Adam and the papers' SGD", () => {
    const adam = card('probe_top1');
    const sgd = card('probe_top1', { config: { probeOptimizer: 'sgd' } });
    expect(comparability(adam, sgd).reasons).toEqual([
      {
        kind: 'probeRecipe',
        a: 'adam, 300 steps, lr 0.05, λ 0.0001',
        b: 'sgd, 100 epochs, batch 256, momentum 0.9, lr 0.1, λ 0',
      },
    ]);
    // A run recorded before the choice probed with Adam; two SGD probes compare.
    expect(
      comparability(adam, card('probe_top1', { config: { probeOptimizer: undefined } })).comparable,
    ).toBe(true);
    expect(comparability(sgd, card('probe_top1', { config: { probeOptimizer: 'sgd' } })).comparable).toBe(
      true,
    );
  });

  it('compares evaluations after the same amount of training: epochs, not steps', () => {
    // 128 images in batches of 32 → 4 steps an epoch; in batches of 64 → 2. Both end epoch 1.
    const a = card('knn_top1', { step: 4 });
    expect(comparability(a, card('knn_top1', { config: { batchSize: 64 }, step: 2 })).comparable).toBe(true);
    expect(comparability(a, card('knn_top1', { step: 8 })).reasons).toEqual([{ kind: 'epoch', a: 1, b: 2 }]);
    // The random initialisation is never compared with a trained network.
    expect(kinds(a, card('knn_top1', { step: 0 }))).toEqual(['epoch']);
  });

  it('never compares losses across methods, nor on different data', () => {
    expect(kinds(card('loss'), card('loss', { method: 'byol' }))).toEqual(['method']);
    expect(kinds(card('loss'), card('loss', { dataset: { id: 'mnist' } }))).toEqual(['dataset']);
    expect(comparability(card('loss'), card('loss', { config: { lr: 3 } })).comparable).toBe(true);
  });

  it("compares a schedule's values and the machine's metrics freely", () => {
    expect(comparability(card('lr'), card('lr', { method: 'byol' })).comparable).toBe(true);
    expect(
      comparability(card('images_per_s'), card('images_per_s', { dataset: { id: 'mnist' } })).comparable,
    ).toBe(true);
  });

  it('refuses to compare two different metrics', () => {
    expect(() => comparability(card('knn_top1'), card('probe_top1'))).toThrow(/different metrics/);
  });
});

describe('best among comparable', () => {
  const k10 = (value: number) => ({ value, card: card('knn_top1') });
  const k200 = (value: number) => ({ value, card: card('knn_top1', { config: { knnK: 200 } }) });

  it('groups entries by how they were measured', () => {
    expect(comparableGroups([card('knn_top1'), null, k200(0).card, card('knn_top1')])).toEqual([
      0,
      null,
      1,
      0,
    ]);
  });

  it('marks the best within each group of comparable values, never a value measured unlike any other', () => {
    // The 0.9 was measured with k = 200 and stands alone: the best comparable value is the 0.6.
    expect(bestAmongComparable([k10(0.5), k200(0.9), k10(0.6)], true)).toEqual([false, false, true]);
    expect(bestAmongComparable([k10(0.5), k200(0.9), k10(0.6), k200(0.8)], true)).toEqual([
      false,
      true,
      true,
      false,
    ]);
    expect(bestAmongComparable([k10(0.5), k200(0.9)], true)).toEqual([false, false]);
    // Lower is better for a loss; an entry without a value is never best.
    const loss = (value: number | null) => ({ value, card: card('loss') });
    expect(bestAmongComparable([loss(2), loss(1.5), loss(null)], false)).toEqual([false, true, false]);
  });
});
