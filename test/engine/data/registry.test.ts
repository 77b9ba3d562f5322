import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cifarDir } from '../../helpers/cli';
import { DatasetError, datasetIds } from '../../../src-main/domain';
import { listDatasets, loadDataset, type DatasetSpec } from '../../../src-main/engine/data';

describe('dataset registry', () => {
  it('lists every dataset the domain names, each with a source', () => {
    const list = listDatasets();
    expect(list.map((d) => d.id).sort()).toEqual([...datasetIds].sort());
    expect(list.find((d) => d.id === 'stl10')!.nativeSize).toBe(96);
    expect(list.find((d) => d.id === 'imagefolder')!.nativeSize).toBeUndefined();
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
      dataDir: path.dirname(cifarDir),
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
