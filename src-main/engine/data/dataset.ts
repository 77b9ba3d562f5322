import type { DatasetId, DatasetSummary } from '../../domain';

/** One split of a dataset: images as NHWC uint8, `count * height * width * channels` bytes. */
export interface ImageSplit {
  images: Uint8Array;
  /** Class index per image, or null where the dataset has no labels (labels serve evaluation only). */
  labels: Int32Array | null;
  count: number;
}

/** The pixel geometry shared by every image of a dataset. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export interface Dataset extends ImageShape {
  id: string;
  name: string;
  classNames: string[];
  train: ImageSplit;
  test: ImageSplit;
  /** Per-channel mean and standard deviation of pixel values scaled to [0, 1], for normalisation. */
  mean: [number, number, number];
  std: [number, number, number];
}

/** What a caller may ask of any dataset; each source ignores what does not apply to it. */
export interface DatasetOptions {
  /** Folder holding the dataset's files (sources that read from disk). */
  dataDir?: string;
  /** Seed for generated datasets. */
  seed?: number;
  /** Use at most this many training images (the first ones, in file order, for datasets on disk). */
  trainSize?: number;
  /** Use at most this many test images. */
  testSize?: number;
}

/** A dataset the registry can load: one file per source (synthetic, CIFAR-10, …). */
export interface DatasetSource {
  id: DatasetId;
  name: string;
  /** Whether `dataDir` must be given. */
  needsDataDir: boolean;
  description: string;
  load(options: DatasetOptions): Promise<Dataset>;
  /**
   * Checks the dataset from its headers or metadata, without reading its images, and says what it
   * holds; throws the DatasetError `load` would throw for a missing or malformed folder.
   */
  inspect(options: DatasetOptions): Promise<DatasetSummary>;
}
