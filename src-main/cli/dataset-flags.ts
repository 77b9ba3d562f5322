import path from 'node:path';
import { datasetIds, imageSizeRange, type DatasetId, type DatasetSpec } from '../domain';
import { UsageError } from './errors';

/** The flags that name a dataset, shared by `train`, `bench train` and `bench quality`. */
export const datasetFlags = {
  dataset: { type: 'string' },
  'data-dir': { type: 'string' },
  'image-size': { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'coarse-labels': { type: 'boolean' },
  'test-fraction': { type: 'string' },
} as const;

/** The flags' help lines; `fallback` is the dataset used without --dataset. */
export const datasetHelp = (
  fallback: string,
): string => `  --dataset NAME         ${datasetIds.join(', ')} (default ${fallback})
  --data-dir DIR         folder of the dataset's files: cifar10 cifar-10-batches-bin, cifar100
                         cifar-100-binary, stl10 stl10_binary, mnist and fashion-mnist the IDX files
                         (Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist), imagefolder a
                         folder of images (one subfolder per class; train/ and test/ if it has them)
  --image-size N         train at N×N pixels (${imageSizeRange.min}–${imageSizeRange.max}): images are resized and centre-cropped once
                         into the dataset cache beside the database (image folders: default 64)
  --train-size N         use only the first N training images
  --test-size N          use only the first N test images
  --coarse-labels        cifar100: the 20 coarse classes instead of the 100 fine ones
  --test-fraction F      imagefolder without train/ and test/: the fraction held out for testing (default 0.1)
`;

interface DatasetFlagValues {
  dataset?: string;
  'data-dir'?: string;
  'image-size'?: string;
  'train-size'?: string;
  'test-size'?: string;
  'coarse-labels'?: boolean;
  'test-fraction'?: string;
}

function wholeNumber(flag: string, raw: string | undefined, min: number, max = Infinity): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be a whole number ${range}, got "${raw}"`);
  }
  return n;
}

/** The dataset the flags name; one line for an unknown dataset or a value out of range. */
export function datasetSpecFromFlags(values: DatasetFlagValues, fallback: DatasetId): DatasetSpec {
  const id = values.dataset ?? fallback;
  if (!(datasetIds as readonly string[]).includes(id)) {
    throw new UsageError(`unknown dataset "${id}"; datasets: ${datasetIds.join(', ')}`);
  }
  let testFraction: number | undefined;
  if (values['test-fraction'] !== undefined) {
    testFraction = Number(values['test-fraction']);
    if (!(testFraction > 0 && testFraction < 1)) {
      throw new UsageError(`--test-fraction must be between 0 and 1, got "${values['test-fraction']}"`);
    }
  }
  const spec: DatasetSpec = {
    id: id as DatasetId,
    dataDir: values['data-dir'] === undefined ? undefined : path.resolve(values['data-dir']),
    imageSize: wholeNumber('--image-size', values['image-size'], imageSizeRange.min, imageSizeRange.max),
    trainSize: wholeNumber('--train-size', values['train-size'], 1),
    testSize: wholeNumber('--test-size', values['test-size'], 1),
    coarseLabels: values['coarse-labels'],
    testFraction,
  };
  for (const key of Object.keys(spec) as (keyof DatasetSpec)[]) if (spec[key] === undefined) delete spec[key];
  return spec;
}
