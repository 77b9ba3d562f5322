import type { DatasetSpec, DatasetSummary } from '../../domain';
import { DatasetError } from '../../domain';
import { inspectDataset, listDatasets } from '../data';

/**
 * Checks a run's dataset before the run is recorded, from the dataset's headers: a missing or malformed
 * folder, or an unlabelled dataset for a method that trains on labels, is reported as one line and
 * nothing is written. The images are loaded once, by the run's worker.
 */
export async function checkDataset(spec: DatasetSpec, needsLabels: boolean): Promise<DatasetSummary> {
  const source = listDatasets().find((d) => d.id === spec.id);
  if (!source) throw new DatasetError(`unknown dataset "${spec.id}"`);
  if (source.needsDataDir && !spec.dataDir) {
    throw new DatasetError(`dataset ${spec.id} needs a data directory (--data-dir DIR)`);
  }
  const summary = await inspectDataset(spec);
  if (needsLabels && !summary.labelled) throw new DatasetError(`dataset ${spec.id} has no labels`);
  return summary;
}
