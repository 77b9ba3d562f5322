import type { Module } from '../module';
import type { Rng } from '../../util/rng';
import { mlpHead } from './mlp-head';

/**
 * BYOL's and MoCo v3's predictor q_θ (Grill et al. 2020, Sec. 3.3; Chen, Xie & He 2021): a 2-layer MLP
 * (with BN) on top of the online projection, from the projection back to its own size.
 */
export function projectionPredictor(projectionDim: number, hiddenDim: number, rng: Rng): Module {
  return mlpHead(projectionDim, hiddenDim, projectionDim, 2, rng);
}
