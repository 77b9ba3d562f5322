import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src-main/domain';
import { loadDataset } from '../../../src-main/engine/data';
import type { ImageSplit } from '../../../src-main/engine/data/dataset';
import { fineTuneSubset } from '../../../src-main/engine/eval/fine-tune';
import { keptOfClass, labelSubset } from '../../../src-main/engine/eval/label-subsets';
import { Rng } from '../../../src-main/engine/util/rng';
import { cifarDir } from '../../helpers/cli';

const hasCifar = fs.existsSync(cifarDir);

/** Images of each class among `indices`. */
function countByClass(labels: Int32Array, indices: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const i of indices) counts[labels[i]!]!++;
  return counts;
}

/** Labels of `perClass[c]` images of each class c, in a shuffled order. */
function shuffledLabels(perClass: number[], seed: number): Int32Array {
  const ordered = perClass.flatMap((n, c) => new Array<number>(n).fill(c));
  const order = new Rng(seed).permutation(ordered.length);
  return Int32Array.from(order, (i) => ordered[i]!);
}

/** A digest of each image of a split, to compare images across splits by their pixels. */
function imageDigests(split: ImageSplit, indices?: Int32Array): Set<string> {
  const all = indices ?? Int32Array.from({ length: split.count }, (_, i) => i);
  const per = split.pixels.bytesPerImage;
  const bytes = split.pixels.read(all);
  const out = new Set<string>();
  for (let k = 0; k < all.length; k++) {
    out.add(
      createHash('sha1')
        .update(bytes.subarray(k * per, (k + 1) * per))
        .digest('hex'),
    );
  }
  return out;
}

const names = (n: number) => Array.from({ length: n }, (_, c) => `class ${c}`);

describe('labelSubset', () => {
  it('keeps the same share of every class: equal counts on a balanced split, proportions otherwise', () => {
    const balanced = shuffledLabels(new Array<number>(10).fill(200), 3);
    for (const percent of [1, 10, 100]) {
      const subset = labelSubset(balanced, names(10), percent);
      const counts = countByClass(balanced, subset.indices, 10);
      expect(counts).toEqual(new Array<number>(10).fill((200 * percent) / 100));
      expect(subset.perClass).toEqual(counts);
      expect(new Set(subset.indices).size).toBe(subset.indices.length);
      expect([...subset.indices]).toEqual([...subset.indices].sort((a, b) => a - b));
    }
    // An unbalanced split: each class keeps its own share, rounded to the nearest image.
    const sizes = [400, 250, 120, 50, 31];
    const unbalanced = shuffledLabels(sizes, 4);
    const subset = labelSubset(unbalanced, names(5), 10);
    expect(countByClass(unbalanced, subset.indices, 5)).toEqual([40, 25, 12, 5, 3]);
    expect(sizes.map((n) => keptOfClass(n, 10))).toEqual([40, 25, 12, 5, 3]);
  });

  it('draws from a constant seed: the same images for every call, and 1% ⊂ 10% ⊂ 100%', () => {
    const labels = shuffledLabels(new Array<number>(10).fill(300), 5);
    const a = labelSubset(labels, names(10), 10);
    // Whatever other randomness ran in between (another run's draws) changes nothing.
    new Rng(123).permutation(1000);
    const b = labelSubset(labels, names(10), 10);
    expect([...b.indices]).toEqual([...a.indices]);
    const one = new Set(labelSubset(labels, names(10), 1).indices);
    const ten = new Set(a.indices);
    const all = labelSubset(labels, names(10), 100);
    expect([...one].every((i) => ten.has(i))).toBe(true);
    expect(all.indices.length).toBe(labels.length);
    // Not simply the first images of each class: the subset is spread over the split.
    expect(Math.max(...a.indices)).toBeGreaterThan(labels.length / 2);
  });

  it('refuses, in one line, a share that leaves a class without an image, naming it and the share that works', () => {
    // 12 images of class 2: 3% of them is 0.36, which rounds to none; 50/12 = 4.17% keeps one.
    const labels = shuffledLabels([100, 100, 12], 6);
    const refuse = () => labelSubset(labels, ['cat', 'dog', 'frog'], 3);
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(
      '3% of the labels leaves class "frog" without an image (it has 12 labelled training images); every class keeps one from 4.17% on',
    );
    expect(labelSubset(labels, ['cat', 'dog', 'frog'], 4.17).perClass).toEqual([4, 4, 1]);
    // A class no training image has cannot be fine-tuned on at any share.
    expect(() => labelSubset(Int32Array.from([0, 0, 1, 1]), ['a', 'b', 'c'], 100)).toThrow(
      'class "c" has no image in the labelled training split, so none to fine-tune on',
    );
    for (const bad of [0, -5, 100.5, Number.NaN]) {
      expect(() => labelSubset(labels, ['cat', 'dog', 'frog'], bad)).toThrow(/above 0% and at most 100%/);
    }
  });
});

describe.skipIf(!hasCifar)('label subsets of the real CIFAR-10 subset', () => {
  it('are class-balanced, the same for two runs, and disjoint from the test split', async () => {
    // Two runs of different seeds load the dataset as their job workers do (seed: the run's).
    const runA = await loadDataset({ id: 'cifar10', dataDir: cifarDir, seed: 1 });
    const runB = await loadDataset({ id: 'cifar10', dataDir: cifarDir, seed: 42 });
    const labels = runA.train.labels!;
    const classCounts = countByClass(labels, Int32Array.from(labels.keys()), 10);
    for (const percent of [1, 10, 100]) {
      const a = fineTuneSubset(runA, percent);
      const b = fineTuneSubset(runB, percent);
      expect([...b.indices]).toEqual([...a.indices]);
      // Each class keeps its share of its own images: within one image of percent × its count.
      const kept = countByClass(labels, a.indices, 10);
      kept.forEach((k, c) =>
        expect(Math.abs(k - (percent * classCounts[c]!) / 100)).toBeLessThanOrEqual(0.5),
      );
      expect(Math.min(...kept)).toBeGreaterThan(0);
      // The same pixels in both runs.
      expect([...imageDigests(runB.train, b.indices)]).toEqual([...imageDigests(runA.train, a.indices)]);
    }
    // Not one image of the 100% subset is an image of the test split.
    const trainImages = imageDigests(runA.train, fineTuneSubset(runA, 100).indices);
    const testImages = imageDigests(runA.test);
    expect(testImages.size).toBeGreaterThan(800);
    expect([...testImages].filter((d) => trainImages.has(d))).toEqual([]);
  });
});
