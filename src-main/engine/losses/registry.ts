import { byolDescription } from './byol';
import { cmcDescription } from './cmc';
import { cpcInfoNceDescription } from './cpc_infonce';
import { dinoDescription } from './dino';
import { distillationDescription } from './distillation';
import { infoNceQueueDescription } from './infonce_queue';
import { instDiscNceDescription } from './instdisc_nce';
import { instDiscSoftmaxDescription } from './instdisc_softmax';
import { invaSpreadDescription } from './invaspread';
import type { LossDescription } from './loss-description';
import { mocoV3Description } from './mocov3';
import { ntXentDescription } from './nt_xent';
import { ntXentQueueDescription } from './nt_xent_queue';
import { simSiamDescription } from './simsiam';
import { supConDescription } from './supcon';
import { swavDescription } from './swav';
import { swavQueueDescription } from './swav_queue';
import { wclDescription } from './wcl';

/**
 * ContrastLab's loss functionals: the one list of their descriptions (each lives next to its function, see
 * ./loss-description.ts). Names, lookups, the fixture evaluator and the tests derive from it;
 * test/engine/losses/descriptions.test.ts fails for a loss file missing here.
 */
export const LOSS_DESCRIPTIONS = [
  ntXentDescription,
  ntXentQueueDescription,
  infoNceQueueDescription,
  mocoV3Description,
  byolDescription,
  simSiamDescription,
  swavDescription,
  swavQueueDescription,
  dinoDescription,
  supConDescription,
  instDiscNceDescription,
  instDiscSoftmaxDescription,
  invaSpreadDescription,
  cmcDescription,
  cpcInfoNceDescription,
  wclDescription,
  distillationDescription,
] as const;

export type LossName = (typeof LOSS_DESCRIPTIONS)[number]['name'];

export const LOSS_NAMES: readonly LossName[] = LOSS_DESCRIPTIONS.map((d) => d.name);

export function isLossName(name: string): name is LossName {
  return (LOSS_NAMES as readonly string[]).includes(name);
}

/** The description of a registered loss. */
export function lossDescription(name: LossName): LossDescription<LossName> {
  const found = LOSS_DESCRIPTIONS.find((d) => d.name === name);
  if (!found) throw new Error(`No loss named "${name}" is registered`);
  return found;
}
