import type { NamedParameter } from './optimizers';

/**
 * How a parameter group's learning rate follows the run's schedule: `scheduled` takes the schedule's
 * rate at each step; `fixed` stays at the peak rate (after batch scaling) throughout, as SimSiam's
 * predictor does (Chen & He 2021, Sec. 4.1; released `main_simsiam.py --fix-pred-lr`).
 */
export type LearningRateRule = 'scheduled' | 'fixed';

/** The parameters whose names start with `prefix`, with their learning-rate rule. */
export interface ParameterGroup {
  prefix: string;
  lr: LearningRateRule;
}

/** The scheduled rate of this step and the peak rate the schedule starts from. */
export interface StepRates {
  lr: number;
  peakLr: number;
}

/**
 * The learning rate of each parameter (in the parameters' order) under the groups: that of the first
 * group whose prefix its name starts with, or the schedule's for a parameter in no group. A group that
 * names no parameter is a mistake in its method, so it throws rather than silently doing nothing.
 */
export function parameterLearningRates(
  params: readonly NamedParameter[],
  groups: readonly ParameterGroup[],
  rates: StepRates,
): number[] {
  for (const group of groups) {
    if (!params.some(([name]) => name.startsWith(group.prefix))) {
      throw new Error(`parameter group "${group.prefix}" matches no trainable parameter`);
    }
  }
  return params.map(([name]) => {
    const rule = groups.find((g) => name.startsWith(g.prefix))?.lr ?? 'scheduled';
    return rule === 'fixed' ? rates.peakLr : rates.lr;
  });
}
