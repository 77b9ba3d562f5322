/**
 * What the evaluation views read: similarity histograms, embedding snapshots, retrieval results and
 * image tiles. Scalar diagnostics are ordinary metric points (metrics.ts).
 */

/** An image as raw pixels for display: RGBA, row-major, base64 of width × height × 4 bytes. */
export interface ImageTile {
  width: number;
  height: number;
  rgba: string;
}

/** Which images: split and positions in it. */
export interface ImageRef {
  split: 'train' | 'test';
  index: number;
}

/** Cosine-similarity histograms of positive and negative pairs at one epoch (InvaSpread, Ye et al. 2019, fig. 5). */
export interface SimilarityHistogram {
  runId: number;
  step: number;
  epoch: number;
  /** Bin edges are min + i·(max − min)/bins, i = 0..bins (bins = positive.length). */
  min: number;
  max: number;
  /** Fraction of pairs in each bin (each array sums to 1). */
  positive: number[];
  negative: number[];
}

/** The test-split embedding at one epoch, for the embedding map. */
export interface EmbeddingSnapshot {
  runId: number;
  step: number;
  epoch: number;
  /** Positions in the test split, and their labels (−1 where unlabelled). */
  indices: number[];
  labels: number[];
  classNames: string[];
  dim: number;
  /** L2-normalised features, float32 little-endian, row-major [indices.length, dim], base64. */
  features: string;
  /** The first two principal components of `features` (computed by the engine), one [x, y] per row. */
  pca: [number, number][];
}

/** Epochs for which an embedding snapshot exists. */
export interface EmbeddingEpoch {
  step: number;
  epoch: number;
}

export interface RetrievalNeighbour {
  index: number;
  label: number;
  similarity: number;
  match: boolean;
}

/** A test image's nearest training images by cosine similarity of backbone features (InstDisc fig. 5). */
export interface RetrievalResult {
  runId: number;
  epoch: number;
  query: { index: number; label: number };
  neighbours: RetrievalNeighbour[];
  /** Share of the k neighbours with the query's label. */
  precision: number;
}

/** Test queries ranked worst first by precision@k (ties: lower mean similarity first). */
export interface RetrievalRanking {
  runId: number;
  epoch: number;
  k: number;
  queries: { index: number; label: number; precision: number }[];
}

/**
 * How a run's log says its kNN monitor was skipped (a dataset without labels to judge with): the app shows
 * the line in the run's empty kNN charts.
 */
export const KNN_SKIPPED = 'kNN skipped:';

/**
 * How a run's log reports a dataset cache being built (`preparing the dataset cache: 12,000 / 100,000
 * images`): the CLI draws these lines as a progress bar. Written and read only through these two.
 */
const CACHE_PROGRESS = 'preparing the dataset cache:';

export function cacheProgressLine(done: number, total: number): string {
  return `${CACHE_PROGRESS} ${done.toLocaleString('en')} / ${total.toLocaleString('en')} images`;
}

export function parseCacheProgress(line: string): { done: number; total: number } | null {
  const match = line.startsWith(CACHE_PROGRESS) ? /([\d,]+) \/ ([\d,]+) images$/.exec(line) : null;
  if (!match) return null;
  return { done: Number(match[1]!.replaceAll(',', '')), total: Number(match[2]!.replaceAll(',', '')) };
}
