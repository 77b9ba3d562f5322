import type { DatasetClassSamples, DatasetSplitDetails, ImageTile, SkippedDatasetFile } from '../../domain';
import type { Dataset, ImageSplit } from '../data';
import { resizeRaw } from '../data/resize';
import { tileFromPixels } from '../data/tiles';
import type { DatasetInspection } from './dataset-protocol';

/** Thumbnails are at most this side in pixels: enough to recognise an image, small enough to send hundreds. */
export const thumbnailSize = 64;

/** Images of each class in a split (by label), or null where it has no labels. */
export function classCounts(split: ImageSplit, classes: number): number[] | null {
  if (!split.labels) return null;
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < split.count; i++) {
    const label = split.labels[i]!;
    if (label >= 0 && label < classes) counts[label]!++;
  }
  return counts;
}

/** The splits of a dataset as the Datasets view lists them. */
export function splitDetails(dataset: Dataset): DatasetSplitDetails[] {
  const splits: [string, ImageSplit][] = [['train', dataset.train]];
  if (dataset.labelledTrain) splits.push(['labelledTrain', dataset.labelledTrain]);
  splits.push(['test', dataset.test]);
  return splits.map(([name, split]) => ({
    name,
    count: split.count,
    labelled: split.labels !== null,
    classCounts: classCounts(split, dataset.classNames.length),
  }));
}

/** A skipped file as image folders write it in the dataset's notes: "skipped <path>: <reason>". */
const skippedLine = /^skipped (.+?): (.+)$/;
/** The notes' summary of the skipped files, which the list of them replaces. */
const skippedSummary = /could not be decoded and were skipped$/;

/** The dataset's notes split into the files it skipped and the other lines. */
export function readNotes(notes: string[] = []): { skipped: SkippedDatasetFile[]; notes: string[] } {
  const skipped: SkippedDatasetFile[] = [];
  const rest: string[] = [];
  for (const line of notes) {
    const m = skippedLine.exec(line);
    if (m) skipped.push({ path: m[1]!, reason: m[2]! });
    else if (!skippedSummary.test(line)) rest.push(line);
  }
  return { skipped, notes: rest };
}

/** Up to `n` of `indices`, evenly spaced: the same choice every time, spread over the whole split. */
function spread(indices: number[], n: number): number[] {
  if (indices.length <= n) return indices;
  return Array.from({ length: n }, (_, k) => indices[Math.floor((k * indices.length) / n)]!);
}

async function thumbnail(dataset: Dataset, split: ImageSplit, index: number): Promise<ImageTile> {
  const pixels = split.pixels.read([index]);
  if (dataset.height <= thumbnailSize && dataset.width <= thumbnailSize)
    return tileFromPixels(pixels, dataset);
  const small = await resizeRaw(pixels, dataset, thumbnailSize);
  return tileFromPixels(small, { height: thumbnailSize, width: thumbnailSize, channels: dataset.channels });
}

/**
 * Up to `perClass` images of each class, from the labelled split the evaluation fits on (else the
 * labelled test split; else the unlabelled training images, as one group), evenly spaced over the split.
 */
export async function sampleImages(
  dataset: Dataset,
  perClass: number,
): Promise<{ split: string; classes: DatasetClassSamples[] }> {
  const candidates: [string, ImageSplit | undefined][] = [
    ['labelledTrain', dataset.labelledTrain],
    ['train', dataset.train],
    ['test', dataset.test],
  ];
  const labelled = candidates.find(([, s]) => s?.labels && s.count > 0);
  if (!labelled) {
    const split = dataset.train;
    const all = Array.from({ length: split.count }, (_, i) => i);
    const tiles = await Promise.all(spread(all, perClass).map((i) => thumbnail(dataset, split, i)));
    return { split: 'train', classes: [{ label: null, name: '', total: split.count, tiles }] };
  }
  const [name, split] = labelled as [string, ImageSplit];
  const members: number[][] = dataset.classNames.map(() => []);
  for (let i = 0; i < split.count; i++) members[split.labels![i]!]?.push(i);
  const classes: DatasetClassSamples[] = [];
  for (const [label, indices] of members.entries()) {
    const tiles: ImageTile[] = [];
    for (const i of spread(indices, perClass)) tiles.push(await thumbnail(dataset, split, i));
    classes.push({ label, name: dataset.classNames[label]!, total: indices.length, tiles });
  }
  return { split: name, classes };
}

/** What the Datasets view shows of a loaded dataset. */
export async function inspectLoaded(dataset: Dataset, perClass: number): Promise<DatasetInspection> {
  const { skipped, notes } = readNotes(dataset.notes);
  const samples = await sampleImages(dataset, perClass);
  return {
    name: dataset.name,
    classNames: dataset.classNames,
    splits: splitDetails(dataset),
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
    skipped,
    notes,
    sampleSplit: samples.split,
    samples: samples.classes,
  };
}
