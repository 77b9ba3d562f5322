/**
 * The bundled published references: that each is cited and sane, that a run finds its method's entries
 * on its dataset, and that the differences from a run name what differs and nothing else.
 */
import { describe, expect, it } from 'vitest';
import {
  comparedRunMetric,
  publishedReferences,
  referenceDifferences,
  referencesFor,
  runReferenceFacts,
  type PublishedReference,
  type RunReferenceFacts,
} from '../../src-main/domain';

function reference(id: string): PublishedReference {
  const found = publishedReferences.find((r) => r.id === id);
  if (!found) throw new Error(`no reference ${id}`);
  return found;
}

/** A run's facts equal to the reference's in every respect, compared on `metric`. */
function matching(r: PublishedReference, metric: RunReferenceFacts['metric']): RunReferenceFacts {
  return {
    epochs: r.epochs,
    batchSize: r.batchSize,
    backbone: r.backbone,
    backboneWidth: r.backboneWidth,
    imageSize: r.imageSize,
    trainImages: r.trainImages,
    testImages: r.testImages,
    evalTrainImages: r.evalTrainImages,
    metric,
    knnK: r.knnK ?? 200,
    knnTemperature: r.knnTemperature ?? 0.1,
  };
}

describe('publishedReferences', () => {
  it('cites every entry and keeps its budget and value in range', () => {
    expect(publishedReferences.length).toBeGreaterThan(0);
    for (const r of publishedReferences) {
      expect(r.source.url, r.id).toMatch(/^https:\/\/github\.com\/.+\/blob\/[0-9a-f]{40}\//);
      expect(r.source.url, r.id).toContain(r.source.commit);
      expect(r.source.settingsUrl, r.id).toContain(r.source.commit);
      expect(r.epochs, r.id).toBeGreaterThan(0);
      expect(r.batchSize, r.id).toBeGreaterThan(0);
      expect(r.trainImages, r.id).toBe(50_000);
      expect(r.testImages, r.id).toBe(10_000);
      expect(r.top1, r.id).toBeGreaterThan(0);
      expect(r.top1, r.id).toBeLessThanOrEqual(1);
      if (r.top5 !== undefined) {
        expect(r.top5, r.id).toBeGreaterThanOrEqual(r.top1);
        expect(r.top5, r.id).toBeLessThanOrEqual(1);
      }
      if (r.protocol === 'knn') expect(r.knnK, r.id).toBeGreaterThan(0);
    }
  });

  it('gives each entry its own id', () => {
    const ids = publishedReferences.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('holds the numbers as the sources print them', () => {
    expect(reference('solo-learn/cifar10/simclr/1000ep')).toMatchObject({
      protocol: 'online-linear',
      epochs: 1000,
      batchSize: 256,
      top1: 0.9074,
      top5: 0.9975,
    });
    expect(reference('lightly/cifar10/byol/800ep-b512')).toMatchObject({
      protocol: 'knn',
      knnK: 200,
      reportedEpoch: 'best',
      top1: 0.91,
    });
  });
});

describe('referencesFor', () => {
  it('picks the method’s entries on the dataset, from both sources', () => {
    const simclr = referencesFor('simclr', 'cifar10');
    expect(simclr.map((r) => r.id)).toEqual([
      'solo-learn/cifar10/simclr/1000ep',
      'lightly/cifar10/simclr/200ep-b128',
      'lightly/cifar10/simclr/200ep-b512',
      'lightly/cifar10/simclr/800ep-b512',
    ]);
    expect(referencesFor('mocov2', 'cifar10').map((r) => r.sourceMethod)).toEqual([
      'MoCo V2+',
      'Moco',
      'Moco',
      'Moco',
    ]);
    expect(referencesFor('supcon', 'cifar10').map((r) => r.source.library)).toEqual(['solo-learn']);
  });

  it('finds nothing for another dataset, a method without references, or an unknown one', () => {
    expect(referencesFor('simclr', 'cifar100')).toEqual([]);
    expect(referencesFor('instdisc', 'cifar10')).toEqual([]);
    expect(referencesFor('Barlow Twins', 'cifar10')).toEqual([]);
    expect(referencesFor('', 'cifar10')).toEqual([]);
  });
});

describe('comparedRunMetric', () => {
  it('compares like with like where the run has it, else the other', () => {
    const knn = { protocol: 'knn' } as const;
    const linear = { protocol: 'online-linear' } as const;
    expect(comparedRunMetric(knn, ['knn_top1', 'probe_top1'])).toBe('knn_top1');
    expect(comparedRunMetric(linear, ['knn_top1', 'probe_top1'])).toBe('probe_top1');
    expect(comparedRunMetric(linear, ['loss', 'knn_top1'])).toBe('knn_top1');
    expect(comparedRunMetric(knn, ['probe_top1'])).toBe('probe_top1');
    expect(comparedRunMetric(knn, ['loss'])).toBeNull();
  });
});

describe('referenceDifferences', () => {
  const lightly = reference('lightly/cifar10/simclr/200ep-b128');
  const solo = reference('solo-learn/cifar10/simclr/1000ep');

  it('says nothing when the run matches the reference', () => {
    expect(referenceDifferences(lightly, matching(lightly, 'knn_top1'))).toEqual([]);
  });

  it('names epochs, batch, dataset size and protocol when they differ', () => {
    const run = { ...matching(solo, 'probe_top1'), epochs: 15, batchSize: 128, trainImages: 4660 };
    expect(referenceDifferences(solo, run)).toEqual([
      { kind: 'epochs', reference: 1000, run: 15 },
      { kind: 'batchSize', reference: 256, run: 128 },
      { kind: 'trainImages', reference: 50_000, run: 4660, datasetName: 'CIFAR-10' },
      { kind: 'protocol', reference: 'online-linear', run: 'offline-linear' },
    ]);
  });

  it('tells a kNN run from an online linear classifier, and kNN parameters from kNN parameters', () => {
    expect(referenceDifferences(solo, matching(solo, 'knn_top1'))).toEqual([
      { kind: 'protocol', reference: 'online-linear', run: 'knn' },
    ]);
    expect(referenceDifferences(lightly, { ...matching(lightly, 'knn_top1'), knnK: 20 })).toEqual([
      { kind: 'knnK', reference: 200, run: 20 },
    ]);
  });

  it('names the network, the image size, the test split and the images the classifier fits on', () => {
    const run = {
      ...matching(lightly, 'knn_top1'),
      backboneWidth: 16,
      imageSize: 64,
      testImages: 1000,
      evalTrainImages: 5000,
    };
    expect(referenceDifferences(lightly, run).map((d) => d.kind)).toEqual([
      'testImages',
      'evalTrainImages',
      'imageSize',
      'backboneWidth',
    ]);
    expect(referenceDifferences(lightly, { ...matching(lightly, 'knn_top1'), backbone: 'convnet' })).toEqual([
      { kind: 'backbone', reference: 'resnet18', run: 'convnet' },
    ]);
  });
});

describe('runReferenceFacts', () => {
  const solo = reference('solo-learn/cifar10/simclr/1000ep');
  const config = {
    epochs: 15,
    batchSize: 128,
    backbone: 'resnet18',
    width: 16,
    knnK: 200,
    knnTemperature: 0.1,
    evalTrainSize: 0,
  };

  it('reads the run’s config and dataset, a full split where it sets none', () => {
    expect(runReferenceFacts({ config, dataset: { trainSize: 4660 } }, solo, 'probe_top1')).toEqual({
      epochs: 15,
      batchSize: 128,
      backbone: 'resnet18',
      backboneWidth: 16,
      imageSize: 32,
      trainImages: 4660,
      testImages: 10_000,
      evalTrainImages: 4660,
      metric: 'probe_top1',
      knnK: 200,
      knnTemperature: 0.1,
    });
  });

  it('counts the epochs trained when the compared value was taken', () => {
    // 4,660 images at batch 128: 36 steps an epoch; a kNN at step 180 is the end of epoch 5.
    const stopped = { config, dataset: { trainSize: 4660 }, summarySteps: { knn_top1: 180 } };
    expect(runReferenceFacts(stopped, solo, 'knn_top1').epochs).toBe(5);
    const completed = { config, dataset: { trainSize: 4660 }, summarySteps: { knn_top1: 15 * 36 } };
    expect(runReferenceFacts(completed, solo, 'knn_top1').epochs).toBe(15);
  });

  it('caps the images at the dataset’s splits and the classifier’s at the training images', () => {
    const facts = runReferenceFacts(
      { config: { ...config, evalTrainSize: 1000 }, dataset: { trainSize: 80_000, testSize: 2000 } },
      solo,
      'knn_top1',
    );
    expect(facts).toMatchObject({ trainImages: 50_000, testImages: 2000, evalTrainImages: 1000 });
  });
});
