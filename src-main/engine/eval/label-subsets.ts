/**
 * The labelled subsets semi-supervised evaluation fine-tunes on: a share of the labelled training split,
 * class-balanced, and the same images for every run of a dataset. SimCLR (Chen et al. 2020, Sec. 7.1)
 * and SimCLR v2 (Chen et al. 2020b, Sec. 2 and Appendix) fine-tune on 1% and 10% of ImageNet's labels
 * through one published, class-balanced list of images, so that every model is compared on the same
 * images; here the list is drawn from a constant seed instead of being shipped with each dataset.
 *
 * Each class keeps round(share × its images) of them, so a subset has the class proportions of the whole
 * split (equal counts on a balanced dataset such as CIFAR-10). The images are taken in the order of one
 * permutation of the split drawn from LABEL_SUBSET_SEED, so a smaller share's subset is contained in a
 * larger one's (1% ⊂ 10% ⊂ 100%) and nothing about a run (its seed, its method) changes them.
 */
import { ConfigError } from '../../domain';
import { Rng } from '../util/rng';

/**
 * The seed of every label subset, shared by all runs: a constant, never a run's seed, so two runs of a
 * dataset fine-tune on the same images. Changing it changes every subset, and makes results recorded
 * before incomparable with later ones.
 */
export const LABEL_SUBSET_SEED = 0x5eed_1ab5;

export interface LabelSubset {
  /** Indices into the labelled split, ascending. */
  indices: Int32Array;
  /** Images kept of each class, by label. */
  perClass: number[];
}

/** How a share is written in messages: 10 → "10%", 0.5 → "0.5%". */
export const formatPercent = (percent: number): string => `${String(percent)}%`;

/** The images a class keeps at `percent` of its `count`, rounded to the nearest whole image. */
export function keptOfClass(count: number, percent: number): number {
  return Math.min(count, Math.round((percent * count) / 100));
}

/**
 * The class-balanced subset of a labelled split at `percent` (0 < percent ≤ 100) of its images. Refuses,
 * with one ConfigError line, a share that leaves a class without an image: a classifier cannot learn a
 * class it never sees, and its test images would only count against it. The line names the class and the
 * smallest share that keeps one of its images.
 */
export function labelSubset(labels: Int32Array, classNames: readonly string[], percent: number): LabelSubset {
  if (!(Number.isFinite(percent) && percent > 0 && percent <= 100)) {
    throw new ConfigError(
      `the share of the labels must be above 0% and at most 100%, got ${String(percent)}%`,
    );
  }
  const classes = classNames.length;
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) {
    if (!(label >= 0 && label < classes)) {
      throw new ConfigError(`label ${label} is not one of the ${classes} classes of the dataset`);
    }
    counts[label]!++;
  }
  const perClass = counts.map((n) => keptOfClass(n, percent));
  const empty = perClass.findIndex((k) => k === 0);
  if (empty >= 0) {
    const n = counts[empty]!;
    const name = classNames[empty]!;
    if (n === 0) {
      throw new ConfigError(
        `class "${name}" has no image in the labelled training split, so none to fine-tune on`,
      );
    }
    // round(p·n/100) ≥ 1 from p = 50/n on; the smallest class sets the share that keeps every class.
    const smallest = Math.min(...counts);
    const needed = Math.ceil(5000 / smallest) / 100;
    throw new ConfigError(
      `${formatPercent(percent)} of the labels leaves class "${name}" without an image ` +
        `(it has ${n} labelled training images); every class keeps one from ${formatPercent(needed)} on`,
    );
  }
  const taken = new Array<number>(classes).fill(0);
  const chosen: number[] = [];
  for (const i of new Rng(LABEL_SUBSET_SEED).permutation(labels.length)) {
    const label = labels[i]!;
    if (taken[label]! < perClass[label]!) {
      taken[label]!++;
      chosen.push(i);
    }
  }
  return { indices: Int32Array.from(chosen).sort(), perClass };
}
