import { datasetIds, type DatasetId, type DatasetInfo, type DatasetSummary } from '../../domain';
import { cifar10Source } from './cifar10';
import type { Dataset, DatasetOptions, DatasetSource } from './dataset';
import { DatasetError } from '../../domain';
import { syntheticSource } from './synthetic';

/** Every dataset the engine can load; adding one (CIFAR-100, STL-10, MNIST, …) is one file and one line here. */
const sources: Record<DatasetId, DatasetSource> = {
  synthetic: syntheticSource,
  cifar10: cifar10Source,
};

export interface DatasetSpec extends DatasetOptions {
  id: DatasetId;
}

/** Id, name, description and whether a data directory is needed, for forms and the CLI. */
export function listDatasets(): DatasetInfo[] {
  return Object.values(sources).map(({ id, name, needsDataDir, description }) => ({
    id,
    name,
    needsDataDir,
    description,
  }));
}

function sourceOf(spec: DatasetSpec): DatasetSource {
  const source: DatasetSource | undefined = Object.hasOwn(sources, spec.id) ? sources[spec.id] : undefined;
  if (!source) {
    throw new DatasetError(`Unknown dataset "${String(spec.id)}"; known: ${datasetIds.join(', ')}`);
  }
  return source;
}

export async function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  return sourceOf(spec).load(spec);
}

/** What a dataset holds, from its headers (see DatasetSource.inspect); its images are not read. */
export async function inspectDataset(spec: DatasetSpec): Promise<DatasetSummary> {
  return sourceOf(spec).inspect(spec);
}

export type { Dataset, DatasetOptions, DatasetSource, ImageShape, ImageSplit } from './dataset';
export { DatasetError } from '../../domain';
