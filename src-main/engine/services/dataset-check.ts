import type { DatasetSpec, DatasetSummary } from '../../domain';
import { ConfigError, DatasetError } from '../../domain';
import { inspectDataset, listDatasets } from '../data';
import { validateAugmentConfig } from '../data/augment';
import type { RunConfig } from '../methods';
import type { MethodDefinition } from '../methods/method';
import { describeBackbone } from '../nn/backbones';

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

/**
 * Checks that a method's model and views fit the dataset's image size before a run is recorded: a ViT
 * needs a side it can cut into patches, DINO's local crops whole patches, every view a valid augmentation.
 * One ConfigError line, and nothing written.
 */
export function checkImageSize(method: MethodDefinition, config: RunConfig, summary: DatasetSummary): void {
  if (method.needsColour && summary.channels !== 3) {
    throw new ConfigError(
      `${method.title} needs colour images; ${summary.name} has ${summary.channels} channel${summary.channels === 1 ? '' : 's'}`,
    );
  }
  const size = summary.height;
  describeBackbone(config.backbone, size);
  const plan = method.viewPlan(config, size);
  try {
    for (const view of [...plan.global, ...plan.local]) validateAugmentConfig(view);
  } catch (e) {
    throw new ConfigError(`at ${size}×${size} px: ${(e as Error).message}`);
  }
}
