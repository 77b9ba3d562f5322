import { Module, Sequential } from '../module';
import { BatchNorm, Linear, ReLU } from '../layers';
import type { Rng } from '../../util/rng';

/**
 * An MLP head: `layers` linear layers with batch norm and ReLU between them (SimCLR's projection
 * head g(·), appendix B.9; v2 uses three layers). `lastBatchNorm` ends it with a BN after a bias-free
 * last layer: `true` without affine parameters, as SimCLR v2's released head and MoCo v3 do; 'scale'
 * with a learned scale and no shift, as SimCLR's released code does (model_util.py projection_head:
 * linear_layer(…, use_bias=False, use_bn=True) and batch_norm_relu(…, center=False)).
 */
export function mlpHead(
  inDim: number,
  hiddenDim: number,
  outDim: number,
  layers: number,
  rng: Rng,
  lastBatchNorm: boolean | 'scale' = false,
): Module {
  const mods: Module[] = [];
  let d = inDim;
  for (let i = 0; i < layers - 1; i++) {
    mods.push(new Linear(d, hiddenDim, rng, false), new BatchNorm(hiddenDim), new ReLU());
    d = hiddenDim;
  }
  mods.push(new Linear(d, outDim, rng, !lastBatchNorm));
  if (lastBatchNorm) mods.push(new BatchNorm(outDim, 0.1, 1e-5, lastBatchNorm === 'scale', false));
  return new Sequential(mods);
}
