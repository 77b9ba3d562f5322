import { Module, Sequential } from '../module';
import { BatchNorm, Linear, ReLU } from '../layers';
import type { Rng } from '../../util/rng';

/**
 * An MLP head: `layers` linear layers with batch norm and ReLU between them (SimCLR's projection
 * head g(·), appendix B.9; v2 uses three layers). `lastBatchNorm` adds a BN without affine
 * parameters after the last layer, as SimCLR v2's released head and MoCo v3 do.
 */
export function mlpHead(
  inDim: number,
  hiddenDim: number,
  outDim: number,
  layers: number,
  rng: Rng,
  lastBatchNorm = false,
): Module {
  const mods: Module[] = [];
  let d = inDim;
  for (let i = 0; i < layers - 1; i++) {
    mods.push(new Linear(d, hiddenDim, rng, false), new BatchNorm(hiddenDim), new ReLU());
    d = hiddenDim;
  }
  mods.push(new Linear(d, outDim, rng, !lastBatchNorm));
  if (lastBatchNorm) mods.push(new BatchNorm(outDim, 0.1, 1e-5, false));
  return new Sequential(mods);
}
