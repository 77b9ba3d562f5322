import { cifar10Source } from './cifar10';
import type { Dataset, DatasetOptions, DatasetSource } from './dataset';
import { DatasetError } from './dataset';
import { syntheticSource } from './synthetic';

/** Every dataset the engine can load; adding one (CIFAR-100, STL-10, MNIST, …) is one file and one line here. */
const sources = {
  synthetic: syntheticSource,
  cifar10: cifar10Source,
} satisfies Record<string, DatasetSource>;

export type DatasetId = keyof typeof sources;

export const datasetIds = Object.keys(sources) as DatasetId[];

export interface DatasetSpec extends DatasetOptions {
  id: DatasetId;
}

/** Id, name, description and whether a data directory is needed, for forms and the CLI. */
export function listDatasets(): Omit<DatasetSource, 'load'>[] {
  return Object.values(sources).map(({ id, name, needsDataDir, description }) => ({
    id,
    name,
    needsDataDir,
    description,
  }));
}

export async function loadDataset(spec: DatasetSpec): Promise<Dataset> {
  const source: DatasetSource | undefined = Object.hasOwn(sources, spec.id) ? sources[spec.id] : undefined;
  if (!source) {
    throw new DatasetError(`Unknown dataset "${String(spec.id)}"; known: ${datasetIds.join(', ')}`);
  }
  return source.load(spec);
}

export type { Dataset, DatasetOptions, DatasetSource, ImageShape, ImageSplit } from './dataset';
export { DatasetError } from './dataset';
