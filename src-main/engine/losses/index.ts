/**
 * Registry of ContrastLab's loss functionals. Each loss lives in its own file as a pure tensor function; this
 * module re-exports them and describes each one (the methods that use it, its inputs and where gradients stop)
 * for the CLI, the fixture runner and the docs.
 */
export { byolLoss } from './byol';
export { cmcLoss } from './cmc';
export {
  MASK_VALUE,
  arangeTargets,
  crossEntropy,
  l2Normalize,
  maskDiagonal,
  rowCosine,
  rowDot,
  sameLabelMask,
  softCrossEntropy,
  stopGradient,
  supervisedContrastiveTerm,
} from './common';
export { cpcInfoNceLoss } from './cpc_infonce';
export { dinoLoss, type DinoLossResult, type DinoOptions } from './dino';
export { infoNceQueueLoss } from './infonce_queue';
export { instDiscNceLoss, type InstDiscNceOptions, type InstDiscNceResult } from './instdisc_nce';
export { invaSpreadLoss } from './invaspread';
export { mocoV3Contrastive, mocoV3Loss } from './mocov3';
export { ntXentLoss } from './nt_xent';
export { simSiamLoss } from './simsiam';
export { sinkhornKnopp, swavLoss, type SwavOptions } from './swav';
export { supConLoss } from './supcon';
export { wclLoss, wclSupervisedLoss, wclWeakLabels, type WclLossResult } from './wcl';

export { LOSS_NAMES, LOSS_REGISTRY, isLossName, type LossInfo, type LossName } from './registry';
export { evaluateLossFixture, type LossFixtureResult } from './fixture';
