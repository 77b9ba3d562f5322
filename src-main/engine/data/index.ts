import { datasetIds, type DatasetId, type DatasetInfo, type DatasetSummary } from '../../domain';
import { cifar10Source } from './cifar10';
import { cifar100Source } from './cifar100';
import type { Dataset, DatasetOptions, DatasetSource } from './dataset';
import { DatasetError } from '../../domain';
import { imageFolderSource } from './imagefolder';
import { fashionMnistSource, mnistSource } from './mnist';
import { resizedDataset } from './resized';
import { stl10Source } from './stl10';
import { syntheticSource } from './synthetic';

/** Every dataset the engine can load; adding one (CIFAR-100, STL-10, MNIST, …) is one file and one line here. */
const sources: Partial<Record<DatasetId, DatasetSource>> = {
  synthetic: syntheticSource,
  cifar10: cifar10Source,
  cifar100: cifar100Source,
  stl10: stl10Source,
  mnist: mnistSource,
  'fashion-mnist': fashionMnistSource,
  imagefolder: imageFolderSource,
};

export interface DatasetSpec extends DatasetOptions {
  id: DatasetId;
}

/** Id, name, description and whether a data directory is needed, for forms and the CLI. */
export function listDatasets(): DatasetInfo[] {
  return Object.values(sources)
    .filter((s) => s !== undefined)
    .map(({ id, name, needsDataDir, description, nativeSize }) => ({
      id,
      name,
      needsDataDir,
      description,
      ...(nativeSize === undefined ? {} : { nativeSize }),
    }));
}

function sourceOf(spec: DatasetSpec): DatasetSource {
  const source: DatasetSource | undefined = Object.hasOwn(sources, spec.id) ? sources[spec.id] : undefined;
  if (!source) {
    throw new DatasetError(`Unknown dataset "${String(spec.id)}"; known: ${datasetIds.join(', ')}`);
  }
  return source;
}

/**
 * A dataset's images and labels, at the run's image size: sources that read image files decode them at
 * that size into the dataset cache themselves; the others are resized into it here (data/resized.ts).
 */
export async function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  const dataset = await sourceOf(spec).load(spec);
  const size = spec.imageSize;
  if (size === undefined || (dataset.height === size && dataset.width === size)) return dataset;
  return resizedDataset(dataset, size, spec);
}

/** What a dataset holds, from its headers (see DatasetSource.inspect); its images are not read. */
export async function inspectDataset(spec: DatasetSpec): Promise<DatasetSummary> {
  const summary = await sourceOf(spec).inspect(spec);
  const size = spec.imageSize;
  return size === undefined ? summary : { ...summary, height: size, width: size };
}

export type { Dataset, DatasetOptions, DatasetSource, ImageShape, ImageSplit } from './dataset';
export { evalTrainSplit, limitEvaluation } from './dataset';
export { DatasetError } from '../../domain';
