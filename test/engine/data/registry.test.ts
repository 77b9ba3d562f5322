import { describe, expect, it } from 'vitest';
import { DatasetError, datasetIds } from '../../../src-main/domain';
import { listDatasets, loadDataset, type DatasetSpec } from '../../../src-main/engine/data';

describe('dataset registry', () => {
  it('lists the built-in datasets', () => {
    expect(datasetIds).toEqual(['synthetic', 'cifar10']);
    const list = listDatasets();
    expect(list.map((d) => d.id)).toEqual(datasetIds);
    expect(list.find((d) => d.id === 'cifar10')!.needsDataDir).toBe(true);
    expect(list.find((d) => d.id === 'synthetic')!.needsDataDir).toBe(false);
  });

  it('loads the synthetic dataset with sizes and seed', async () => {
    const d = await loadDataset({ id: 'synthetic', seed: 3, trainSize: 50, testSize: 20 });
    expect([d.train.count, d.test.count]).toEqual([50, 20]);
  });

  it('loads CIFAR-10 from a folder', async () => {
    const d = await loadDataset({
      id: 'cifar10',
      dataDir: '/work/shared/data/cifar10-subset',
      testSize: 100,
    });
    expect(d.name).toBe('CIFAR-10');
    expect(d.test.count).toBe(100);
  });

  it('rejects an unknown id', async () => {
    await expect(loadDataset({ id: 'imagenet' } as unknown as DatasetSpec)).rejects.toThrow(DatasetError);
    await expect(loadDataset({ id: 'toString' } as unknown as DatasetSpec)).rejects.toThrow(
      /Unknown dataset/,
    );
  });
});
