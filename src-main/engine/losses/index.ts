/**
 * ContrastLab's loss functionals. Each lives in its own file with its description (./loss-description.ts);
 * import a loss's function from its file. This module is the registry's face: the descriptions, their names,
 * and the fixture evaluator behind `check-loss`.
 */
export { LOSS_DESCRIPTIONS, LOSS_NAMES, isLossName, lossDescription, type LossName } from './registry';
export { evaluateLossFixture, type LossFixtureResult, type NestedNumbers } from './fixture';
export {
  defineLoss,
  isLossDescription,
  type LossDescription,
  type LossFixtures,
  type LossInput,
  type NamedLossInput,
} from './loss-description';
